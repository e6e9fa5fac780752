#pragma once
// An independent legality checker for the commands a DRAM channel controller issues.
//
// It shares no code with the controller's scheduler: from the resolved MemSpec it derives its
// own table of JEDEC timing rules (docs/dram-timing-rules.md lists them with formulas and
// sources) and checks every issued command against every earlier command still within the
// longest rule window, plus bank state (ACT only to a closed bank, column commands only to an
// open one, REF only with all banks closed) and command-bus occupancy. It exists to catch
// scheduler bugs; it is enabled in tests and with `check_commands: true`.
//
// Timing reference: a rule's distance is measured between the *last* clock cycle of each
// command (cycle + bus_cycles - 1). For DDR3/DDR4/LPDDR3 every command is one cycle long, so
// this is the issue cycle. LPDDR4 commands take several CA-bus cycles (ACT 4, RD/WR 4, PRE/REF
// 2) and JESD209-4 references its timings to the last edge of each command, so e.g. ACT->PRE
// needs tRAS + 2 between the issue cycles, PRE->ACT only tRP - 2.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "models/dram/command.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {

// A set of commands, one bit per Command.
struct CommandSet {
  std::uint16_t bits = 0;

  constexpr CommandSet() = default;
  constexpr CommandSet(std::initializer_list<Command> commands) {
    for (const Command c : commands) bits = static_cast<std::uint16_t>(bits | bit(c));
  }
  static constexpr CommandSet all() {
    CommandSet s;
    s.bits = static_cast<std::uint16_t>((1u << kCommandCount) - 1);
    return s;
  }
  constexpr bool contains(Command c) const { return (bits & bit(c)) != 0; }
  constexpr bool empty() const { return bits == 0; }
  Command first() const;   // the lowest command in the set (the set must not be empty)
  std::string str() const; // "RD/RDA", "any"
  friend constexpr bool operator==(const CommandSet&, const CommandSet&) = default;

 private:
  static constexpr std::uint16_t bit(Command c) { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(c)); }
};

// Where the later command is, relative to the earlier one. Bank-level scopes compare the bank
// addressed by each command; a rank-level command (PREA, REF) matches any bank of its rank.
enum class Scope : std::uint8_t {
  SameBank,        // same rank, same bank
  SameBankGroup,   // same rank, same bank group (the same bank included)
  OtherBankGroup,  // same rank, another bank group
  OtherBank,       // same rank, another bank
  SameRank,        // same rank, any bank
  OtherRank,       // another rank of the channel
};
std::string_view scope_name(Scope s);

// One minimum-distance rule: a command in `to` must come at least `cycles` clock cycles after
// the `nth`-most-recent command in `from` within `scope` (distance between the commands' last
// bus cycles). nth is 1 for pairwise rules and 4 for tFAW (a 5th ACT must be tFAW after the
// 4th-previous one).
struct TimingRule {
  std::string name;     // "tRCD", "tCCD_L", ...; reported in Violation::rule
  CommandSet from;
  CommandSet to;
  Scope scope = Scope::SameBank;
  std::uint64_t cycles = 0;
  unsigned nth = 1;
  std::string formula;  // how cycles was derived, in JEDEC parameter names
  std::string source;   // the standard (or reference) the formula comes from
};

struct Violation {
  IssuedCommand cmd;
  std::string rule;                  // a TimingRule name or one of the checker_rule names below
  std::uint64_t earliest_legal = 0;  // earliest legal issue cycle; 0 where no cycle would do
  std::string message;
};

// Names of the non-timing rules, as reported in Violation::rule.
namespace checker_rule {
inline constexpr std::string_view kCommandBus = "command bus";          // overlap on the CA bus
inline constexpr std::string_view kActToOpenBank = "ACT to open bank";  // needs a PRE first
inline constexpr std::string_view kColumnToClosedBank = "column command to closed bank";
inline constexpr std::string_view kRefWithOpenBank = "REF with open bank";
inline constexpr std::string_view kRefpbToOpenBank = "REFpb to open bank";
inline constexpr std::string_view kRefpbUnsupported = "REFpb unsupported";
inline constexpr std::string_view kAddress = "address";  // channel, rank or bank out of range
}  // namespace checker_rule

struct CheckerOptions {
  bool throw_on_violation = false;  // throw std::logic_error with the first violation's message
  std::size_t max_recorded = 10000; // violations kept in violations(); all are counted
};

class CommandChecker : public CommandObserver {
 public:
  explicit CommandChecker(const MemSpec& spec, CheckerOptions options = {});

  // Checks c against the rules and the history, records any violations, then applies c to
  // the bank state and history (so checking carries on after a violation).
  void on_command(const IssuedCommand& c) override;

  const std::vector<Violation>& violations() const { return violations_; }
  std::uint64_t violation_count() const { return violation_count_; }
  std::uint64_t commands_checked() const { return commands_checked_; }
  bool ok() const { return violation_count_ == 0; }
  std::string summary() const;  // "N commands checked, M violations[; first: ...]"

  void set_throw_on_violation(bool on) { options_.throw_on_violation = on; }

  // The rule table derived from the MemSpec, for tests and documentation.
  const std::vector<TimingRule>& rules() const { return rules_; }

  // Clock cycles a command occupies the command bus (LPDDR4: ACT/RD/WR 4, PRE/REF 2; else 1).
  unsigned bus_cycles(Command c) const;

  // Diagnostics and tests only (a scheduler must not use this): the earliest cycle at which c
  // (its cycle field ignored) would satisfy every timing rule and the command bus, given the
  // history so far. Bank state is not considered.
  std::uint64_t earliest_legal(const IssuedCommand& c) const;

  // Derived latencies (cycles, between last bus cycles), exposed for tests and docs.
  std::uint64_t read_to_precharge() const { return rd2pre_; }
  std::uint64_t write_to_precharge() const { return wr2pre_; }

 private:
  struct Entry {
    IssuedCommand cmd;
    std::uint64_t ref = 0;      // last bus cycle (implied precharge: its internal start)
    std::uint64_t seq = 0;      // issue order
    unsigned group = 0;
    bool implied = false;       // the internal precharge of an RDA/WRA (cmd is the RDA/WRA)
  };
  struct BankState {
    bool open = false;
    std::uint64_t act_ref = 0;
    std::uint64_t act_cycle = 0;
    unsigned row = 0;
  };
  struct ChannelState {
    bool started = false;
    std::uint64_t last_cycle = 0;
    std::uint64_t bus_free = 0;  // first cycle after the last command's bus occupancy
    Command last_command = Command::ACT;
    // In issue order: [0] row and column commands (an RDA/WRA's implied precharge right after
    // it), [1] REF and REFpb, whose long windows (tRFC) would otherwise make every scan long.
    std::array<std::deque<Entry>, 2> history;
    std::uint64_t next_seq = 0;
    std::vector<BankState> banks;  // rank * banks + bank
  };
  struct Finding {
    std::size_t rule = 0;
    std::uint64_t required_ref = 0;
    const Entry* entry = nullptr;
    bool via_auto_precharge = false;  // the RDA/WRA's own precharge would break the rule
  };

  void build_rules();
  void add_rule(std::string name, CommandSet from, CommandSet to, Scope scope, std::int64_t cycles,
                std::string formula, std::string source, unsigned nth = 1);
  bool in_scope(const Entry& earlier, const IssuedCommand& later, Scope scope) const;
  std::uint64_t ref_of(const IssuedCommand& c) const { return c.cycle + bus_cycles(c.command) - 1; }
  unsigned group_of(unsigned bank) const { return bank / banks_per_group_; }
  // Scans the history for timing rules c would break (all of them when c.cycle is ignored).
  void find_timing(const ChannelState& ch, const IssuedCommand& c, bool whole_history,
                   std::vector<Finding>& out) const;
  void report(const IssuedCommand& c, std::string_view rule, std::uint64_t earliest, const std::string& detail);
  std::string describe(const IssuedCommand& c) const;

  MemSpec spec_;
  CheckerOptions options_;
  unsigned banks_per_group_ = 1;
  bool lpddr_ = false;
  bool per_bank_refresh_ = false;
  std::uint64_t rd2pre_ = 0, wr2pre_ = 0;
  // Per history list: entries older than this (in cycles) cannot constrain anything any more.
  std::array<std::uint64_t, 2> window_{};
  static constexpr std::size_t list_of(Command c) { return c == Command::REF || c == Command::REFpb ? 1 : 0; }
  std::vector<TimingRule> rules_;
  // rules_by_pair_[from][to]: indices of the rules an earlier `from` imposes on a later `to`.
  std::array<std::array<std::vector<std::size_t>, kCommandCount>, kCommandCount> rules_by_pair_;
  std::vector<ChannelState> channels_;
  std::vector<Violation> violations_;
  std::uint64_t violation_count_ = 0;
  std::uint64_t commands_checked_ = 0;
  mutable std::vector<Finding> scratch_;
  mutable std::vector<unsigned> nth_count_;
};

}  // namespace dmasim::dram

// Tests of the independent DRAM command-legality checker: every timing rule at exactly its
// minimum distance passes and one cycle earlier is flagged under its own name (DDR4-2400,
// LPDDR4-3200, DDR3-1600, LPDDR3-1600), bank-state and command-bus rules, auto-precharge, the
// derived latencies against hand-computed JEDEC values, and random legal streams.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <ostream>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/config/schema.h"
#include "models/dram/command_checker.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {
namespace {

// Two ranks each, so the rank-switch rules can be exercised; tRTRS 2 to tell it from the default.
constexpr std::string_view kDdr4Yaml = R"(
name: DDR4-2400R-8Gb-x8-2R
standard: DDR4
organisation: {ranks: 2, bank_groups: 4, banks: 16, rows: 65536, columns: 1024, device_width: 8,
               bus_width: 64, burst_length: 8}
timing: {tCK: 0.833ns, CL: 16, CWL: 12, tRCD: 16, tRP: 16, tRAS: 39, tRC: 55, tWR: 18, tRTP: 9,
         tWTR_S: 3, tWTR_L: 9, tRRD_S: 4, tRRD_L: 6, tFAW: 26, tCCD_S: 4, tCCD_L: 6, tRFC: 420,
         tREFI: 9360, tRTRS: 2}
)";

constexpr std::string_view kLpddr4Yaml = R"(
name: LPDDR4-3200-8Gb-x16-2R
standard: LPDDR4
organisation: {ranks: 2, bank_groups: 1, banks: 8, rows: 65536, columns: 1024, device_width: 16,
               bus_width: 16, burst_length: 16}
timing: {tCK: 0.625ns, CL: 28, CWL: 14, tRCD: 29, tRP: 29, tRPab: 34, tRAS: 68, tRC: 97, tWR: 29,
         tRTP: 12, tWTR_S: 16, tRRD_S: 16, tFAW: 64, tCCD_S: 8, tRFC: 448, tRFCpb: 224,
         tREFI: 6246, tREFIpb: 780, tDQSCK: 3.5ns, tRTRS: 2}
)";

constexpr std::string_view kDdr3Yaml = R"(
name: DDR3-1600K-4Gb-x8-2R
standard: DDR3
organisation: {ranks: 2, bank_groups: 1, banks: 8, rows: 65536, columns: 1024, device_width: 8,
               bus_width: 64, burst_length: 8}
timing: {tCK: 1.25ns, CL: 11, CWL: 8, tRCD: 11, tRP: 11, tRAS: 28, tRC: 39, tWR: 12, tRTP: 6,
         tWTR_S: 6, tRRD_S: 6, tFAW: 32, tCCD_S: 4, tRFC: 208, tREFI: 6240, tRTRS: 2}
)";

// tRC 49 (not 48): the project's validation wants tRC >= tRAS + tRP in whole cycles.
constexpr std::string_view kLpddr3Yaml = R"(
name: LPDDR3-1600-8Gb-x32-2R
standard: LPDDR3
organisation: {ranks: 2, bank_groups: 1, banks: 8, rows: 32768, columns: 1024, device_width: 32,
               bus_width: 32, burst_length: 8}
timing: {tCK: 1.25ns, CL: 12, CWL: 6, tRCD: 15, tRP: 15, tRPab: 17, tRAS: 34, tRC: 49, tWR: 12,
         tRTP: 6, tWTR_S: 6, tRRD_S: 8, tFAW: 40, tCCD_S: 4, tRFC: 168, tRFCpb: 72, tREFI: 3120,
         tREFIpb: 390, tDQSCK: 5.5ns, tRTRS: 2}
)";

MemSpec load(std::string_view yaml) {
  return resolve(cfg::read<MemSpecConfig>(cfg::load_yaml_string(yaml, "memspec")));
}

struct NamedSpec {
  std::string label;
  MemSpec spec;
};

const std::vector<NamedSpec>& specs() {
  static const std::vector<NamedSpec> all{{"DDR4", load(kDdr4Yaml)},
                                          {"LPDDR4", load(kLpddr4Yaml)},
                                          {"DDR3", load(kDdr3Yaml)},
                                          {"LPDDR3", load(kLpddr3Yaml)}};
  return all;
}

const MemSpec& spec(std::string_view label) {
  for (const auto& s : specs())
    if (s.label == label) return s.spec;
  throw std::logic_error("no such test spec");
}

IssuedCommand cmd(Command c, std::uint64_t cycle, unsigned rank = 0, unsigned bank = 0, unsigned row = 0) {
  IssuedCommand out;
  out.command = c;
  out.cycle = cycle;
  out.rank = rank;
  out.bank = bank;
  out.row = row;
  return out;
}

std::string messages(const CommandChecker& c) {
  std::string out;
  for (const auto& v : c.violations()) out += "\n  " + v.message;
  return out;
}

bool flagged(const CommandChecker& c, std::string_view rule) {
  return std::any_of(c.violations().begin(), c.violations().end(),
                     [&](const Violation& v) { return v.rule == rule; });
}

const Violation* find(const CommandChecker& c, std::string_view rule) {
  for (const auto& v : c.violations())
    if (v.rule == rule) return &v;
  return nullptr;
}

const TimingRule& rule(const CommandChecker& c, std::string_view name, Command from, Command to, Scope scope) {
  for (const auto& r : c.rules())
    if (r.name == name && r.from.contains(from) && r.to.contains(to) && r.scope == scope) return r;
  throw std::logic_error("no such rule: " + std::string(name));
}

// ---------------------------------------------------------------------------------------------
// One scenario per rule: set-up commands far in the past, the earlier command, (for tRC) the
// PRE that closes the row, then the later command at exactly the rule's minimum distance.

struct Place {
  unsigned rank = 0, bank = 0;
  friend auto operator<=>(const Place&, const Place&) = default;
};

struct Scenario {
  std::vector<IssuedCommand> prefix;
  IssuedCommand later;
  std::string skip;  // why the rule cannot be isolated (zero distance, or the bus dominates)
};

Scenario build_scenario(const MemSpec& m, const CommandChecker& probe, const TimingRule& r) {
  Scenario s;
  const auto off = [&](Command c) -> std::uint64_t { return probe.bus_cycles(c) - 1; };
  if (r.cycles == 0) {
    s.skip = "rule distance is 0";
    return s;
  }
  constexpr std::uint64_t kStart = 1000, kStep = 1000;  // set-up commands far apart: no interference
  const unsigned bpg = m.org.banks_per_group();
  if (r.nth > 1) {  // tFAW: nth ACTs at the tRRD_S pitch, rotating bank groups, then one more
    const std::uint64_t pitch = std::max<std::uint64_t>(m.t.tRRD_S, probe.bus_cycles(Command::ACT));
    if (r.cycles < r.nth * pitch) {
      s.skip = "tFAW is not longer than nth x tRRD";
      return s;
    }
    for (unsigned i = 0; i <= r.nth; ++i) {
      const unsigned bank = (i % m.org.bank_groups) * bpg + i / m.org.bank_groups;
      const IssuedCommand c = cmd(Command::ACT, i < r.nth ? kStart + i * pitch : kStart + r.cycles, 0, bank);
      if (i < r.nth)
        s.prefix.push_back(c);
      else
        s.later = c;
    }
    return s;
  }

  const Command E = r.from.first();
  const Command L = r.to == CommandSet::all() ? Command::ACT : r.to.first();
  const Place e{0, 0};
  Place l{0, 0};
  switch (r.scope) {
    case Scope::SameBank: l = {0, 0}; break;
    case Scope::SameBankGroup: l = {0, 1}; break;
    case Scope::OtherBankGroup: l = {0, bpg}; break;
    case Scope::OtherBank:
    case Scope::SameRank: l = {0, 1}; break;
    case Scope::OtherRank: l = {1, 0}; break;
  }
  std::uint64_t t = kStart;
  std::set<Place> open;
  const auto open_bank = [&](Place p) {
    if (open.count(p)) return;
    s.prefix.push_back(cmd(Command::ACT, t, p.rank, p.bank, 7));
    t += kStep;
    open.insert(p);
  };
  if (is_column(E) || E == Command::PRE || E == Command::PREA) open_bank(e);
  if (is_column(L) && !(E == Command::ACT && l == e)) open_bank(l);
  if (L == Command::PRE && E != Command::ACT) open_bank(l);

  s.prefix.push_back(cmd(E, t, e.rank, e.bank, 3));
  const std::uint64_t e_ref = t + off(E);
  std::uint64_t bus_free = e_ref + 1;
  if (E == Command::ACT && L == Command::ACT && l == e) {  // tRC: close the row at tRAS
    const std::uint64_t p = e_ref + m.t.tRAS - off(Command::PRE);
    s.prefix.push_back(cmd(Command::PRE, p, e.rank, e.bank));
    bus_free = p + off(Command::PRE) + 1;
  }
  const std::uint64_t target_ref = e_ref + r.cycles;
  if (target_ref < off(L) + bus_free) {
    s.skip = "the command bus dominates the rule";
    return s;
  }
  s.later = cmd(L, target_ref - off(L), l.rank, l.bank, 5);
  return s;
}

struct RuleCase {
  std::string label;
  std::size_t index = 0;
  std::string name;
};

std::vector<RuleCase> rule_cases() {
  std::vector<RuleCase> out;
  for (const auto& s : specs()) {
    const CommandChecker probe(s.spec);
    for (std::size_t i = 0; i < probe.rules().size(); ++i) {
      const TimingRule& r = probe.rules()[i];
      out.push_back({s.label, i,
                     fmt::format("{}_{:02}_{}_{}_{}", s.label, i, r.name, command_name(r.from.first()),
                                 r.to == CommandSet::all() ? std::string_view("any") : command_name(r.to.first()))});
    }
  }
  return out;
}

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class CommandCheckerRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(CommandCheckerRule, ExactMinimumPassesOneCycleEarlierIsFlagged) {
  const MemSpec& m = spec(GetParam().label);
  const CommandChecker probe(m);
  const TimingRule& r = probe.rules().at(GetParam().index);
  SCOPED_TRACE(fmt::format("{} {} -> {} ({}): {} = {} cycles", r.name, r.from.str(), r.to.str(), scope_name(r.scope),
                           r.formula, r.cycles));
  const Scenario s = build_scenario(m, probe, r);
  if (!s.skip.empty()) GTEST_SKIP() << s.skip;

  CommandChecker exact(m);
  for (const auto& c : s.prefix) exact.on_command(c);
  ASSERT_TRUE(exact.ok()) << "set-up sequence is not legal:" << messages(exact);
  exact.on_command(s.later);
  EXPECT_TRUE(exact.ok()) << "at exactly the minimum distance:" << messages(exact);
  EXPECT_EQ(exact.commands_checked(), s.prefix.size() + 1);

  CommandChecker early(m);
  for (const auto& c : s.prefix) early.on_command(c);
  IssuedCommand later = s.later;
  later.cycle -= 1;
  early.on_command(later);
  const Violation* v = find(early, r.name);
  ASSERT_NE(v, nullptr) << "one cycle early, expected " << r.name << ", got:" << messages(early);
  EXPECT_EQ(v->earliest_legal, s.later.cycle) << v->message;
  EXPECT_EQ(v->cmd.cycle, later.cycle);
}

INSTANTIATE_TEST_SUITE_P(CommandChecker, CommandCheckerRule, ::testing::ValuesIn(rule_cases()),
                         [](const ::testing::TestParamInfo<RuleCase>& p) { return p.param.name; });

// Every DDR4 rule (two ranks) and every LPDDR4 rule but the zero-distance WR->RD rank switch
// can be isolated, so the parameterised test above really covers them.
TEST(CommandChecker, EveryRuleIsExercised) {
  for (const auto* label : {"DDR4", "LPDDR4"}) {
    const MemSpec& m = spec(label);
    const CommandChecker probe(m);
    for (const auto& r : probe.rules()) {
      const Scenario s = build_scenario(m, probe, r);
      const bool zero_rank_switch = std::string_view(label) == "LPDDR4" && r.name == "tRTRS" &&
                                    r.from.contains(Command::WR) && r.to.contains(Command::RD);
      EXPECT_TRUE(s.skip.empty() || zero_rank_switch) << label << " " << r.name << " " << r.from.str() << "->"
                                                      << r.to.str() << ": " << s.skip;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The rule table against values computed by hand from the standards (docs/dram-timing-rules.md).

TEST(CommandChecker, Ddr4RuleValues) {
  const CommandChecker c(spec("DDR4"));
  using enum Command;
  EXPECT_EQ(rule(c, "tRC", ACT, ACT, Scope::SameBank).cycles, 55u);
  EXPECT_EQ(rule(c, "tRRD_L", ACT, ACT, Scope::SameBankGroup).cycles, 6u);
  EXPECT_EQ(rule(c, "tRRD_S", ACT, ACT, Scope::OtherBankGroup).cycles, 4u);
  EXPECT_EQ(rule(c, "tFAW", ACT, ACT, Scope::SameRank).cycles, 26u);
  EXPECT_EQ(rule(c, "tRCD", ACT, WRA, Scope::SameBank).cycles, 16u);
  EXPECT_EQ(rule(c, "tRAS", ACT, PREA, Scope::SameRank).cycles, 39u);
  EXPECT_EQ(rule(c, "tCCD_L", RDA, RD, Scope::SameBankGroup).cycles, 6u);
  EXPECT_EQ(rule(c, "tCCD_S", WR, WRA, Scope::OtherBankGroup).cycles, 4u);
  EXPECT_EQ(rule(c, "tRTRS", RD, RD, Scope::OtherRank).cycles, 6u);          // 4 + 2
  EXPECT_EQ(rule(c, "tRTW", RD, WR, Scope::SameRank).cycles, 10u);           // 16 + 4 - 12 + 2
  EXPECT_EQ(rule(c, "tRTRS", RD, WR, Scope::OtherRank).cycles, 10u);         // max(10, 16 + 4 + 2 - 12)
  EXPECT_EQ(rule(c, "tWTR_L", WR, RD, Scope::SameBankGroup).cycles, 25u);    // 12 + 4 + 9
  EXPECT_EQ(rule(c, "tWTR_S", WRA, RDA, Scope::OtherBankGroup).cycles, 19u); // 12 + 4 + 3
  EXPECT_EQ(rule(c, "tRTRS", WR, RD, Scope::OtherRank).cycles, 2u);          // 12 + 4 + 2 - 16
  EXPECT_EQ(rule(c, "tRTP", RD, PRE, Scope::SameBank).cycles, 9u);
  EXPECT_EQ(rule(c, "tWR", WR, PRE, Scope::SameBank).cycles, 34u);           // 12 + 4 + 18
  EXPECT_EQ(rule(c, "tRFC", REF, ACT, Scope::SameRank).cycles, 420u);
  EXPECT_EQ(c.bus_cycles(ACT), 1u);
  for (const auto& r : c.rules())
    if (r.name != "tRFC") {
      EXPECT_FALSE(r.from.contains(REFpb) || r.to.contains(REFpb)) << r.name;
    }
}

TEST(CommandChecker, Lpddr4RuleValues) {
  const CommandChecker c(spec("LPDDR4"));
  using enum Command;
  // tDQSCK 3.5 ns at 0.625 ns = 5.6 -> 6 cycles.
  EXPECT_EQ(rule(c, "tRTW", RD, WR, Scope::SameRank).cycles, 30u);          // 28 + 6 + 8 - 14 + 2
  EXPECT_EQ(rule(c, "tRTRS", RD, WR, Scope::OtherRank).cycles, 30u);        // max(30, 28 + 6 + 8 + 2 - 14)
  EXPECT_EQ(rule(c, "tWTR", WR, RD, Scope::SameRank).cycles, 39u);          // 14 + 8 + 16 + 1
  EXPECT_EQ(rule(c, "tRTP", RD, PRE, Scope::SameBank).cycles, 12u);         // 8 + max(8, 12) - 8
  EXPECT_EQ(rule(c, "tWR", WR, PRE, Scope::SameBank).cycles, 52u);          // 14 + 8 + 29 + 1
  EXPECT_EQ(rule(c, "tCCD", RD, RD, Scope::SameRank).cycles, 8u);
  EXPECT_EQ(rule(c, "tRPab", PREA, ACT, Scope::SameRank).cycles, 34u);
  EXPECT_EQ(rule(c, "tRFCpb", REFpb, ACT, Scope::SameBank).cycles, 224u);
  EXPECT_EQ(rule(c, "tRRD", REFpb, ACT, Scope::OtherBank).cycles, 16u);
  EXPECT_EQ(rule(c, "tRRD", ACT, REFpb, Scope::OtherBank).cycles, 16u);
  EXPECT_TRUE(rule(c, "tFAW", ACT, ACT, Scope::SameRank).from.contains(REFpb));
  EXPECT_EQ(rule(c, "tPPD", PRE, PREA, Scope::SameRank).cycles, 4u);
  EXPECT_EQ(c.bus_cycles(ACT), 4u);
  EXPECT_EQ(c.bus_cycles(WRA), 4u);
  EXPECT_EQ(c.bus_cycles(PRE), 2u);
  EXPECT_EQ(c.bus_cycles(REFpb), 2u);
}

TEST(CommandChecker, Ddr3AndLpddr3RuleValues) {
  using enum Command;
  const CommandChecker d3(spec("DDR3"));
  EXPECT_EQ(rule(d3, "tRTW", RD, WR, Scope::SameRank).cycles, 9u);    // 11 + 4 + 2 - 8
  EXPECT_EQ(rule(d3, "tWTR", WR, RD, Scope::SameRank).cycles, 18u);   // 8 + 4 + 6
  EXPECT_EQ(rule(d3, "tRTP", RD, PRE, Scope::SameBank).cycles, 6u);   // 4 + max(6, 4) - 4
  EXPECT_EQ(rule(d3, "tWR", WR, PRE, Scope::SameBank).cycles, 24u);   // 8 + 4 + 12
  const CommandChecker l3(spec("LPDDR3"));
  // tDQSCK 5.5 ns at 1.25 ns = 4.4 -> 5 cycles.
  EXPECT_EQ(rule(l3, "tRTW", RD, WR, Scope::SameRank).cycles, 16u);   // 12 + 5 + 4 + 1 - 6
  EXPECT_EQ(rule(l3, "tWTR", WR, RD, Scope::SameRank).cycles, 17u);   // 6 + 4 + 6 + 1
  EXPECT_EQ(rule(l3, "tRTP", RD, PRE, Scope::SameBank).cycles, 6u);   // 4 + max(4, 6) - 4
  EXPECT_EQ(rule(l3, "tWR", WR, PRE, Scope::SameBank).cycles, 23u);   // 6 + 4 + 12 + 1
  EXPECT_EQ(rule(l3, "tRPab", PREA, REF, Scope::SameRank).cycles, 17u);
  EXPECT_EQ(l3.bus_cycles(ACT), 1u);
}

// ---------------------------------------------------------------------------------------------
// tFAW, bank state, auto-precharge, command bus.

TEST(CommandChecker, FourActivatesFitTheFifthInTheWindowIsFlagged) {
  CommandChecker c(spec("DDR4"));  // tRRD_S 4, tRRD_L 6, tFAW 26
  for (unsigned i = 0; i < 4; ++i) c.on_command(cmd(Command::ACT, 100 + 4 * i, 0, 4 * i));
  EXPECT_TRUE(c.ok()) << messages(c);
  c.on_command(cmd(Command::ACT, 125, 0, 1));  // 4 ACTs in [100, 125]
  ASSERT_TRUE(flagged(c, "tFAW")) << messages(c);
  EXPECT_EQ(find(c, "tFAW")->earliest_legal, 126u);
  EXPECT_EQ(c.violation_count(), 1u) << messages(c);
  // ACTs to the other rank do not count.
  CommandChecker other(spec("DDR4"));
  for (unsigned i = 0; i < 4; ++i) other.on_command(cmd(Command::ACT, 100 + 4 * i, 0, 4 * i));
  other.on_command(cmd(Command::ACT, 117, 1, 0));
  EXPECT_TRUE(other.ok()) << messages(other);
}

TEST(CommandChecker, PerBankRefreshCountsTowardsTFawOnLpddr4) {
  // LPDDR4-3200 has tFAW = 4 x tRRD; widen tFAW so the window is the only binding rule.
  MemSpec m = spec("LPDDR4");
  m.t.tFAW = 80;
  const auto run = [&](bool with_refpb, std::uint64_t fifth) {
    auto c = std::make_unique<CommandChecker>(m);
    c->on_command(cmd(Command::ACT, 0, 0, 0));  // last bus cycle (reference) 3
    c->on_command(cmd(Command::ACT, 16, 0, 1));
    c->on_command(cmd(Command::ACT, 32, 0, 2));
    if (with_refpb) c->on_command(cmd(Command::REFpb, 50, 0, 3));  // reference 51 = 35 + tRRD
    c->on_command(cmd(Command::ACT, fifth, 0, 4));
    return c;
  };
  EXPECT_TRUE(run(true, 80)->ok()) << messages(*run(true, 80));  // reference 83 = 3 + 80
  const auto early = run(true, 79);
  ASSERT_TRUE(flagged(*early, "tFAW")) << messages(*early);
  EXPECT_EQ(early->violation_count(), 1u) << messages(*early);
  EXPECT_EQ(find(*early, "tFAW")->earliest_legal, 80u);
  EXPECT_TRUE(run(false, 79)->ok()) << messages(*run(false, 79));  // only 3 activations
}

TEST(CommandChecker, ActToOpenBankIsFlagged) {
  CommandChecker c(spec("DDR4"));
  c.on_command(cmd(Command::ACT, 10, 0, 5, 100));
  c.on_command(cmd(Command::ACT, 200, 0, 5, 101));
  ASSERT_TRUE(flagged(c, checker_rule::kActToOpenBank)) << messages(c);
  EXPECT_EQ(c.violation_count(), 1u) << messages(c);
  EXPECT_NE(c.violations()[0].message.find("row 100"), std::string::npos) << c.violations()[0].message;
}

TEST(CommandChecker, ColumnCommandToClosedBankIsFlagged) {
  for (const Command col : {Command::RD, Command::RDA, Command::WR, Command::WRA}) {
    CommandChecker c(spec("DDR4"));
    c.on_command(cmd(Command::ACT, 10, 0, 1));
    c.on_command(cmd(col, 100, 0, 2));
    EXPECT_TRUE(flagged(c, checker_rule::kColumnToClosedBank)) << command_name(col) << messages(c);
    EXPECT_EQ(c.violation_count(), 1u) << messages(c);
  }
  CommandChecker closed(spec("DDR4"));  // ACT, PRE, then RD: closed again
  closed.on_command(cmd(Command::ACT, 10, 0, 1));
  closed.on_command(cmd(Command::PRE, 60, 0, 1));
  closed.on_command(cmd(Command::RD, 200, 0, 1));
  EXPECT_TRUE(flagged(closed, checker_rule::kColumnToClosedBank)) << messages(closed);
}

TEST(CommandChecker, PrechargeToClosedBankIsALegalNop) {
  CommandChecker c(spec("DDR4"));
  c.on_command(cmd(Command::PRE, 10, 0, 3));
  c.on_command(cmd(Command::PREA, 11, 0));
  c.on_command(cmd(Command::PRE, 12, 1, 0));
  EXPECT_TRUE(c.ok()) << messages(c);
}

TEST(CommandChecker, RefreshWithOpenBankIsFlagged) {
  CommandChecker c(spec("DDR4"));
  c.on_command(cmd(Command::ACT, 10, 0, 9));
  c.on_command(cmd(Command::REF, 500, 0));
  EXPECT_TRUE(flagged(c, checker_rule::kRefWithOpenBank)) << messages(c);
  // The other rank's open bank does not matter.
  CommandChecker other(spec("DDR4"));
  other.on_command(cmd(Command::ACT, 10, 1, 9));
  other.on_command(cmd(Command::REF, 500, 0));
  EXPECT_TRUE(other.ok()) << messages(other);
}

TEST(CommandChecker, RefreshWaitsForPrechargeAndBlocksTheRankForTRfc) {
  CommandChecker c(spec("DDR4"));
  c.on_command(cmd(Command::ACT, 10, 0, 9));
  c.on_command(cmd(Command::PREA, 100, 0));
  c.on_command(cmd(Command::REF, 115, 0));  // tRPab 16
  EXPECT_TRUE(flagged(c, "tRPab")) << messages(c);
  CommandChecker ok(spec("DDR4"));
  ok.on_command(cmd(Command::ACT, 10, 0, 9));
  ok.on_command(cmd(Command::PREA, 100, 0));
  ok.on_command(cmd(Command::REF, 116, 0));
  ok.on_command(cmd(Command::ACT, 200, 1, 0));  // the other rank is free
  ok.on_command(cmd(Command::PRE, 535, 0, 2));  // any command to the rank waits tRFC (420)
  EXPECT_TRUE(flagged(ok, "tRFC")) << messages(ok);
  EXPECT_EQ(ok.violation_count(), 1u) << messages(ok);
  ok.on_command(cmd(Command::ACT, 536, 0, 2));
  EXPECT_EQ(ok.violation_count(), 1u) << messages(ok);
}

TEST(CommandChecker, PerBankRefreshNeedsAClosedBankAndIsDdrIllegal) {
  CommandChecker lp(spec("LPDDR4"));
  lp.on_command(cmd(Command::ACT, 0, 0, 2));
  lp.on_command(cmd(Command::REFpb, 100, 0, 2));
  EXPECT_TRUE(flagged(lp, checker_rule::kRefpbToOpenBank)) << messages(lp);
  CommandChecker ddr(spec("DDR4"));
  ddr.on_command(cmd(Command::REFpb, 100, 0, 2));
  EXPECT_TRUE(flagged(ddr, checker_rule::kRefpbUnsupported)) << messages(ddr);
}

TEST(CommandChecker, ReadWithAutoPrechargeClosesTheBank) {
  const MemSpec& m = spec("DDR4");  // tRCD 16, tRTP 9, tRAS 39, tRP 16
  // RDA at tRCD: tRAS lockout holds the precharge until ACT + 39, so ACT again at 10 + 55.
  const auto run = [&](std::uint64_t act2, Command follow = Command::ACT) {
    auto c = std::make_unique<CommandChecker>(m);
    c->on_command(cmd(Command::ACT, 10, 0, 5));
    c->on_command(cmd(Command::RDA, 26, 0, 5));
    c->on_command(cmd(follow, act2, 0, 5));
    return c;
  };
  EXPECT_TRUE(flagged(*run(40, Command::RD), checker_rule::kColumnToClosedBank));
  EXPECT_TRUE(run(65)->ok()) << messages(*run(65));
  const auto early = run(64);
  ASSERT_TRUE(flagged(*early, "tRP")) << messages(*early);
  EXPECT_EQ(find(*early, "tRP")->earliest_legal, 65u);
  EXPECT_NE(find(*early, "tRP")->message.find("auto-precharge of RDA at cycle 26"), std::string::npos)
      << find(*early, "tRP")->message;
  // RDA long after the ACT: the precharge starts tRTP after the RDA.
  CommandChecker late(m);
  late.on_command(cmd(Command::ACT, 10, 0, 5));
  late.on_command(cmd(Command::RDA, 200, 0, 5));
  late.on_command(cmd(Command::ACT, 224, 0, 5));  // needs 200 + 9 + 16 = 225
  EXPECT_TRUE(flagged(late, "tRP")) << messages(late);
  // A PRE after the RDA is a NOP for the precharged bank but still waits read-to-precharge.
  CommandChecker nop(m);
  nop.on_command(cmd(Command::ACT, 10, 0, 5));
  nop.on_command(cmd(Command::RDA, 200, 0, 5));
  nop.on_command(cmd(Command::PRE, 208, 0, 5));
  EXPECT_TRUE(flagged(nop, "tRTP")) << messages(nop);
  nop.on_command(cmd(Command::PRE, 209, 0, 5));
  nop.on_command(cmd(Command::ACT, 225, 0, 5));
  EXPECT_EQ(nop.violation_count(), 1u) << messages(nop);
}

TEST(CommandChecker, WriteWithAutoPrechargeClosesTheBankAfterWriteRecovery) {
  const MemSpec& m = spec("DDR4");  // WL 12 + BL/2 4 + tWR 18 = 34, then tRP 16
  CommandChecker ok(m);
  ok.on_command(cmd(Command::ACT, 0, 0, 3));
  ok.on_command(cmd(Command::WRA, 16, 0, 3));
  ok.on_command(cmd(Command::ACT, 66, 0, 3));
  EXPECT_TRUE(ok.ok()) << messages(ok);
  CommandChecker bad(m);
  bad.on_command(cmd(Command::ACT, 0, 0, 3));
  bad.on_command(cmd(Command::WRA, 16, 0, 3));
  bad.on_command(cmd(Command::REF, 65, 0));  // the implied precharge + tRP also gates REF
  EXPECT_TRUE(flagged(bad, "tRP")) << messages(bad);
  EXPECT_FALSE(flagged(bad, checker_rule::kRefWithOpenBank)) << messages(bad);
}

TEST(CommandChecker, ReadWithAutoPrechargeAfterAWriteRespectsWriteRecovery) {
  // The RDA's internal precharge (tRTP after it) must be tWR-clean of the WR before it. With
  // tWR 30: WR -> PRE needs 12 + 4 + 30 = 46, so RDA >= WR + 46 - 9, later than tWTR_L (25).
  MemSpec m = spec("DDR4");
  m.t.tWR = 30;
  const auto run = [&](std::uint64_t rda) {
    auto c = std::make_unique<CommandChecker>(m);
    c->on_command(cmd(Command::ACT, 0, 0, 2));
    c->on_command(cmd(Command::WR, 16, 0, 2));
    c->on_command(cmd(Command::RDA, rda, 0, 2));
    return c;
  };
  EXPECT_TRUE(run(53)->ok()) << messages(*run(53));
  const auto early = run(52);
  ASSERT_TRUE(flagged(*early, "tWR")) << messages(*early);
  EXPECT_EQ(find(*early, "tWR")->earliest_legal, 53u);
  EXPECT_NE(find(*early, "tWR")->message.find("auto-precharge to start no earlier than cycle 62"), std::string::npos)
      << find(*early, "tWR")->message;
  // A WR to another bank does not matter.
  CommandChecker other(m);
  other.on_command(cmd(Command::ACT, 0, 0, 2));
  other.on_command(cmd(Command::ACT, 6, 0, 3));
  other.on_command(cmd(Command::WR, 22, 0, 3));
  other.on_command(cmd(Command::RDA, 47, 0, 2));  // tWTR_L from the WR: 22 + 25
  EXPECT_TRUE(other.ok()) << messages(other);
}

TEST(CommandChecker, Lpddr4AutoPrechargeUsesLastEdgeReferences) {
  const MemSpec& m = spec("LPDDR4");  // tRCD 29, tRAS 68, tRP 29, tRC 97
  CommandChecker ok(m);
  ok.on_command(cmd(Command::ACT, 0, 0, 1));
  ok.on_command(cmd(Command::RDA, 29, 0, 1));  // precharge from ACT ref 3 + 68 = 71
  ok.on_command(cmd(Command::ACT, 97, 0, 1));  // ref 100 = 71 + 29
  EXPECT_TRUE(ok.ok()) << messages(ok);
  CommandChecker bad(m);
  bad.on_command(cmd(Command::ACT, 0, 0, 1));
  bad.on_command(cmd(Command::RDA, 29, 0, 1));
  bad.on_command(cmd(Command::ACT, 96, 0, 1));
  EXPECT_TRUE(flagged(bad, "tRP") && flagged(bad, "tRC")) << messages(bad);
  // Explicit PRE: ACT -> PRE needs tRAS between last edges, i.e. issue cycles tRAS + 2 apart.
  CommandChecker pre(m);
  pre.on_command(cmd(Command::ACT, 0, 0, 1));
  pre.on_command(cmd(Command::PRE, 69, 0, 1));
  ASSERT_TRUE(flagged(pre, "tRAS")) << messages(pre);
  EXPECT_EQ(find(pre, "tRAS")->earliest_legal, 70u);
}

TEST(CommandChecker, TwoCommandsInOneCycleAreFlagged) {
  CommandChecker c(spec("DDR4"));
  c.on_command(cmd(Command::ACT, 10, 0, 0));
  c.on_command(cmd(Command::ACT, 10, 1, 0));
  ASSERT_TRUE(flagged(c, checker_rule::kCommandBus)) << messages(c);
  EXPECT_EQ(find(c, checker_rule::kCommandBus)->earliest_legal, 11u);
  c.on_command(cmd(Command::ACT, 9, 1, 4));  // going back in time
  const auto bus = std::count_if(c.violations().begin(), c.violations().end(),
                                 [](const Violation& v) { return v.rule == checker_rule::kCommandBus; });
  EXPECT_EQ(bus, 2) << messages(c);
  EXPECT_EQ(c.violations().back().cmd.cycle, 9u)
      << messages(c);
}

TEST(CommandChecker, Lpddr4CommandsOccupyTheBusForSeveralCycles) {
  CommandChecker c(spec("LPDDR4"));
  c.on_command(cmd(Command::ACT, 0, 0, 0));    // cycles 0-3
  c.on_command(cmd(Command::ACT, 3, 1, 0));    // overlaps
  ASSERT_TRUE(flagged(c, checker_rule::kCommandBus)) << messages(c);
  EXPECT_EQ(find(c, checker_rule::kCommandBus)->earliest_legal, 4u);
  CommandChecker ok(spec("LPDDR4"));
  ok.on_command(cmd(Command::ACT, 0, 0, 0));
  ok.on_command(cmd(Command::ACT, 4, 1, 0));
  ok.on_command(cmd(Command::PRE, 8, 0, 5));   // 2 cycles: 8-9 (a NOP: bank 5 is precharged)
  ok.on_command(cmd(Command::PRE, 10, 1, 6));
  EXPECT_TRUE(ok.ok()) << messages(ok);
}

TEST(CommandChecker, MessageFormat) {
  CommandChecker c(spec("DDR4"));
  c.on_command(cmd(Command::ACT, 1220, 0, 5));
  c.on_command(cmd(Command::RD, 1234, 0, 5));
  ASSERT_EQ(c.violations().size(), 1u);
  const Violation& v = c.violations()[0];
  EXPECT_EQ(v.message, "cycle 1234: RD rank 0 bank 5 (bg 1): tRCD: ACT at cycle 1220 requires RD no earlier than 1236");
  EXPECT_EQ(v.rule, "tRCD");
  EXPECT_EQ(v.earliest_legal, 1236u);
  EXPECT_EQ(v.cmd.cycle, 1234u);
  EXPECT_NE(c.summary().find("2 commands checked, 1 violations"), std::string::npos) << c.summary();
}

TEST(CommandChecker, ThrowOnViolation) {
  CommandChecker c(spec("DDR4"), CheckerOptions{.throw_on_violation = true});
  c.on_command(cmd(Command::ACT, 1220, 0, 5));
  try {
    c.on_command(cmd(Command::RD, 1234, 0, 5));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("tRCD"), std::string::npos) << e.what();
  }
  CommandChecker quiet(spec("DDR4"));
  quiet.set_throw_on_violation(true);
  EXPECT_NO_THROW(quiet.on_command(cmd(Command::ACT, 1, 0, 5)));
  EXPECT_THROW(quiet.on_command(cmd(Command::ACT, 1, 0, 6)), std::logic_error);
}

TEST(CommandChecker, AddressOutOfRangeIsFlagged) {
  CommandChecker c(spec("DDR4"));
  IssuedCommand bad = cmd(Command::ACT, 5, 0, 16);
  c.on_command(bad);
  bad = cmd(Command::ACT, 6, 2, 0);
  c.on_command(bad);
  bad = cmd(Command::ACT, 7, 0, 0);
  bad.channel = 1;
  c.on_command(bad);
  EXPECT_EQ(c.violation_count(), 3u) << messages(c);
  EXPECT_TRUE(flagged(c, checker_rule::kAddress));
}

TEST(CommandChecker, ChannelsAreCheckedIndependently) {
  MemSpec m = spec("DDR4");
  m.org.channels = 2;
  CommandChecker c(m);
  IssuedCommand a = cmd(Command::ACT, 10, 0, 0);
  IssuedCommand b = a;
  b.channel = 1;
  c.on_command(a);
  c.on_command(b);  // same cycle, same bank, other channel: fine
  EXPECT_TRUE(c.ok()) << messages(c);
}

// ---------------------------------------------------------------------------------------------
// Random legal streams: each command at earliest_legal() (plus some slack) must pass, and the
// same command one cycle earlier must not. Also times the checker on a ~300k-command stream.

std::vector<IssuedCommand> random_stream(const MemSpec& m, std::size_t n, std::uint64_t seed, bool probe_early,
                                         int* probed = nullptr) {
  CommandChecker gen(m);
  std::mt19937_64 rng(seed);
  const unsigned ranks = m.org.ranks, banks = m.org.banks;
  std::vector<bool> open(std::size_t{ranks} * banks, false);
  std::vector<std::uint64_t> next_refresh(ranks, m.t.tREFI);
  const bool per_bank = (m.standard == Standard::LPDDR3 || m.standard == Standard::LPDDR4) && m.has_per_bank_refresh();
  std::vector<IssuedCommand> out;
  out.reserve(n);
  std::uint64_t now = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned r = static_cast<unsigned>(rng() % ranks);
    const unsigned b = static_cast<unsigned>(rng() % banks);
    IssuedCommand c = cmd(Command::ACT, 0, r, b, static_cast<unsigned>(rng() % m.org.rows));
    const auto rank_open = [&] {
      for (unsigned k = 0; k < banks; ++k)
        if (open[r * banks + k]) return true;
      return false;
    };
    if (now >= next_refresh[r]) {
      c.command = rank_open() ? Command::PREA : Command::REF;
      if (c.command == Command::REF) next_refresh[r] += m.t.tREFI;
    } else if (!open[r * banks + b]) {
      c.command = per_bank && rng() % 50 == 0 ? Command::REFpb : Command::ACT;
    } else {
      static constexpr Command kOpenChoices[] = {Command::RD,  Command::RD, Command::RD,  Command::RD, Command::WR,
                                                 Command::WR,  Command::RDA, Command::WRA, Command::PRE, Command::PRE};
      c.command = kOpenChoices[rng() % 10];
    }
    const std::uint64_t earliest = gen.earliest_legal(c);
    c.cycle = earliest + (rng() % 4 == 0 ? rng() % 16 : 0);
    if (probe_early && earliest > 0 && i % 37 == 0) {
      CommandChecker copy = gen;
      IssuedCommand early = c;
      early.cycle = earliest - 1;
      copy.on_command(early);
      EXPECT_GT(copy.violation_count(), 0u) << "no violation one cycle before earliest_legal for "
                                            << command_name(c.command) << " at " << early.cycle;
      if (probed) ++*probed;
    }
    gen.on_command(c);
    now = c.cycle;
    switch (c.command) {
      case Command::ACT: open[r * banks + b] = true; break;
      case Command::PRE:
      case Command::RDA:
      case Command::WRA: open[r * banks + b] = false; break;
      case Command::PREA:
        for (unsigned k = 0; k < banks; ++k) open[r * banks + k] = false;
        break;
      default: break;
    }
    out.push_back(c);
  }
  EXPECT_TRUE(gen.ok()) << gen.summary();
  return out;
}

TEST(CommandChecker, RandomLegalStreamsPassAndOneCycleEarlierFails) {
  for (const auto& s : specs()) {
    SCOPED_TRACE(s.label);
    int probed = 0;
    const auto stream = random_stream(s.spec, 20000, 42, true, &probed);
    EXPECT_GT(probed, 400);
    CommandChecker fresh(s.spec);
    for (const auto& c : stream) fresh.on_command(c);
    EXPECT_TRUE(fresh.ok()) << fresh.summary();
    // The stream exercised every command kind.
    std::set<Command> seen;
    for (const auto& c : stream) seen.insert(c.command);
    EXPECT_GE(seen.size(), s.spec.has_per_bank_refresh() ? 9u : 8u);
  }
}

TEST(CommandChecker, ShippedMemspecsAcceptRandomLegalStreams) {
  const std::string dir = std::string(DMASIM_SOURCE_DIR) + "/scenarios/memspecs/";
  for (const auto* file : {"ddr3-1600k-4gb-x8.yaml", "ddr4-2400r-8gb-x8.yaml", "ddr4-3200aa-8gb-x8.yaml",
                           "lpddr3-1600-8gb-x32.yaml", "lpddr3-1866-8gb-x32.yaml", "lpddr4-3200-8gb-x16.yaml",
                           "lpddr4-3200-x32.yaml"}) {
    SCOPED_TRACE(file);
    MemSpec m;
    try {
      m = load_memspec(dir + file);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    const CommandChecker probe(m);
    for (const auto& r : probe.rules()) {
      if (r.name == "tRTRS" && r.from.contains(Command::WR) && r.to.contains(Command::RD)) continue;
      EXPECT_GT(r.cycles, 0u) << r.name << " " << r.from.str() << "->" << r.to.str();
    }
    random_stream(m, 5000, 3, true);
  }
}

TEST(CommandChecker, ThroughputOnALongStream) {
  for (const auto* label : {"DDR4", "LPDDR4"}) {
    const MemSpec& m = spec(label);
    const auto stream = random_stream(m, 300000, 7, false);
    CommandChecker c(m);
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& cmd_ : stream) c.on_command(cmd_);
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / stream.size();
    EXPECT_TRUE(c.ok()) << c.summary();
    EXPECT_EQ(c.commands_checked(), stream.size());
    std::printf("[ checker  ] %s: %zu commands over %llu cycles, %.0f ns per command\n", label, stream.size(),
                static_cast<unsigned long long>(stream.back().cycle), ns);
    EXPECT_LT(ns, 50000.0);  // generous: sanitizer builds are several times slower
  }
}

}  // namespace
}  // namespace dmasim::dram

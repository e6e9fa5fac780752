#include "models/dram/command_checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace dmasim::dram {

Command CommandSet::first() const {
  for (std::size_t i = 0; i < kCommandCount; ++i)
    if (contains(static_cast<Command>(i))) return static_cast<Command>(i);
  throw std::logic_error("CommandSet::first on an empty set");
}

std::string CommandSet::str() const {
  if (*this == all()) return "any";
  std::string out;
  for (std::size_t i = 0; i < kCommandCount; ++i) {
    if (!contains(static_cast<Command>(i))) continue;
    if (!out.empty()) out += '/';
    out += command_name(static_cast<Command>(i));
  }
  return out;
}

std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::SameBank: return "same bank";
    case Scope::SameBankGroup: return "same bank group";
    case Scope::OtherBankGroup: return "other bank group";
    case Scope::OtherBank: return "other bank, same rank";
    case Scope::SameRank: return "same rank";
    case Scope::OtherRank: return "other rank";
  }
  return "?";
}

namespace {

constexpr bool rank_level(Command c) { return c == Command::PREA || c == Command::REF; }

std::string_view standard_source(Standard s) {
  switch (s) {
    case Standard::DDR3: return "JESD79-3F (DDR3)";
    case Standard::DDR4: return "JESD79-4B (DDR4)";
    case Standard::LPDDR3: return "JESD209-3C (LPDDR3)";
    case Standard::LPDDR4: return "JESD209-4B (LPDDR4)";
  }
  return "?";
}

}  // namespace

CommandChecker::CommandChecker(const MemSpec& spec, CheckerOptions options)
    : spec_(spec), options_(options) {
  banks_per_group_ = std::max(1u, spec_.org.banks_per_group());
  lpddr_ = spec_.standard == Standard::LPDDR3 || spec_.standard == Standard::LPDDR4;
  per_bank_refresh_ = lpddr_ && spec_.has_per_bank_refresh();
  build_rules();
  nth_count_.assign(rules_.size(), 0);
  channels_.resize(std::max(1u, spec_.org.channels));
  for (auto& ch : channels_) ch.banks.resize(std::size_t{spec_.org.ranks} * spec_.org.banks);
}

unsigned CommandChecker::bus_cycles(Command c) const {
  if (spec_.standard != Standard::LPDDR4) return 1;
  // JESD209-4: single-data-rate CA bus; ACT = ACT-1 + ACT-2, RD/WR = RD-1/WR-1 + CAS-2, each
  // part two clocks; PRE, PREA, REF and REFpb are one two-clock command.
  switch (c) {
    case Command::ACT:
    case Command::RD:
    case Command::RDA:
    case Command::WR:
    case Command::WRA: return 4;
    default: return 2;
  }
}

void CommandChecker::add_rule(std::string name, CommandSet from, CommandSet to, Scope scope, std::int64_t cycles,
                              std::string formula, std::string source, unsigned nth) {
  TimingRule r;
  r.name = std::move(name);
  r.from = from;
  r.to = to;
  r.scope = scope;
  r.cycles = static_cast<std::uint64_t>(std::max<std::int64_t>(0, cycles));
  r.nth = nth;
  r.formula = std::move(formula);
  r.source = std::move(source);
  const std::size_t index = rules_.size();
  for (std::size_t f = 0; f < kCommandCount; ++f) {
    if (!from.contains(static_cast<Command>(f))) continue;
    for (std::size_t t = 0; t < kCommandCount; ++t)
      if (to.contains(static_cast<Command>(t))) rules_by_pair_[f][t].push_back(index);
  }
  rules_.push_back(std::move(r));
}

void CommandChecker::build_rules() {
  const Timings& t = spec_.t;
  const Standard st = spec_.standard;
  const std::int64_t BL2 = spec_.burst_cycles();
  const std::int64_t RL = t.CL, WL = t.CWL;
  const std::int64_t dqsck = lpddr_ ? t.tDQSCK : 0;
  const bool bg = spec_.has_bank_groups();
  const std::string src{standard_source(st)};
  const std::string jacob = "tRTRS data-bus rank switch as in B. Jacob et al., Memory Systems (2008) ch. 11";

  const CommandSet ACT{Command::ACT}, PRE{Command::PRE}, PREA{Command::PREA}, REF{Command::REF},
      REFpb{Command::REFpb};
  const CommandSet RD{Command::RD, Command::RDA}, WR{Command::WR, Command::WRA};
  const CommandSet COL{Command::RD, Command::RDA, Command::WR, Command::WRA};

  // Derived latencies, all between the commands' last bus cycles (AL = 0, RL = CL, WL = CWL).
  std::int64_t rd2pre = 0, wr2pre = 0, rd2wr = 0, wtr_extra = 0;
  std::string rd2pre_f, wr2pre_f, rd2wr_f;
  switch (st) {
    case Standard::DDR3:
      rd2pre = BL2 + std::max<std::int64_t>(t.tRTP, 4) - 4;
      rd2pre_f = "AL + BL/2 + max(tRTP, 4) - 4";
      wr2pre = WL + BL2 + t.tWR;
      wr2pre_f = "WL + BL/2 + tWR";
      rd2wr = RL + BL2 + 2 - WL;
      rd2wr_f = "RL + BL/2 + 2 - WL (RL + tCCD + 2tCK - WL)";
      break;
    case Standard::DDR4:
      rd2pre = t.tRTP;
      rd2pre_f = "AL + tRTP";
      wr2pre = WL + BL2 + t.tWR;
      wr2pre_f = "WL + BL/2 + tWR";
      rd2wr = RL + BL2 + 2 - WL;
      rd2wr_f = "RL + BL/2 - WL + 2 (1tCK write preamble)";
      break;
    case Standard::LPDDR3:
      rd2pre = BL2 + std::max<std::int64_t>(4, t.tRTP) - 4;
      rd2pre_f = "BL/2 + max(4, tRTP) - 4";
      wr2pre = WL + BL2 + t.tWR + 1;
      wr2pre_f = "WL + BL/2 + tWR + 1";
      rd2wr = RL + dqsck + BL2 + 1 - WL;
      rd2wr_f = "RL + tDQSCK + BL/2 + 1 - WL";
      wtr_extra = 1;
      break;
    case Standard::LPDDR4:
      rd2pre = BL2 + std::max<std::int64_t>(8, t.tRTP) - 8;
      rd2pre_f = "BL/2 + max(8, tRTP) - 8";
      wr2pre = WL + BL2 + t.tWR + 1;
      wr2pre_f = "WL + BL/2 + tWR + 1";
      rd2wr = RL + dqsck + BL2 - WL + 2;
      rd2wr_f = "RL + tDQSCK + BL/2 - WL + tWPRE(2) + RD(tRPST)(0)";
      wtr_extra = 1;
      break;
  }
  rd2pre_ = static_cast<std::uint64_t>(rd2pre);
  wr2pre_ = static_cast<std::uint64_t>(wr2pre);
  const std::string wtr_plus = wtr_extra ? " + 1" : "";

  const std::string rp_f = lpddr_ ? "tRPpb" : "tRP";
  const std::string rpab_f = lpddr_ ? "tRPab" : "tRP (precharge-all takes tRP)";

  // Row commands.
  add_rule("tRC", ACT, ACT, Scope::SameBank, t.tRC, "tRC", src);
  if (bg) {
    add_rule("tRRD_L", ACT, ACT, Scope::SameBankGroup, t.tRRD_L, "tRRD_L", src);
    add_rule("tRRD_S", ACT, ACT, Scope::OtherBankGroup, t.tRRD_S, "tRRD_S", src);
  } else {
    add_rule("tRRD", ACT, ACT, Scope::SameRank, t.tRRD_S, "tRRD", src);
  }
  const CommandSet faw = per_bank_refresh_ ? CommandSet{Command::ACT, Command::REFpb} : ACT;
  add_rule("tFAW", faw, faw, Scope::SameRank, t.tFAW,
           per_bank_refresh_ ? "tFAW (at most 4 ACT or REFpb in any tFAW window)" : "tFAW (at most 4 ACT in any tFAW window)",
           src, 4);
  add_rule("tRCD", ACT, COL, Scope::SameBank, t.tRCD, "tRCD", src);
  add_rule("tRAS", ACT, PRE, Scope::SameBank, t.tRAS, "tRAS", src);
  add_rule("tRAS", ACT, PREA, Scope::SameRank, t.tRAS, "tRAS", src);
  add_rule("tRP", PRE, ACT, Scope::SameBank, t.tRP, rp_f, src);
  add_rule("tRP", PRE, REF, Scope::SameRank, t.tRP, rp_f, src);
  add_rule("tRPab", PREA, ACT, Scope::SameRank, t.tRPab, rpab_f, src);
  add_rule("tRPab", PREA, REF, Scope::SameRank, t.tRPab, rpab_f, src);
  if (st == Standard::LPDDR4)
    add_rule("tPPD", CommandSet{Command::PRE, Command::PREA}, CommandSet{Command::PRE, Command::PREA}, Scope::SameRank,
             4, "tPPD (4 nCK)", src);
  if (per_bank_refresh_) {
    add_rule("tRP", PRE, REFpb, Scope::SameBank, t.tRP, rp_f, src);
    add_rule("tRPab", PREA, REFpb, Scope::SameRank, t.tRPab, rpab_f, src);
  }

  // Column commands.
  const std::int64_t ccd_l = std::max<std::int64_t>(t.tCCD_L, BL2), ccd_s = std::max<std::int64_t>(t.tCCD_S, BL2);
  for (const CommandSet set : {RD, WR}) {
    if (bg) {
      add_rule("tCCD_L", set, set, Scope::SameBankGroup, ccd_l, "max(tCCD_L, BL/2)", src);
      add_rule("tCCD_S", set, set, Scope::OtherBankGroup, ccd_s, "max(tCCD_S, BL/2)", src);
    } else {
      add_rule("tCCD", set, set, Scope::SameRank, ccd_s, "max(tCCD, BL/2)", src);
    }
    add_rule("tRTRS", set, set, Scope::OtherRank, BL2 + t.tRTRS, "BL/2 + tRTRS", jacob);
  }
  add_rule("tRTW", RD, WR, Scope::SameRank, rd2wr, rd2wr_f, src);
  add_rule("tRTRS", RD, WR, Scope::OtherRank, std::max(rd2wr, RL + dqsck + BL2 + t.tRTRS - WL),
           lpddr_ ? "max(tRTW, RL + tDQSCK + BL/2 + tRTRS - WL)" : "max(tRTW, RL + BL/2 + tRTRS - WL)",
           jacob + "; never shorter than the same-rank turnaround");
  if (bg) {
    add_rule("tWTR_L", WR, RD, Scope::SameBankGroup, WL + BL2 + t.tWTR_L + wtr_extra, "WL + BL/2 + tWTR_L" + wtr_plus, src);
    add_rule("tWTR_S", WR, RD, Scope::OtherBankGroup, WL + BL2 + t.tWTR_S + wtr_extra, "WL + BL/2 + tWTR_S" + wtr_plus, src);
  } else {
    add_rule("tWTR", WR, RD, Scope::SameRank, WL + BL2 + t.tWTR_S + wtr_extra, "WL + BL/2 + tWTR" + wtr_plus, src);
  }
  add_rule("tRTRS", WR, RD, Scope::OtherRank, WL + BL2 + t.tRTRS - RL, "WL + BL/2 + tRTRS - RL (if positive)", jacob);
  add_rule("tRTP", RD, PRE, Scope::SameBank, rd2pre, rd2pre_f, src);
  add_rule("tRTP", RD, PREA, Scope::SameRank, rd2pre, rd2pre_f, src);
  add_rule("tWR", WR, PRE, Scope::SameBank, wr2pre, wr2pre_f, src);
  add_rule("tWR", WR, PREA, Scope::SameRank, wr2pre, wr2pre_f, src);

  // Refresh.
  add_rule("tRFC", REF, CommandSet::all(), Scope::SameRank, t.tRFC, lpddr_ ? "tRFCab" : "tRFC", src);
  if (per_bank_refresh_) {
    add_rule("tRFCpb", REFpb, ACT, Scope::SameBank, t.tRFCpb, "tRFCpb", src);
    add_rule("tRFCpb", REFpb, REFpb, Scope::SameRank, t.tRFCpb, "tRFCpb", src);
    add_rule("tRFCpb", REFpb, REF, Scope::SameRank, t.tRFCpb, "tRFCpb", src);
    add_rule("tRRD", REFpb, ACT, Scope::OtherBank, t.tRRD_S, "tRRD", src);
    add_rule("tRRD", ACT, REFpb, Scope::OtherBank, t.tRRD_S, "tRRD", src);
  }

  // The windows beyond which history cannot constrain anything: the longest rule from a
  // command of each list, and for the first list also the latest an auto-precharge can start
  // after its RDA/WRA plus the precharge time.
  for (const auto& r : rules_)
    for (std::size_t f = 0; f < kCommandCount; ++f)
      if (r.from.contains(static_cast<Command>(f)))
        window_[list_of(static_cast<Command>(f))] = std::max(window_[list_of(static_cast<Command>(f))], r.cycles);
  const std::uint64_t implied = std::max<std::uint64_t>({rd2pre_, wr2pre_, t.tRAS}) + std::max(t.tRP, t.tRPab);
  window_[0] = std::max(window_[0], implied) + 1;
  window_[1] += 1;
}

bool CommandChecker::in_scope(const Entry& earlier, const IssuedCommand& later, Scope scope) const {
  const IssuedCommand& e = earlier.cmd;
  if (scope == Scope::OtherRank) return e.rank != later.rank;
  if (e.rank != later.rank) return false;
  const Command ec = earlier.implied ? Command::PRE : e.command;
  if (rank_level(ec) || rank_level(later.command)) return true;  // matches every bank of the rank
  switch (scope) {
    case Scope::SameBank: return e.bank == later.bank;
    case Scope::SameBankGroup: return earlier.group == group_of(later.bank);
    case Scope::OtherBankGroup: return earlier.group != group_of(later.bank);
    case Scope::OtherBank: return e.bank != later.bank;
    case Scope::SameRank: return true;
    case Scope::OtherRank: break;
  }
  return false;
}

void CommandChecker::find_timing(const ChannelState& ch, const IssuedCommand& c, bool whole_history,
                                 std::vector<Finding>& out) const {
  out.clear();
  const std::uint64_t c_ref = ref_of(c);
  for (std::size_t i = 0; i < rules_.size(); ++i)
    if (rules_[i].nth > 1) nth_count_[i] = 0;
  const auto later = static_cast<std::size_t>(c.command);
  const bool auto_pre = has_auto_precharge(c.command);
  const std::uint64_t x2pre = c.command == Command::RDA ? rd2pre_ : wr2pre_;
  const auto add = [&](std::size_t idx, std::uint64_t required, const Entry& e, bool via) {
    auto found = std::find_if(out.begin(), out.end(), [&](const Finding& f) { return f.rule == idx; });
    if (found == out.end())
      out.push_back({idx, required, &e, via});
    else if (required > found->required_ref)
      *found = {idx, required, &e, via};
  };
  // Newest first, merging the two lists by issue order. An entry older than its list's window
  // satisfies every rule, and so does everything older in that list (implied precharges
  // included: the window covers their delay).
  auto a = ch.history[0].rbegin(), b = ch.history[1].rbegin();
  const auto a_end = ch.history[0].rend(), b_end = ch.history[1].rend();
  for (;;) {
    if (!whole_history && a != a_end && a->ref + window_[0] <= c_ref) a = a_end;
    if (!whole_history && b != b_end && b->ref + window_[1] <= c_ref) b = b_end;
    if (a == a_end && b == b_end) break;
    const bool take_a = b == b_end || (a != a_end && a->seq > b->seq);
    const Entry& e = take_a ? *a++ : *b++;
    const auto earlier = static_cast<std::size_t>(e.implied ? Command::PRE : e.cmd.command);
    for (const std::size_t idx : rules_by_pair_[earlier][later]) {
      const TimingRule& r = rules_[idx];
      if (e.implied && r.nth != 1) continue;
      if (!in_scope(e, c, r.scope)) continue;
      if (r.nth > 1 && ++nth_count_[idx] != r.nth) continue;
      const std::uint64_t required = e.ref + r.cycles;
      if (!whole_history && required <= c_ref) continue;
      add(idx, required, e, false);
    }
    // An RDA/WRA's internal precharge (x2pre after it) must itself respect the write recovery
    // of an earlier WR to the bank (and any rule from a column command to PRE). tRAS is left
    // out: the device holds the precharge until tRAS has passed (tRAS lockout).
    if (auto_pre && !e.implied && is_column(e.cmd.command)) {
      for (const std::size_t idx : rules_by_pair_[earlier][static_cast<std::size_t>(Command::PRE)]) {
        const TimingRule& r = rules_[idx];
        if (r.nth != 1 || !in_scope(e, c, r.scope) || e.ref + r.cycles <= x2pre) continue;
        const std::uint64_t required = e.ref + r.cycles - x2pre;
        if (!whole_history && required <= c_ref) continue;
        add(idx, required, e, true);
      }
    }
  }
}

std::uint64_t CommandChecker::earliest_legal(const IssuedCommand& c) const {
  if (c.channel >= channels_.size()) return 0;
  const ChannelState& ch = channels_[c.channel];
  std::uint64_t earliest = ch.started ? ch.bus_free : 0;
  find_timing(ch, c, true, scratch_);
  const std::uint64_t off = bus_cycles(c.command) - 1;
  for (const Finding& f : scratch_) earliest = std::max(earliest, f.required_ref > off ? f.required_ref - off : 0);
  return earliest;
}

std::string CommandChecker::describe(const IssuedCommand& c) const {
  std::string out;
  if (spec_.org.channels > 1) out += fmt::format("ch {} ", c.channel);
  out += fmt::format("{} rank {}", command_name(c.command), c.rank);
  if (!rank_level(c.command)) {
    out += fmt::format(" bank {}", c.bank);
    if (spec_.has_bank_groups()) out += fmt::format(" (bg {})", group_of(c.bank));
  }
  return out;
}

void CommandChecker::report(const IssuedCommand& c, std::string_view rule, std::uint64_t earliest,
                            const std::string& detail) {
  ++violation_count_;
  if (violations_.size() >= options_.max_recorded) return;
  Violation v;
  v.cmd = c;
  v.rule = std::string(rule);
  v.earliest_legal = earliest;
  v.message = fmt::format("cycle {}: {}: {}: {}", c.cycle, describe(c), rule, detail);
  violations_.push_back(std::move(v));
}

void CommandChecker::on_command(const IssuedCommand& c) {
  ++commands_checked_;
  const std::uint64_t before = violation_count_;
  const std::size_t first_recorded = violations_.size();
  const auto finish = [&] {
    if (!options_.throw_on_violation || violation_count_ == before) return;
    throw std::logic_error(first_recorded < violations_.size()
                               ? violations_[first_recorded].message
                               : fmt::format("cycle {}: {}: violation (not recorded: max_recorded reached)", c.cycle,
                                             describe(c)));
  };

  const bool bank_cmd = !rank_level(c.command);
  if (c.channel >= channels_.size() || c.rank >= spec_.org.ranks || (bank_cmd && c.bank >= spec_.org.banks)) {
    report(c, checker_rule::kAddress, 0,
           fmt::format("channel {} rank {} bank {} is outside the {} channel(s) x {} rank(s) x {} bank(s) of {}",
                       c.channel, c.rank, c.bank, spec_.org.channels, spec_.org.ranks, spec_.org.banks, spec_.name));
    finish();
    return;
  }
  ChannelState& ch = channels_[c.channel];
  const std::string_view name = command_name(c.command);

  // Command bus: a command cannot start while the previous one still occupies the CA bus.
  if (ch.started && c.cycle < ch.bus_free) {
    report(c, checker_rule::kCommandBus, ch.bus_free,
           fmt::format("{} at cycle {} occupies the command bus until cycle {}; {} can start at {}",
                       command_name(ch.last_command), ch.last_cycle, ch.bus_free - 1, name, ch.bus_free));
  }

  // Bank state.
  const auto bank_at = [&](unsigned bank) -> BankState& {
    return ch.banks[std::size_t{c.rank} * spec_.org.banks + bank];
  };
  switch (c.command) {
    case Command::ACT: {
      const BankState& b = bank_at(c.bank);
      if (b.open)
        report(c, checker_rule::kActToOpenBank, 0,
               fmt::format("row {} is still open (ACT at cycle {}); the bank needs a PRE first", b.row, b.act_cycle));
      break;
    }
    case Command::RD:
    case Command::RDA:
    case Command::WR:
    case Command::WRA:
      if (!bank_at(c.bank).open)
        report(c, checker_rule::kColumnToClosedBank, 0, "the bank is precharged (no ACT since its last precharge)");
      break;
    case Command::REF:
      for (unsigned b = 0; b < spec_.org.banks; ++b) {
        if (!bank_at(b).open) continue;
        report(c, checker_rule::kRefWithOpenBank, 0,
               fmt::format("bank {} is open (ACT at cycle {}); REF needs every bank of the rank precharged", b,
                           bank_at(b).act_cycle));
        break;
      }
      break;
    case Command::REFpb:
      if (!per_bank_refresh_) {
        report(c, checker_rule::kRefpbUnsupported, 0,
               fmt::format("{} ({}) has no per-bank refresh", spec_.name, standard_source(spec_.standard)));
      } else if (bank_at(c.bank).open) {
        report(c, checker_rule::kRefpbToOpenBank, 0,
               fmt::format("the bank is open (ACT at cycle {}); REFpb needs it precharged", bank_at(c.bank).act_cycle));
      }
      break;
    case Command::PRE:   // to a precharged bank: a NOP, legal
    case Command::PREA:
      break;
  }

  // Timing rules against the history.
  find_timing(ch, c, false, scratch_);
  const std::uint64_t off = bus_cycles(c.command) - 1;
  for (const Finding& f : scratch_) {
    const TimingRule& r = rules_[f.rule];
    const Entry& e = *f.entry;
    std::string earlier;
    if (e.implied) {
      earlier = fmt::format("auto-precharge of {} at cycle {} (precharge from cycle {})", command_name(e.cmd.command),
                            e.cmd.cycle, e.ref);
    } else if (r.nth > 1) {
      earlier = fmt::format("{}th-previous {} at cycle {}", r.nth, command_name(e.cmd.command), e.cmd.cycle);
    } else {
      const bool same_place = e.cmd.rank == c.rank && (rank_level(e.cmd.command) || e.cmd.bank == c.bank);
      if (same_place || rank_level(e.cmd.command))
        earlier = fmt::format("{}{} at cycle {}", command_name(e.cmd.command),
                              same_place ? "" : fmt::format(" rank {}", e.cmd.rank), e.cmd.cycle);
      else
        earlier = fmt::format("{} rank {} bank {} at cycle {}", command_name(e.cmd.command), e.cmd.rank, e.cmd.bank,
                              e.cmd.cycle);
    }
    const std::uint64_t earliest = f.required_ref - off;
    if (f.via_auto_precharge) {
      const std::uint64_t x2pre = c.command == Command::RDA ? rd2pre_ : wr2pre_;
      report(c, r.name, earliest,
             fmt::format("{} requires the auto-precharge to start no earlier than cycle {}, so {} no earlier than {}",
                         earlier, f.required_ref + x2pre, name, earliest));
    } else {
      report(c, r.name, earliest, fmt::format("{} requires {} no earlier than {}", earlier, name, earliest));
    }
  }

  // Apply the command: history, bank state, bus.
  const std::uint64_t c_ref = ref_of(c);
  Entry entry;
  entry.cmd = c;
  entry.ref = c_ref;
  entry.group = bank_cmd ? group_of(c.bank) : 0;
  // A PRE to a precharged bank (a PREA to a precharged rank) is a NOP: it starts no precharge
  // and so imposes no tRP/tRPab; it was still checked above as a command.
  bool effective = true;
  if (c.command == Command::PRE) effective = bank_at(c.bank).open;
  if (c.command == Command::PREA) {
    effective = false;
    for (unsigned b = 0; b < spec_.org.banks; ++b) effective = effective || bank_at(b).open;
  }
  entry.seq = ch.next_seq++;
  if (effective) ch.history[list_of(c.command)].push_back(entry);
  switch (c.command) {
    case Command::ACT: {
      BankState& b = bank_at(c.bank);
      b.open = true;
      b.act_ref = c_ref;
      b.act_cycle = c.cycle;
      b.row = c.row;
      break;
    }
    case Command::PRE: bank_at(c.bank).open = false; break;
    case Command::PREA:
      for (unsigned b = 0; b < spec_.org.banks; ++b) bank_at(b).open = false;
      break;
    case Command::RDA:
    case Command::WRA: {
      BankState& b = bank_at(c.bank);
      // The internal precharge starts read/write-to-precharge after the command, but not
      // before tRAS from the ACT (tRAS lockout).
      std::uint64_t start = c_ref + (c.command == Command::RDA ? rd2pre_ : wr2pre_);
      if (b.open) start = std::max<std::uint64_t>(start, b.act_ref + spec_.t.tRAS);
      b.open = false;
      Entry implied = entry;
      implied.ref = start;
      implied.implied = true;
      implied.seq = ch.next_seq++;
      ch.history[0].push_back(implied);
      break;
    }
    default: break;
  }
  for (std::size_t list = 0; list < ch.history.size(); ++list) {
    auto& h = ch.history[list];
    while (!h.empty() && h.front().ref + window_[list] <= c_ref) h.pop_front();
  }
  ch.bus_free = std::max(ch.started ? ch.bus_free : 0, c.cycle + bus_cycles(c.command));
  ch.last_cycle = c.cycle;
  ch.last_command = c.command;
  ch.started = true;
  finish();
}

std::string CommandChecker::summary() const {
  std::string out = fmt::format("{} commands checked, {} violations", commands_checked_, violation_count_);
  if (!violations_.empty()) out += "; first: " + violations_.front().message;
  return out;
}

}  // namespace dmasim::dram

// The channel controller against hand-computed timings, policy behaviour, and (through the
// independent command checker) the memspec's rules on random traffic.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/dram/channel_harness.h"

namespace dmasim::dram {
namespace {

using testing::address_of;
using testing::Harness;
using testing::linear_mapping;
using testing::load_spec;
using testing::Req;

ControllerConfig quiet_config() {
  ControllerConfig c;
  c.refresh = RefreshKind::None;
  return c;
}

std::uint64_t latency_of(const Harness& h, std::uint64_t address, std::uint64_t arrival) {
  for (const auto& d : h.done)
    if (d.address == address && d.arrival == arrival) return d.done - d.arrival;
  ADD_FAILURE() << "request 0x" << std::hex << address << " never completed";
  return 0;
}

TEST(ChannelController, UnloadedDdr4LatenciesMatchHandComputedValues) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  const ControllerConfig config = quiet_config();
  Harness h(spec, config, linear_mapping(spec.org));
  const auto& o = spec.org;
  const std::uint64_t a = address_of(o, 0, 0, 5, 0), b = address_of(o, 0, 0, 5, 8), c = address_of(o, 0, 0, 6, 0);
  const std::uint64_t w = address_of(o, 2, 1, 9, 0);
  h.run({{0, a, false}, {100, b, false}, {200, c, false}, {300, w, true}});
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  // DDR4-2400: tRCD 16, tRP 16, CL 16, CWL 12, BL/2 4; the controller's front end takes 2.
  const unsigned fe = config.frontend_latency;
  EXPECT_EQ(latency_of(h, a, 0), fe + 16u + 16u + 4u);         // closed bank: 38
  EXPECT_EQ(latency_of(h, b, 100), fe + 16u + 4u);             // row hit: 22
  EXPECT_EQ(latency_of(h, c, 200), fe + 16u + 16u + 16u + 4u);  // row conflict: 54
  EXPECT_EQ(latency_of(h, w, 300), fe + 16u + 12u + 4u);        // write to a closed bank: 34
  EXPECT_EQ(h.stat("row_hits"), 1);
  EXPECT_EQ(h.stat("row_misses"), 2);
  EXPECT_EQ(h.stat("row_conflicts"), 1);
}

TEST(ChannelController, UnloadedLpddr4LatencyCountsFromTheLastCommandCycle) {
  const MemSpec spec = load_spec("lpddr4-3200-x32.yaml");
  Harness h(spec, quiet_config(), linear_mapping(spec.org));
  h.run({{0, 0, false}});
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  // ACT issues at 2 and ends at 5 (4 bus cycles); RD may end tRCD later, its data follows RL +
  // tDQSCK after that edge and lasts BL/2.
  const unsigned expected = 2 + 3 + spec.t.tRCD + spec.t.CL + spec.t.tDQSCK + spec.burst_cycles();
  EXPECT_EQ(latency_of(h, 0, 0), expected);
}

TEST(ChannelController, FifthActivateWaitsForTheFourActivateWindow) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  Harness h(spec, quiet_config(), linear_mapping(spec.org));
  std::vector<Req> reqs;
  for (unsigned i = 0; i < 5; ++i) reqs.push_back({0, address_of(spec.org, i % 4, i / 4, 1, 0), false});
  h.run(reqs);
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  std::vector<std::uint64_t> acts;
  for (const auto& c : h.log.commands)
    if (c.command == Command::ACT) acts.push_back(c.cycle);
  ASSERT_EQ(acts.size(), 5u);
  // Four groups: ACTs tRRD_S (4) apart from cycle 2, then the fifth at first + tFAW (26).
  EXPECT_EQ(acts[0], 2u);
  EXPECT_EQ(acts[3], 2u + 3 * spec.t.tRRD_S);
  EXPECT_EQ(acts[4], acts[0] + spec.t.tFAW);
}

TEST(ChannelController, AllBankRefreshEveryTrefi) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  ControllerConfig config;  // all-bank refresh
  Harness h(spec, config, linear_mapping(spec.org));
  h.run({{10ull * spec.t.tREFI + 5, 0, false}});
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  std::vector<std::uint64_t> refs;
  for (const auto& c : h.log.commands)
    if (c.command == Command::REF) refs.push_back(c.cycle);
  ASSERT_EQ(refs.size(), 10u);
  for (std::size_t i = 0; i < refs.size(); ++i) EXPECT_EQ(refs[i], (i + 1) * spec.t.tREFI);
}

TEST(ChannelController, PerBankRefreshVisitsEveryBankOncePerRound) {
  const MemSpec spec = load_spec("lpddr4-3200-x32.yaml");
  ControllerConfig config;
  config.refresh = RefreshKind::PerBank;
  Harness h(spec, config, linear_mapping(spec.org));
  h.run({{16ull * spec.t.tREFIpb + 5, 0, false}});
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  std::vector<unsigned> banks;
  for (const auto& c : h.log.commands)
    if (c.command == Command::REFpb) banks.push_back(c.bank);
  ASSERT_EQ(banks.size(), 16u);
  // Every bank once in each round of eight, one REFpb every tREFIpb.
  for (std::size_t round = 0; round < 2; ++round) {
    std::vector<unsigned> seen(banks.begin() + round * 8, banks.begin() + round * 8 + 8);
    std::sort(seen.begin(), seen.end());
    for (unsigned b = 0; b < 8; ++b) EXPECT_EQ(seen[b], b);
  }
}

struct PolicyCase {
  PagePolicyKind policy;
  std::size_t pre, rda;
};

class PagePolicies : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PagePolicies, CloseRowsAsTheirRuleSays) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  ControllerConfig config = quiet_config();
  config.page_policy = GetParam().policy;
  Harness h(spec, config, linear_mapping(spec.org));
  const auto& o = spec.org;
  // Two reads of row 1 and one of row 2, all queued together in bank 0.
  h.run({{0, address_of(o, 0, 0, 1, 0), false}, {0, address_of(o, 0, 0, 1, 8), false},
         {0, address_of(o, 0, 0, 2, 0), false}});
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  EXPECT_EQ(h.log.count(Command::PRE), GetParam().pre);
  EXPECT_EQ(h.log.count(Command::RDA), GetParam().rda);
  EXPECT_EQ(h.log.count(Command::RD) + h.log.count(Command::RDA), 3u);
}

INSTANTIATE_TEST_SUITE_P(ChannelController, PagePolicies,
                         ::testing::Values(PolicyCase{PagePolicyKind::Open, 1, 0},    // RD RD PRE ACT RD
                                           PolicyCase{PagePolicyKind::Closed, 0, 3},  // RDA each time
                                           // keeps row 1 while a hit waits; the last RD keeps row 2 open
                                           PolicyCase{PagePolicyKind::OpenAdaptive, 0, 1},
                                           // closes row 1 after its last hit and row 2 at once
                                           PolicyCase{PagePolicyKind::ClosedAdaptive, 0, 2}));

std::vector<std::uint64_t> completed_addresses(const Harness& h) {
  std::vector<testing::Done> done = h.done;
  std::stable_sort(done.begin(), done.end(), [](const auto& a, const auto& b) { return a.done < b.done; });
  std::vector<std::uint64_t> out;
  for (const auto& d : done) out.push_back(d.address);
  return out;
}

TEST(ChannelController, FrFcfsServesALaterRowHitFirstAndFcfsDoesNot) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  const auto& o = spec.org;
  const std::uint64_t opener = address_of(o, 0, 0, 1, 0), miss = address_of(o, 0, 0, 2, 0),
                      hit = address_of(o, 0, 0, 1, 8);
  const std::vector<Req> reqs{{0, opener, false}, {50, miss, false}, {51, hit, false}};
  for (const SchedulerKind kind : {SchedulerKind::FrFcfs, SchedulerKind::Fcfs}) {
    ControllerConfig config = quiet_config();
    config.scheduler = kind;
    Harness h(spec, config, linear_mapping(o));
    h.run(reqs);
    ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
    const auto order = completed_addresses(h);
    const std::vector<std::uint64_t> expected =
        kind == SchedulerKind::FrFcfs ? std::vector<std::uint64_t>{opener, hit, miss}
                                      : std::vector<std::uint64_t>{opener, miss, hit};
    EXPECT_EQ(order, expected) << cfg::enum_name(kind);
  }
}

TEST(ChannelController, ReadOfAQueuedWriteIsServedFromTheWriteQueue) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  ControllerConfig config = quiet_config();
  Harness h(spec, config, linear_mapping(spec.org));
  const std::uint64_t a = address_of(spec.org, 1, 1, 7, 16);
  h.run({{0, a, true}, {1, a, false}});
  EXPECT_EQ(h.stat("reads_forwarded"), 1);
  EXPECT_EQ(h.log.count(Command::RD), 0u);
  EXPECT_EQ(latency_of(h, a, 1), config.frontend_latency);
}

TEST(ChannelController, WriteDrainStartsAtTheHighWatermarkAndStopsAtTheLow) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  ControllerConfig config = quiet_config();
  config.write_queue = 8;
  config.write_high_watermark = 4;
  config.write_low_watermark = 2;
  Harness h(spec, config, linear_mapping(spec.org));
  std::vector<Req> reqs;
  for (unsigned i = 0; i < 4; ++i) reqs.push_back({0, address_of(spec.org, 0, 0, 3, 8 * i), true});
  for (unsigned i = 0; i < 6; ++i) reqs.push_back({0, address_of(spec.org, 1, 0, 4, 8 * i), false});
  h.run(reqs);
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  std::string order;
  for (const auto& c : h.log.commands)
    if (is_column(c.command)) order += is_write(c.command) ? 'W' : 'R';
  EXPECT_EQ(order, "WWRRRRRRWW");
  EXPECT_EQ(h.stat("write_drains"), 1);
}

TEST(ChannelController, AWriteNeverOvertakesAnOlderReadOfTheSameAddress) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  ControllerConfig config = quiet_config();
  config.write_queue = 8;
  config.write_high_watermark = 2;
  config.write_low_watermark = 1;
  Harness h(spec, config, linear_mapping(spec.org));
  const std::uint64_t a = address_of(spec.org, 2, 0, 9, 0);
  // The read of `a` waits behind an open-row conflict while two writes start a drain.
  h.run({{0, address_of(spec.org, 2, 0, 5, 0), false}, {1, a, false}, {2, a, true},
         {3, address_of(spec.org, 3, 1, 2, 0), true}});
  ASSERT_TRUE(h.checker.ok()) << h.checker.summary();
  std::uint64_t read_done = 0, write_done = 0;
  for (const auto& d : h.done) {
    if (d.address != a) continue;
    (d.write ? write_done : read_done) = d.done;
  }
  EXPECT_GT(write_done, read_done);
}

TEST(ChannelController, EnergyFollowsTheIddModel) {
  const MemSpec spec = load_spec("ddr4-2400r-8gb-x8.yaml");
  Harness h(spec, quiet_config(), linear_mapping(spec.org));
  h.run({{0, 0, false}});  // ACT at 2, RD at 18, last data at 38; the row stays open
  const Timings& t = spec.t;
  const double tck_ns = static_cast<double>(t.tCK) / 1000.0;
  double expected = 0;
  for (const RailConfig& r : spec.power) {
    const double v = r.voltage.volts;
    const double act = r.IDD0.amps * t.tRC - (r.IDD3N.amps * t.tRAS + r.IDD2N.amps * (t.tRC - t.tRAS));
    const double rd = (r.IDD4R.amps - r.IDD3N.amps) * 4;
    const double background = r.IDD3N.amps * 36 + r.IDD2N.amps * 2;  // open from 2 to 38
    expected += (std::max(act, 0.0) + std::max(rd, 0.0) + background) * v * tck_ns;
  }
  expected *= spec.org.devices_per_rank();
  ASSERT_GT(expected, 0);
  EXPECT_NEAR(h.stat("energy.total_nj"), expected, expected * 1e-9);
}

// Random traffic on every shipped memspec and every policy: the independent checker must see
// no broken rule, and every request must complete.
struct LegalityCase {
  std::string memspec;
  SchedulerKind scheduler;
  PagePolicyKind policy;
  RefreshKind refresh;
  unsigned ranks;
};

std::string case_name(const ::testing::TestParamInfo<LegalityCase>& info) {
  std::string n = info.param.memspec.substr(0, info.param.memspec.find(".yaml")) + "_" +
                  std::string(cfg::enum_name(info.param.scheduler)) + "_" +
                  std::string(cfg::enum_name(info.param.policy)) + "_" +
                  std::string(cfg::enum_name(info.param.refresh)) + "_r" + std::to_string(info.param.ranks);
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class Legality : public ::testing::TestWithParam<LegalityCase> {};

TEST_P(Legality, RandomTrafficBreaksNoTimingRule) {
  const LegalityCase& p = GetParam();
  MemSpec spec = load_spec(p.memspec);
  spec.org.ranks = p.ranks;
  ControllerConfig config;
  config.scheduler = p.scheduler;
  config.page_policy = p.policy;
  config.refresh = p.refresh;
  config.read_queue = 16;
  config.write_queue = 16;
  config.write_high_watermark = 12;
  config.write_low_watermark = 4;
  Harness h(spec, config, linear_mapping(spec.org));
  std::mt19937_64 rng(42);
  std::vector<Req> reqs;
  std::uint64_t cycle = 0;
  const std::uint64_t size = spec.org.total_bytes() / spec.org.channels;
  const std::uint64_t burst = spec.org.bytes_per_burst();
  std::uint64_t stream = 0;
  for (int i = 0; i < 4000; ++i) {
    cycle += rng() % 12;
    // A mix of streaming (row hits) and scattered (misses, conflicts) addresses.
    const std::uint64_t address = (rng() % 3 == 0) ? (rng() % (size / burst)) * burst : (stream += burst) % size;
    reqs.push_back({cycle, address, rng() % 4 == 0});
  }
  h.run(reqs);
  EXPECT_TRUE(h.checker.ok()) << h.checker.summary();
  EXPECT_EQ(h.done.size(), reqs.size());
  EXPECT_GT(h.checker.commands_checked(), reqs.size());
}

std::vector<LegalityCase> legality_cases() {
  std::vector<LegalityCase> out;
  const char* memspecs[] = {"ddr3-1600k-4gb-x8.yaml",   "ddr4-2400r-8gb-x8.yaml",   "ddr4-3200aa-8gb-x8.yaml",
                            "lpddr3-1600-8gb-x32.yaml", "lpddr3-1866-8gb-x32.yaml", "lpddr4-3200-8gb-x16.yaml",
                            "lpddr4-3200-x32.yaml"};
  for (const char* m : memspecs) {
    const bool lpddr = std::string(m).starts_with("lpddr");
    for (SchedulerKind s : {SchedulerKind::Fcfs, SchedulerKind::FrFcfs})
      for (PagePolicyKind pp : {PagePolicyKind::Open, PagePolicyKind::Closed, PagePolicyKind::OpenAdaptive,
                                PagePolicyKind::ClosedAdaptive})
        for (unsigned ranks : {1u, 2u}) {
          out.push_back({m, s, pp, RefreshKind::AllBank, ranks});
          if (lpddr) out.push_back({m, s, pp, RefreshKind::PerBank, ranks});
        }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(ChannelController, Legality, ::testing::ValuesIn(legality_cases()), case_name);

}  // namespace
}  // namespace dmasim::dram

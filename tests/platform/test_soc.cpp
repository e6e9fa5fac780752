// The assembled SoC (platform/soc.h) on small test platforms: unloaded latencies equal the sum of
// the configured latencies along the path, and the coherence litmus set (issue 3): a core reads
// another core's store; a device on an ACE-Lite port reads a dirty CPU line (coherent: no
// violation); a device on a non-coherent port reads it (the oracle flags exactly that). Each test
// elaborates a SoC, which a process can do once: ctest runs every test in its own process.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "models/common/config/node.h"
#include "platform/platform_config.h"
#include "platform/soc.h"
#include "tests/support/elaboration.h"
#include "tests/support/test_master.h"

namespace dmasim::platform {
namespace {

// One cluster (cores with 32 KiB 4-way L1Ds and a 256 KiB shared L2), a system interconnect
// with an ACE, an ACE-Lite and a non-coherent port, LPDDR3-1600. Prefetchers off; clocks chosen
// so that every latency is a whole number of picoseconds: core 1 GHz, crossbars 500 MHz.
std::string platform_yaml(unsigned cores) {
  return fmt::format(R"(
name: test
clusters:
  - name: c
    cores: {}
    core: {{clock: 1GHz, line_size: 32, store_buffer: {{entries: 4, entry_size: 32B}}}}
    l1d: {{size: 32KiB, ways: 4, line_size: 32B, hit_latency: 4, mshrs: 4, replacement: lru, level: 1}}
    coherence:
      clock: 500MHz
      latency: {{request: 2, forward: 3, response: 1, snoop: 2, snoop_response: 2}}
      data_width: 16B
    shared_cache: {{size: 256KiB, ways: 8, line_size: 32B, hit_latency: 10, mshrs: 8, replacement: lru,
                   inclusion: inclusive, level: 2}}
    port: cpu
interconnect:
  clock: 500MHz
  ports:
    - {{name: cpu, kind: ace}}
    - {{name: coherent_dev, kind: ace-lite}}
    - {{name: plain_dev, kind: non-coherent}}
  latency: {{request: 3, forward: 4, response: 2, snoop: 3, snoop_response: 4}}
  data_width: 16B
  address_map:
    targets:
      - {{name: dram, kind: memory, base: 0x40000000, size: 1GiB}}
dram: ../dram/lpddr3-1600-x32.yaml
)",
                     cores);
}

PlatformConfig load_platform(unsigned cores) {
  const std::string file = std::string(DMASIM_SOURCE_DIR) + "/scenarios/platforms/test-inline.yaml";
  return cfg::read<PlatformConfig>(cfg::load_yaml_string(platform_yaml(cores), file));
}

constexpr std::uint64_t kLine = 32;
constexpr Picoseconds kCore = 1000, kBus = 2000, kDram = 1250;

TEST(Soc, UnloadedLatenciesAreTheSumOfTheConfiguredOnes) {
  SKIP_IF_ELABORATED();
  stats::Registry stats;
  Soc soc(load_platform(1), stats);
  const std::uint64_t x = soc.linear_va(soc.dram_base() + (1 << 20));
  Picoseconds dram = 0, l1 = 0, l2 = 0, arrival_at_dram = 0;
  soc.start(0, [&](cpu::Core& c) {
    Picoseconds t = c.now();
    c.load(x, 4);  // cold: L1 miss, L2 miss, DRAM
    dram = c.now() - t;
    t = c.now();
    c.load(x, 4);  // L1 hit
    l1 = c.now() - t;
    // Four lines in the same L1 set (8 KiB apart) push x out of the 4-way L1D but not out of the
    // L2 (sets 32 B x 1024 apart).
    for (unsigned k = 1; k <= 4; ++k) c.load(x + k * 8192, 4);
    t = c.now();
    c.load(x, 4);  // L2 hit
    l2 = c.now() - t;
  });
  soc.run();
  // Per hop: L1 lookup 4 core cycles; snoop control request 2 + forward 3 and response 1 + one
  // more data beat (32 B over 16 B) in bus cycles; L2 lookup 10 core cycles.
  const Picoseconds core_issue = l1 - 4 * kCore;  // the core's own cost of a load, the same every time
  EXPECT_GE(core_issue, 0);
  EXPECT_LE(core_issue, 2 * kCore);
  const Picoseconds coherence_down = (2 + 3) * kBus, coherence_up = (1 + 1) * kBus;
  EXPECT_EQ(l2, core_issue + 4 * kCore + coherence_down + 10 * kCore + coherence_up);
  // DRAM: the system interconnect adds request 3 + forward 4 and response 2 + one more beat; the
  // LPDDR3 closed-bank read (docs/dram.md): 2-cycle front end + tRCD 15 + RL 12 + tDQSCK 5 +
  // BL/2 4, from the next DRAM clock edge at or after the request's arrival.
  arrival_at_dram = 4 * kCore + coherence_down + 10 * kCore + (3 + 4) * kBus;
  const Picoseconds edge = (arrival_at_dram + kDram - 1) / kDram * kDram;
  const Picoseconds data_back = edge + (2 + 15 + 12 + 5 + 4) * kDram;
  EXPECT_EQ(dram, core_issue + data_back + (2 + 1) * kBus + coherence_up);
}

struct Litmus {
  stats::Registry stats;
  std::unique_ptr<Soc> soc;
  std::unique_ptr<test::TestMaster> coherent, plain;
  std::uint64_t pa = 0, va = 0;

  explicit Litmus(unsigned cores) {
    SocOptions o;
    o.external_ports = {"coherent_dev", "plain_dev"};
    soc = std::make_unique<Soc>(load_platform(cores), stats, o);
    coherent = std::make_unique<test::TestMaster>("coherent_dev", soc->oracle(), Coherence::IoCoherent,
                                                  soc->coherent_domain());
    plain = std::make_unique<test::TestMaster>("plain_dev", soc->oracle(), Coherence::NonCoherent,
                                               oracle::kPrivateDomain);
    coherent->socket.bind(soc->interconnect().port("coherent_dev"));
    plain->socket.bind(soc->interconnect().port("plain_dev"));
    pa = soc->dram_base() + (4 << 20);
    va = soc->linear_va(pa);
  }
};

TEST(Soc, LitmusCoreReadsAnotherCoresStore) {
  SKIP_IF_ELABORATED();
  Litmus t(2);
  sc_core::sc_event written;
  std::uint64_t seen = 0;
  t.soc->start(0, [&](cpu::Core& c) {
    c.store(t.va, 4);
    c.dsb();
    c.sync();
    written.notify(sc_core::SC_ZERO_TIME);
  });
  t.soc->start(1, [&](cpu::Core& c) {
    c.wait(written);
    seen = c.load_version(t.va);
  });
  t.soc->run();
  EXPECT_EQ(seen, t.soc->oracle().newest_version(t.pa));
  EXPECT_NE(seen, oracle::kInitialVersion);
  EXPECT_EQ(t.soc->oracle().violation_count(), 0u);
}

TEST(Soc, LitmusAceLiteDeviceReadsADirtyLineCoherently) {
  SKIP_IF_ELABORATED();
  Litmus t(1);
  test::TestMaster::Result r;
  sc_core::sc_spawn([&] {
    sc_core::wait(sc_core::sc_time(2, sc_core::SC_US));  // after the store has committed
    r = t.coherent->read(t.pa, kLine);
  });
  t.soc->start(0, [&](cpu::Core& c) {
    c.store(t.va, 4);
    c.dsb();
    c.compute(4000);  // keep running until the device has read
  });
  t.soc->run();
  ASSERT_EQ(r.status, tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(r.versions.size(), 1u);
  EXPECT_EQ(r.versions[0], t.soc->oracle().newest_version(t.pa));
  EXPECT_EQ(t.soc->oracle().violation_count(), 0u);
  EXPECT_EQ(t.soc->oracle().memory_version(t.pa), oracle::kInitialVersion) << "the line stays dirty in the CPU cache";
}

TEST(Soc, LitmusNonCoherentDeviceReadOfADirtyLineIsFlagged) {
  SKIP_IF_ELABORATED();
  Litmus t(1);
  test::TestMaster::Result r;
  sc_core::sc_spawn([&] {
    sc_core::wait(sc_core::sc_time(2, sc_core::SC_US));
    r = t.plain->read(t.pa, kLine);
  });
  t.soc->start(0, [&](cpu::Core& c) {
    c.store(t.va, 4);
    c.dsb();
    c.compute(4000);
  });
  t.soc->run();
  ASSERT_EQ(r.status, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(r.versions.at(0), oracle::kInitialVersion);
  EXPECT_EQ(t.soc->oracle().violation_count(), 1u);
  EXPECT_EQ(t.soc->oracle().violation_count(oracle::ViolationKind::DeviceReadStale), 1u);
}

// The whole set in one run: exactly one violation, the non-coherent read's.
TEST(Soc, LitmusSetFlagsExactlyTheNonCoherentRead) {
  SKIP_IF_ELABORATED();
  Litmus t(2);
  sc_core::sc_event written;
  std::uint64_t seen = 0;
  test::TestMaster::Result coherent, plain;
  sc_core::sc_spawn([&] {
    sc_core::wait(sc_core::sc_time(3, sc_core::SC_US));
    coherent = t.coherent->read(t.pa, kLine);
    plain = t.plain->read(t.pa, kLine);
  });
  t.soc->start(0, [&](cpu::Core& c) {
    c.store(t.va, 4);
    c.dsb();
    c.sync();
    written.notify(sc_core::SC_ZERO_TIME);
  });
  t.soc->start(1, [&](cpu::Core& c) {
    c.wait(written);
    seen = c.load_version(t.va);
    c.compute(8000);
  });
  t.soc->run();
  EXPECT_EQ(seen, t.soc->oracle().newest_version(t.pa));
  EXPECT_EQ(coherent.versions.at(0), seen);
  EXPECT_EQ(t.soc->oracle().violation_count(), 1u);
  ASSERT_EQ(t.soc->oracle().violations().size(), 1u);
  EXPECT_EQ(t.soc->oracle().violations()[0].reader, t.plain->agent());
}

}  // namespace
}  // namespace dmasim::platform

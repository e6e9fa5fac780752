// The core model on its socket: timing of blocking and streaming loads, store-buffer drains on the
// bus, Device / Strongly-ordered ordering, barriers, cache maintenance, MMIO, translation faults
// and the oracle calls. The core talks to TestMemory (every access answered after a fixed
// latency) or to a small fake L1 written here. Each test elaborates a SystemC model, which a
// process can do once: ctest runs every test in its own process; a direct run of the binary
// skips all but the first.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "models/common/tlm/mem_ext.h"
#include "models/cpu/core.h"
#include "tests/support/elaboration.h"
#include "tests/support/test_memory.h"

namespace dmasim::cpu {
namespace {

constexpr std::uint64_t kWb = 0x1000'0000;    // normal-wb   -> PA 0x8000'0000
constexpr std::uint64_t kNc = 0x2000'0000;    // normal-nc   -> PA 0x8100'0000
constexpr std::uint64_t kSo = 0x3000'0000;    // strongly-ordered -> PA 0x8200'0000
constexpr std::uint64_t kDev = 0x4000'0000;   // device      -> PA 0x1000'0000
constexpr std::uint64_t kWbPa = 0x8000'0000;
constexpr std::uint64_t kNcPa = 0x8100'0000;
constexpr std::uint64_t kSoPa = 0x8200'0000;
constexpr std::uint64_t kDevPa = 0x1000'0000;
constexpr std::uint64_t kRegion = 16 * 1024 * 1024;
constexpr Picoseconds kNs = 1000;  // one core cycle at the default 1 GHz

AddressSpace kernel_space() {
  AddressSpace as;
  as.map(kWb, kWbPa, kRegion, MemAttr::NormalWriteBack, "linear map");
  as.map(kNc, kNcPa, kRegion, MemAttr::NormalNonCacheable, "dma coherent");
  as.map(kSo, kSoPa, kRegion, MemAttr::StronglyOrdered, "dma coherent so");
  as.map(kDev, kDevPa, 64 * 1024, MemAttr::Device, "ioremap");
  return as;
}

// A core on a TestMemory, with an oracle.
struct Rig {
  explicit Rig(const CoreConfig& config, Picoseconds latency)
      : oracle(oracle::Config{true, 64, 100}),
        space(kernel_space()),
        core("cpu0", config, space, ModelContext{&registry, "soc.cpu0", &oracle}),
        memory("memory", latency, &oracle) {
    core.socket.bind(memory.socket);
  }
  std::uint64_t counter(const std::string& name) const {
    const stats::Stat* s = registry.find("soc.cpu0." + name);
    if (s == nullptr) {
      ADD_FAILURE() << "no stat " << name;
      return 0;
    }
    return s->counter().value();
  }
  const stats::Histogram& histogram(const std::string& name) const { return registry.find("soc.cpu0." + name)->histogram(); }
  std::size_t count(BusOp op) const {
    std::size_t n = 0;
    for (const auto& a : memory.log) n += a.op == op;
    return n;
  }

  stats::Registry registry;
  oracle::Oracle oracle;
  AddressSpace space;
  Core core;
  test::TestMemory memory;
};

CoreConfig config_with(unsigned entries = 4, std::uint64_t entry_size = 64) {
  CoreConfig c;
  c.store_buffer.entries = entries;
  c.store_buffer.entry_size = ByteSize{entry_size};
  return c;
}

TEST(Core, BlockingLoadCostsTheMemoryLatency) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(), 50 * kNs);
  Picoseconds after_one = 0, after_ten = 0;
  rig.core.start([&](Core& c) {
    c.load(kNc, 4);
    after_one = c.now();
    for (int i = 1; i < 10; ++i) c.load(kNc + 64 * i, 4);
    after_ten = c.now();
  });
  sc_core::sc_start();
  EXPECT_TRUE(rig.core.finished());
  // Issue at t, data at t + latency; the issue cycle overlaps the wait: max(1 cycle, latency).
  EXPECT_EQ(after_one, 50 * kNs);
  EXPECT_EQ(after_ten, 500 * kNs);
  EXPECT_EQ(rig.core.cycle(), 500u);
  ASSERT_EQ(rig.memory.log.size(), 10u);
  for (const auto& a : rig.memory.log) {
    EXPECT_EQ(a.op, BusOp::ReadNoSnoop);
    EXPECT_EQ(a.length, 4u);
  }
  EXPECT_EQ(rig.memory.log[0].address, kNcPa);
  EXPECT_EQ(rig.memory.log[3].arrival, 150 * kNs);
  EXPECT_EQ(rig.counter("loads"), 10u);
  EXPECT_EQ(rig.histogram("load_latency").count(), 10u);
  EXPECT_EQ(rig.histogram("load_latency").min(), 50u);
  EXPECT_EQ(rig.histogram("load_latency").max(), 50u);
  EXPECT_EQ(rig.counter("stall_cycles.load_data"), 490u);  // 49 of each 50 cycles
}

TEST(Core, LoadCrossingALineIsSplitIntoTwoReadsInFlightTogether) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(), 50 * kNs);
  rig.core.start([](Core& c) { c.load(kNc + 60, 8); });
  sc_core::sc_start();
  ASSERT_EQ(rig.memory.log.size(), 2u);
  EXPECT_EQ(rig.memory.log[0].address, kNcPa + 60);
  EXPECT_EQ(rig.memory.log[0].length, 4u);
  EXPECT_EQ(rig.memory.log[1].address, kNcPa + 64);
  EXPECT_EQ(rig.memory.log[1].length, 4u);
  EXPECT_EQ(rig.core.now(), 51 * kNs);  // second piece issued one cycle later
}

TEST(Core, StronglyOrderedStoresTakeMuchLongerThanNonCacheableOnes) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 64), 100 * kNs);
  constexpr std::uint64_t kBytes = 64 * 1024;
  Picoseconds t0 = 0, t1 = 0, t2 = 0;
  rig.core.start([&](Core& c) {
    t0 = c.now();
    c.write_range(kNc, kBytes, 4);
    c.dsb();
    t1 = c.now();
    c.write_range(kSo, kBytes, 4);
    c.dsb();
    t2 = c.now();
  });
  sc_core::sc_start();
  const Picoseconds nc = t1 - t0;
  const Picoseconds so = t2 - t1;
  // NC: one cycle per store, write-combined into 1024 full-line bursts; SO: each store waits.
  EXPECT_LT(nc, (16384 + 200) * kNs);
  EXPECT_GE(so, 16384 * 100 * kNs);
  EXPECT_GT(so, 50 * nc);
  std::size_t nc_writes = 0, so_writes = 0;
  for (const auto& a : rig.memory.log) {
    if (a.address >= kNcPa && a.address < kNcPa + kBytes) {
      ++nc_writes;
      EXPECT_EQ(a.length, 64u);
    }
    if (a.address >= kSoPa && a.address < kSoPa + kBytes) {
      ++so_writes;
      EXPECT_EQ(a.length, 4u);
    }
  }
  EXPECT_EQ(nc_writes, kBytes / 64);
  EXPECT_EQ(so_writes, kBytes / 4);
  EXPECT_GT(rig.counter("stall_cycles.device_so"), 16384u * 99);
}

TEST(Core, FullLineNonCacheableStoresLeaveAsOneBurst) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 64), 20 * kNs);
  rig.core.start([](Core& c) {
    for (unsigned i = 0; i < 16; ++i) c.store(kNc + 0x40 + 4 * i, 4);
    c.compute(100);
    // A partial entry drains after drain_idle_cycles as the written byte range.
    c.store(kNc + 0x100, 4);
    c.store(kNc + 0x10C, 4);
    c.compute(100);
  });
  sc_core::sc_start();
  ASSERT_EQ(rig.memory.log.size(), 2u);
  const auto& burst = rig.memory.log[0];
  EXPECT_TRUE(burst.write);
  EXPECT_EQ(burst.op, BusOp::WriteNoSnoop);
  EXPECT_EQ(burst.address, kNcPa + 0x40);
  EXPECT_EQ(burst.length, 64u);
  EXPECT_EQ(burst.arrival, 15 * kNs);  // issued with the 16th store
  ASSERT_EQ(burst.versions.size(), 1u);
  EXPECT_EQ(burst.versions[0], rig.oracle.newest_version(kNcPa + 0x40));
  const auto& partial = rig.memory.log[1];
  EXPECT_EQ(partial.address, kNcPa + 0x100);
  EXPECT_EQ(partial.length, 16u);
  EXPECT_EQ(partial.arrival, (116 + 16) * kNs);  // allocated at cycle 116, 16 idle cycles
  EXPECT_EQ(rig.counter("store_buffer.drained_by.complete"), 1u);
  EXPECT_EQ(rig.counter("store_buffer.drained_by.idle"), 1u);
  EXPECT_EQ(rig.counter("stores"), 18u);
}

TEST(Core, ReadRangeKeepsMaxOutstandingLoadsInFlight) {
  SKIP_IF_ELABORATED();
  CoreConfig config = config_with();
  config.max_outstanding_loads = 4;
  Rig rig(config, 1000 * kNs);
  constexpr unsigned kLines = 64;
  rig.core.start([](Core& c) { c.read_range(kNc, kLines * 64); });
  sc_core::sc_start();
  ASSERT_EQ(rig.memory.log.size(), kLines);
  // Four loads issue one cycle apart, the fifth when the first completes, and so on.
  for (unsigned i = 0; i < kLines; ++i) {
    EXPECT_EQ(rig.memory.log[i].op, BusOp::ReadNoSnoop);
    EXPECT_EQ(rig.memory.log[i].length, 64u);
    EXPECT_EQ(rig.memory.log[i].arrival, ((i / 4) * 1000 + i % 4) * kNs) << i;
  }
  EXPECT_EQ(rig.core.now(), (kLines / 4 * 1000 + 3) * kNs);
  EXPECT_GT(rig.counter("stall_cycles.load_credits"), 15u * 990);
}

TEST(Core, DsbWaitsForOutstandingWritesAndDmbDoesNot) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 64), 200 * kNs);
  Picoseconds after_dmb = 0, after_dsb = 0;
  rig.core.start([&](Core& c) {
    c.store(kNc, 4);
    c.dmb();  // drains the entry (issued now), does not wait
    after_dmb = c.now();
    c.store(kNc + 0x40, 4);
    c.dsb();  // drains and waits for both writes
    after_dsb = c.now();
  });
  sc_core::sc_start();
  EXPECT_EQ(after_dmb, 2 * kNs);
  ASSERT_EQ(rig.memory.log.size(), 2u);
  EXPECT_EQ(rig.memory.log[0].arrival, 1 * kNs);
  EXPECT_EQ(rig.memory.log[1].arrival, 3 * kNs);
  // The second write completes at 3 + 200; the DSB then takes its own cycle.
  EXPECT_EQ(after_dsb, 204 * kNs);
  EXPECT_EQ(rig.counter("barriers.dmb"), 1u);
  EXPECT_EQ(rig.counter("barriers.dsb"), 1u);
  EXPECT_EQ(rig.counter("stall_cycles.dsb"), 200u);
  EXPECT_EQ(rig.counter("store_buffer.drained_by.dmb"), 1u);
  EXPECT_EQ(rig.counter("store_buffer.drained_by.dsb"), 1u);
}

TEST(Core, DcCvacSendsOneCleanSharedPerLineAfterTheStoreBuffer) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 32), 30 * kNs);
  rig.core.start([](Core& c) {
    c.store(kWb + 8, 4);
    for (unsigned i = 0; i < 4; ++i) c.dc_cvac(kWb + 64 * i + 8);
    c.dc_civac(kWb + 0x1000);
    c.dc_ivac(kWb + 0x2000);
    c.dc_csw(0x42);
    c.dsb();
  });
  sc_core::sc_start();
  ASSERT_EQ(rig.memory.log.size(), 8u);
  EXPECT_EQ(rig.memory.log[0].op, BusOp::Store);  // drained before the maintenance
  EXPECT_EQ(rig.memory.log[0].address, kWbPa + 8);
  EXPECT_EQ(rig.memory.log[0].length, 4u);
  for (unsigned i = 0; i < 4; ++i) {
    const auto& a = rig.memory.log[1 + i];
    EXPECT_EQ(a.op, BusOp::CleanShared);
    EXPECT_FALSE(a.write);
    EXPECT_EQ(a.address, kWbPa + 64 * i);
    EXPECT_EQ(a.length, 64u);
  }
  EXPECT_EQ(rig.memory.log[5].op, BusOp::CleanInvalid);
  EXPECT_EQ(rig.memory.log[5].address, kWbPa + 0x1000);
  EXPECT_EQ(rig.memory.log[6].op, BusOp::MakeInvalid);
  EXPECT_EQ(rig.memory.log[7].op, BusOp::CleanSetWay);
  EXPECT_EQ(rig.memory.log[7].address, 0x42u);
  EXPECT_EQ(rig.counter("maintenance.dc_cvac"), 4u);
  EXPECT_EQ(rig.counter("maintenance.dc_civac"), 1u);
  EXPECT_EQ(rig.counter("maintenance.dc_ivac"), 1u);
  EXPECT_EQ(rig.counter("maintenance.dc_csw"), 1u);
  EXPECT_EQ(rig.counter("bus.maintenance"), 7u);
  // Non-blocking up to the credit limit: the DSB waits for the last one.
  EXPECT_GE(rig.core.now(), 30 * kNs + 8 * kNs);
  EXPECT_LE(rig.core.now(), 30 * kNs + 10 * kNs);
}

TEST(Core, TranslationFaultIsCountedAndTheProgramGoesOn) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(), 10 * kNs);
  bool reached_end = false;
  rig.core.start([&](Core& c) {
    c.load(0x9000'0000, 4);
    c.store(0x9000'0000, 4);
    c.dc_cvac(0x9000'0040);
    EXPECT_EQ(c.mmio_read(0x9000'0080), 0u);
    c.load(kNc, 4);
    reached_end = true;
  });
  sc_core::sc_start();
  EXPECT_TRUE(reached_end);
  EXPECT_EQ(rig.core.data_aborts(), 4u);
  EXPECT_EQ(rig.counter("data_aborts"), 4u);
  ASSERT_EQ(rig.core.aborts().size(), 4u);
  EXPECT_NE(rig.core.aborts()[0].find("load of 4 bytes at VA 0x90000000: translation fault"), std::string::npos)
      << rig.core.aborts()[0];
  EXPECT_EQ(rig.memory.log.size(), 1u);
  EXPECT_TRUE(rig.core.finished());
}

TEST(Core, ForwardedLoadReadsItsOwnVersionWithoutViolation) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 32), 40 * kNs);
  std::uint64_t forwarded = 0, from_memory = 0, from_memory_nc = 0;
  rig.core.start([&](Core& c) {
    c.store(kWb + 0x80, 4);
    forwarded = c.load_version(kWb + 0x81);
    // A non-cacheable full line reaches memory; a later load sees memory's version.
    c.write_range(kNc + 0x200, 64, 4);
    c.dsb();
    from_memory_nc = c.load_version(kNc + 0x210);
    from_memory = c.load_version(kWb + 0x400);  // never written: the initial version
  });
  sc_core::sc_start();
  EXPECT_NE(forwarded, 0u);
  EXPECT_EQ(forwarded, rig.oracle.newest_version(kWbPa + 0x80));
  EXPECT_EQ(from_memory_nc, rig.oracle.newest_version(kNcPa + 0x200));
  EXPECT_NE(from_memory_nc, 0u);
  EXPECT_EQ(from_memory, 0u);
  EXPECT_EQ(rig.oracle.reads_checked(), 3u);
  EXPECT_EQ(rig.oracle.violation_count(), 0u);
  EXPECT_EQ(rig.counter("store_buffer.forwarded_loads"), 1u);
  EXPECT_EQ(rig.oracle.agent_name(rig.core.agent()), "cpu0");
  // The forwarded load never reached the bus; the cacheable store drained at the end.
  std::size_t loads_at_80 = 0;
  for (const auto& a : rig.memory.log) loads_at_80 += !a.write && a.address == kWbPa + 0x80;
  EXPECT_EQ(loads_at_80, 0u);
}

TEST(Core, PartialOverlapLoadDrainsTheStoreFirst) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 32), 40 * kNs);
  rig.core.start([](Core& c) {
    c.store(kWb + 0x80, 4);
    c.load(kWb + 0x80, 8);  // half in the buffer: the entry drains, then the load goes out
  });
  sc_core::sc_start();
  ASSERT_EQ(rig.memory.log.size(), 2u);
  EXPECT_EQ(rig.memory.log[0].op, BusOp::Store);
  EXPECT_EQ(rig.memory.log[1].op, BusOp::Load);
  EXPECT_EQ(rig.counter("store_buffer.drained_by.load_hazard"), 1u);
  EXPECT_EQ(rig.oracle.violation_count(), 0u);
}

TEST(Core, MmioReadReturnsTheRegisterValueAndDevicePostsWrites) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(), 100 * kNs);
  rig.memory.read_value = 0xDEAD'BEEF;
  std::uint32_t value = 0;
  Picoseconds after_write = 0, after_read = 0;
  rig.core.start([&](Core& c) {
    c.store(kNc, 4);              // buffered: drained before the Device access
    c.mmio_write(kDev + 0x10, 0x1234);
    after_write = c.now();       // posted: accepted at once
    value = c.mmio_read(kDev + 0x14);
    after_read = c.now();
  });
  sc_core::sc_start();
  EXPECT_EQ(value, 0xDEAD'BEEFu);
  ASSERT_EQ(rig.memory.log.size(), 3u);
  EXPECT_EQ(rig.memory.log[0].op, BusOp::WriteNoSnoop);  // the drained NC store
  EXPECT_EQ(rig.memory.log[0].address, kNcPa);
  EXPECT_EQ(rig.memory.log[1].op, BusOp::WriteNoSnoop);
  EXPECT_EQ(rig.memory.log[1].address, kDevPa + 0x10);
  EXPECT_EQ(rig.memory.log[1].length, 4u);
  EXPECT_EQ(rig.memory.log[2].op, BusOp::ReadNoSnoop);
  EXPECT_EQ(rig.memory.log[2].address, kDevPa + 0x14);
  EXPECT_EQ(after_write, 2 * kNs);
  EXPECT_EQ(after_read, 102 * kNs);
  EXPECT_EQ(rig.counter("store_buffer.drained_by.device_access"), 1u);
}

// A fake L1: Load / Store to PAs below `hit_limit` hit (TLM_COMPLETED after hit_latency), the
// rest is answered like TestMemory after miss_latency. Records the MemExt of every request.
class FakeL1 : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  SC_HAS_PROCESS(FakeL1);
  tlm::tlm_target_socket<> socket{"socket"};
  Picoseconds hit_latency;
  std::uint64_t hit_limit;
  std::uint64_t requests = 0, hits = 0;
  MemExt last_ext;

  FakeL1(const sc_core::sc_module_name& name, Picoseconds hit, std::uint64_t limit)
      : sc_module(name), hit_latency(hit), hit_limit(limit) {
    socket.bind(*this);
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) override {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    ++requests;
    MemExt& ext = MemExt::of(gp);
    last_ext = ext;
    if (gp.get_address() < hit_limit && (ext.op == BusOp::Load || ext.op == BusOp::Store)) {
      ++hits;
      if (gp.is_read()) ext.add_version(0);
      gp.set_response_status(tlm::TLM_OK_RESPONSE);
      delay += sc_core::sc_time::from_value(hit_latency);
      return tlm::TLM_COMPLETED;
    }
    ADD_FAILURE() << "miss not expected in this test";
    return tlm::TLM_COMPLETED;
  }
  void b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) override {}
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

TEST(Core, L1HitsArePipelinedAtOnePerCycleAndABlockingHitWaitsItsLatency) {
  SKIP_IF_ELABORATED();
  stats::Registry registry;
  AddressSpace space = kernel_space();
  Core core("cpu0", config_with(), space, ModelContext{&registry, "soc.cpu0"});
  FakeL1 l1("l1", 4 * kNs, kWbPa + kRegion);
  core.socket.bind(l1.socket);
  Picoseconds after_hit = 0, after_stream = 0;
  core.start([&](Core& c) {
    c.load(kWb, 4);
    after_hit = c.now();
    c.read_range(kWb, 100 * 64);
    after_stream = c.now();
  });
  sc_core::sc_start();
  EXPECT_EQ(after_hit, 4 * kNs);
  // 100 hits one cycle apart; the last one's data 4 cycles after its issue.
  EXPECT_EQ(after_stream - after_hit, (99 + 4) * kNs);
  EXPECT_EQ(l1.hits, 101u);
  EXPECT_EQ(l1.last_ext.op, BusOp::Load);
  EXPECT_EQ(l1.last_ext.mem_type, MemType::NormalWriteBack);
  EXPECT_EQ(l1.last_ext.coherence, Coherence::FullyCoherent);
  EXPECT_EQ(l1.last_ext.created_at, after_hit + 99 * kNs);
  EXPECT_GT(l1.last_ext.txn_id, 100u);
  EXPECT_TRUE(core.finished());
}

TEST(Core, StreamingHitsCostFewHostNanosecondsPerLine) {
  SKIP_IF_ELABORATED();
  stats::Registry registry;
  AddressSpace space = kernel_space();
  Core core("cpu0", config_with(), space, ModelContext{&registry, "soc.cpu0"});
  FakeL1 l1("l1", 4 * kNs, ~std::uint64_t{0});
  core.socket.bind(l1.socket);
  constexpr std::uint64_t kBytes = 16 * 1024 * 1024;
  core.start([&](Core& c) { c.read_range(kWb, kBytes); });
  const auto start = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  const double per_line = ns / static_cast<double>(kBytes / 64);
  std::printf("read_range: %.0f host ns per line\n", per_line);
  EXPECT_EQ(l1.hits, kBytes / 64);
  EXPECT_EQ(core.now(), (kBytes / 64 - 1 + 4) * kNs);
  EXPECT_LT(per_line, 5000.0);  // generous: sanitizer builds; release is a few hundred ns
}

TEST(Core, ComputeAdvancesLocalTimeAndSyncsByQuantum) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(), 10 * kNs);
  Picoseconds sc_mid = 0, core_mid = 0;
  rig.core.start([&](Core& c) {
    c.compute(100);
    sc_mid = sc_core::sc_time_stamp().value();  // below the quantum: not synced
    core_mid = c.now();
    c.compute(1000);
  });
  sc_core::sc_start();
  EXPECT_EQ(sc_mid, 0u);
  EXPECT_EQ(core_mid, 100 * kNs);
  EXPECT_EQ(rig.core.now(), 1100 * kNs);
  EXPECT_EQ(sc_core::sc_time_stamp().value(), 1100 * kNs);  // synced at the end
  EXPECT_EQ(rig.counter("compute_cycles"), 1100u);
  EXPECT_TRUE(rig.core.finished());
}

TEST(Core, CopyInterleavesLoadsAndStoresWithLoadsAhead) {
  SKIP_IF_ELABORATED();
  CoreConfig config = config_with(4, 64);
  config.max_outstanding_loads = 2;
  Rig rig(config, 100 * kNs);
  rig.core.start([](Core& c) {
    c.copy(kNc + 0x10000, kNc, 8 * 64);
    c.dsb();
  });
  sc_core::sc_start();
  std::size_t reads = 0, writes = 0;
  for (const auto& a : rig.memory.log) {
    if (a.write) {
      ++writes;
      EXPECT_EQ(a.length, 64u);
      EXPECT_GE(a.address, kNcPa + 0x10000);
    } else {
      ++reads;
      EXPECT_LT(a.address, kNcPa + 0x10000);
    }
  }
  EXPECT_EQ(reads, 8u);
  EXPECT_EQ(writes, 8u);
  // Two loads in flight: about four memory latencies for eight lines, plus the last write.
  EXPECT_GE(rig.core.now(), 4 * 100 * kNs);
  EXPECT_LE(rig.core.now(), 5 * 100 * kNs + 20 * kNs);
}

TEST(Core, WritesBeyondTheCreditLimitWait) {
  SKIP_IF_ELABORATED();
  CoreConfig config = config_with(4, 64);
  config.max_outstanding_writes = 2;
  Rig rig(config, 100 * kNs);
  rig.core.start([](Core& c) {
    for (unsigned i = 0; i < 4; ++i) c.mmio_write(kDev + 4 * i, i);  // posted
  });
  sc_core::sc_start();
  ASSERT_EQ(rig.memory.log.size(), 4u);
  EXPECT_EQ(rig.memory.log[1].arrival, 1 * kNs);
  EXPECT_EQ(rig.memory.log[2].arrival, 100 * kNs);  // the first write's credit came back
  EXPECT_EQ(rig.memory.log[3].arrival, 101 * kNs);
  EXPECT_GE(rig.counter("stall_cycles.device_so"), 98u);
}

// A target that accepts one request at a time, `accept_after` after it arrives (TLM_ACCEPTED,
// END_REQ later), and answers `latency` after accepting it.
class SlowAcceptor : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  SC_HAS_PROCESS(SlowAcceptor);
  tlm::tlm_target_socket<> socket{"socket"};
  Picoseconds accept_after, latency;
  std::vector<Picoseconds> arrivals;
  bool overlapped = false;  // a BEGIN_REQ came while one was not accepted yet

  SlowAcceptor(const sc_core::sc_module_name& name, Picoseconds accept, Picoseconds lat)
      : sc_module(name), accept_after(accept), latency(lat) {
    socket.bind(*this);
    SC_METHOD(accept);
    sensitive << wake_;
    dont_initialize();
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) override {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    overlapped = overlapped || waiting_ != nullptr;
    arrivals.push_back(sc_core::sc_time_stamp().value() + delay.value());
    MemExt::of(gp).add_version(0);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    gp.acquire();
    waiting_ = &gp;
    wake_.notify(delay + sc_core::sc_time::from_value(accept_after));
    return tlm::TLM_ACCEPTED;
  }
  void b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) override {}
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 private:
  void accept() {
    tlm::tlm_generic_payload* gp = waiting_;
    waiting_ = nullptr;
    tlm::tlm_phase phase = tlm::END_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(*gp, phase, delay);
    phase = tlm::BEGIN_RESP;
    delay = sc_core::sc_time::from_value(latency);
    socket->nb_transport_bw(*gp, phase, delay);
    gp->release();
  }
  tlm::tlm_generic_payload* waiting_ = nullptr;
  sc_core::sc_event wake_;
};

TEST(Core, RefusedRequestBlocksTheNextUntilEndReq) {
  SKIP_IF_ELABORATED();
  stats::Registry registry;
  AddressSpace space = kernel_space();
  Core core("cpu0", config_with(), space, ModelContext{&registry, "soc.cpu0"});
  SlowAcceptor target("target", 10 * kNs, 50 * kNs);
  core.socket.bind(target.socket);
  core.start([](Core& c) { c.read_range(kNc, 4 * 64); });
  sc_core::sc_start();
  EXPECT_FALSE(target.overlapped);
  ASSERT_EQ(target.arrivals.size(), 4u);
  for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(target.arrivals[i], 10 * i * kNs) << i;
  EXPECT_EQ(core.now(), (30 + 10 + 50) * kNs);  // the last accepted at 40, its data at 90
  EXPECT_GT(registry.find("soc.cpu0.stall_cycles.backpressure")->counter().value(), 20u);
  EXPECT_TRUE(core.finished());
}

TEST(Core, TwoProgramsOnOneCoreSynchroniseThroughAnEvent) {
  SKIP_IF_ELABORATED();
  Rig rig(config_with(4, 64), 30 * kNs);
  sc_core::sc_event ready;
  std::uint64_t seen = 0;
  rig.core.start([&](Core& c) {
    c.write_range(kNc + 0x1000, 64, 8);
    c.dsb();
    ready.notify(sc_core::SC_ZERO_TIME);
  }, "producer");
  rig.core.start([&](Core& c) {
    c.wait(ready);
    seen = c.load_version(kNc + 0x1008);
  }, "consumer");
  sc_core::sc_start();
  EXPECT_TRUE(rig.core.finished());
  EXPECT_NE(seen, 0u);
  EXPECT_EQ(seen, rig.oracle.newest_version(kNcPa + 0x1000));
  EXPECT_EQ(rig.oracle.violation_count(), 0u);
}

}  // namespace
}  // namespace dmasim::cpu

// A SYSMMU on a non-coherent port of an assembled SoC: its walker reads the page table through the
// interconnect and DRAM, and the oracle checks those reads. A CPU that writes a page-table entry
// and does not clean it leaves DRAM stale: the walk is flagged (DeviceReadStale); with DC CVAC it
// is not (issue 4). Each test elaborates a SoC: ctest runs every test in its own process.
#include <gtest/gtest.h>

#include "models/common/config/node.h"
#include "platform/platform_config.h"
#include "platform/soc.h"
#include "tests/iommu/sysmmu_harness.h"
#include "tests/support/elaboration.h"

namespace dmasim::platform {
namespace {

// One core with an L1D and an inclusive L2 (no outer cache: DC CVAC reaches the PoC), a system
// interconnect with the device's non-coherent port, LPDDR3-1600.
constexpr const char* kPlatform = R"(
name: test
clusters:
  - name: c
    cores: 1
    core: {clock: 1GHz, line_size: 32, store_buffer: {entries: 4, entry_size: 32B}}
    l1d: {size: 32KiB, ways: 4, line_size: 32B, hit_latency: 4, mshrs: 4, replacement: lru, level: 1}
    shared_cache: {size: 256KiB, ways: 8, line_size: 32B, hit_latency: 10, mshrs: 8, replacement: lru,
                   inclusion: inclusive, level: 2}
    port: cpu
interconnect:
  clock: 500MHz
  ports:
    - {name: cpu, kind: non-coherent}
    - {name: dev, kind: non-coherent}
  address_map:
    targets:
      - {name: dram, kind: memory, base: 0x40000000, size: 1GiB}
dram: ../dram/lpddr3-1600-x32.yaml
)";

constexpr std::uint64_t kIova = 0x1000'0000;

// Returns the oracle's DeviceReadStale count after the CPU rewrites the level-2 entry of kIova's
// page (cleaning it or not) and the device then reads kIova through the SYSMMU.
std::uint64_t stale_walks(bool clean) {
  const std::string file = std::string(DMASIM_SOURCE_DIR) + "/scenarios/platforms/test-inline.yaml";
  stats::Registry stats;
  SocOptions o;
  o.external_ports = {"dev"};
  Soc soc(cfg::read<PlatformConfig>(cfg::load_yaml_string(kPlatform, file)), stats, o);

  PhysicalMemory memory;
  const std::uint64_t lv1 = soc.dram_base() + (8 << 20), buffer = soc.dram_base() + (16 << 20);
  iommu::PageTableBuilder tables(memory, iommu::SysmmuVersion::V2, lv1, lv1 + (64 << 10), 64 << 10);
  tables.map(kIova, buffer, 4 * iommu::kSmallPage, iommu::kSmallPage, iommu::Access::ReadWrite);
  const std::uint64_t pte = tables.writes().back().pa - 3 * 4;  // kIova's entry (the 4th write is the last page)

  ModelContext ctx;
  ctx.stats = &stats;
  ctx.stats_path = "soc.sysmmu";
  ctx.oracle = &soc.oracle();
  iommu::SysmmuConfig c;
  c.clock = ClockSpec::from_frequency(Frequency{500'000'000});
  iommu::Sysmmu mmu("sysmmu", c, ctx, memory, 0x1300'0000);
  iommu::test::Master master("master");
  master.socket.bind(mmu.upstream);
  master.regs.bind(mmu.registers);
  mmu.downstream.bind(soc.interconnect().port("dev"));
  mmu.enable_at_reset(lv1);

  sc_core::sc_event written, read_done;
  bool ok = false;
  master.program = [&](iommu::test::Master& m) {
    sc_core::wait(written);
    ok = m.access(kIova).ok;
    read_done.notify(sc_core::SC_ZERO_TIME);
  };
  soc.start(0, [&](cpu::Core& core) {
    const std::uint64_t va = soc.linear_va(pte);
    core.store(va, 4);  // the entry's value is already in memory (tables.map); the store gives it its version
    if (clean) core.dc_cvac(va);
    core.dsb();
    core.sync();
    written.notify(sc_core::SC_ZERO_TIME);
    core.wait(read_done);
  });
  soc.run();
  EXPECT_TRUE(ok);
  EXPECT_EQ(stats.find("soc.sysmmu.walk_reads")->counter().value(), 2u);
  return soc.oracle().violation_count(oracle::ViolationKind::DeviceReadStale);
}

TEST(SysmmuWalker, ReadingAnEntryTheCpuWroteWithoutCleaningIsFlagged) {
  SKIP_IF_ELABORATED();
  EXPECT_EQ(stale_walks(false), 1u);
}

TEST(SysmmuWalker, ReadingAnEntryTheCpuCleanedIsNot) {
  SKIP_IF_ELABORATED();
  EXPECT_EQ(stale_walks(true), 0u);
}

}  // namespace
}  // namespace dmasim::platform

// Streaming mappings through dma-direct (dma_map_single / dma_unmap_single / dma_map_sg): the
// cache maintenance each call issues, counted instruction by instruction against what the
// kernel's code issues for the same range. Expectations are computed from line and buffer sizes:
//   armv7 (arch/arm/mm/cache-v7.S): v7_dma_map_area invalidates for FROM_DEVICE and cleans
//     otherwise, one MCR per L1 line, an unaligned edge line cleaned+invalidated, then DSB;
//     v7_dma_unmap_area invalidates unless TO_DEVICE. Exynos4412: A9 L1D lines of 32 B.
//   PL310 (arch/arm/mm/cache-l2x0.c, l2c210_*_range): one by-PA register write per 32 B line,
//     CLEAN+INV for unaligned edges of an invalidate, then one CACHE_SYNC.
//   arm64 (arch/arm64/mm/dma-mapping.c, cache.S): from 5.19 every map cleans (DC CVAC), and
//     unmap / sync_for_cpu invalidates (DC IVAC, DC CIVAC on partial edge lines); before 5.19 a
//     FROM_DEVICE map invalidates. Each routine ends in one DSB. "modern": 64 B lines.
#include <gtest/gtest.h>

#include "sw/dma_api/dma_mapping.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_dma_env.h"

namespace dmasim::sw {
namespace {

using test::DmaEnv;
using test::Maint;

constexpr std::uint64_t kA9Line = 32;      // exynos4412 L1D and PL310 line
constexpr std::uint64_t kModernLine = 64;  // modern L1D line
constexpr std::uint64_t kBuf = 8192;

KernelProfile armv7_pl310() { return KernelProfile{.arch = KernelArch::Armv7Pl310}; }

// Runs `call` on core c and returns the maintenance it issued. The PL310 counts its register
// writes when they arrive, after the core has moved on (Device writes are posted): let 100 us
// pass before each snapshot so that every write of the call, and none of an earlier one, is in.
template <class F>
Maint measure(DmaEnv& e, cpu::Core& c, F&& call) {
  c.sleep_until(c.now() + 100'000'000);
  const Maint before = e.maint();
  call();
  c.sleep_until(c.now() + 100'000'000);
  return e.maint() - before;
}

TEST(StreamingMaintenance, Armv7Pl310MapFromDeviceInvalidatesEachLineOnceInL1AndPl310) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  DmaAddr addr = 0;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { addr = dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(addr, e.buffer_pa());        // dma-direct: the bus address is the physical address
  EXPECT_EQ(d.ivac, kBuf / kA9Line);     // 256 DCIMVAC
  EXPECT_EQ(d.civac, 0u);                // aligned: no partial edge line
  EXPECT_EQ(d.cvac, 0u);                 // nothing cleaned
  EXPECT_EQ(d.dsb, 1u);                  // v7_dma_inv_range ends in one DSB
  EXPECT_EQ(d.l2_inv, kBuf / kA9Line);   // 256 INV_LINE_PA
  EXPECT_EQ(d.l2_clean + d.l2_clean_inv, 0u);
  EXPECT_EQ(d.l2_sync, 1u);
}

TEST(StreamingMaintenance, Armv7Pl310MapToDeviceCleansEachLineOnceInL1AndPl310) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::ToDevice, 0); });
  });
  EXPECT_EQ(d.cvac, kBuf / kA9Line);
  EXPECT_EQ(d.ivac + d.civac, 0u);
  EXPECT_EQ(d.dsb, 1u);
  EXPECT_EQ(d.l2_clean, kBuf / kA9Line);
  EXPECT_EQ(d.l2_inv + d.l2_clean_inv, 0u);
  EXPECT_EQ(d.l2_sync, 1u);
}

TEST(StreamingMaintenance, Armv7Pl310BidirectionalMapCleans) {
  SKIP_IF_ELABORATED();
  // v7_dma_map_area only invalidates for FROM_DEVICE; __dma_page_cpu_to_dev likewise for the
  // outer cache: a BIDIRECTIONAL map is a clean.
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::Bidirectional, 0); });
  });
  EXPECT_EQ(d.cvac, kBuf / kA9Line);
  EXPECT_EQ(d.ivac + d.civac, 0u);
  EXPECT_EQ(d.l2_clean, kBuf / kA9Line);
  EXPECT_EQ(d.l2_inv + d.l2_clean_inv, 0u);
}

TEST(StreamingMaintenance, Armv7Pl310UnalignedFromDeviceCleansAndInvalidatesBothEdgeLines) {
  SKIP_IF_ELABORATED();
  // 8 KiB starting 8 bytes into a line: bytes [8, 8200) touch lines 0..256, 257 lines. The two
  // partial edge lines are cleaned+invalidated (L1 DCCIMVAC, PL310 CLEAN_INV_LINE_PA), the 255
  // whole lines between them invalidated: 2 CIVAC more and 1 IVAC less than the aligned map.
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(8), kBuf, DmaDirection::FromDevice, 0); });
  });
  const std::uint64_t lines = (8 + kBuf + kA9Line - 1) / kA9Line;
  ASSERT_EQ(lines, 257u);
  EXPECT_EQ(d.civac, 2u);
  EXPECT_EQ(d.ivac, lines - 2);
  EXPECT_EQ(d.cvac, 0u);
  EXPECT_EQ(d.dsb, 1u);
  EXPECT_EQ(d.l2_clean_inv, 2u);
  EXPECT_EQ(d.l2_inv, lines - 2);
  EXPECT_EQ(d.l2_sync, 1u);
}

TEST(StreamingMaintenance, Armv7Pl310UnmapFromDeviceInvalidatesOuterThenL1Again) {
  SKIP_IF_ELABORATED();
  // __dma_page_dev_to_cpu: outer_inv_range (256 INV_LINE_PA + CACHE_SYNC), then
  // v7_dma_unmap_area -> v7_dma_inv_range (256 DCIMVAC + DSB).
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  e.h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, 0);
    d = measure(e, c, [&] { dma_unmap_single_attrs(c, e.dev, a, kBuf, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(d.ivac, kBuf / kA9Line);
  EXPECT_EQ(d.civac + d.cvac, 0u);
  EXPECT_EQ(d.dsb, 1u);
  EXPECT_EQ(d.l2_inv, kBuf / kA9Line);
  EXPECT_EQ(d.l2_clean + d.l2_clean_inv, 0u);
  EXPECT_EQ(d.l2_sync, 1u);
}

TEST(StreamingMaintenance, Armv7Pl310UnmapToDeviceIssuesNoMaintenance) {
  SKIP_IF_ELABORATED();
  // __dma_page_dev_to_cpu skips the outer cache for TO_DEVICE, and v7_dma_unmap_area returns.
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  e.h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::ToDevice, 0);
    d = measure(e, c, [&] { dma_unmap_single_attrs(c, e.dev, a, kBuf, DmaDirection::ToDevice, 0); });
  });
  EXPECT_EQ(d.l1_total(), 0u);
  EXPECT_EQ(d.dsb, 0u);
  EXPECT_EQ(d.l2_total(), 0u);
}

TEST(StreamingMaintenance, SkipCpuSyncMapAndUnmapIssueNoMaintenance) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  Picoseconds maintenance_ps = 1;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] {
      const DmaAddr a = dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, DMA_ATTR_SKIP_CPU_SYNC);
      dma_unmap_single_attrs(c, e.dev, a, kBuf, DmaDirection::FromDevice, DMA_ATTR_SKIP_CPU_SYNC);
    });
    maintenance_ps = e.kernel().cost(CostKind::Maintenance);
  });
  EXPECT_EQ(d.l1_total(), 0u);
  EXPECT_EQ(d.dsb, 0u);
  EXPECT_EQ(d.l2_total(), 0u);
  EXPECT_EQ(maintenance_ps, 0u);
}

TEST(StreamingMaintenance, Armv7Pl310MapSgPaysOneDsbAndOneCacheSyncPerEntry) {
  SKIP_IF_ELABORATED();
  // Five entries on non-contiguous pages (every other page), 3000 bytes at offset 64 each: every
  // entry is mapped on its own (dma_direct_map_sg -> dma_direct_map_page, or arm_dma_map_sg ->
  // arm_dma_map_page), so each pays the whole v7_dma_clean_range (its DSB) and outer clean
  // (its CACHE_SYNC). Lines per entry: [64, 3064) spans lines 2..95, 94 lines.
  constexpr unsigned kEntries = 5;
  DmaEnv e("exynos4412", armv7_pl310());
  SgTable sg(kEntries);
  for (unsigned i = 0; i < kEntries; ++i) sg[i] = Scatterlist{e.buffer_pa(2 * i * PAGE_SIZE), 64, 3000, 0, 0};
  Maint d;
  int n = 0;
  e.h.run([&](cpu::Core& c) { d = measure(e, c, [&] { n = dma_map_sg_attrs(c, e.dev, sg, DmaDirection::ToDevice, 0); }); });
  const std::uint64_t lines_per_entry = (64 + 3000 + kA9Line - 1) / kA9Line - 64 / kA9Line;
  ASSERT_EQ(lines_per_entry, 94u);
  EXPECT_EQ(n, static_cast<int>(kEntries));
  EXPECT_EQ(d.dsb, kEntries);
  EXPECT_EQ(d.l2_sync, kEntries);
  EXPECT_EQ(d.cvac, kEntries * lines_per_entry);
  EXPECT_EQ(d.l2_clean, kEntries * lines_per_entry);
  for (unsigned i = 0; i < kEntries; ++i) {
    EXPECT_EQ(sg[i].dma_address, sg[i].phys());
    EXPECT_EQ(sg[i].dma_length, 3000u);
  }
}

TEST(StreamingMaintenance, Armv7WithoutOuterCacheInvalidatesL1Only) {
  SKIP_IF_ELABORATED();
  // exynos5422 (Cortex-A15, 64 B lines, no PL310): the same v7 routines, no outer cache calls.
  DmaEnv e("exynos5422", KernelProfile{.arch = KernelArch::Armv7});
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(d.ivac, kBuf / 64);
  EXPECT_EQ(d.civac + d.cvac, 0u);
  EXPECT_EQ(d.dsb, 1u);
}

TEST(StreamingMaintenance, Arm64MapFromDeviceCleansEachLineAndNeverInvalidates) {
  SKIP_IF_ELABORATED();
  // 5.19+ arch_sync_dma_for_device: dcache_clean_poc whatever the direction.
  DmaEnv e("modern", KernelProfile{.arch = KernelArch::Arm64});
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(d.cvac, kBuf / kModernLine);
  EXPECT_EQ(d.ivac + d.civac, 0u);
  EXPECT_EQ(d.dsb, 1u);
}

TEST(StreamingMaintenance, Arm64UnmapFromDeviceInvalidatesEachLineOnce) {
  SKIP_IF_ELABORATED();
  // arch_sync_dma_for_cpu: dcache_inval_poc for anything but TO_DEVICE.
  DmaEnv e("modern", KernelProfile{.arch = KernelArch::Arm64});
  Maint d;
  e.h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, 0);
    d = measure(e, c, [&] { dma_unmap_single_attrs(c, e.dev, a, kBuf, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(d.ivac, kBuf / kModernLine);
  EXPECT_EQ(d.cvac + d.civac, 0u);
  EXPECT_EQ(d.dsb, 1u);
}

TEST(StreamingMaintenance, Arm64Pre519MapFromDeviceInvalidatesWithCivacOnUnalignedEdges) {
  SKIP_IF_ELABORATED();
  // Before 5.19 __dma_map_area sends FROM_DEVICE to dcache_inval_poc. Aligned 8 KiB: 128 DC
  // IVAC. 8 KiB at offset 8: bytes [8, 8200) touch 129 lines: 2 DC CIVAC + 127 DC IVAC.
  DmaEnv e("modern", KernelProfile{.arch = KernelArch::Arm64Pre519});
  Maint aligned, unaligned;
  e.h.run([&](cpu::Core& c) {
    aligned = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), kBuf, DmaDirection::FromDevice, 0); });
    unaligned = measure(e, c, [&] {
      dma_map_single_attrs(c, e.dev, e.buffer_va(64 * 1024 + 8), kBuf, DmaDirection::FromDevice, 0);
    });
  });
  EXPECT_EQ(aligned.ivac, kBuf / kModernLine);
  EXPECT_EQ(aligned.civac + aligned.cvac, 0u);
  EXPECT_EQ(aligned.dsb, 1u);
  EXPECT_EQ(unaligned.civac, 2u);
  EXPECT_EQ(unaligned.ivac, kBuf / kModernLine + 1 - 2);
  EXPECT_EQ(unaligned.cvac, 0u);
  EXPECT_EQ(unaligned.dsb, 1u);
}

TEST(StreamingMaintenance, Arm64InvalidateOfLessThanALineFromAnAlignedStartIssuesCivacThenIvac) {
  SKIP_IF_ELABORATED();
  // dcache_inval_poc on [L, L+16): the end is unaligned, so DC CIVAC on L; the start is aligned,
  // and the loop at label 2 is a do-while: it issues DC IVAC on L before comparing with the
  // rounded-down end (== L). Two instructions on one line (the arm v7 routine, whose loop tests
  // first, issues only the CIVAC).
  DmaEnv e("modern", KernelProfile{.arch = KernelArch::Arm64Pre519});
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), 16, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(d.civac, 1u);
  EXPECT_EQ(d.ivac, 1u);
  EXPECT_EQ(d.dsb, 1u);
}

TEST(StreamingMaintenance, Armv7InvalidateOfLessThanALineFromAnAlignedStartIssuesOnlyCivac) {
  SKIP_IF_ELABORATED();
  // v7_dma_inv_range on [L, L+16): start aligned, end unaligned -> DCCIMVAC on L; the loop's
  // MCRLO tests r0 < r1 (L < L) first: no DCIMVAC.
  DmaEnv e("exynos4412", armv7_pl310());
  Maint d;
  e.h.run([&](cpu::Core& c) {
    d = measure(e, c, [&] { dma_map_single_attrs(c, e.dev, e.buffer_va(), 16, DmaDirection::FromDevice, 0); });
  });
  EXPECT_EQ(d.civac, 1u);
  EXPECT_EQ(d.ivac, 0u);
  EXPECT_EQ(d.l2_clean_inv, 1u);  // l2c210_inv_range: the partial end line
  EXPECT_EQ(d.l2_inv, 0u);
}

}  // namespace
}  // namespace dmasim::sw

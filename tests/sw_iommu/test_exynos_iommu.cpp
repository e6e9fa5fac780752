// The IOMMU API on the Exynos SYSMMU driver, on assembled platforms: the page-table entries it
// writes (decoded from simulated memory), the cleans each entry write costs on a non-coherent
// walker, and the SYSMMU register traffic of attach and invalidation; the arm_iommu and
// dma-iommu ops on top.
#include <gtest/gtest.h>

#include "sw/dma_api/dma_mapping.h"
#include "sw/dma_api/kernel_setup.h"
#include "sw/iommu/arm_iommu.h"
#include "sw/iommu/dma_iommu.h"
#include "sw/iommu/exynos_iommu.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_harness.h"

namespace dmasim::sw {
namespace {

using test::SwHarness;
constexpr std::uint64_t kIova = 0x2000'0000;

struct Counts {
  std::uint64_t cvac, flushes, regs;
};

// Register writes are posted: they reach the SYSMMU (and are counted) after the core moves on.
// A DSB and 100 us of idle time let every one arrive before a count is read.
void settle(cpu::Core& c) {
  c.dsb();
  c.sleep_until(c.now() + 100'000'000);
}

Counts counts(SwHarness& h, const std::string& cpu, const std::string& dev) {
  return Counts{h.count(cpu + "maintenance.dc_cvac"), h.count("soc." + dev + ".sysmmu.flushes"),
                h.count("soc." + dev + ".sysmmu.register_accesses")};
}

TEST(ExynosIommu, MappingAPageWritesALinkAndAPageEntryEachCleanedAndFlushesTheFlpdCache) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  const PhysAddr pa = h.scratch_pa(0x3000);
  Counts before{}, mapped{}, unmapped{};
  std::uint32_t lv1 = 0, lv2 = 0;
  std::optional<PhysAddr> translated;
  ExynosIommuDomain* domain = nullptr;
  h.run([&](cpu::Core& c) {
    domain = static_cast<ExynosIommuDomain*>(iommu_domain_alloc(c, h.kernel()));
    ASSERT_NE(domain, nullptr);
    ASSERT_EQ(iommu_attach_device(c, *domain, dev), 0);
    settle(c);
    before = counts(h, "soc.a9.cpu0.", "fimc0");
    ASSERT_EQ(iommu_map(c, *domain, kIova, pa, 4096, IOMMU_READ | IOMMU_WRITE), 0);
    settle(c);
    mapped = counts(h, "soc.a9.cpu0.", "fimc0");
    translated = iommu_iova_to_phys(c, *domain, kIova + 0x123);
    lv1 = h.machine().memory().read32(domain->pgtable() + 4 * iommu::lv1_index(kIova));
    const iommu::PteFormat f(iommu::SysmmuVersion::V2);
    lv2 = h.machine().memory().read32(f.decode_lv1(lv1).base + 4 * iommu::lv2_index(kIova));
    EXPECT_EQ(iommu_unmap(c, *domain, kIova, 4096), 4096u);
    settle(c);
    unmapped = counts(h, "soc.a9.cpu0.", "fimc0");
  });
  const iommu::PteFormat f(iommu::SysmmuVersion::V2);
  EXPECT_EQ(f.decode_lv1(lv1).kind, iommu::Descriptor::Kind::Table);
  EXPECT_EQ(f.decode_lv2(lv2).kind, iommu::Descriptor::Kind::SmallPage);
  EXPECT_EQ(f.decode_lv2(lv2).base, pa);
  EXPECT_EQ(translated, pa + 0x123);
  // A new 1 KiB level-2 table cleaned (32 lines of 32 B), then one clean per entry written.
  EXPECT_EQ(mapped.cvac - before.cvac, 1024 / 32 + 2);
  EXPECT_EQ(mapped.flushes - before.flushes, 1u);  // the FLPD flush of the region
  // Unmap: one entry cleared and cleaned, one FLUSH_ENTRY between block and unblock.
  EXPECT_EQ(unmapped.cvac - mapped.cvac, 1u);
  EXPECT_EQ(unmapped.flushes - mapped.flushes, 1u);
  EXPECT_GE(unmapped.regs - mapped.regs, 4u);  // CTRL block, STATUS poll, FLUSH_ENTRY, CTRL enable
}

TEST(ExynosIommu, ASectionIsOneEntryAndItsUnmapFlushesSixtyFourTlbSetsOnV2) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  const PhysAddr pa = h.scratch_pa(0);  // 1 MiB aligned
  Counts before{}, mapped{}, unmapped{};
  h.run([&](cpu::Core& c) {
    IommuDomain* domain = iommu_domain_alloc(c, h.kernel());
    ASSERT_NE(domain, nullptr);
    ASSERT_EQ(iommu_attach_device(c, *domain, dev), 0);
    settle(c);
    before = counts(h, "soc.a9.cpu0.", "fimc0");
    ASSERT_EQ(iommu_map(c, *domain, kIova, pa, 1 << 20, IOMMU_READ), 0);
    settle(c);
    mapped = counts(h, "soc.a9.cpu0.", "fimc0");
    EXPECT_EQ(iommu_unmap(c, *domain, kIova, 1 << 20), 1u << 20);
    settle(c);
    unmapped = counts(h, "soc.a9.cpu0.", "fimc0");
  });
  EXPECT_EQ(mapped.cvac - before.cvac, 1u);
  EXPECT_EQ(unmapped.flushes - mapped.flushes, 64u);
}

TEST(ExynosIommu, ThePageSizePolicyLimitsMappingsTo64KiBPages) {
  SKIP_IF_ELABORATED();
  KernelProfile p{.arch = KernelArch::Armv7Pl310};
  p.iommu.max_page = ByteSize{64 * 1024};
  SwHarness h("exynos4412", p);
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  Counts before{}, mapped{};
  h.run([&](cpu::Core& c) {
    IommuDomain* domain = iommu_domain_alloc(c, h.kernel());
    ASSERT_EQ(iommu_attach_device(c, *domain, dev), 0);
    settle(c);
    before = counts(h, "soc.a9.cpu0.", "fimc0");
    ASSERT_EQ(iommu_map(c, *domain, kIova, h.scratch_pa(0), 1 << 20, IOMMU_READ), 0);
    settle(c);
    mapped = counts(h, "soc.a9.cpu0.", "fimc0");
  });
  // 16 large pages of 16 entries: one 64-byte sync each (2 lines of 32 B), plus the new
  // level-2 table (32 lines) and its link (1).
  EXPECT_EQ(mapped.cvac - before.cvac, 16u * 2 + 32 + 1);
}

TEST(ArmIommu, StreamingMapReturnsAnIovaInTheMappingAndUnmapFreesIt) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  DmaAddr first = 0, again = 0;
  h.run([&](cpu::Core& c) {
    ASSERT_EQ(arm_iommu_attach_new_mapping(c, h.kernel(), dev, kIova, 128ull << 20), 0);
    const VirtAddr va = h.kernel().phys_to_virt(h.scratch_pa(0x40));
    first = dma_map_single_attrs(c, dev, va, 8192, DmaDirection::FromDevice, 0);
    ASSERT_EQ(dma_mapping_error(dev, first), 0);
    dma_unmap_single_attrs(c, dev, first, 8192, DmaDirection::FromDevice, 0);
    again = dma_map_single_attrs(c, dev, va, 8192, DmaDirection::FromDevice, 0);
    dma_unmap_single_attrs(c, dev, again, 8192, DmaDirection::FromDevice, 0);
  });
  // 0x40 into its page: 3 pages of IO space (order 2, aligned to 4 pages), the offset kept.
  EXPECT_EQ(first, kIova + 0x40);
  EXPECT_EQ(again, first);
  EXPECT_EQ(h.kernel().cost(CostKind::Iommu) > 0, true);
  EXPECT_EQ(h.count("sw.dma_debug.total"), 0u);
}

TEST(ArmIommu, AnyDmaMaskIsSupportedBehindTheIommu) {
  SKIP_IF_ELABORATED();
  // The IOMMU ops have no dma_supported hook: a 24-bit mask that dma-direct refuses (DRAM starts
  // at 1 GiB) is accepted once the device is attached.
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  EXPECT_EQ(dma_set_mask(dev, DMA_BIT_MASK(24)), -kEIO);
  h.run([&](cpu::Core& c) { ASSERT_EQ(arm_iommu_attach_new_mapping(c, h.kernel(), dev, kIova, 128ull << 20), 0); });
  EXPECT_EQ(dma_set_mask(dev, DMA_BIT_MASK(24)), 0);
  EXPECT_EQ(dev.dma_mask, DMA_BIT_MASK(24));
}

TEST(ArmIommu, MapSgMergesPageAlignedEntriesUpToTheMaximumSegmentSize) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  dev.max_segment_size = 8192;
  int nents = 0;
  SgTable sg;
  for (int i = 0; i < 3; ++i)  // three scattered whole pages
    sg.push_back(Scatterlist{h.scratch_pa(static_cast<std::uint64_t>(i) * 3 * 4096), 0, 4096, 0, 0});
  h.run([&](cpu::Core& c) {
    ASSERT_EQ(arm_iommu_attach_new_mapping(c, h.kernel(), dev, kIova, 128ull << 20), 0);
    nents = dma_map_sg_attrs(c, dev, sg, DmaDirection::ToDevice, 0);
    dma_unmap_sg_attrs(c, dev, sg, DmaDirection::ToDevice, 0);
  });
  // Pages 1 and 2 join one IO-contiguous segment of 8 KiB; the third would exceed it.
  EXPECT_EQ(nents, 2);
  EXPECT_EQ(sg[0].dma_length, 8192u);
  EXPECT_EQ(sg[1].dma_length, 4096u);
  EXPECT_EQ(sg[1].dma_address, sg[0].dma_address + 8192);  // its own chunk, the next free page of IO space
  EXPECT_EQ(h.count("sw.dma_debug.total"), 0u);
}

TEST(ArmIommu, CoherentAllocationIsScatteredPagesTheDeviceAndTheCpuSeeAlike) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "fimc0");
  dev.hw = *h.machine().device("fimc0");
  DmaAllocation a;
  std::optional<PhysAddr> dev_first, dev_last;
  cpu::Translation first, last;
  h.run([&](cpu::Core& c) {
    ASSERT_EQ(arm_iommu_attach_new_mapping(c, h.kernel(), dev, kIova, 128ull << 20), 0);
    a = dma_alloc_coherent(c, dev, (1 << 20) + (64 << 10), GFP_KERNEL);  // 272 pages: an order-8 and an order-4 block
    ASSERT_TRUE(a.ok());
    dev_first = iommu_iova_to_phys(c, *dev.iommu_domain, a.dma_handle);
    dev_last = iommu_iova_to_phys(c, *dev.iommu_domain, a.dma_handle + (1 << 20) + (64 << 10) - 1);
    first = h.machine().address_space().translate(a.cpu_addr);
    last = h.machine().address_space().translate(a.cpu_addr + (1 << 20) + (64 << 10) - 1);
    dma_free_coherent(c, dev, (1 << 20) + (64 << 10), a);
  });
  EXPECT_EQ(a.dma_handle, kIova);  // the first IOVA, 1 MiB aligned
  EXPECT_EQ(first.attr, cpu::MemAttr::NormalNonCacheable);
  EXPECT_EQ(dev_first, first.pa);
  EXPECT_EQ(dev_last, last.pa);
  EXPECT_EQ(h.count("sw.dma_debug.total"), 0u);
}

// 300 map/unmap pairs of one page through dma-iommu on the arm64 platform's GPU SYSMMU (v7):
// strict invalidates once per unmap; lazy queues the IOVAs and invalidates everything once when
// the 256-entry flush queue fills.
std::uint64_t flushes_for(IommuFlush mode) {
  KernelProfile p{.arch = KernelArch::Arm64};
  p.iommu.flush = mode;
  SwHarness h("modern", p);
  KernelSetup setup(h.kernel(), KernelMemoryConfig{}, 1);
  Device dev(h.kernel(), "gpu");
  dev.hw = *h.machine().device("gpu");
  std::uint64_t before = 0, after = 0;
  h.run([&](cpu::Core& c) {
    EXPECT_EQ(iommu_dma_attach_default_domain(c, h.kernel(), dev), 0);
    const VirtAddr va = h.kernel().phys_to_virt(h.scratch_pa());
    auto pair = [&] {
      const DmaAddr a = dma_map_single_attrs(c, dev, va, 4096, DmaDirection::ToDevice, 0);
      EXPECT_EQ(dma_mapping_error(dev, a), 0);
      dma_unmap_single_attrs(c, dev, a, 4096, DmaDirection::ToDevice, 0);
    };
    pair();  // the level-2 table and its FLPD flush
    settle(c);
    before = h.count("soc.gpu.sysmmu.flushes");
    for (int i = 0; i < 299; ++i) pair();
    settle(c);
    after = h.count("soc.gpu.sysmmu.flushes");
  });
  return after - before;
}

TEST(DmaIommu, StrictInvalidatesOncePerUnmap) {
  SKIP_IF_ELABORATED();
  EXPECT_EQ(flushes_for(IommuFlush::Strict), 299u);
}

TEST(DmaIommu, LazyInvalidatesOnceWhenTheFlushQueueFills) {
  SKIP_IF_ELABORATED();
  // Queued IOVAs are not reused until the flush, so mappings walk down the IO space: the 257th
  // page opens a new 1 MiB region, whose new level-2 table costs an FLPD flush; the full queue
  // costs one flush of everything. Strict reuses one page and one region throughout.
  EXPECT_EQ(flushes_for(IommuFlush::Lazy), 2u);
}

TEST(IommuPgsize, TheLargestPageBothAddressesAndTheSizeAllow) {
  constexpr std::uint64_t all = (1 << 20) | (64 << 10) | (4 << 10);
  EXPECT_EQ(iommu_pgsize(all, 0x100000, 0x40100000, 2 << 20), 1u << 20);
  EXPECT_EQ(iommu_pgsize(all, 0x110000, 0x40110000, 2 << 20), 64u << 10);
  EXPECT_EQ(iommu_pgsize(all, 0x100000, 0x40101000, 2 << 20), 4u << 10);  // the PA is only page aligned
  EXPECT_EQ(iommu_pgsize(all, 0x100000, 0x40100000, 96 << 10), 64u << 10);  // less than a section left
  EXPECT_EQ(iommu_pgsize((64 << 10) | (4 << 10), 0x100000, 0x40100000, 2 << 20), 64u << 10);
}

}  // namespace
}  // namespace dmasim::sw

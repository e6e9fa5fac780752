// dma_alloc_attrs through dma-direct on armv7-pl310, the paths of arm's __dma_alloc: a caller
// that may sleep gets CMA memory (zeroed and flushed through the cacheable alias, the linear
// map retyped), one that may not gets the atomic pool; the memory type follows
// __get_dma_pgprot (CONFIG_ARM_DMA_MEM_BUFFERABLE). And dma_set_mask's refusal of a mask the
// device cannot use.
#include <gtest/gtest.h>

#include "sw/dma_api/atomic_pool.h"
#include "sw/dma_api/direct.h"
#include "sw/dma_api/dma_mapping.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_dma_env.h"

namespace dmasim::sw {
namespace {

using test::DmaEnv;
using test::Maint;

constexpr std::uint64_t kSize = 64 * 1024;

cpu::MemAttr attr_at(DmaEnv& e, VirtAddr va) { return e.h.machine().address_space().translate(va).attr; }

TEST(DmaAlloc, GfpKernelAllocationComesFromTheCmaAreaRetypedAndFlushed) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  DmaAllocation a;
  Maint d;
  e.h.run([&](cpu::Core& c) {
    const Maint before = e.maint();
    a = dma_alloc_coherent(c, e.dev, kSize, GFP_KERNEL);
    c.sleep_until(c.now() + 100'000'000);  // the PL310 counts posted register writes on arrival
    d = e.maint() - before;
  });
  // The 64 MiB area sits at the top of the 512 MiB of lowmem: [0x5C000000, 0x60000000). An empty
  // area's first fit is its base.
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.dma_handle, 0x5C000000u);
  EXPECT_EQ(a.cpu_addr, 0xDC000000u);  // the linear-map address (PAGE_OFFSET 0xC0000000)
  EXPECT_EQ(attr_at(e, a.cpu_addr), cpu::MemAttr::NormalNonCacheable);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.allocs"), 1u);
  // __dma_clear_buffer: dmac_flush_range + outer_flush_range over 64 KiB of 32 B lines.
  EXPECT_EQ(d.civac, kSize / 32);
  EXPECT_EQ(d.l2_clean_inv, kSize / 32);
  EXPECT_EQ(d.ivac + d.cvac, 0u);
}

TEST(DmaAlloc, GfpAtomicAllocationComesFromTheAtomicPoolWithoutMaintenance) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  DmaAllocation a;
  Maint d;
  e.h.run([&](cpu::Core& c) {
    const Maint before = e.maint();
    a = dma_alloc_coherent(c, e.dev, kSize, GFP_ATOMIC);
    c.sleep_until(c.now() + 100'000'000);
    d = e.maint() - before;
  });
  ASSERT_TRUE(a.ok());
  ASSERT_NE(e.kernel().atomic_pool, nullptr);
  EXPECT_TRUE(e.kernel().atomic_pool->contains(a.dma_handle));
  EXPECT_FALSE(a.dma_handle >= 0x5C000000u);  // not CMA
  EXPECT_TRUE(e.kernel().vmalloc().contains(a.cpu_addr));  // the pool's boot-time remap
  EXPECT_EQ(e.kernel().translate(a.cpu_addr), a.dma_handle);
  EXPECT_EQ(attr_at(e, a.cpu_addr), cpu::MemAttr::NormalNonCacheable);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.allocs"), 0u);
  EXPECT_EQ(d.l1_total() + d.l2_total(), 0u);
}

TEST(DmaAlloc, AtomicPoolExhaustionFailsAndIsCounted) {
  SKIP_IF_ELABORATED();
  // 256 KiB pool: four 64 KiB allocations fit, the fifth does not.
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  int ok = 0;
  DmaAllocation fifth;
  e.h.run([&](cpu::Core& c) {
    for (int i = 0; i < 4; ++i) ok += dma_alloc_coherent(c, e.dev, kSize, GFP_ATOMIC).ok() ? 1 : 0;
    fifth = dma_alloc_coherent(c, e.dev, kSize, GFP_ATOMIC);
  });
  EXPECT_EQ(ok, 4);
  EXPECT_FALSE(fifth.ok());
  EXPECT_EQ(e.h.count("sw.failures.dma_alloc_attrs"), 1u);
  EXPECT_EQ(e.h.count("sw.atomic_pool.failures"), 1u);
}

TEST(DmaAlloc, DmaSetMaskRefusesAMaskBelowDramAndKeepsTheOldOne) {
  SKIP_IF_ELABORATED();
  // exynos4412 DRAM starts at 0x40000000: a 30-bit mask (0x3FFFFFFF) reaches none of it.
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  EXPECT_EQ(dma_set_mask(e.dev, DMA_BIT_MASK(30)), -kEIO);
  EXPECT_EQ(e.dev.dma_mask, DMA_BIT_MASK(32));
  EXPECT_EQ(dma_set_coherent_mask(e.dev, DMA_BIT_MASK(24)), -kEIO);
  EXPECT_EQ(e.dev.coherent_dma_mask, DMA_BIT_MASK(32));
  EXPECT_EQ(dma_set_mask_and_coherent(e.dev, DMA_BIT_MASK(31)), 0);  // 0x7FFFFFFF: all 1 GiB of DRAM
  EXPECT_EQ(e.dev.dma_mask, DMA_BIT_MASK(31));
  EXPECT_EQ(e.dev.coherent_dma_mask, DMA_BIT_MASK(31));
}

TEST(DmaAlloc, DmaSetMaskOnDirectMustCoverTheLastPageOfDram) {
  SKIP_IF_ELABORATED();
  // dma_direct_supported: under 32 bits, the mask must reach (max_pfn - 1) << PAGE_SHIFT, here
  // 0x7FFFF000. A mask that reaches the first half of DRAM only is refused; one that ends inside
  // the last page is enough (the check is on the page's address).
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  EXPECT_EQ(dma_set_mask(e.dev, 0x5FFFFFFFull), -kEIO);
  EXPECT_EQ(dma_set_mask(e.dev, 0x7FFFEFFFull), -kEIO);
  EXPECT_EQ(dma_set_mask(e.dev, 0x7FFFF000ull), 0);
  EXPECT_EQ(e.dev.dma_mask, 0x7FFFF000ull);
}

TEST(DmaAlloc, BufferableCoherentAndWriteCombineAreBothNormalNonCacheable) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310, .dma_mem_bufferable = true});
  auto& direct = static_cast<DirectOps&>(e.kernel().direct_ops());
  EXPECT_EQ(direct.dma_pgprot(0), cpu::MemAttr::NormalNonCacheable);
  EXPECT_EQ(direct.dma_pgprot(DMA_ATTR_WRITE_COMBINE), cpu::MemAttr::NormalNonCacheable);
  DmaAllocation coherent, wc;
  e.h.run([&](cpu::Core& c) {
    coherent = dma_alloc_coherent(c, e.dev, kSize, GFP_KERNEL);
    wc = dma_alloc_wc(c, e.dev, kSize, GFP_KERNEL);
  });
  ASSERT_TRUE(coherent.ok() && wc.ok());
  EXPECT_EQ(attr_at(e, coherent.cpu_addr), cpu::MemAttr::NormalNonCacheable);
  EXPECT_EQ(attr_at(e, wc.cpu_addr), cpu::MemAttr::NormalNonCacheable);
}

TEST(DmaAlloc, UnbufferableCoherentIsStronglyOrderedAndWriteCombineStaysNormalNonCacheable) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310, .dma_mem_bufferable = false});
  auto& direct = static_cast<DirectOps&>(e.kernel().direct_ops());
  EXPECT_EQ(direct.dma_pgprot(0), cpu::MemAttr::StronglyOrdered);
  EXPECT_EQ(direct.dma_pgprot(DMA_ATTR_WRITE_COMBINE), cpu::MemAttr::NormalNonCacheable);
  DmaAllocation coherent, wc;
  e.h.run([&](cpu::Core& c) {
    coherent = dma_alloc_coherent(c, e.dev, kSize, GFP_KERNEL);
    wc = dma_alloc_wc(c, e.dev, kSize, GFP_KERNEL);
  });
  ASSERT_TRUE(coherent.ok() && wc.ok());
  EXPECT_EQ(attr_at(e, coherent.cpu_addr), cpu::MemAttr::StronglyOrdered);
  EXPECT_EQ(attr_at(e, wc.cpu_addr), cpu::MemAttr::NormalNonCacheable);
}

TEST(DmaAlloc, FreeGivesCmaPagesBackAndRestoresTheCacheableLinearMap) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  DmaAllocation first, second;
  cpu::MemAttr after_free = cpu::MemAttr::Device;
  e.h.run([&](cpu::Core& c) {
    first = dma_alloc_coherent(c, e.dev, kSize, GFP_KERNEL);
    dma_free_coherent(c, e.dev, kSize, first);
    after_free = attr_at(e, first.cpu_addr);
    second = dma_alloc_coherent(c, e.dev, kSize, GFP_KERNEL);
  });
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(after_free, cpu::MemAttr::NormalWriteBack);
  EXPECT_EQ(second.dma_handle, first.dma_handle);  // the released window is the first fit again
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.allocs"), 2u);
}

}  // namespace
}  // namespace dmasim::sw

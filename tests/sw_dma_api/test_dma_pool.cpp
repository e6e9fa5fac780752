// dma_pool (mm/dmapool.c): blocks rounded to the alignment, carved from page-sized coherent
// chunks, never crossing the boundary; freed blocks are reused; a pool destroyed with blocks in
// use reports it.
#include <gtest/gtest.h>

#include <set>

#include "sw/dma_api/dma_pool.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_dma_env.h"

namespace dmasim::sw {
namespace {

using test::DmaEnv;

TEST(DmaPool, BlocksAreAlignedDistinctAndNeverCrossTheBoundary) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  std::vector<DmaAllocation> blocks;
  DmaAllocation reused;
  e.h.run([&](cpu::Core& c) {
    // 80 bytes aligned to 32 -> 96-byte blocks; a 1 KiB boundary fits 10 per KiB: 40 per page.
    auto pool = dma_pool_create("descs", e.dev, 80, 32, 1024);
    ASSERT_TRUE(pool);
    for (int i = 0; i < 41; ++i) blocks.push_back(dma_pool_alloc(c, *pool, GFP_KERNEL));
    dma_pool_free(c, *pool, blocks[7]);
    reused = dma_pool_alloc(c, *pool, GFP_KERNEL);
    for (const DmaAllocation& b : blocks)
      if (b.dma_handle != blocks[7].dma_handle) dma_pool_free(c, *pool, b);
    dma_pool_free(c, *pool, reused);
    dma_pool_destroy(c, std::move(pool));
  });
  std::set<DmaAddr> seen;
  std::set<DmaAddr> pages;
  for (const DmaAllocation& b : blocks) {
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.dma_handle % 32, 0u);
    EXPECT_EQ(b.dma_handle / 1024, (b.dma_handle + 96 - 1) / 1024) << "crosses a 1 KiB boundary";
    EXPECT_TRUE(seen.insert(b.dma_handle).second);
    pages.insert(b.dma_handle / 4096);
  }
  EXPECT_EQ(pages.size(), 2u);  // the 41st block needs a second chunk
  EXPECT_EQ(reused.dma_handle, blocks[7].dma_handle);
  EXPECT_EQ(e.h.count("sw.failures.dma_pool_destroy"), 0u);
}

TEST(DmaPool, DestroyingAPoolWithBlocksInUseIsReported) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  e.h.run([&](cpu::Core& c) {
    auto pool = dma_pool_create("descs", e.dev, 64, 64, 0);
    ASSERT_TRUE(pool);
    ASSERT_TRUE(dma_pool_alloc(c, *pool, GFP_KERNEL).ok());
    dma_pool_destroy(c, std::move(pool));
  });
  EXPECT_EQ(e.h.count("sw.failures.dma_pool_destroy"), 1u);
}

TEST(DmaPool, InvalidArgumentsAreRefused) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  EXPECT_FALSE(dma_pool_create("p", e.dev, 0, 8, 0));
  EXPECT_FALSE(dma_pool_create("p", e.dev, 64, 24, 0));     // alignment not a power of two
  EXPECT_FALSE(dma_pool_create("p", e.dev, 256, 8, 128));   // boundary smaller than a block
}

}  // namespace
}  // namespace dmasim::sw

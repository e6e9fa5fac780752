// dma-iommu's IOVA allocator (iova.c): top-down size-aligned search, per-CPU magazines, the
// depot, and the flush-and-retry on failure, against expectations worked out by hand.
#include <gtest/gtest.h>

#include "sw/iommu/iova_domain.h"

namespace dmasim::sw {
namespace {

constexpr std::uint64_t kStart = 1, kLimit = 0xFFFF;  // frames

TEST(IovaDomain, AllocatesTopDownBelowTheLimit) {
  IovaDomain d(kStart, 1);
  EXPECT_EQ(d.alloc_fast(0, 1, kLimit), kLimit);
  EXPECT_EQ(d.alloc_fast(0, 1, kLimit), kLimit - 1);
  // 4 frames aligned to 4: the highest multiple of 4 whose range ends below kLimit - 1.
  EXPECT_EQ(d.alloc_fast(0, 4, kLimit), 0xFFF8u);
  EXPECT_EQ(d.tree_nodes(), 3u);
}

TEST(IovaDomain, ANonPowerOfTwoSizeIsAlignedToItsRoundedSize) {
  IovaDomain d(kStart, 1);
  // 40 frames: aligned to 64 frames, ending at or below the limit.
  const auto pfn = d.alloc_fast(0, 40, kLimit);
  ASSERT_TRUE(pfn);
  EXPECT_EQ(*pfn % 64, 0u);
  EXPECT_EQ(*pfn, (kLimit + 1 - 40) & ~63ull);
}

TEST(IovaDomain, AFreedSmallRangeWaitsInTheCpuCacheAndIsHandedOutAgain) {
  IovaDomain d(kStart, 2);
  const auto a = d.alloc_fast(0, 2, kLimit);
  ASSERT_TRUE(a);
  d.free_fast(0, *a, 2);
  EXPECT_EQ(d.tree_nodes(), 1u);  // still allocated in the tree: the magazine holds it
  EXPECT_EQ(d.alloc_fast(1, 2, kLimit), *a - 2);  // another CPU's cache is empty: the tree
  EXPECT_EQ(d.alloc_fast(0, 2, kLimit), a);       // this CPU's magazine
  EXPECT_EQ(d.cache_hits(), 1u);
}

TEST(IovaDomain, LargeRangesBypassTheCaches) {
  IovaDomain d(kStart, 1);
  const auto a = d.alloc_fast(0, 64, kLimit);
  ASSERT_TRUE(a);
  d.free_fast(0, *a, 64);
  EXPECT_EQ(d.tree_nodes(), 0u);
  EXPECT_EQ(d.alloc_fast(0, 64, kLimit), a);
  EXPECT_EQ(d.cache_hits(), 0u);
}

TEST(IovaDomain, AFullDepotSendsAMagazineBackToTheTree) {
  IovaDomain d(kStart, 1);
  // Magazines hold 127 frames; loaded + prev + 32 in the depot = 34 full magazines; the next
  // free finds all full and returns the loaded magazine's 127 ranges to the tree.
  const std::size_t cached = (IovaDomain::kMaxGlobalMags + 2) * IovaDomain::kMagSize;
  std::vector<std::uint64_t> pfns;
  for (std::size_t i = 0; i < cached + 1; ++i) pfns.push_back(*d.alloc_fast(0, 1, kLimit));
  for (std::size_t i = 0; i < cached; ++i) d.free_fast(0, pfns[i], 1);
  EXPECT_EQ(d.tree_nodes(), cached + 1);  // every freed range is cached, still in the tree
  d.free_fast(0, pfns[cached], 1);
  EXPECT_EQ(d.tree_nodes(), cached + 1 - IovaDomain::kMagSize);
}

TEST(IovaDomain, AFailedSearchFlushesTheCachesAndRetries) {
  IovaDomain d(kStart, 1);
  const std::uint64_t limit = kStart + 7;  // 8 frames of space
  std::vector<std::uint64_t> pfns;
  for (int i = 0; i < 8; ++i) pfns.push_back(*d.alloc_fast(0, 1, limit));
  EXPECT_FALSE(d.alloc_fast(0, 2, limit));  // all space taken (none cached yet)
  for (std::uint64_t p : pfns) d.free_fast(0, p, 1);  // all in the magazine, still in the tree
  EXPECT_EQ(d.tree_nodes(), 8u);
  EXPECT_EQ(d.alloc_fast(0, 4, limit), 4u);  // fails, flushes the magazines, succeeds: frames 4-7
  EXPECT_EQ(d.tree_nodes(), 1u);
}

TEST(IovaDomain, SearchWorkIsCounted) {
  IovaDomain d(kStart, 1);
  d.alloc_fast(0, 64, kLimit);
  const IovaDomain::Work w = d.take_work();
  EXPECT_GE(w.nodes, 2u);  // the anchor visited, the insertion's descent
  EXPECT_EQ(d.take_work().nodes, 0u);
}

}  // namespace
}  // namespace dmasim::sw

// arm_iommu's bitmap IOVA allocator against a brute-force first fit written here, and the
// alignment and extension rules of arch/arm/mm/dma-mapping.c.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "sw/iommu/iova_bitmap.h"

namespace dmasim::sw {
namespace {

constexpr std::uint64_t kBase = 0x2000'0000, kPage = 4096, k128M = 128ull << 20;

// First fit over page flags, start aligned to 2^min(order, 8) pages, bitmap by bitmap.
class Reference {
 public:
  explicit Reference(std::uint64_t size) : used_(size / kPage, false) {}
  std::optional<std::uint64_t> alloc(std::uint64_t bytes) {
    const std::uint64_t pages = (bytes + kPage - 1) / kPage;
    unsigned order = 0;
    while ((1ull << order) < pages) ++order;
    const std::uint64_t align = 1ull << std::min(order, 8u);
    const std::uint64_t per_map = IovaBitmap::kBitsPerBitmap;
    for (std::uint64_t m = 0; m * per_map < used_.size(); ++m) {
      for (std::uint64_t s = 0; s + pages <= per_map; s += align) {
        bool free = true;
        for (std::uint64_t i = 0; i < pages && free; ++i) free = !used_[m * per_map + s + i];
        if (!free) continue;
        for (std::uint64_t i = 0; i < pages; ++i) used_[m * per_map + s + i] = true;
        return kBase + (m * per_map + s) * kPage;
      }
    }
    return std::nullopt;
  }
  void free(std::uint64_t iova, std::uint64_t bytes) {
    for (std::uint64_t i = 0; i < (bytes + kPage - 1) / kPage; ++i) used_[(iova - kBase) / kPage + i] = false;
  }

 private:
  std::vector<bool> used_;
};

TEST(IovaBitmap, FirstFitAlignsToTheOrderCappedAt256Pages) {
  IovaBitmap b(kBase, k128M);
  EXPECT_EQ(b.alloc(kPage), kBase);                  // page 0
  EXPECT_EQ(b.alloc(2 * kPage), kBase + 2 * kPage);  // order 1: even page
  EXPECT_EQ(b.alloc(kPage), kBase + kPage);          // the hole at page 1
  EXPECT_EQ(b.alloc(4ull << 20), kBase + (1ull << 20));  // order 10, aligned to 256 pages (1 MiB)
  EXPECT_EQ(b.pages_in_use(), 1u + 2 + 1 + 1024);
}

TEST(IovaBitmap, FreedSpaceIsReusedFirst) {
  IovaBitmap b(kBase, k128M);
  const auto a = b.alloc(64 * 1024), c = b.alloc(64 * 1024);
  ASSERT_TRUE(a && c);
  b.free(*a, 64 * 1024);
  EXPECT_EQ(b.alloc(64 * 1024), a);
}

TEST(IovaBitmap, ExtendsIntoTheNextBitmapOnlyWhenTheFirstIsFull) {
  IovaBitmap b(kBase, 2 * k128M);
  EXPECT_EQ(b.extensions(), 2u);
  EXPECT_EQ(b.alloc(k128M), kBase);
  EXPECT_EQ(b.bitmaps(), 1u);
  EXPECT_EQ(b.alloc(kPage), kBase + k128M);
  EXPECT_EQ(b.bitmaps(), 2u);
}

TEST(IovaBitmap, ExhaustedSpaceFails) {
  IovaBitmap b(kBase, k128M);
  EXPECT_TRUE(b.alloc(k128M));
  EXPECT_FALSE(b.alloc(kPage));
  EXPECT_FALSE(IovaBitmap(kBase, k128M).alloc(k128M + kPage));  // larger than a bitmap
}

TEST(IovaBitmap, ScanCostGrowsWithTheWordsSearched) {
  IovaBitmap b(kBase, k128M);
  b.alloc(kPage);
  const std::uint64_t first = b.take_words();
  for (int i = 0; i < 2000; ++i) b.alloc(kPage);
  b.take_words();
  b.alloc(kPage);  // must skip 2001 used bits: ~63 words
  EXPECT_GE(b.take_words(), first + 2001 / 32);
}

TEST(IovaBitmap, MatchesABruteForceFirstFitOnARandomSequence) {
  IovaBitmap b(kBase, 2 * k128M);
  Reference ref(2 * k128M);
  std::mt19937_64 rng(7);
  std::map<std::uint64_t, std::uint64_t> live;
  for (int step = 0; step < 3000; ++step) {
    if (!live.empty() && rng() % 3 == 0) {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng() % live.size()));
      b.free(it->first, it->second);
      ref.free(it->first, it->second);
      live.erase(it);
      continue;
    }
    const std::uint64_t sizes[] = {4096, 8192, 12288, 65536, 200000, 1 << 20, 3 << 20};
    const std::uint64_t size = sizes[rng() % 7];
    const auto got = b.alloc(size);
    const auto want = ref.alloc(size);
    ASSERT_EQ(got, want) << "step " << step << " size " << size;
    if (got) live[*got] = size;
  }
}

}  // namespace
}  // namespace dmasim::sw

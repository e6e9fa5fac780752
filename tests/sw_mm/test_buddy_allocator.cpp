// The buddy allocator against a brute-force reference: a page bitmap. A buddy system that
// coalesces fully can serve an order-k request exactly when some naturally aligned run of 2^k
// pages is entirely free, so for a random sequence of allocations and frees the reference
// predicts every success and failure, and the free-page count, without knowing the free lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sw/mm/buddy_allocator.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_harness.h"

namespace dmasim::sw {
namespace {

using test::SwHarness;

// 16 MiB of frames starting 64 MiB into DRAM (4 MiB aligned, so relative and absolute
// alignment agree), all MOVABLE.
constexpr Pfn kPages = 4096;

struct Reference {
  std::vector<bool> used = std::vector<bool>(kPages, false);
  Pfn start;
  std::uint64_t free_pages() const {
    std::uint64_t n = 0;
    for (bool u : used) n += u ? 0 : 1;
    return n;
  }
  bool has_free_block(unsigned order) const {
    const Pfn n = Pfn{1} << order;
    for (Pfn b = 0; b + n <= kPages; b += n) {
      bool all = true;
      for (Pfn p = b; p < b + n && all; ++p) all = !used[p];
      if (all) return true;
    }
    return false;
  }
};

TEST(BuddyAllocator, RandomAllocFreeMatchesABruteForceReference) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{});
  const Pfn start = PHYS_PFN(h.scratch_pa());
  ASSERT_EQ(start % (Pfn{1} << BuddyAllocator::pageblock_order), 0u);
  BuddyAllocator buddy(h.kernel(), start, start + kPages);
  buddy.free_range_boot(start, start + kPages, MigrateType::Movable);
  Reference ref{.start = start};
  ASSERT_EQ(buddy.free_page_count(), kPages);

  struct Block {
    Pfn pfn;
    unsigned order;
  };
  std::vector<Block> live;
  unsigned mismatches = 0, misaligned = 0, overlaps = 0, successes = 0, failures = 0;
  std::uint64_t count_mismatches = 0;
  h.run([&](cpu::Core& c) {
    std::mt19937 rng(12345);
    for (int step = 0; step < 3000; ++step) {
      const bool do_alloc = live.empty() || rng() % 100 < 55;
      if (do_alloc) {
        const unsigned order = rng() % 100 < 70 ? rng() % 3 : rng() % 8;
        const bool expect = ref.has_free_block(order);
        const std::optional<Pfn> pfn = buddy.alloc_pages(c, rng() % 2 ? GFP_KERNEL : GFP_KERNEL | __GFP_MOVABLE, order);
        if (pfn.has_value() != expect) ++mismatches;
        if (!pfn) {
          ++failures;
          continue;
        }
        ++successes;
        if (*pfn % (Pfn{1} << order) != 0) ++misaligned;
        for (Pfn p = *pfn; p < *pfn + (Pfn{1} << order); ++p) {
          if (p < start || p >= start + kPages || ref.used[p - start]) {
            ++overlaps;
            continue;
          }
          ref.used[p - start] = true;
        }
        live.push_back({*pfn, order});
      } else {
        const std::size_t i = rng() % live.size();
        buddy.free_pages(c, live[i].pfn, live[i].order);
        for (Pfn p = live[i].pfn; p < live[i].pfn + (Pfn{1} << live[i].order); ++p) ref.used[p - start] = false;
        live[i] = live.back();
        live.pop_back();
      }
      if (buddy.free_page_count() != ref.free_pages()) ++count_mismatches;
    }
  });
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(misaligned, 0u);
  EXPECT_EQ(overlaps, 0u);
  EXPECT_EQ(count_mismatches, 0u);
  // The sequence exercised both outcomes.
  EXPECT_GT(successes, 100u);
  EXPECT_GT(failures, 0u);
}

TEST(BuddyAllocator, FreeingEverythingCoalescesBackToMaxOrderBlocks) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{});
  const Pfn start = PHYS_PFN(h.scratch_pa());
  BuddyAllocator buddy(h.kernel(), start, start + kPages);
  buddy.free_range_boot(start, start + kPages, MigrateType::Movable);
  constexpr unsigned kTop = BuddyAllocator::MAX_ORDER - 1;  // order 10: 1024 pages
  unsigned top_blocks = 0;
  bool extra_top = true;
  h.run([&](cpu::Core& c) {
    // Fragment everything into single pages, free them in a scrambled order...
    std::vector<Pfn> pages;
    while (auto p = buddy.alloc_pages(c, GFP_KERNEL, 0)) pages.push_back(*p);
    std::mt19937 rng(7);
    std::shuffle(pages.begin(), pages.end(), rng);
    for (Pfn p : pages) buddy.free_pages(c, p, 0);
    // ...then every max-order block must be whole again: 4096 / 1024 = 4 of them.
    while (buddy.alloc_pages(c, GFP_KERNEL, kTop)) ++top_blocks;
    extra_top = buddy.alloc_pages(c, GFP_KERNEL, 0).has_value();
  });
  EXPECT_EQ(top_blocks, kPages >> kTop);
  EXPECT_FALSE(extra_top);
  EXPECT_EQ(buddy.free_page_count(), 0u);
}

TEST(BuddyAllocator, SplittingHandsOutTheLowerHalfAndKeepsTheBuddiesFree) {
  SKIP_IF_ELABORATED();
  // From one free order-10 block, an order-0 request takes its first page (expand() puts the
  // upper halves of orders 9..0 back): the next order-0 request gets the page's buddy, and an
  // order-9 request the block's upper half.
  SwHarness h("exynos4412", KernelProfile{});
  const Pfn start = PHYS_PFN(h.scratch_pa());
  BuddyAllocator buddy(h.kernel(), start, start + 1024);
  buddy.free_range_boot(start, start + 1024, MigrateType::Movable);
  std::optional<Pfn> a, b, c9;
  h.run([&](cpu::Core& c) {
    a = buddy.alloc_pages(c, GFP_KERNEL, 0);
    b = buddy.alloc_pages(c, GFP_KERNEL, 0);
    c9 = buddy.alloc_pages(c, GFP_KERNEL, 9);
  });
  ASSERT_TRUE(a && b && c9);
  EXPECT_EQ(*a, start);
  EXPECT_EQ(*b, start + 1);
  EXPECT_EQ(*c9, start + 512);
  EXPECT_EQ(buddy.free_page_count(), 1024u - 2 - 512);
  EXPECT_GT(h.kernel().cost(CostKind::Allocator), 0u);
}

}  // namespace
}  // namespace dmasim::sw

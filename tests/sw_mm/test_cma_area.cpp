// CMA areas (mm/cma.c, alloc_contig_range in mm/page_alloc.c): cma_alloc empties its window by
// migrating movable pages (a CPU copy of each 4 KiB page) and dropping clean page cache; a
// pinned page makes the window fail with -EBUSY and the search slide on; when no window is
// left the allocation fails with "<name>: alloc failed, req-size: N pages, ret: E".
#include <gtest/gtest.h>

#include "sw/mm/buddy_allocator.h"
#include "sw/mm/cma_area.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_dma_env.h"

namespace dmasim::sw {
namespace {

using test::DmaEnv;

KernelMemoryConfig with_areas(std::vector<CmaAreaConfig> areas, PopulationConfig pop = {}) {
  KernelMemoryConfig m;
  m.cma = std::move(areas);
  m.population = pop;
  return m;
}

BuddyAllocator& buddy_of(DmaEnv& e) { return static_cast<BuddyAllocator&>(*e.kernel().page_allocator); }
CmaArea& area(DmaEnv& e, std::size_t i) { return static_cast<CmaArea&>(*e.kernel().cma_areas.at(i)); }

TEST(CmaArea, MigrationCopiesEveryMovablePageAndTheCopyCostGrowsWithThem) {
  SKIP_IF_ELABORATED();
  // Two empty 32 MiB areas; by hand, one page in four of area "quarter" holds anonymous memory
  // (and another one in four clean page cache), one page in two of area "half" holds anonymous
  // memory. A 1024-page cma_alloc takes each area's first window [base, base+1024): it must
  // copy 256 pages (and drop 256) in "quarter", copy 512 pages in "half".
  DmaEnv e("exynos4412", KernelProfile{},
           with_areas({CmaAreaConfig{"quarter", ByteSize{32ull << 20}}, CmaAreaConfig{"half", ByteSize{32ull << 20}}}));
  BuddyAllocator& buddy = buddy_of(e);
  const Pfn q = PHYS_PFN(area(e, 0).base()), hf = PHYS_PFN(area(e, 1).base());
  for (Pfn i = 0; i < 1024; ++i) {
    if (i % 4 == 0) {
      ASSERT_TRUE(buddy.take_range(q + i, q + i + 1, PageUse::Anon));
    }
    if (i % 4 == 1) {
      ASSERT_TRUE(buddy.take_range(q + i, q + i + 1, PageUse::PageCacheClean));
    }
    if (i % 2 == 0) {
      ASSERT_TRUE(buddy.take_range(hf + i, hf + i + 1, PageUse::Anon));
    }
  }
  std::optional<Pfn> got_q, got_h;
  Picoseconds copy_q = 0, copy_h = 0;
  e.h.run([&](cpu::Core& c) {
    Picoseconds before = e.kernel().cost(CostKind::Copy);
    got_q = area(e, 0).cma_alloc(c, 1024, 0, false);
    copy_q = e.kernel().cost(CostKind::Copy) - before;
    before = e.kernel().cost(CostKind::Copy);
    got_h = area(e, 1).cma_alloc(c, 1024, 0, false);
    copy_h = e.kernel().cost(CostKind::Copy) - before;
  });
  ASSERT_EQ(got_q, q);
  ASSERT_EQ(got_h, hf);
  EXPECT_EQ(e.h.count("sw.mm.cma.quarter.pages_migrated"), 256u);
  EXPECT_EQ(e.h.count("sw.mm.cma.quarter.pages_dropped"), 256u);
  EXPECT_EQ(e.h.count("sw.mm.cma.quarter.bytes_copied"), 256u * PAGE_SIZE);
  EXPECT_EQ(e.h.count("sw.mm.cma.half.pages_migrated"), 512u);
  EXPECT_EQ(e.h.count("sw.mm.cma.half.pages_dropped"), 0u);
  EXPECT_EQ(e.h.count("sw.mm.cma.half.bytes_copied"), 512u * PAGE_SIZE);
  // Page migration is a CPU copy (CostKind::Copy), twice the pages, more copy time.
  EXPECT_GT(copy_q, 0u);
  EXPECT_GT(copy_h, copy_q);
  // The migrated pages live on outside the windows: the window is the caller's now.
  for (Pfn i = 0; i < 1024; ++i) ASSERT_EQ(buddy.use(q + i), PageUse::Dma);
}

TEST(CmaArea, MigratedPagesMatchTheBootPopulationOfTheWindow) {
  SKIP_IF_ELABORATED();
  // With a random boot population (anon 0.25, dirty page cache 0.05, clean 0.1), the pages
  // migrated are exactly the window's anonymous and dirty pages counted beforehand, the pages
  // dropped its clean ones.
  PopulationConfig pop;
  pop.anon = 0.25;
  pop.page_cache_dirty = 0.05;
  pop.page_cache_clean = 0.1;
  DmaEnv e("exynos4412", KernelProfile{}, with_areas({CmaAreaConfig{"reserved", ByteSize{32ull << 20}}}, pop));
  BuddyAllocator& buddy = buddy_of(e);
  const Pfn base = PHYS_PFN(area(e, 0).base());
  std::uint64_t movable = 0, clean = 0;
  for (Pfn p = base; p < base + 2048; ++p) {
    movable += buddy.use(p) == PageUse::Anon || buddy.use(p) == PageUse::PageCacheDirty ? 1 : 0;
    clean += buddy.use(p) == PageUse::PageCacheClean ? 1 : 0;
  }
  ASSERT_GT(movable, 400u);  // ~30% of 2048
  std::optional<Pfn> got;
  e.h.run([&](cpu::Core& c) { got = area(e, 0).cma_alloc(c, 2048, 8, false); });
  ASSERT_EQ(got, base);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.pages_migrated"), movable);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.pages_dropped"), clean);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.bytes_copied"), movable * PAGE_SIZE);
}

TEST(CmaArea, APinnedPageInEveryWindowFailsA32MiBAllocWithEbusy) {
  SKIP_IF_ELABORATED();
  // 64 MiB area (16384 pages), a pinned page every 4096 pages (at 2048, 6144, 10240, 14336):
  // every 8192-page window holds one. Windows are aligned to 2^min(order 13, CMA_ALIGNMENT 8) =
  // 256 pages and slide by 256 after each -EBUSY: starts 0, 256, ..., 8192, 33 windows, all busy.
  PopulationConfig pop;
  pop.pinned_in_cma_every = 4096;
  DmaEnv e("exynos4412", KernelProfile{}, with_areas({CmaAreaConfig{"reserved", ByteSize{64ull << 20}}}, pop));
  std::optional<Pfn> got = 0;
  e.h.run([&](cpu::Core& c) { got = area(e, 0).cma_alloc(c, 8192, 8, false); });
  EXPECT_FALSE(got.has_value());
  const auto& messages = area(e, 0).messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0], "reserved: alloc failed, req-size: 8192 pages, ret: -16");
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.failures"), 1u);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.allocs"), 0u);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.retries"), 33u);
  // The pinned pages never moved, and nothing stays isolated or taken.
  EXPECT_EQ(buddy_of(e).use(PHYS_PFN(area(e, 0).base()) + 2048), PageUse::Pinned);
  EXPECT_EQ(buddy_of(e).pageblock_type(PHYS_PFN(area(e, 0).base())), MigrateType::Cma);
}

TEST(CmaArea, NoWarnFailureKeepsNoMessageButIsCounted) {
  SKIP_IF_ELABORATED();
  PopulationConfig pop;
  pop.pinned_in_cma_every = 4096;
  DmaEnv e("exynos4412", KernelProfile{}, with_areas({CmaAreaConfig{"reserved", ByteSize{64ull << 20}}}, pop));
  std::optional<Pfn> got = 0;
  e.h.run([&](cpu::Core& c) { got = area(e, 0).cma_alloc(c, 8192, 8, true); });
  EXPECT_FALSE(got.has_value());
  EXPECT_TRUE(area(e, 0).messages().empty());
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.failures"), 1u);
}

TEST(CmaArea, ReleaseReturnsThePagesForTheNextAllocation) {
  SKIP_IF_ELABORATED();
  // A 32 MiB area holds one 8192-page allocation; a second finds no window (-ENOMEM); after
  // cma_release the same window is free again.
  DmaEnv e("exynos4412", KernelProfile{}, with_areas({CmaAreaConfig{"reserved", ByteSize{32ull << 20}}}));
  const Pfn base = PHYS_PFN(area(e, 0).base());
  std::optional<Pfn> first, second, third;
  bool released = false, foreign = true;
  e.h.run([&](cpu::Core& c) {
    first = area(e, 0).cma_alloc(c, 8192, 8, false);
    second = area(e, 0).cma_alloc(c, 8192, 8, false);
    foreign = area(e, 0).cma_release(c, base - 8192, 8192);
    released = area(e, 0).cma_release(c, *first, 8192);
    third = area(e, 0).cma_alloc(c, 8192, 8, false);
  });
  ASSERT_EQ(first, base);
  EXPECT_FALSE(second.has_value());
  EXPECT_FALSE(foreign);
  EXPECT_TRUE(released);
  EXPECT_EQ(third, base);
  ASSERT_EQ(area(e, 0).messages().size(), 1u);
  EXPECT_EQ(area(e, 0).messages()[0], "reserved: alloc failed, req-size: 8192 pages, ret: -12");
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.allocs"), 2u);
  EXPECT_EQ(e.h.count("sw.mm.cma.reserved.failures"), 1u);
}

}  // namespace
}  // namespace dmasim::sw

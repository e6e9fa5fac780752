// The SYSMMU TLB and FLPD cache engines: capacity under LRU, page sizes, sub-line entries,
// flushes and multi-hit.
#include "models/iommu/tlb.h"

#include <gtest/gtest.h>

#include "models/iommu/flpd_cache.h"

namespace dmasim::iommu {
namespace {

Translation page(std::uint64_t iova, std::uint64_t size = kSmallPage) {
  return Translation{iova & ~(size - 1), 0x4000'0000 + (iova & ~(size - 1)), size, Access::ReadWrite, 0};
}

// Cycles over `pages` 4 KiB pages `passes` times; returns the misses (a miss inserts).
unsigned cycle_misses(Tlb& tlb, unsigned pages, unsigned passes) {
  unsigned misses = 0;
  for (unsigned p = 0; p < passes; ++p)
    for (unsigned i = 0; i < pages; ++i) {
      const std::uint64_t iova = std::uint64_t{i} * kSmallPage;
      if (tlb.lookup(iova).outcome != Tlb::Outcome::Hit) {
        ++misses;
        tlb.insert(iova, page(iova));
      }
    }
  return misses;
}

TEST(Tlb, AWorkingSetOnePageLargerThanTheTlbMissesOnEveryAccessUnderLru) {
  Tlb tlb(TlbGeometry{512, 8});
  // 513 consecutive pages: one set gets 9 pages cycling through 8 ways: LRU evicts each just
  // before its reuse. The other 63 sets hold their 8 pages and hit after the first pass.
  EXPECT_EQ(cycle_misses(tlb, 513, 3), 513u + 2 * 9);
  Tlb full(TlbGeometry{16, 16});  // fully associative: every access misses
  EXPECT_EQ(cycle_misses(full, 17, 4), 17u * 4);
}

TEST(Tlb, AWorkingSetThatFitsHitsAfterTheFirstPass) {
  Tlb tlb(TlbGeometry{512, 8});
  EXPECT_EQ(cycle_misses(tlb, 512, 5), 512u);
  EXPECT_EQ(tlb.valid_entries(), 512u);
}

TEST(Tlb, OneEntryPerPageOfTheMappingsSize) {
  Tlb tlb(TlbGeometry{512, 8});
  tlb.insert(0x0030'0000, page(0x0030'0000, kSection));
  tlb.insert(0x0051'0000, page(0x0051'0000, kLargePage));
  for (std::uint64_t a = 0x0030'0000; a < 0x0040'0000; a += kSmallPage)
    EXPECT_EQ(tlb.lookup(a).outcome, Tlb::Outcome::Hit) << a;
  const Tlb::Result r = tlb.lookup(0x0051'F004);
  ASSERT_EQ(r.outcome, Tlb::Outcome::Hit);
  EXPECT_EQ(r.translation.translate(0x0051'F004), 0x4051'F004u);
  EXPECT_EQ(tlb.lookup(0x0052'0000).outcome, Tlb::Outcome::Miss);
  EXPECT_EQ(tlb.valid_entries(), 2u);
}

TEST(Tlb, SmallPageIndexingTakesAnEntryPerSetASectionIsUsedIn) {
  Tlb tlb(TlbGeometry{512, 8, 1, TlbGeometry::Index::SmallPageNumber});
  unsigned misses = 0;
  for (std::uint64_t a = 0; a < kSection; a += kSmallPage)
    if (tlb.lookup(a).outcome != Tlb::Outcome::Hit) {
      ++misses;
      tlb.insert(a, page(a, kSection));
    }
  EXPECT_EQ(misses, 64u);  // one per set: why the driver flushes a section with 64 entry flushes
  // An entry flush looks in the set of its 4 KiB page only.
  tlb.flush_entry(0);
  EXPECT_EQ(tlb.lookup(0).outcome, Tlb::Outcome::Miss);
  EXPECT_EQ(tlb.lookup(kSmallPage).outcome, Tlb::Outcome::Hit);
  EXPECT_EQ(tlb.valid_entries(), 63u);
}

TEST(Tlb, SubLineEntriesCoverFourConsecutivePages) {
  Tlb tlb(TlbGeometry{64, 4, 4});
  for (unsigned i = 0; i < 4; ++i) tlb.insert(0x10'0000 + i * kSmallPage, page(0x10'0000 + i * kSmallPage));
  EXPECT_EQ(tlb.valid_entries(), 1u);
  for (unsigned i = 0; i < 4; ++i) {
    const Tlb::Result r = tlb.lookup(0x10'0000 + i * kSmallPage + 8);
    ASSERT_EQ(r.outcome, Tlb::Outcome::Hit);
    EXPECT_EQ(r.translation.translate(0x10'0000 + i * kSmallPage + 8), 0x4010'0008u + i * kSmallPage);
  }
  EXPECT_EQ(tlb.lookup(0x10'4000).outcome, Tlb::Outcome::Miss);
  // A group with a page missing misses on that page only.
  tlb.insert(0x20'0000, page(0x20'0000));
  EXPECT_EQ(tlb.lookup(0x20'1000).outcome, Tlb::Outcome::Miss);
}

TEST(Tlb, RangeFlushDropsEveryEntryTouchingTheRange) {
  Tlb tlb(TlbGeometry{512, 8});
  for (std::uint64_t a = 0; a < 16 * kSmallPage; a += kSmallPage) tlb.insert(a, page(a));
  tlb.insert(0x0010'0000, page(0x0010'0000, kSection));
  tlb.flush_range(4 * kSmallPage, 6 * kSmallPage - 1);
  EXPECT_EQ(tlb.valid_entries(), 15u);
  EXPECT_EQ(tlb.lookup(5 * kSmallPage).outcome, Tlb::Outcome::Miss);
  tlb.flush_range(0x0018'0000, 0x0018'0FFF);  // inside the section
  EXPECT_EQ(tlb.lookup(0x0010'0000).outcome, Tlb::Outcome::Miss);
  tlb.flush_all();
  EXPECT_EQ(tlb.valid_entries(), 0u);
}

TEST(Tlb, TwoEntriesTranslatingOneAddressAreAMultiHit) {
  Tlb tlb(TlbGeometry{512, 8});
  tlb.insert(0x0030'0000, page(0x0030'0000, kSection));
  tlb.insert(0x0030'5000, page(0x0030'5000));  // remapped as a page without a flush
  EXPECT_EQ(tlb.lookup(0x0030'5000).outcome, Tlb::Outcome::MultiHit);
  EXPECT_EQ(tlb.lookup(0x0030'6000).outcome, Tlb::Outcome::Hit);
}

TEST(FlpdCache, KeepsTheMostRecentlyUsedDescriptors) {
  FlpdCache c(2);
  c.insert(1, 0x11);
  c.insert(2, 0x22);
  EXPECT_EQ(c.lookup(1), 0x11u);  // 1 is now newer than 2
  c.insert(3, 0x33);              // evicts 2
  EXPECT_FALSE(c.lookup(2));
  EXPECT_EQ(c.lookup(3), 0x33u);
  c.flush_range(0x0010'0000, 0x0010'0FFF);  // region 1
  EXPECT_FALSE(c.lookup(1));
  EXPECT_FALSE(FlpdCache(0).enabled());
}

}  // namespace
}  // namespace dmasim::iommu

// Page tables written into memory as the Exynos driver lays them out.
#include "models/iommu/page_table_builder.h"

#include <gtest/gtest.h>

#include "models/common/error.h"
#include "models/iommu/sysmmu_config.h"

namespace dmasim::iommu {
namespace {

TEST(PageTableBuilder, LargePagesAreSixteenReplicatedEntriesInALevel2Table) {
  PhysicalMemory m;
  PageTableBuilder b(m, SysmmuVersion::V2, 0x4000'0000, 0x4001'0000, 4096);
  b.map(0x0012'0000, 0x4810'0000, kLargePage, kLargePage, Access::ReadWrite);
  const PteFormat& f = b.format();
  const Descriptor link = f.decode_lv1(m.read32(0x4000'0000 + 0x001 * 4));
  ASSERT_EQ(link.kind, Descriptor::Kind::Table);
  EXPECT_EQ(link.base, 0x4001'0000u);
  for (unsigned k = 0; k < 16; ++k) {
    const Descriptor d = f.decode_lv2(m.read32(link.base + (0x20 + k) * 4));
    EXPECT_EQ(d.kind, Descriptor::Kind::LargePage);
    EXPECT_EQ(d.base, 0x4810'0000u);
  }
  EXPECT_EQ(f.decode_lv2(m.read32(link.base + 0x30 * 4)).kind, Descriptor::Kind::Fault);
  EXPECT_EQ(b.writes().size(), 1u + 16u);  // the link and the 16 entries
}

TEST(PageTableBuilder, SectionsAndUnmap) {
  PhysicalMemory m;
  PageTableBuilder b(m, SysmmuVersion::V5, 0x4000'0000, 0x4001'0000, 4096);
  b.map(0x0030'0000, 0x8'0030'0000, 2 * kSection, kSection, Access::Read);
  const Descriptor d = b.format().decode_lv1(m.read32(0x4000'0000 + 0x004 * 4));
  EXPECT_EQ(d.kind, Descriptor::Kind::Section);
  EXPECT_EQ(d.base, 0x8'0040'0000u);
  b.unmap(0x0030'0000, kSection);
  EXPECT_EQ(b.format().decode_lv1(m.read32(0x4000'0000 + 0x003 * 4)).kind, Descriptor::Kind::Fault);
  EXPECT_THROW(b.map(0x0040'0000, 0x4800'0000, kSmallPage, kSmallPage, Access::Read), UserError);
}

TEST(PageTableBuilder, TheLevel2PoolRunsOut) {
  PhysicalMemory m;
  PageTableBuilder b(m, SysmmuVersion::V2, 0x4000'0000, 0x4001'0000, 1024);
  b.map(0, 0x4800'0000, kSmallPage, kSmallPage, Access::ReadWrite);
  EXPECT_THROW(b.map(kSection, 0x4800'0000, kSmallPage, kSmallPage, Access::ReadWrite), UserError);
}

TEST(SysmmuConfig, InconsistentSettingsAreNamedByKey) {
  SysmmuConfig c;
  EXPECT_FALSE(c.problem());
  c.tlb.ways = 7;
  EXPECT_EQ(c.problem()->key, "tlb.ways");
  c = SysmmuConfig{};
  c.pages_per_entry = 4;
  EXPECT_EQ(c.problem()->key, "walk_burst");  // 4 pages need a 16-byte read
  c.walk_burst = ByteSize{16};
  EXPECT_FALSE(c.problem());
  c.walk_burst = ByteSize{32};
  EXPECT_EQ(c.problem()->key, "walk_burst");
  c = SysmmuConfig{};
  c.l1_tlb.entries = 16;
  EXPECT_EQ(c.problem()->key, "l1_tlb.entries");  // v2 has one TLB
  EXPECT_THROW(c.check(), UserError);
}

}  // namespace
}  // namespace dmasim::iommu

// The SYSMMU page-table format: entries as the Exynos driver builds them, decoded back.
#include "models/iommu/page_table_format.h"

#include <gtest/gtest.h>

namespace dmasim::iommu {
namespace {

TEST(PteFormat, V2SectionHasThePhysicalAddressAndTypeBitsInPlace) {
  const PteFormat f(SysmmuVersion::V2);
  // 0x4570_0000 | enable (bit 10) | type 2; read-only adds bit 15.
  EXPECT_EQ(f.section(0x45700000, Access::ReadWrite), 0x45700000u | (1u << 10) | 2u);
  EXPECT_EQ(f.section(0x45700000, Access::Read), 0x45700000u | (1u << 15) | (1u << 10) | 2u);
  const Descriptor d = f.decode_lv1(f.section(0x45700000, Access::Read));
  EXPECT_EQ(d.kind, Descriptor::Kind::Section);
  EXPECT_EQ(d.base, 0x45700000u);
  EXPECT_EQ(d.size, kSection);
  EXPECT_EQ(d.access, Access::Read);
}

TEST(PteFormat, V2WriteOnlyIsMappedReadWriteAsTheDriverDoes) {
  const PteFormat f(SysmmuVersion::V2);
  EXPECT_EQ(f.decode_lv2(f.small_page(0x1000, Access::Write)).access, Access::ReadWrite);
}

TEST(PteFormat, V5ShiftsAddressesByFourBitsForA36BitSpace) {
  const PteFormat f(SysmmuVersion::V5);
  const std::uint64_t pa = 0x8'4000'3000;  // above 4 GiB
  const std::uint32_t e = f.small_page(pa, Access::ReadWrite);
  EXPECT_EQ(e, static_cast<std::uint32_t>(pa >> 4) | (3u << 2) | 2u);
  const Descriptor d = f.decode_lv2(e);
  EXPECT_EQ(d.kind, Descriptor::Kind::SmallPage);
  EXPECT_EQ(d.base, pa);
  EXPECT_EQ(d.access, Access::ReadWrite);
  EXPECT_EQ(f.decode_lv2(f.small_page(pa, Access::Write)).access, Access::Write);
}

TEST(PteFormat, LinkToALevel2TableKeepsItsOneKiBAlignedAddress) {
  for (SysmmuVersion v : {SysmmuVersion::V2, SysmmuVersion::V5}) {
    const PteFormat f(v);
    const Descriptor d = f.decode_lv1(f.table(0x4123'4400));
    EXPECT_EQ(d.kind, Descriptor::Kind::Table);
    EXPECT_EQ(d.base, 0x4123'4400u);
    EXPECT_FALSE(d.is_page());
  }
}

TEST(PteFormat, LargePagesAndFaults) {
  const PteFormat f(SysmmuVersion::V2);
  const Descriptor large = f.decode_lv2(f.large_page(0x4001'0000, Access::ReadWrite));
  EXPECT_EQ(large.kind, Descriptor::Kind::LargePage);
  EXPECT_EQ(large.base, 0x4001'0000u);
  EXPECT_EQ(large.size, kLargePage);
  EXPECT_EQ(f.decode_lv2(0).kind, Descriptor::Kind::Fault);
  EXPECT_EQ(f.decode_lv1(0).kind, Descriptor::Kind::Fault);
  EXPECT_EQ(f.decode_lv1(3).kind, Descriptor::Kind::Fault);  // type 3 is a fault too
}

TEST(PteFormat, SupersectionsOnlyInTheV2Format) {
  const PteFormat v2(SysmmuVersion::V2);
  const Descriptor d = v2.decode_lv1(v2.supersection(0x4100'0000, Access::ReadWrite));
  EXPECT_EQ(d.kind, Descriptor::Kind::Supersection);
  EXPECT_EQ(d.size, kSupersection);
  EXPECT_EQ(d.base, 0x4100'0000u);
  EXPECT_FALSE(PteFormat(SysmmuVersion::V5).has_supersections());
}

TEST(PteFormat, Indices) {
  EXPECT_EQ(lv1_index(0x1234'5678), 0x123u);
  EXPECT_EQ(lv2_index(0x1234'5678), 0x45u);
}

}  // namespace
}  // namespace dmasim::iommu

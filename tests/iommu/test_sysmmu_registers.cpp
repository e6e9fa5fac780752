// The SYSMMU register file: layouts, what writes ask for, and fault recording per version.
#include "models/iommu/sysmmu_registers.h"

#include <gtest/gtest.h>

namespace dmasim::iommu {
namespace {

using R = SysmmuRegisters;

TEST(SysmmuRegisters, V2LayoutAsTheDriverUsesIt) {
  R r(SysmmuVersion::V2);
  EXPECT_EQ(r.write(0x014, 0x4000'4000).action, R::Action::SetPageTable);
  EXPECT_EQ(r.page_table(), 0x4000'4000u);
  EXPECT_EQ(r.read(0x014, false), 0x4000'4000u);
  EXPECT_EQ(r.write(0x00C, 1).action, R::Action::FlushAll);
  const R::Effect e = r.write(0x010, 0x0012'3000 | 1);
  EXPECT_EQ(e.action, R::Action::FlushEntry);
  EXPECT_EQ(e.start, 0x0012'3000u);
  EXPECT_EQ(r.read(R::kVersion, false) >> 21, 2u << 7);
}

TEST(SysmmuRegisters, V5PageTableBaseIsAPageFrameNumberAndRangesFlush) {
  R r(SysmmuVersion::V5);
  r.write(0x00C, 0x8'4000'4000 >> 12);
  EXPECT_EQ(r.page_table(), 0x8'4000'4000u);
  r.write(0x020, 0x0010'0000);
  r.write(0x024, 0x0010'F000);
  const R::Effect e = r.write(0x018, 1);
  EXPECT_EQ(e.action, R::Action::FlushRange);
  EXPECT_EQ(e.start, 0x0010'0000u);
  EXPECT_EQ(e.end, 0x0010'FFFFu);
}

TEST(SysmmuRegisters, ControlEnableBlockDisable) {
  R r(SysmmuVersion::V2);
  EXPECT_FALSE(r.enabled());
  r.write(R::kCtrl, R::kCtrlBlock);
  EXPECT_TRUE(r.enabled());
  EXPECT_TRUE(r.block_requested());
  r.write(R::kCtrl, R::kCtrlEnable);
  EXPECT_FALSE(r.block_requested());
  EXPECT_EQ(r.read(R::kStatus, true), 1u);
  r.write(R::kCtrl, R::kCtrlDisable);
  EXPECT_FALSE(r.enabled());
}

TEST(SysmmuRegisters, FaultsSetTheirBitAndKeepTheFirstAddressUntilCleared) {
  R v2(SysmmuVersion::V2);
  v2.record_fault(FaultKind::Page, true, 0x0055'5000);
  v2.record_fault(FaultKind::Page, false, 0x0066'6000);
  EXPECT_EQ(v2.int_status(), 1u);
  EXPECT_EQ(v2.read(0x024, false), 0x0055'5000u);
  v2.write(0x01C, 1);
  EXPECT_FALSE(v2.interrupt_pending());
  v2.record_fault(FaultKind::Permission, true, 0x0077'7000);
  EXPECT_EQ(v2.int_status(), 1u << 7);
  EXPECT_EQ(v2.read(0x028, false), 0x0077'7000u);  // AW fault address

  R v5(SysmmuVersion::V5);
  v5.record_fault(FaultKind::Page, true, 0x0012'3400);
  EXPECT_EQ(v5.int_status(), 1u << 17);  // write faults in bits 16-20
  EXPECT_EQ(v5.read(0x080, false), 0x0012'3400u);
  EXPECT_EQ(v5.read(0x070, false), 0u);

  R v7(SysmmuVersion::V7);
  v7.record_fault(FaultKind::Page, false, 0x0012'3400);
  EXPECT_EQ(v7.int_status(), 1u << 1);
  EXPECT_EQ(v7.read(0x070, false), 0x0012'3400u);
  EXPECT_EQ(v7.read(0x078, false), 0u);  // bit 20 clear: a read
}

}  // namespace
}  // namespace dmasim::iommu

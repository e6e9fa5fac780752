// The SYSMMU shell: translation timing, walks through memory, page sizes, burst fills, faults
// and the driver's register protocols. Expected figures are derived by hand from the
// configuration in sysmmu_harness.h (1 GHz, TLB hit 2 cycles, FLPD 1 cycle, memory 50 ns).
#include <gtest/gtest.h>

#include "tests/iommu/sysmmu_harness.h"

namespace dmasim::iommu::test {
namespace {

constexpr std::uint64_t kBuf = 0x4800'0000;  // physical buffer
constexpr std::uint64_t kIova = 0x1000'0000;
using R = SysmmuRegisters;

TEST(Sysmmu, TranslationOnAHitTakesExactlyTheTlbHitLatency) {
  Bench b;
  b.tables->map(kIova, kBuf, 64 * 1024, kSmallPage, Access::ReadWrite);
  Picoseconds sent = 0;
  b.run([&](Master& m) {
    m.access(kIova);  // miss: walks
    sent = sim_now();
    m.access(kIova + 0x40);
  });
  const auto& last = b.dram->seen.back();
  EXPECT_EQ(last.address, kBuf + 0x40);
  EXPECT_EQ(last.arrival - sent, 2 * kCycle);
  EXPECT_EQ(b.master->done.back().at - sent, 2 * kCycle + kMemoryLatency);
  EXPECT_EQ(b.master->done.back().address, kIova + 0x40);  // the master sees its own address
}

TEST(Sysmmu, AMissWalksWithTwoReadsForAPageAndTheFlpdCacheSavesTheFirstNextTime) {
  Bench b;
  b.tables->map(kIova, kBuf, 64 * 1024, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.access(kIova);
    m.access(kIova + kSmallPage);
  });
  ASSERT_EQ(b.dram->seen.size(), 5u);  // lv1, lv2, data, lv2, data
  EXPECT_EQ(b.dram->seen[0].address, kPageTable + lv1_index(kIova) * 4);
  EXPECT_EQ(b.dram->seen[0].length, 4u);
  // Miss at 0: TLB 2 cycles + FLPD 1 -> level-1 read at 3; data at 53 -> level-2 read; its
  // data at 103 -> the translated request leaves then.
  EXPECT_EQ(b.dram->seen[0].arrival, 3 * kCycle);
  EXPECT_EQ(b.dram->seen[1].arrival, 3 * kCycle + kMemoryLatency);
  EXPECT_EQ(b.dram->seen[2].arrival, 3 * kCycle + 2 * kMemoryLatency);
  EXPECT_EQ(b.dram->seen[2].address, kBuf);
  EXPECT_EQ(b.dram->seen[4].address, kBuf + kSmallPage);
  EXPECT_EQ(b.count("walks"), 2u);
  EXPECT_EQ(b.count("walk_reads"), 3u);
  EXPECT_EQ(b.count("flpd.misses"), 1u);
  EXPECT_EQ(b.count("flpd.lookups"), 2u);
}

TEST(Sysmmu, ASectionTakesOneRead) {
  Bench b;
  b.tables->map(kIova, kBuf, kSection, kSection, Access::ReadWrite);
  b.run([&](Master& m) { m.access(kIova + 0x12345); });
  ASSERT_EQ(b.dram->seen.size(), 2u);
  EXPECT_EQ(b.dram->seen[1].address, kBuf + 0x12345);
  EXPECT_EQ(b.count("walk_reads"), 1u);
}

// Streams `bytes` through the SYSMMU in 64-byte reads; returns the walks.
std::uint64_t stream_walks(SysmmuConfig c, std::uint64_t page, std::uint64_t bytes = 2 << 20) {
  Bench b(c);
  b.tables->map(kIova, kBuf, bytes, page, Access::ReadWrite);
  b.run([&](Master& m) {
    for (std::uint64_t off = 0; off < bytes; off += 64) m.issue(kIova + off);
    m.wait_all();
  });
  EXPECT_EQ(b.master->done.size(), bytes / 64);
  for (const auto& d : b.master->done) EXPECT_TRUE(d.ok);
  EXPECT_EQ(b.dram->reads_in(kBuf, kBuf + bytes), bytes / 64);
  EXPECT_EQ(b.dram->reads_in(kPageTable, kLv2Pool + (1 << 20)), b.count("walk_reads"));
  return b.count("walks");
}

TEST(Sysmmu, AColdStreamWalksOncePerPageOfTheMappingsSize) {
  EXPECT_EQ(stream_walks(test_config(), kSmallPage), 512u);
}
TEST(Sysmmu, AColdStreamOfLargePagesWalksOncePerLargePage) {
  EXPECT_EQ(stream_walks(test_config(), kLargePage), 32u);
}
TEST(Sysmmu, AColdStreamOfSectionsWalksOncePerSection) {
  EXPECT_EQ(stream_walks(test_config(), kSection), 2u);
}

SysmmuConfig v5_burst(bool fill) {
  SysmmuConfig c = test_config();
  c.version = SysmmuVersion::V5;
  c.walk_burst = ByteSize{64};
  c.burst_fill = fill;
  return c;
}

TEST(Sysmmu, BurstFillOfSixteenDescriptorsDividesTheWalksBySixteen) {
  EXPECT_EQ(stream_walks(v5_burst(true), kSmallPage), 512u / 16);
}

TEST(Sysmmu, ABurstReadWithoutBurstFillWalksEveryPage) {
  EXPECT_EQ(stream_walks(v5_burst(false), kSmallPage), 512u);
}

TEST(Sysmmu, V7SubLineEntriesDivideTheWalksByFour) {
  SysmmuConfig c = test_config();
  c.version = SysmmuVersion::V7;
  c.pages_per_entry = 4;
  c.walk_burst = ByteSize{16};
  EXPECT_EQ(stream_walks(c, kSmallPage), 512u / 4);
}

TEST(Sysmmu, MissesToAPageBeingWalkedMergeIntoTheWalk) {
  Bench b;
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (int i = 0; i < 4; ++i) m.issue(kIova + i * 64);
    m.wait_all();
  });
  EXPECT_EQ(b.count("walks"), 1u);
  EXPECT_EQ(b.count("merged"), 3u);
  EXPECT_EQ(b.master->done.size(), 4u);
}

TEST(Sysmmu, AnUnmappedAddressFaultsWithItsAddressAndDirectionAndTheSimulationContinues) {
  SysmmuConfig c = test_config();
  c.version = SysmmuVersion::V5;
  c.on_fault = FaultAction::Abort;
  Bench b(c);
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  std::uint32_t status = 0, aw = 0;
  b.run([&](Master& m) {
    const Master::Done d = m.access(kIova + 0x5000 + 0x80, true);
    EXPECT_FALSE(d.ok);
    EXPECT_TRUE(b.mmu->irq().pending());
    status = m.reg_read(0x060);
    aw = m.reg_read(0x080);
    m.reg_write(0x064, status);
    EXPECT_FALSE(b.mmu->irq().pending());
    EXPECT_TRUE(m.access(kIova + 0x40).ok);  // the rest still works
  });
  EXPECT_EQ(status, 1u << 17);  // write page fault
  EXPECT_EQ(aw, kIova + 0x5080);
  EXPECT_EQ(b.count("faults.page"), 1u);
}

TEST(Sysmmu, AStalledFaultIsResolvedByAHandlerThatMapsThePage) {
  Bench b;  // v2, on_fault: stall
  const std::uint64_t page = kIova + 0x3000;
  std::uint32_t fault_addr = 0;
  b.run([&](Master& m) {
    sc_core::sc_spawn([&] {  // the interrupt handler
      while (!b.mmu->irq().pending()) sc_core::wait(b.mmu->irq().event());
      EXPECT_EQ(m.reg_read(R::kStatus) & 1, 1u);  // blocked by the fault
      fault_addr = m.reg_read(0x024);
      b.tables->map(fault_addr & ~(kSmallPage - 1), kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
      m.reg_write(0x01C, 1);             // INT_CLEAR
      m.reg_write(R::kCtrl, R::kCtrlEnable);  // unblock: the transaction is translated again
    });
    const Master::Done d = m.access(page + 0x10);
    EXPECT_TRUE(d.ok);
  });
  EXPECT_EQ(fault_addr, page + 0x10);
  EXPECT_EQ(b.dram->seen.back().address, kBuf + 0x10);
  EXPECT_EQ(b.count("faults.page"), 1u);
}

TEST(Sysmmu, AStalledFaultCanBeAborted) {
  Bench b;
  b.run([&](Master& m) {
    sc_core::sc_spawn([&] {
      while (!b.mmu->irq().pending()) sc_core::wait(b.mmu->irq().event());
      m.reg_write(R::kFaultAbort, 1);
      m.reg_write(0x01C, 1);
      m.reg_write(R::kCtrl, R::kCtrlEnable);
    });
    EXPECT_FALSE(m.access(kIova).ok);
  });
  EXPECT_EQ(b.mmu->held(), 0u);
}

TEST(Sysmmu, AWriteToAReadOnlyPageIsAPermissionFault) {
  SysmmuConfig c = test_config();
  c.on_fault = FaultAction::Abort;
  Bench b(c);
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::Read);
  std::uint32_t status = 0;
  b.run([&](Master& m) {
    EXPECT_TRUE(m.access(kIova).ok);
    EXPECT_FALSE(m.access(kIova + 64, true).ok);
    status = m.reg_read(0x018);
  });
  EXPECT_EQ(status, 1u << 7);  // v2: AW access protection
  EXPECT_EQ(b.count("faults.permission"), 1u);
}

TEST(Sysmmu, BlockFlushEntryUnblockMakesARemapVisible) {
  Bench b;
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.access(kIova);
    b.tables->map(kIova, kBuf + 0x10'0000, kSmallPage, kSmallPage, Access::ReadWrite);  // remap
    m.access(kIova + 64);
    EXPECT_EQ(b.dram->seen.back().address, kBuf + 64);  // the TLB still has the old page
    m.reg_write(R::kCtrl, R::kCtrlBlock);
    int polls = 0;
    while (!(m.reg_read(R::kStatus) & 1) && ++polls < 120) {}
    EXPECT_EQ(polls, 0);  // nothing in flight: blocked at once
    m.reg_write(0x010, static_cast<std::uint32_t>(kIova) | 1);  // FLUSH_ENTRY
    m.reg_write(R::kCtrl, R::kCtrlEnable);
    m.access(kIova + 128);
    EXPECT_EQ(b.dram->seen.back().address, kBuf + 0x10'0000 + 128);
  });
  EXPECT_EQ(b.count("flushes"), 1u);
}

TEST(Sysmmu, RequestsArrivingWhileBlockedWaitForTheUnblock) {
  Bench b;
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  Picoseconds unblocked = 0;
  b.run([&](Master& m) {
    m.access(kIova);
    m.reg_write(R::kCtrl, R::kCtrlBlock);
    sc_core::sc_spawn([&] {
      sc_core::wait(sc_core::sc_time::from_value(500 * kCycle));
      unblocked = sim_now();
      m.reg_write(R::kCtrl, R::kCtrlEnable);
    });
    m.access(kIova + 64);
  });
  // The write reaches the register at `unblocked` and the request goes 2 cycles later.
  EXPECT_EQ(b.dram->seen.back().arrival, unblocked + 2 * kCycle);
  EXPECT_GE(b.count("stall_cycles"), 500u);
}

TEST(Sysmmu, WritingThePageTableBaseFlushesTheTlb) {
  Bench b;
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.access(kIova);
    m.reg_write(0x014, static_cast<std::uint32_t>(kPageTable));
    m.access(kIova);
  });
  EXPECT_EQ(b.count("walks"), 2u);
}

TEST(Sysmmu, DisabledItPassesAddressesThrough) {
  Bench b(test_config(), false);
  b.run([&](Master& m) { m.access(0x4812'3400); });
  EXPECT_EQ(b.dram->seen.back().address, 0x4812'3400u);
  EXPECT_EQ(b.count("bypassed"), 1u);
}

TEST(Sysmmu, OutstandingWalksAreLimitedAndTheRestQueue) {
  SysmmuConfig c = test_config();
  c.outstanding_walks = 2;
  Bench b(c);
  b.tables->map(kIova, kBuf, 8 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (int i = 0; i < 6; ++i) m.issue(kIova + i * kSmallPage);
    m.wait_all();
  });
  EXPECT_EQ(b.count("walks"), 6u);
  EXPECT_EQ(b.count("walk_queue_waits"), 4u);
  EXPECT_EQ(b.master->done.size(), 6u);
}

TEST(Sysmmu, RegisterAccessesCostTheirLatency) {
  Bench b;
  Picoseconds took = 0;
  b.run([&](Master& m) {
    const Picoseconds t0 = sim_now();
    EXPECT_EQ(m.reg_read(R::kVersion) >> 21, 2u << 7);
    took = sim_now() - t0;
  });
  EXPECT_EQ(took, 3 * kCycle);
}

}  // namespace
}  // namespace dmasim::iommu::test

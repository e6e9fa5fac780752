// SYSMMU prefetch buffers: binding, next-page prefetch walks, their effect on a sequential stream,
// flushes and silent prefetch faults. Expected figures are derived by hand from the harness
// configuration (1 GHz, TLB hit 2 cycles, FLPD 1 cycle, memory 50 ns, 4 walk slots, v2 unless
// said): a demand walk of a 4 KiB page that misses at t reads level 1 at t+3 and level 2 at t+53
// and ends at t+103; a prefetch walk started at t with level 1 in the FLPD cache reads level 2 at
// t+1 and ends at t+51.
#include <gtest/gtest.h>

#include "tests/iommu/sysmmu_harness.h"
#include "tests/support/elaboration.h"

namespace dmasim::iommu::test {
namespace {

constexpr std::uint64_t kBuf = 0x4800'0000;
constexpr std::uint64_t kIova = 0x1000'0000;
using R = SysmmuRegisters;

SysmmuConfig with_buffer(const PrefetchBufferConfig& b, SysmmuConfig c = test_config()) {
  c.prefetch_buffers.push_back(b);
  return c;
}

void wait_cycles(std::uint64_t n) { sc_core::wait(sc_core::sc_time::from_value(n * kCycle)); }

std::uint64_t page(unsigned k) { return kIova + k * kSmallPage; }

// When the memory first saw `address` (a test failure and 0 when it never did).
Picoseconds arrival_of(const Bench& b, std::uint64_t address) {
  for (const auto& s : b.dram->seen)
    if (s.address == address) return s.arrival;
  ADD_FAILURE() << "memory never saw " << std::hex << address;
  return 0;
}

// ---- a sequential stream -----------------------------------------------------------------------

TEST(SysmmuPrefetch, ASequentialStreamOfPagesWalksOnceOnDemand) {
  SKIP_IF_ELABORATED();
  Bench b(with_buffer(PrefetchBufferConfig{}));
  b.tables->map(kIova, kBuf, 16 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (unsigned k = 0; k < 16; ++k)
      for (unsigned i = 0; i < 4; ++i) EXPECT_TRUE(m.access(page(k) + i * 0x400).ok);
  });
  // Page 0 walks; the walk's end (103) prefetches page 1, ready at 154, long before page 1's
  // first access (309: four accesses of 52 cycles after 103 - 50). Each page's first access hits
  // the buffer and prefetches the next page, which is ready 51 cycles later.
  EXPECT_EQ(b.count("walks"), 1u);
  EXPECT_EQ(b.count("walk_reads"), 2u);
  EXPECT_EQ(b.count("prefetch.lookups"), 64u);  // every request reaches the main TLB (v2: no L1)
  EXPECT_EQ(b.count("prefetch.misses"), 4u);    // page 0's four: it was walked, not prefetched
  EXPECT_EQ(b.count("prefetch.issued"), 16u);   // pages 1..16
  EXPECT_EQ(b.count("prefetch.walk_reads"), 16u);  // level 1 always in the FLPD cache
  EXPECT_EQ(b.count("prefetch.useful"), 15u);   // pages 1..15
  EXPECT_EQ(b.count("prefetch.faults"), 1u);    // page 16 is not mapped
  EXPECT_EQ(b.count("prefetch.late"), 0u);
  EXPECT_EQ(b.count("prefetch.dropped"), 0u);
  EXPECT_EQ(b.count("tlb.misses"), 16u);        // the buffer hit for pages 1..15 is a TLB miss
  EXPECT_EQ(b.count("flpd.lookups"), 17u);      // demand and prefetch walks
  EXPECT_EQ(b.count("flpd.misses"), 1u);
  EXPECT_EQ(b.count("faults.page"), 0u);        // the prefetch of page 16 raised nothing
  EXPECT_FALSE(b.mmu->irq().pending());
  EXPECT_EQ(b.dram->reads_in(kPageTable, kLv2Pool + (1 << 20)), 2u + 16u);
}

TEST(SysmmuPrefetch, ABufferHitTakesExactlyTheTlbHitLatencyAndFillsTheTlb) {
  SKIP_IF_ELABORATED();
  Bench b(with_buffer(PrefetchBufferConfig{}));
  b.tables->map(kIova, kBuf, 4 * kSmallPage, kSmallPage, Access::ReadWrite);
  Picoseconds sent = 0, again = 0;
  b.run([&](Master& m) {
    m.access(page(0));  // walks; page 1's prefetch ends at 154
    wait_cycles(200);
    sent = sim_now();
    m.access(page(1) + 0x40);
    again = sim_now();
    m.access(page(1) + 0x80);  // tlb_update: the main TLB has page 1 now
  });
  EXPECT_EQ(arrival_of(b, kBuf + kSmallPage + 0x40) - sent, 2 * kCycle);
  EXPECT_EQ(arrival_of(b, kBuf + kSmallPage + 0x80) - again, 2 * kCycle);
  EXPECT_EQ(b.count("walks"), 1u);
  EXPECT_EQ(b.count("tlb.misses"), 2u);  // page 0, and page 1's first access (a buffer hit)
  EXPECT_EQ(b.count("prefetch.useful"), 1u);
  EXPECT_EQ(b.count("prefetch.issued"), 2u);  // page 1, then page 2 on page 1's hit
}

TEST(SysmmuPrefetch, BehindAnL1TlbABufferHitTakesBothLookups) {
  SKIP_IF_ELABORATED();
  SysmmuConfig c = test_config();
  c.version = SysmmuVersion::V5;
  c.l1_tlb.entries = 4;
  c.l1_tlb.hit_latency = 1;
  Bench b(with_buffer(PrefetchBufferConfig{}, c));
  b.tables->map(kIova, kBuf, 4 * kSmallPage, kSmallPage, Access::ReadWrite);
  Picoseconds sent = 0;
  b.run([&](Master& m) {
    m.access(page(0));  // L1 1 + TLB 2 cycles, then the walk; page 1's prefetch ends at 155
    wait_cycles(200);
    sent = sim_now();
    m.access(page(1));  // L1 miss, main TLB miss, buffer hit: 1 + 2 cycles
    m.access(page(1) + 0x40);  // the L1 TLB has it now: no buffer lookup
  });
  EXPECT_EQ(arrival_of(b, kBuf + kSmallPage) - sent, 3 * kCycle);
  EXPECT_EQ(b.count("prefetch.lookups"), 2u);
  EXPECT_EQ(b.count("l1_tlb.misses"), 2u);
}

TEST(SysmmuPrefetch, AMissOnAPageBeingPrefetchedWaitsForThePrefetch) {
  SKIP_IF_ELABORATED();
  Bench b(with_buffer(PrefetchBufferConfig{}));
  b.tables->map(kIova, kBuf, 4 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.issue(page(0));  // walk 0..103; page 1's prefetch walk 103..154
    wait_cycles(110);
    m.issue(page(1));  // misses at 112 in the TLB and the buffer: merges into the prefetch
    m.wait_all();
  });
  EXPECT_EQ(b.count("walks"), 1u);
  EXPECT_EQ(b.count("merged"), 1u);
  EXPECT_EQ(b.count("prefetch.late"), 1u);
  EXPECT_EQ(arrival_of(b, kBuf + kSmallPage), 154 * kCycle);
}

// The whole 8 MiB stream of the issue, 64-byte reads 16 outstanding: the next page's prefetch
// (51 cycles, 101 across a 1 MiB boundary where level 1 is read too) ends long before the
// stream reaches it (64 reads of a 4 KiB page take about 200 cycles), so only page 0 walks on
// demand, whatever the page size.
struct StreamCounts {
  std::uint64_t walks, lookups, misses, issued, useful, faults, late, dropped;
};

StreamCounts stream_8mib(std::uint64_t page_size, bool prefetch) {
  constexpr std::uint64_t kBytes = 8 << 20;
  SysmmuConfig c = test_config();
  if (prefetch) c.prefetch_buffers.push_back(PrefetchBufferConfig{});
  Bench b(c);
  b.tables->map(kIova, kBuf, kBytes, page_size, Access::ReadWrite);
  b.run([&](Master& m) {
    for (std::uint64_t off = 0; off < kBytes; off += 64) m.issue(kIova + off);
    m.wait_all();
  });
  EXPECT_EQ(b.master->done.size(), kBytes / 64);
  for (const auto& d : b.master->done) EXPECT_TRUE(d.ok);
  EXPECT_EQ(b.dram->reads_in(kBuf, kBuf + kBytes), kBytes / 64);
  EXPECT_EQ(b.count("faults.page"), 0u);
  if (!prefetch) return StreamCounts{b.count("walks"), 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(b.dram->reads_in(kPageTable, kLv2Pool + (1 << 20)),
            b.count("walk_reads") + b.count("prefetch.walk_reads"));
  return StreamCounts{b.count("walks"),          b.count("prefetch.lookups"), b.count("prefetch.misses"),
                      b.count("prefetch.issued"), b.count("prefetch.useful"),  b.count("prefetch.faults"),
                      b.count("prefetch.late"),   b.count("prefetch.dropped")};
}

TEST(SysmmuPrefetch, AnEightMibStreamOfSmallPagesWithoutBuffersWalks2048Times) {
  SKIP_IF_ELABORATED();
  EXPECT_EQ(stream_8mib(kSmallPage, false).walks, 2048u);
}
TEST(SysmmuPrefetch, AnEightMibStreamOfLargePagesWithoutBuffersWalks128Times) {
  SKIP_IF_ELABORATED();
  EXPECT_EQ(stream_8mib(kLargePage, false).walks, 128u);
}
TEST(SysmmuPrefetch, AnEightMibStreamOfSectionsWithoutBuffersWalks8Times) {
  SKIP_IF_ELABORATED();
  EXPECT_EQ(stream_8mib(kSection, false).walks, 8u);
}

// lookups: every one of the 131072 reads; misses: the reads of page 0 (walked, never
// prefetched); issued: pages 1 to one past the end (not mapped: a silent prefetch fault).
TEST(SysmmuPrefetch, AnEightMibStreamOfSmallPagesWithABufferWalksOnce) {
  SKIP_IF_ELABORATED();
  const StreamCounts s = stream_8mib(kSmallPage, true);
  EXPECT_EQ(s.walks, 1u);
  EXPECT_EQ(s.lookups, 131072u);
  EXPECT_EQ(s.misses, 64u);
  EXPECT_EQ(s.issued, 2048u);
  EXPECT_EQ(s.useful, 2047u);
  EXPECT_EQ(s.faults, 1u);
  EXPECT_EQ(s.late, 0u);
  EXPECT_EQ(s.dropped, 0u);
}
TEST(SysmmuPrefetch, AnEightMibStreamOfLargePagesWithABufferWalksOnce) {
  SKIP_IF_ELABORATED();
  const StreamCounts s = stream_8mib(kLargePage, true);
  EXPECT_EQ(s.walks, 1u);
  EXPECT_EQ(s.lookups, 131072u);
  EXPECT_EQ(s.misses, 1024u);
  EXPECT_EQ(s.issued, 128u);
  EXPECT_EQ(s.useful, 127u);
  EXPECT_EQ(s.faults, 1u);
  EXPECT_EQ(s.late, 0u);
}
TEST(SysmmuPrefetch, AnEightMibStreamOfSectionsWithABufferWalksOnce) {
  SKIP_IF_ELABORATED();
  const StreamCounts s = stream_8mib(kSection, true);
  EXPECT_EQ(s.walks, 1u);
  EXPECT_EQ(s.lookups, 131072u);
  EXPECT_EQ(s.misses, 16384u);
  EXPECT_EQ(s.issued, 8u);
  EXPECT_EQ(s.useful, 7u);
  EXPECT_EQ(s.faults, 1u);
  EXPECT_EQ(s.late, 0u);
}

TEST(SysmmuPrefetch, AV5BurstPrefetchFillsTheBufferWithSixteenDescriptors) {
  SKIP_IF_ELABORATED();
  SysmmuConfig c = test_config();
  c.version = SysmmuVersion::V5;
  c.walk_burst = ByteSize{64};
  Bench b(with_buffer(PrefetchBufferConfig{}, c));
  b.tables->map(kIova, kBuf, 64 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (unsigned k = 0; k < 64; ++k) {
      EXPECT_TRUE(m.access(page(k)).ok);
      wait_cycles(200);
    }
  });
  // Page 0's walk fills the TLB with pages 0..15 (burst fill); page 1's prefetch fills the
  // buffer with the same burst. The lookup of page 15 prefetches 16 (its burst: 16..31, which
  // replaces all 16 entries), of 31 prefetches 32, of 47 prefetches 48, of 63 prefetches 64 (not
  // mapped). From page 16 on only the buffer has the page.
  EXPECT_EQ(b.count("walks"), 1u);
  EXPECT_EQ(b.count("prefetch.issued"), 5u);
  EXPECT_EQ(b.count("prefetch.lookups"), 64u);
  EXPECT_EQ(b.count("prefetch.misses"), 1u);
  EXPECT_EQ(b.count("prefetch.useful"), 63u);
  EXPECT_EQ(b.count("prefetch.faults"), 1u);
  EXPECT_EQ(b.count("tlb.misses"), 1u + 48u);
  EXPECT_EQ(b.count("burst_fills"), 15u);  // the demand walk's; a prefetch burst fills the buffer
}

// ---- binding -------------------------------------------------------------------------------------

TEST(SysmmuPrefetch, AWriteStreamDoesNotUseAReadBuffer) {
  SKIP_IF_ELABORATED();
  PrefetchBufferConfig pb;
  pb.direction = PbDirection::Read;
  Bench b(with_buffer(pb));
  b.tables->map(kIova, kBuf, 16 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (unsigned k = 0; k < 8; ++k) m.access(page(k), true);  // writes: walk every page
    for (unsigned k = 8; k < 16; ++k) {                         // reads: page 8 walks
      m.access(page(k));
      wait_cycles(100);  // the next page's prefetch ends
    }
  });
  EXPECT_EQ(b.count("walks"), 8u + 1u);
  EXPECT_EQ(b.count("prefetch.lookups"), 8u);
  EXPECT_EQ(b.count("prefetch.misses"), 1u);
  EXPECT_EQ(b.count("prefetch.issued"), 8u);  // pages 9..16
  EXPECT_EQ(b.count("prefetch.useful"), 7u);
}

TEST(SysmmuPrefetch, ABufferBoundToAStreamServesOnlyThatStream) {
  SKIP_IF_ELABORATED();
  PrefetchBufferConfig pb;
  pb.stream = 3;
  Bench b(with_buffer(pb));
  b.tables->map(kIova, kBuf, 16 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (unsigned k = 0; k < 8; ++k) m.access(page(k), false, 5);
    for (unsigned k = 8; k < 16; ++k) {
      m.access(page(k), false, 3);
      wait_cycles(100);
    }
  });
  EXPECT_EQ(b.count("walks"), 8u + 1u);
  EXPECT_EQ(b.count("prefetch.lookups"), 8u);
  EXPECT_EQ(b.count("prefetch.useful"), 7u);
}

TEST(SysmmuPrefetch, ABufferBoundToARangeServesAndPrefetchesOnlyInside) {
  SKIP_IF_ELABORATED();
  PrefetchBufferConfig pb;
  pb.range = IovaRange{page(4), ByteSize{4 * kSmallPage}};
  Bench b(with_buffer(pb));
  b.tables->map(kIova, kBuf, 16 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (unsigned k = 0; k < 8; ++k) {
      m.access(page(k));
      wait_cycles(100);
    }
  });
  // Pages 0..3 are outside: walked, no lookup. Page 4 misses and walks, prefetching 5; 5 and 6
  // hit and prefetch 6 and 7; 7 hits, and page 8 is outside the range: no prefetch.
  EXPECT_EQ(b.count("walks"), 4u + 1u);
  EXPECT_EQ(b.count("prefetch.lookups"), 4u);
  EXPECT_EQ(b.count("prefetch.misses"), 1u);
  EXPECT_EQ(b.count("prefetch.issued"), 3u);
  EXPECT_EQ(b.count("prefetch.useful"), 3u);
  EXPECT_EQ(b.count("prefetch.faults"), 0u);
}

TEST(SysmmuPrefetch, WithoutNextPageTheBufferIsNeverFilled) {
  SKIP_IF_ELABORATED();
  PrefetchBufferConfig pb;
  pb.next_page = false;
  Bench b(with_buffer(pb));
  b.tables->map(kIova, kBuf, 8 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    for (unsigned k = 0; k < 8; ++k) m.access(page(k));
  });
  EXPECT_EQ(b.count("walks"), 8u);
  EXPECT_EQ(b.count("prefetch.lookups"), 8u);
  EXPECT_EQ(b.count("prefetch.misses"), 8u);
  EXPECT_EQ(b.count("prefetch.issued"), 0u);
}

// ---- flushes and faults --------------------------------------------------------------------------

TEST(SysmmuPrefetch, AnEntryFlushDropsThePrefetchedEntryAndMakesARemapVisible) {
  SKIP_IF_ELABORATED();
  Bench b(with_buffer(PrefetchBufferConfig{}));
  b.tables->map(kIova, kBuf, 4 * kSmallPage, kSmallPage, Access::ReadWrite);
  constexpr std::uint64_t kMoved = kBuf + 0x10'0000;
  b.run([&](Master& m) {
    m.access(page(0));  // prefetches page 1 (ready at 154)
    wait_cycles(200);
    b.tables->map(page(1), kMoved, kSmallPage, kSmallPage, Access::ReadWrite);  // remap page 1
    m.reg_write(R::kCtrl, R::kCtrlBlock);
    m.reg_write(0x010, static_cast<std::uint32_t>(page(1)) | 1);  // FLUSH_ENTRY
    m.reg_write(R::kCtrl, R::kCtrlEnable);
    m.access(page(1) + 0x40);
  });
  EXPECT_NE(arrival_of(b, kMoved + 0x40), 0u);
  EXPECT_EQ(b.count("walks"), 2u);
  EXPECT_EQ(b.count("prefetch.misses"), 2u);
  EXPECT_EQ(b.count("prefetch.useful"), 0u);
}

TEST(SysmmuPrefetch, WritingThePageTableBaseEmptiesTheBuffers) {
  SKIP_IF_ELABORATED();
  Bench b(with_buffer(PrefetchBufferConfig{}));
  b.tables->map(kIova, kBuf, 4 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.access(page(0));
    wait_cycles(200);
    m.reg_write(0x014, static_cast<std::uint32_t>(kPageTable));
    m.access(page(1));
  });
  EXPECT_EQ(b.count("walks"), 2u);
  EXPECT_EQ(b.count("prefetch.useful"), 0u);
}

TEST(SysmmuPrefetch, AFlushDuringAPrefetchWalkLeavesTheBufferEmpty) {
  SKIP_IF_ELABORATED();
  Bench b(with_buffer(PrefetchBufferConfig{}));
  b.tables->map(kIova, kBuf, 4 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.issue(page(0));  // page 1's prefetch walk runs 103..154
    wait_cycles(110);
    m.reg_write(0x00C, 1);  // FLUSH while the prefetch walk is in flight
    wait_cycles(200);
    m.access(page(1));
  });
  EXPECT_EQ(b.count("prefetch.issued"), 1u + 1u);  // page 1, then page 2 after page 1's walk
  EXPECT_EQ(b.count("walks"), 2u);
  EXPECT_EQ(b.count("prefetch.misses"), 2u);
}

TEST(SysmmuPrefetch, APrefetchOfAnUnmappedPageRaisesNoFault) {
  SKIP_IF_ELABORATED();
  SysmmuConfig c = test_config();
  c.version = SysmmuVersion::V5;
  Bench b(with_buffer(PrefetchBufferConfig{}, c));
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  std::uint32_t status = 1;
  b.run([&](Master& m) {
    m.access(page(0));  // prefetches page 1: not mapped
    wait_cycles(200);
    status = m.reg_read(0x060);  // INT_STATUS
    EXPECT_TRUE(m.access(page(0) + 0x40).ok);
  });
  EXPECT_EQ(status, 0u);
  EXPECT_FALSE(b.mmu->irq().pending());
  EXPECT_FALSE(b.mmu->blocked());
  EXPECT_EQ(b.count("prefetch.issued"), 1u);
  EXPECT_EQ(b.count("prefetch.faults"), 1u);
  EXPECT_EQ(b.count("faults.page"), 0u);
}

TEST(SysmmuPrefetch, ARequestWaitingForAPrefetchOfAnUnmappedPageFaults) {
  SKIP_IF_ELABORATED();
  SysmmuConfig c = test_config();
  c.on_fault = FaultAction::Abort;
  Bench b(with_buffer(PrefetchBufferConfig{}, c));
  b.tables->map(kIova, kBuf, kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.issue(page(0));
    wait_cycles(110);
    m.issue(page(1));  // merges into page 1's prefetch walk, which finds no mapping
    m.wait_all();
  });
  ASSERT_EQ(b.master->done.size(), 2u);
  EXPECT_FALSE(b.master->done.back().ok);
  EXPECT_EQ(b.count("faults.page"), 1u);
  EXPECT_EQ(b.count("prefetch.late"), 1u);
}

TEST(SysmmuPrefetch, APrefetchFindingNoFreeWalkSlotIsDropped) {
  SKIP_IF_ELABORATED();
  SysmmuConfig c = test_config();
  c.outstanding_walks = 1;
  Bench b(with_buffer(PrefetchBufferConfig{}, c));
  b.tables->map(kIova, kBuf, 16 * kSmallPage, kSmallPage, Access::ReadWrite);
  b.run([&](Master& m) {
    m.issue(page(0));
    m.issue(page(8));  // queues behind page 0's walk: page 0's prefetch finds the queue busy
    m.wait_all();
  });
  // Page 0's walk ends with page 8 queued: its prefetch of page 1 is dropped. Page 8's walk then
  // takes the slot and its prefetch of page 9 finds it free.
  EXPECT_EQ(b.count("walks"), 2u);
  EXPECT_EQ(b.count("walk_queue_waits"), 1u);
  EXPECT_EQ(b.count("prefetch.dropped"), 1u);
  EXPECT_EQ(b.count("prefetch.issued"), 1u);
}

}  // namespace
}  // namespace dmasim::iommu::test

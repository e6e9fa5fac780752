// The MSHR table (merging, capacity, ownership, issue order) and the write/eviction buffer
// (coalescing, capacity, FIFO drain, lookup, removal).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/cache/mshr.h"
#include "models/cache/write_buffer.h"
#include "models/common/stats/registry.h"

namespace dmasim::cache {
namespace {

std::uint64_t counter(const stats::Registry& reg, const char* name) {
  const stats::Stat* s = reg.find(name);
  EXPECT_NE(s, nullptr) << name;
  return s == nullptr ? 0 : s->counter().value();
}

TEST(Mshr, MergesRequestsToTheSameLine) {
  stats::Registry reg;
  MshrTable m(4, 3, 64, stats::Group(reg, "mshr"));
  EXPECT_EQ(m.add(0x1004, false, 1), MshrAdd::Allocated);
  EXPECT_EQ(m.add(0x1030, false, 2), MshrAdd::Merged);  // same 64 B line
  EXPECT_EQ(m.add(0x1040, false, 3), MshrAdd::Allocated);  // next line
  EXPECT_EQ(m.in_use(), 2u);
  const MshrEntry* e = m.find(0x103f);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->line, 0x1000u);
  EXPECT_EQ(e->targets.size(), 2u);
  EXPECT_FALSE(e->wants_ownership);
  // A write merging in asks for ownership.
  EXPECT_EQ(m.add(0x1000, true, 4), MshrAdd::Merged);
  EXPECT_TRUE(m.find(0x1000)->wants_ownership);
  // Target slots of the entry exhausted: stall, nothing changes.
  EXPECT_EQ(m.add(0x1001, false, 5), MshrAdd::NoTarget);
  EXPECT_EQ(m.find(0x1000)->targets.size(), 3u);

  std::vector<MshrTarget> done;
  EXPECT_TRUE(m.complete(0x1010, done));
  EXPECT_EQ(done, (std::vector<MshrTarget>{{0x1004, false, 1}, {0x1030, false, 2}, {0x1000, true, 4}}));
  EXPECT_FALSE(m.pending(0x1000));
  EXPECT_EQ(m.in_use(), 1u);
  EXPECT_FALSE(m.complete(0x1000, done));
  EXPECT_TRUE(done.empty());
  EXPECT_EQ(counter(reg, "mshr.allocations"), 2u);
  EXPECT_EQ(counter(reg, "mshr.merges"), 2u);
  EXPECT_EQ(counter(reg, "mshr.target_stalls"), 1u);
}

TEST(Mshr, CapacityLimitStallsNewLinesButStillMerges) {
  stats::Registry reg;
  MshrTable m(2, 4, 32, stats::Group(reg, "mshr"));
  EXPECT_EQ(m.add(0x000, false, 1), MshrAdd::Allocated);
  EXPECT_EQ(m.add(0x020, true, 2), MshrAdd::Allocated);
  EXPECT_TRUE(m.full());
  EXPECT_EQ(m.add(0x040, false, 3), MshrAdd::NoEntry);
  EXPECT_FALSE(m.pending(0x040));
  EXPECT_EQ(m.add(0x03f, false, 4), MshrAdd::Merged);  // line 0x20 still merges when full
  EXPECT_EQ(counter(reg, "mshr.full_stalls"), 1u);
  std::vector<MshrTarget> done;
  EXPECT_TRUE(m.complete(0x000, done));
  EXPECT_FALSE(m.full());
  EXPECT_EQ(m.add(0x040, false, 3), MshrAdd::Allocated);  // the retried request now fits
  EXPECT_EQ(m.in_use(), 2u);
}

TEST(Mshr, IssueOrderIsAllocationOrder) {
  stats::Registry reg;
  MshrTable m(4, 2, 64, stats::Group(reg, "mshr"));
  m.add(0x300, false, 1);
  m.add(0x100, true, 2);
  m.add(0x200, false, 3);
  std::vector<MshrTarget> done;
  m.complete(0x300, done);
  m.add(0x400, false, 4);  // reuses the freed slot 0 but is youngest
  std::vector<std::uint64_t> order;
  while (const MshrEntry* e = m.next_to_issue()) {
    order.push_back(e->line);
    m.mark_issued(e->line, e->wants_ownership);
  }
  EXPECT_EQ(order, (std::vector<std::uint64_t>{0x100, 0x200, 0x400}));
  EXPECT_TRUE(m.find(0x100)->issued_with_ownership);
  EXPECT_FALSE(m.find(0x200)->issued_with_ownership);
  // A write merging into a miss issued without ownership: the wrapper sees it needs an upgrade.
  EXPECT_EQ(m.add(0x200, true, 5), MshrAdd::Merged);
  const MshrEntry* e = m.find(0x200);
  EXPECT_TRUE(e->wants_ownership && !e->issued_with_ownership);
}

TEST(WriteBuffer, CoalescesFillsAndDrainsInOrder) {
  stats::Registry reg;
  WriteBuffer wb(3, 64, stats::Group(reg, "wb"));
  EXPECT_TRUE(wb.empty());
  EXPECT_EQ(wb.push(0x1000, 1), WbPush::Added);
  EXPECT_EQ(wb.push(0x2000, 2), WbPush::Added);
  EXPECT_EQ(wb.push(0x1020, 3), WbPush::Coalesced);  // same line: newer version replaces
  EXPECT_EQ(wb.size(), 2u);
  EXPECT_EQ(wb.find(0x1000), 3u);
  EXPECT_EQ(wb.find(0x3000), std::nullopt);
  EXPECT_EQ(wb.push(0x3000, 4), WbPush::Added);
  EXPECT_TRUE(wb.full());
  EXPECT_EQ(wb.push(0x4000, 5), WbPush::Full);
  EXPECT_EQ(wb.push(0x2000, 6), WbPush::Coalesced);  // a queued line still coalesces when full

  std::vector<WriteBufferEntry> drained;
  while (!wb.empty()) {
    drained.push_back(wb.front());
    wb.pop_front();
  }
  EXPECT_EQ(drained, (std::vector<WriteBufferEntry>{{0x1000, 3}, {0x2000, 6}, {0x3000, 4}}));
  EXPECT_EQ(counter(reg, "wb.pushed"), 3u);
  EXPECT_EQ(counter(reg, "wb.coalesced"), 2u);
  EXPECT_EQ(counter(reg, "wb.full_stalls"), 1u);
}

TEST(WriteBuffer, RemoveKeepsTheOrderOfTheRestAcrossTheRingWrap) {
  stats::Registry reg;
  WriteBuffer wb(4, 32, stats::Group(reg, "wb"));
  for (std::uint64_t i = 0; i < 4; ++i) wb.push(0x100 * i, i);
  wb.pop_front();
  wb.pop_front();
  wb.push(0x400, 4);
  wb.push(0x500, 5);  // wraps around the ring
  EXPECT_TRUE(wb.remove(0x41f));
  EXPECT_FALSE(wb.remove(0x400));
  ASSERT_EQ(wb.size(), 3u);
  EXPECT_EQ(wb.at(0), (WriteBufferEntry{0x200, 2}));
  EXPECT_EQ(wb.at(1), (WriteBufferEntry{0x300, 3}));
  EXPECT_EQ(wb.at(2), (WriteBufferEntry{0x500, 5}));
  EXPECT_TRUE(wb.remove(0x200));
  EXPECT_EQ(wb.front(), (WriteBufferEntry{0x300, 3}));
  EXPECT_EQ(wb.push(0x600, 6), WbPush::Added);
  EXPECT_EQ(wb.push(0x700, 7), WbPush::Added);
  EXPECT_TRUE(wb.full());
  EXPECT_EQ(wb.at(3), (WriteBufferEntry{0x700, 7}));
}

}  // namespace
}  // namespace dmasim::cache

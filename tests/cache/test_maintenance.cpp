// Cache maintenance against expectations the test keeps itself: a map of what it put where, in
// which state. By PA (DC CVAC/IVAC/CIVAC, PL310 *_LINE_PA), by set/way (DC CSW/ISW/CISW) and by
// way (PL310 CLEAN_WAY/INV_WAY/CLEAN_INV_WAY).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "models/cache/cache_array.h"
#include "models/common/stats/registry.h"

namespace dmasim::cache {
namespace {

constexpr unsigned kLine = 64;
constexpr unsigned kWays = 4;
constexpr unsigned kSets = 32;  // 8 KiB

CacheConfig small_config() {
  CacheConfig c;
  c.size = ByteSize{kLine * kWays * kSets};
  c.ways = kWays;
  c.line_size = ByteSize{kLine};
  return c;
}

std::uint64_t counter(const stats::Registry& reg, const char* name) {
  const stats::Stat* s = reg.find(name);
  EXPECT_NE(s, nullptr) << name;
  return s == nullptr ? 0 : s->counter().value();
}

bool dirty(LineState s) { return s == LineState::Modified || s == LineState::Owned; }

// 40 consecutive lines from kBase in states M, E, S, O, M, E, S, O... (version = 1000 + index),
// plus dirty lines outside: one below and one above the range the tests maintain.
class Maintenance : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kBase = 0x8000'0000;
  static constexpr std::uint64_t kBelow = 0x7000'0000;
  static constexpr std::uint64_t kAbove = 0x9000'0000;

  Maintenance() : cache(small_config(), stats::Group(reg, "l1")) {
    const LineState pattern[] = {LineState::Modified, LineState::Exclusive, LineState::Shared, LineState::Owned};
    for (unsigned i = 0; i < 40; ++i) put(kBase + i * kLine, pattern[i % 4], 1000 + i);
    put(kBelow, LineState::Modified, 7);
    put(kAbove, LineState::Owned, 9);
  }
  void put(std::uint64_t addr, LineState s, std::uint64_t version) {
    EXPECT_FALSE(cache.fill(addr, s, version).present()) << "fixture must not evict";
    model[addr] = {s, version};
  }
  // The lines of the model overlapping [base, base+bytes), computed by division.
  std::vector<std::uint64_t> model_lines(std::uint64_t base, std::uint64_t bytes, bool only_dirty) const {
    std::vector<std::uint64_t> out;
    const std::uint64_t first = base / kLine, last = (base + bytes - 1) / kLine;
    for (const auto& [addr, e] : model)
      if (addr / kLine >= first && addr / kLine <= last && (!only_dirty || dirty(e.first))) out.push_back(addr);
    return out;
  }

  stats::Registry reg;
  CacheArray cache;
  std::map<std::uint64_t, std::pair<LineState, std::uint64_t>> model;  // ordered: ascending addresses
};

std::vector<std::uint64_t> addrs(const std::vector<LineOutcome>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& o : v) out.push_back(o.line.addr);
  return out;
}

TEST_F(Maintenance, CleanByRangeWritesBackExactlyTheDirtyLinesOfTheRange) {
  // Unaligned: starts 10 bytes into line 3, ends 20 bytes into line 17 (partial edge lines count).
  const std::uint64_t base = kBase + 3 * kLine + 10;
  const std::uint64_t bytes = 14 * kLine + 10;
  const auto want = model_lines(base, bytes, true);
  ASSERT_EQ(want.size(), 8u);  // lines 3..17: M at 4,8,12,16 and O at 3,7,11,15
  std::vector<LineOutcome> out;
  const std::size_t present = cache.maintain_range(Maint::Clean, base, bytes, out);
  EXPECT_EQ(present, 15u);
  EXPECT_EQ(addrs(out), want);
  for (const auto& o : out) {
    EXPECT_TRUE(o.writeback);
    EXPECT_FALSE(o.lost);
    EXPECT_EQ(o.line.version, model[o.line.addr].second);
    EXPECT_EQ(o.line.state, model[o.line.addr].first);
    // Kept, clean: M -> E, O -> S.
    const LineInfo now = cache.find(o.line.addr);
    EXPECT_EQ(now.state, o.line.state == LineState::Modified ? LineState::Exclusive : LineState::Shared);
    EXPECT_EQ(now.version, o.line.version);
  }
  EXPECT_EQ(cache.valid_count(), 42u);
  EXPECT_TRUE(cache.dirty_lines(base, bytes).empty());
  // Dirty lines outside the range untouched.
  EXPECT_EQ(cache.dirty_lines(kBase, 3 * kLine).size(), 1u);  // lines 0..2: only line 0 (M)
  EXPECT_TRUE(cache.find(kBelow).dirty());
  EXPECT_TRUE(cache.find(kAbove).dirty());
  EXPECT_EQ(counter(reg, "l1.maintenance.clean_pa"), 15u);  // one operation per line
  EXPECT_EQ(counter(reg, "l1.writebacks"), 8u);
  // Cleaning again writes nothing.
  out.clear();
  cache.maintain_range(Maint::Clean, base, bytes, out);
  EXPECT_TRUE(out.empty());
}

TEST_F(Maintenance, InvalidateByRangeReportsLostDirtyLines) {
  const std::uint64_t base = kBase + 8 * kLine;
  const std::uint64_t bytes = 8 * kLine;
  const auto want_lost = model_lines(base, bytes, true);
  const auto all = model_lines(base, bytes, false);
  std::vector<LineOutcome> out;
  EXPECT_EQ(cache.maintain_range(Maint::Invalidate, base, bytes, out), all.size());
  EXPECT_EQ(addrs(out), want_lost);
  for (const auto& o : out) {
    EXPECT_TRUE(o.lost);
    EXPECT_FALSE(o.writeback);
    EXPECT_EQ(o.line.version, model[o.line.addr].second);
  }
  for (auto a : all) EXPECT_FALSE(cache.contains(a));
  EXPECT_EQ(cache.valid_count(), 42u - all.size());
  EXPECT_TRUE(cache.contains(base - kLine));
  EXPECT_TRUE(cache.contains(base + bytes));
  EXPECT_EQ(counter(reg, "l1.lost_dirty"), want_lost.size());
  EXPECT_EQ(counter(reg, "l1.writebacks"), 0u);
  EXPECT_EQ(counter(reg, "l1.maintenance.inv_pa"), 8u);
}

TEST_F(Maintenance, CleanInvalidateByRangeWritesBackAndDrops) {
  const std::uint64_t base = kBase;
  const std::uint64_t bytes = 40 * kLine;
  const auto want = model_lines(base, bytes, true);
  ASSERT_EQ(want.size(), 20u);
  std::vector<LineOutcome> out;
  cache.maintain_range(Maint::CleanInvalidate, base, bytes, out);
  EXPECT_EQ(addrs(out), want);
  for (const auto& o : out) EXPECT_TRUE(o.writeback && !o.lost);
  EXPECT_EQ(cache.valid_lines().size(), 2u);
  EXPECT_EQ(counter(reg, "l1.maintenance.clean_inv_pa"), 40u);
}

TEST_F(Maintenance, SingleLineByPaOnAbsentAndCleanLines) {
  EXPECT_FALSE(cache.maintain(Maint::CleanInvalidate, 0x1234'0000).present());
  const LineOutcome e = cache.maintain(Maint::Clean, kBase + kLine + 5);  // Exclusive
  EXPECT_TRUE(e.present());
  EXPECT_FALSE(e.writeback);
  EXPECT_EQ(e.line.addr, kBase + kLine);
  const LineOutcome s = cache.maintain(Maint::Invalidate, kBase + 2 * kLine);  // Shared
  EXPECT_TRUE(s.present());
  EXPECT_FALSE(s.lost);
  EXPECT_FALSE(cache.contains(kBase + 2 * kLine));
}

TEST_F(Maintenance, DirtyLinesOfARange) {
  const auto d = cache.dirty_lines(kBase + 2 * kLine, 4 * kLine);  // lines 2..5: O at 3, M at 4
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].addr, kBase + 3 * kLine);
  EXPECT_EQ(d[0].state, LineState::Owned);
  EXPECT_EQ(d[1].addr, kBase + 4 * kLine);
  EXPECT_EQ(d[1].version, 1004u);
}

// A cache filled completely, set by set, ways in order (an empty set fills its lowest invalid way
// first), so the test knows which line is in which set/way. Dirty where (set + way) is even.
class Full : public ::testing::Test {
 protected:
  Full() : cache(small_config(), stats::Group(reg, "l2")) {
    for (unsigned w = 0; w < kWays; ++w)
      for (unsigned s = 0; s < kSets; ++s) {
        const std::uint64_t a = addr_of(s, w);
        const bool d = (s + w) % 2 == 0;
        EXPECT_FALSE(cache.fill(a, d ? LineState::Modified : LineState::Exclusive, a ^ 0xff).present());
      }
  }
  // Way w of set s holds tag 0x100 + w.
  static std::uint64_t addr_of(unsigned s, unsigned w) {
    return (std::uint64_t{0x100u + w} * kSets + s) * kLine;
  }
  stats::Registry reg;
  CacheArray cache;
};

TEST_F(Full, SlotsHoldWhatTheTestPutThere) {
  for (unsigned s = 0; s < kSets; ++s)
    for (unsigned w = 0; w < kWays; ++w) ASSERT_EQ(cache.line_at(s, w).addr, addr_of(s, w));
}

TEST_F(Full, SetWayOperationsCoverExactlyTheirLine) {
  // set 6 way 2: dirty ((6 + 2) even); set 6 way 1: clean.
  LineOutcome o = cache.maintain_set_way(Maint::Clean, 6, 2);
  EXPECT_TRUE(o.writeback);
  EXPECT_EQ(o.line.addr, addr_of(6, 2));
  EXPECT_EQ(o.line.version, addr_of(6, 2) ^ 0xff);
  EXPECT_EQ(cache.line_at(6, 2).state, LineState::Exclusive);
  o = cache.maintain_set_way(Maint::Clean, 6, 1);
  EXPECT_TRUE(o.present());
  EXPECT_FALSE(o.writeback);
  // ISW on a dirty line loses it; CISW writes back and drops.
  o = cache.maintain_set_way(Maint::Invalidate, 7, 1);
  EXPECT_TRUE(o.lost);
  EXPECT_FALSE(cache.contains(addr_of(7, 1)));
  o = cache.maintain_set_way(Maint::CleanInvalidate, 8, 0);
  EXPECT_TRUE(o.writeback);
  EXPECT_FALSE(cache.line_at(8, 0).valid());
  // Everything else is as it was.
  EXPECT_EQ(cache.valid_count(), kSets * kWays - 2);
  EXPECT_TRUE(cache.line_at(7, 3).dirty());
  EXPECT_TRUE(cache.line_at(8, 2).dirty());
  EXPECT_EQ(counter(reg, "l2.maintenance.clean_sw"), 2u);
  EXPECT_EQ(counter(reg, "l2.maintenance.inv_sw"), 1u);
  EXPECT_EQ(counter(reg, "l2.maintenance.clean_inv_sw"), 1u);
  // An invalid slot: nothing.
  EXPECT_FALSE(cache.maintain_set_way(Maint::CleanInvalidate, 8, 0).present());
}

TEST_F(Full, SetWayOperandFollowsTheArmLayout) {
  // 4 ways: way in bits [31:30]; 64 B lines: set from bit 6; level in bits [3:1].
  EXPECT_EQ(cache.set_way_operand(5, 2), 0x8000'0140u);
  EXPECT_EQ(cache.set_way_operand(5, 2, 1), 0x8000'0142u);
  EXPECT_EQ(cache.decode_set_way_operand(0x8000'0142u), (SetWay{5, 2}));
  EXPECT_EQ(cache.decode_set_way_operand(0xC000'07C0u), (SetWay{31, 3}));

  // The PL310 geometry: 16 ways (bits [31:28]), 32 B lines, 2048 sets.
  stats::Registry r2;
  CacheConfig c;
  c.size = ByteSize{1 << 20};
  c.ways = 16;
  c.line_size = ByteSize{32};
  CacheArray l2(c, stats::Group(r2, "l2"));
  EXPECT_EQ(l2.set_way_operand(1000, 9), 0x9000'7D00u);
  EXPECT_EQ(l2.decode_set_way_operand(0x9000'7D00u), (SetWay{1000, 9}));
  // Direct-mapped: no way bits.
  CacheConfig d;
  d.size = ByteSize{1024};
  d.ways = 1;
  d.line_size = ByteSize{32};
  CacheArray dm(d, stats::Group(r2, "dm"));
  EXPECT_EQ(dm.decode_set_way_operand(0xFFFF'FFE0u), (SetWay{31, 0}));
}

TEST_F(Full, CleanByWayCoversExactlyTheMaskedWays) {
  std::vector<LineOutcome> out;
  const std::size_t covered = cache.maintain_ways(Maint::Clean, 0b0101, out);
  EXPECT_EQ(covered, 2u * kSets);
  std::vector<std::uint64_t> want;
  for (unsigned w : {0u, 2u})
    for (unsigned s = 0; s < kSets; ++s)
      if ((s + w) % 2 == 0) want.push_back(addr_of(s, w));
  EXPECT_EQ(addrs(out), want);  // ways ascending, sets ascending within a way
  for (const auto& o : out) EXPECT_TRUE(o.writeback);
  for (unsigned s = 0; s < kSets; ++s) {
    EXPECT_FALSE(cache.line_at(s, 0).dirty());
    EXPECT_FALSE(cache.line_at(s, 2).dirty());
    EXPECT_EQ(cache.line_at(s, 1).dirty(), (s + 1) % 2 == 0);
    EXPECT_EQ(cache.line_at(s, 3).dirty(), (s + 3) % 2 == 0);
  }
  EXPECT_EQ(cache.valid_count(), kSets * kWays);
  EXPECT_EQ(counter(reg, "l2.maintenance.clean_way"), 1u);
  EXPECT_EQ(counter(reg, "l2.writebacks"), kSets);
}

TEST_F(Full, InvalidateAndCleanInvalidateByWay) {
  std::vector<LineOutcome> lost;
  EXPECT_EQ(cache.maintain_ways(Maint::Invalidate, 0b1000, lost), kSets);
  ASSERT_EQ(lost.size(), kSets / 2);
  for (const auto& o : lost) EXPECT_TRUE(o.lost && !o.writeback);
  EXPECT_EQ(lost.front().line.addr, addr_of(1, 3));
  for (unsigned s = 0; s < kSets; ++s) EXPECT_FALSE(cache.line_at(s, 3).valid());

  std::vector<LineOutcome> wb;
  EXPECT_EQ(cache.maintain_ways(Maint::CleanInvalidate, 0xF, wb), 3u * kSets);  // way 3 is empty now
  EXPECT_EQ(wb.size(), 3u * kSets / 2);
  EXPECT_EQ(cache.valid_count(), 0u);
  EXPECT_EQ(counter(reg, "l2.maintenance.inv_way"), 1u);
  EXPECT_EQ(counter(reg, "l2.maintenance.clean_inv_way"), 1u);
  EXPECT_EQ(counter(reg, "l2.lost_dirty"), kSets / 2);
}

TEST(Access, WriteHitOnSharedNeedsAnUpgrade) {
  stats::Registry reg;
  CacheArray cache(small_config(), stats::Group(reg, "c"));
  EXPECT_EQ(cache.write(0x1000, 1), AccessResult::Miss);
  cache.fill(0x1000, LineState::Shared, 5);
  EXPECT_EQ(cache.write(0x1008, 6), AccessResult::Upgrade);
  EXPECT_EQ(cache.find(0x1000).state, LineState::Shared);
  EXPECT_EQ(cache.find(0x1000).version, 5u);
  EXPECT_EQ(cache.set_state(0x1000, LineState::Exclusive).state, LineState::Shared);
  EXPECT_EQ(cache.write(0x1008, 6), AccessResult::Hit);
  EXPECT_EQ(cache.find(0x1000), (LineInfo{0x1000, LineState::Modified, 6}));
  // Owned behaves like Shared for writes.
  cache.set_state(0x1000, LineState::Owned);
  EXPECT_EQ(cache.write(0x1000, 7), AccessResult::Upgrade);
  EXPECT_EQ(counter(reg, "c.upgrades"), 2u);
  EXPECT_EQ(counter(reg, "c.write_hits"), 1u);
  EXPECT_EQ(counter(reg, "c.write_misses"), 1u);
  // Setting Invalid drops the line (a snoop invalidation).
  EXPECT_EQ(cache.set_state(0x1000, LineState::Invalid).version, 6u);
  EXPECT_FALSE(cache.contains(0x1000));
  EXPECT_EQ(cache.set_state(0x1000, LineState::Shared).state, LineState::Invalid);  // absent: no-op
  EXPECT_FALSE(cache.contains(0x1000));
}

TEST(Access, FillOfAPresentLineUpdatesInPlace) {
  stats::Registry reg;
  CacheArray cache(small_config(), stats::Group(reg, "c"));
  cache.fill(0x2000, LineState::Shared, 1);
  EXPECT_FALSE(cache.fill(0x2000, LineState::Modified, 2).present());
  EXPECT_EQ(cache.find(0x2000), (LineInfo{0x2000, LineState::Modified, 2}));
  EXPECT_EQ(cache.valid_count(), 1u);
  EXPECT_TRUE(cache.set_version(0x2010, 3));
  EXPECT_EQ(cache.find(0x2000).version, 3u);
  EXPECT_FALSE(cache.set_version(0x3000, 3));
}

TEST(Access, EvictionOfADirtyLineIsAWriteback) {
  stats::Registry reg;
  CacheConfig c = small_config();
  CacheArray cache(c, stats::Group(reg, "c"));
  const std::uint64_t set_stride = kSets * kLine;
  for (unsigned i = 0; i < kWays; ++i) cache.fill(i * set_stride, i == 0 ? LineState::Owned : LineState::Shared, i);
  const LineOutcome v = cache.fill(kWays * set_stride, LineState::Exclusive, 9);  // LRU: line 0
  EXPECT_TRUE(v.present());
  EXPECT_TRUE(v.writeback);
  EXPECT_EQ(v.line, (LineInfo{0, LineState::Owned, 0}));
  const LineOutcome v2 = cache.fill((kWays + 1) * set_stride, LineState::Exclusive, 9);
  EXPECT_TRUE(v2.present());
  EXPECT_FALSE(v2.writeback);
  EXPECT_EQ(counter(reg, "c.evictions"), 2u);
  EXPECT_EQ(counter(reg, "c.dirty_evictions"), 1u);
  EXPECT_EQ(counter(reg, "c.fills"), kWays + 2);
  EXPECT_EQ(counter(reg, "c.snoops_received"), 0u);
}

}  // namespace
}  // namespace dmasim::cache

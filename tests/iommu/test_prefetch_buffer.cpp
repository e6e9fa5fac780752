// The prefetch buffer store (LRU, first use, remaps, flushes) and the prefetch_buffers
// configuration: binding, reading from YAML and the errors a user can act on.
#include <gtest/gtest.h>

#include <string>

#include "models/common/error.h"
#include "models/iommu/prefetch_buffer.h"
#include "models/iommu/sysmmu_config.h"
#include "tests/support/config_text.h"

namespace dmasim::iommu {
namespace {

Translation small(std::uint64_t iova) {
  return Translation{iova, 0x4000'0000 + iova, kSmallPage, Access::ReadWrite, 0};
}

TEST(PrefetchBuffer, TheLeastRecentlyUsedEntryMakesRoom) {
  PrefetchBuffer b(2);
  b.insert(small(0x1000));
  b.insert(small(0x2000));
  ASSERT_TRUE(b.lookup(0x1000));  // 0x2000 is now the least recently used
  b.insert(small(0x3000));
  EXPECT_TRUE(b.holds(0x1000));
  EXPECT_FALSE(b.holds(0x2000));
  EXPECT_TRUE(b.holds(0x3fff));
  EXPECT_EQ(b.valid_entries(), 2u);
}

TEST(PrefetchBuffer, HoldsDoesNotChangeTheReplacementOrder) {
  PrefetchBuffer b(2);
  b.insert(small(0x1000));
  b.insert(small(0x2000));
  EXPECT_TRUE(b.holds(0x1000));
  b.insert(small(0x3000));
  EXPECT_FALSE(b.holds(0x1000));
}

TEST(PrefetchBuffer, OnlyTheFirstHitOfAnEntryIsAFirstUse) {
  PrefetchBuffer b(4);
  b.insert(small(0x1000));
  const auto first = b.lookup(0x1040);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->first_use);
  EXPECT_EQ(first->translation.translate(0x1040), 0x4000'1040u);
  EXPECT_FALSE(b.lookup(0x1080)->first_use);
  b.insert(small(0x1000));  // filled again: a new prefetch
  EXPECT_TRUE(b.lookup(0x1000)->first_use);
  EXPECT_FALSE(b.lookup(0x5000));
}

TEST(PrefetchBuffer, ALargerPageReplacesTheEntriesItOverlaps) {
  PrefetchBuffer b(4);
  b.insert(small(0x10000));
  b.insert(small(0x11000));
  b.insert(small(0x20000));
  b.insert(Translation{0x10000, 0x5000'0000, kLargePage, Access::Read, 0});
  EXPECT_EQ(b.valid_entries(), 2u);
  EXPECT_EQ(b.lookup(0x11000)->translation.pa, 0x5000'0000u);
}

TEST(PrefetchBuffer, ARangeFlushIsInclusiveAndDropsOnlyWhatItTouches) {
  PrefetchBuffer b(4);
  for (std::uint64_t p = 0x1000; p <= 0x4000; p += 0x1000) b.insert(small(p));
  b.flush_range(0x2fff, 0x3000);  // the last byte of one page and the first of the next
  EXPECT_TRUE(b.holds(0x1000));
  EXPECT_FALSE(b.holds(0x2000));
  EXPECT_FALSE(b.holds(0x3000));
  EXPECT_TRUE(b.holds(0x4000));
  b.flush_all();
  EXPECT_EQ(b.valid_entries(), 0u);
}

// ---- binding -------------------------------------------------------------------------------------

TEST(PrefetchBufferConfig, BindsByDirectionStreamAndRange) {
  PrefetchBufferConfig c;
  EXPECT_TRUE(c.binds(false, 7, 0x1234'5000));  // defaults: any direction, stream and address
  EXPECT_TRUE(c.binds(true, 0, 0));
  c.direction = PbDirection::Write;
  EXPECT_FALSE(c.binds(false, 0, 0));
  EXPECT_TRUE(c.binds(true, 0, 0));
  c.stream = 3;
  EXPECT_FALSE(c.binds(true, 4, 0));
  EXPECT_TRUE(c.binds(true, 3, 0));
  c.range = IovaRange{0x1000'0000, ByteSize{0x2000}};
  EXPECT_FALSE(c.binds(true, 3, 0x0fff'ffff));
  EXPECT_TRUE(c.binds(true, 3, 0x1000'1fff));
  EXPECT_FALSE(c.binds(true, 3, 0x1000'2000));
}

// ---- configuration ----------------------------------------------------------------------------

SysmmuConfig read_text(const std::string& text) {
  return dmasim::testing::read_config_text<SysmmuConfig>(text, "test.yaml", "soc.sysmmu");
}

std::string error_of(const std::string& text) {
  return dmasim::testing::config_error<SysmmuConfig>(text, "test.yaml", "soc.sysmmu");
}

TEST(PrefetchBufferConfig, NoBuffersByDefault) {
  EXPECT_TRUE(SysmmuConfig{}.prefetch_buffers.empty());
  EXPECT_TRUE(read_text("version: v5\n").prefetch_buffers.empty());
}

TEST(PrefetchBufferConfig, ReadsAListOfBuffers) {
  const SysmmuConfig c = read_text(
      "prefetch_buffers:\n"
      "  - {direction: read, stream: 2, range: {base: 0x10000000, size: 8MiB}, entries: 32}\n"
      "  - {direction: write, next_page: false, tlb_update: false}\n");
  ASSERT_EQ(c.prefetch_buffers.size(), 2u);
  const PrefetchBufferConfig& r = c.prefetch_buffers[0];
  EXPECT_EQ(r.direction, PbDirection::Read);
  EXPECT_EQ(r.stream, 2u);
  EXPECT_EQ(r.range.base, 0x1000'0000u);
  EXPECT_EQ(r.range.size.bytes, 8u << 20);
  EXPECT_EQ(r.entries, 32u);
  EXPECT_TRUE(r.next_page);
  const PrefetchBufferConfig& w = c.prefetch_buffers[1];
  EXPECT_EQ(w.direction, PbDirection::Write);
  EXPECT_FALSE(w.stream.has_value());
  EXPECT_EQ(w.range.size.bytes, 0u);
  EXPECT_EQ(w.entries, 16u);
  EXPECT_FALSE(w.next_page);
  EXPECT_FALSE(w.tlb_update);
  // Round trip through the writer (resolved.yaml).
  const SysmmuConfig again = cfg::read<SysmmuConfig>(cfg::write(c), "x");
  ASSERT_EQ(again.prefetch_buffers.size(), 2u);
  EXPECT_EQ(again.prefetch_buffers[0].stream, 2u);
  EXPECT_EQ(again.prefetch_buffers[0].range.base, 0x1000'0000u);
  EXPECT_FALSE(again.prefetch_buffers[1].stream.has_value());
}

TEST(PrefetchBufferConfig, RejectsAnUnknownDirectionWithASuggestion) {
  const std::string e = error_of("prefetch_buffers:\n  - {direction: reads}\n");
  EXPECT_NE(e.find("soc.sysmmu.prefetch_buffers[0].direction"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'read'"), std::string::npos) << e;
}

TEST(PrefetchBufferConfig, RejectsZeroEntries) {
  const std::string e = error_of("prefetch_buffers:\n  - {entries: 0}\n");
  EXPECT_NE(e.find("soc.sysmmu.prefetch_buffers[0].entries"), std::string::npos) << e;
}

TEST(PrefetchBufferConfig, RejectsMoreThanSixBuffers) {
  const std::string e = error_of("prefetch_buffers: [{}, {}, {}, {}, {}, {}, {}]\n");
  EXPECT_NE(e.find("soc.sysmmu.prefetch_buffers"), std::string::npos) << e;
  EXPECT_NE(e.find("at most 6 prefetch buffers, got 7"), std::string::npos) << e;
}

TEST(PrefetchBufferConfig, RejectsAnUnalignedRange) {
  const std::string e = error_of("prefetch_buffers:\n  - {}\n  - {range: {base: 0x10000800, size: 8KiB}}\n");
  EXPECT_NE(e.find("soc.sysmmu.prefetch_buffers[1].range.base"), std::string::npos) << e;
  EXPECT_NE(e.find("0x10000800 is not 4 KiB aligned"), std::string::npos) << e;
  const std::string s = error_of("prefetch_buffers:\n  - {range: {base: 0x10000000, size: 6000}}\n");
  EXPECT_NE(s.find("soc.sysmmu.prefetch_buffers[0].range.size"), std::string::npos) << s;
}

TEST(PrefetchBufferConfig, RejectsARangeBeyondTheIovaSpace) {
  const std::string e = error_of("prefetch_buffers:\n  - {range: {base: 0xFFF00000, size: 2MiB}}\n");
  EXPECT_NE(e.find("soc.sysmmu.prefetch_buffers[0].range.size"), std::string::npos) << e;
  EXPECT_NE(e.find("beyond the 4 GiB IO virtual address space"), std::string::npos) << e;
}

TEST(PrefetchBufferConfig, CheckNamesTheKeyOfAConfigBuiltInCode) {
  SysmmuConfig c;
  c.prefetch_buffers.resize(2);
  c.prefetch_buffers[1].entries = 65;
  try {
    c.check();
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("prefetch_buffers[1].entries"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dmasim::iommu

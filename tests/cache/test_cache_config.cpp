// CacheConfig: schema reading, defaults and the geometry checks, with messages a user can act on.
#include <gtest/gtest.h>

#include <string>

#include "models/cache/cache_config.h"
#include "models/common/config/node.h"
#include "models/common/error.h"

#include "tests/support/config_text.h"
namespace dmasim::cache {
namespace {

CacheConfig read_text(const std::string& text) {
  return dmasim::testing::read_config_text<CacheConfig>(text, "test.yaml", "soc.l2");
}

std::string error_of(const std::string& text) {
  return dmasim::testing::config_error<CacheConfig>(text, "test.yaml", "soc.l2");
}

TEST(CacheConfig, DefaultsAreValid) {
  const CacheConfig c;
  EXPECT_FALSE(c.problem().has_value());
  EXPECT_EQ(c.sets(), 32u * 1024 / (4 * 64));
  EXPECT_NO_THROW(c.check());
}

TEST(CacheConfig, ReadsAPl310LikeOuterCache) {
  const CacheConfig c = read_text(
      "size: 1MiB\nways: 16\nline_size: 32\nhit_latency: 19\nreplacement: plru\ninclusion: non-inclusive\n"
      "mshrs: 8\nwrite_buffer: 3\n");
  EXPECT_EQ(c.size.bytes, 1u << 20);
  EXPECT_EQ(c.ways, 16u);
  EXPECT_EQ(c.line_size.bytes, 32u);
  EXPECT_EQ(c.hit_latency, 19u);
  EXPECT_EQ(c.replacement, Replacement::Plru);
  EXPECT_EQ(c.inclusion, Inclusion::NonInclusive);
  EXPECT_EQ(c.mshrs, 8u);
  EXPECT_EQ(c.write_buffer, 3u);
  EXPECT_EQ(c.sets(), 2048u);
  // Round trip through the writer (resolved.yaml).
  const CacheConfig again = cfg::read<CacheConfig>(cfg::write(c), "x");
  EXPECT_EQ(again.size.bytes, c.size.bytes);
  EXPECT_EQ(again.replacement, c.replacement);
}

TEST(CacheConfig, RejectsLineSizesOtherThan32And64) {
  const std::string e = error_of("line_size: 128\n");
  EXPECT_NE(e.find("soc.l2.line_size"), std::string::npos) << e;
  EXPECT_NE(e.find("line size must be 32B or 64B, got 128B"), std::string::npos) << e;
}

TEST(CacheConfig, RejectsSizeNotAMultipleOfASet) {
  const std::string e = error_of("size: 1000\nways: 4\nline_size: 32\n");
  EXPECT_NE(e.find("soc.l2.size"), std::string::npos) << e;
  EXPECT_NE(e.find("not a multiple of ways x line_size = 4 x 32 = 128"), std::string::npos) << e;
}

TEST(CacheConfig, RejectsNonPowerOfTwoSets) {
  // 48 KiB, 4 ways of 64 B: 192 sets.
  const std::string e = error_of("size: 48KiB\nways: 4\nline_size: 64\n");
  EXPECT_NE(e.find("gives 192 sets; the number of sets must be a power of two"), std::string::npos) << e;
  // 12 ways make 48 KiB fine again (64 sets).
  EXPECT_NO_THROW(read_text("size: 48KiB\nways: 12\nline_size: 64\n"));
}

TEST(CacheConfig, PlruNeedsPowerOfTwoWays) {
  const std::string e = error_of("size: 48KiB\nways: 12\nreplacement: plru\n");
  EXPECT_NE(e.find("soc.l2.replacement"), std::string::npos) << e;
  EXPECT_NE(e.find("plru needs a power-of-two number of ways, got 12"), std::string::npos) << e;
}

TEST(CacheConfig, RejectsUnknownChoicesAndRanges) {
  EXPECT_NE(error_of("replacement: fifo\n").find("replacement"), std::string::npos);
  EXPECT_NE(error_of("ways: 0\n").find("ways"), std::string::npos);
  EXPECT_NE(error_of("mshrs: 0\n").find("mshrs"), std::string::npos);
  EXPECT_NE(error_of("inclusion: strict\n").find("inclusion"), std::string::npos);
}

TEST(CacheConfig, CheckThrowsForConfigsBuiltInCode) {
  CacheConfig c;
  c.line_size = ByteSize{16};
  try {
    c.check();
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "cache configuration: line_size: line size must be 32B or 64B, got 16B");
  }
}

TEST(CacheConfig, ModelKeysDefaultAndRead) {
  const CacheConfig d;
  EXPECT_EQ(d.protocol, Protocol::Moesi);
  EXPECT_EQ(d.snoop_latency, 6u);
  EXPECT_EQ(d.level, 1u);
  EXPECT_FALSE(d.outer);
  EXPECT_EQ(d.prefetch.kind, PrefetchKind::None);
  EXPECT_EQ(d.prefetch.degree, 2u);
  EXPECT_EQ(d.prefetch.streams, 8u);
  const CacheConfig c = read_text(
      "protocol: mesi\nsnoop_latency: 9\nlevel: 2\nouter: true\nprefetch: {kind: stride, degree: 4, streams: 16}\n");
  EXPECT_EQ(c.protocol, Protocol::Mesi);
  EXPECT_EQ(c.snoop_latency, 9u);
  EXPECT_EQ(c.level, 2u);
  EXPECT_TRUE(c.outer);
  EXPECT_EQ(c.prefetch.kind, PrefetchKind::Stride);
  EXPECT_EQ(c.prefetch.degree, 4u);
  EXPECT_EQ(c.prefetch.streams, 16u);
  const CacheConfig again = cfg::read<CacheConfig>(cfg::write(c), "x");
  EXPECT_EQ(again.prefetch.kind, PrefetchKind::Stride);
  EXPECT_EQ(again.protocol, Protocol::Mesi);
  EXPECT_EQ(read_text("prefetch: {kind: next-line}\n").prefetch.kind, PrefetchKind::NextLine);
}

TEST(CacheConfig, RejectsBadModelKeys) {
  EXPECT_NE(error_of("level: 4\n").find("soc.l2.level"), std::string::npos);
  EXPECT_NE(error_of("protocol: mosi\n").find("soc.l2.protocol"), std::string::npos);
  EXPECT_NE(error_of("prefetch: {kind: markov}\n").find("soc.l2.prefetch.kind"), std::string::npos);
  EXPECT_NE(error_of("prefetch: {degree: 0}\n").find("soc.l2.prefetch.degree"), std::string::npos);
  const std::string e = error_of("outer: true\ninclusion: exclusive\n");
  EXPECT_NE(e.find("outer (PL310-style) cache cannot be exclusive"), std::string::npos) << e;
}

}  // namespace
}  // namespace dmasim::cache

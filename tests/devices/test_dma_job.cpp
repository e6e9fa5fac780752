// The order and size of a DMA job's transactions: 1D, 2D with pitch, tiled, burst-boundary cuts.
#include <gtest/gtest.h>

#include <vector>

#include "models/devices/dma_job.h"

namespace dmasim::devices {
namespace {

std::vector<DmaChunk> chunks(const DmaJob& j) {
  std::vector<DmaChunk> out;
  DmaChunker c(j);
  while (auto x = c.next()) out.push_back(*x);
  return out;
}

TEST(DmaChunker, A1DJobIsCutIntoBurstsAlignedToTheBurstSize) {
  DmaJob j;
  j.src = 0x1000 + 32;  // starts half way into a 64-byte burst
  j.width = 256;
  j.burst = 64;
  const auto c = chunks(j);
  ASSERT_EQ(c.size(), 5u);  // 32 + 64 + 64 + 64 + 32
  EXPECT_EQ(c[0].length, 32u);
  EXPECT_EQ(c[1].src_offset, 32u);
  EXPECT_EQ(c[1].length, 64u);
  EXPECT_EQ(c[4].length, 32u);
  std::uint64_t sum = 0;
  for (const auto& x : c) sum += x.length;
  EXPECT_EQ(sum, 256u);
}

TEST(DmaChunker, A2DJobSkipsThePitchBetweenLines) {
  DmaJob j;
  j.width = 128;
  j.height = 3;
  j.src_pitch = 1024;
  j.burst = 128;
  const auto c = chunks(j);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1].src_offset, 1024u);
  EXPECT_EQ(c[2].src_offset, 2048u);
  EXPECT_EQ(c[2].line, 2u);
  EXPECT_EQ(c[2].offset, 256u);  // scan order within the pass
}

TEST(DmaChunker, ATiledJobWalksTilesRowMajorAndEachTileLineByLine) {
  DmaJob j;
  j.op = DmaOp::Read;
  j.width = 128;  // two 64-byte-wide tiles per tile row
  j.height = 4;   // two tile rows of 2 lines
  j.src_pitch = 4096;
  j.tile_width = 64;
  j.tile_height = 2;
  j.burst = 64;
  const auto c = chunks(j);
  ASSERT_EQ(c.size(), 8u);
  const std::uint64_t expect[8] = {0, 4096, 64, 4096 + 64, 8192, 12288, 8192 + 64, 12288 + 64};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(c[i].src_offset, expect[i]) << i;
  EXPECT_EQ(c[2].line, 0u);
  EXPECT_EQ(c[2].column, 64u);
}

TEST(DmaChunker, ACopyIsCutAtTheBurstBoundariesOfBothAddresses) {
  DmaJob j;
  j.op = DmaOp::Copy;
  j.src = 0;
  j.dst = 16;
  j.width = 128;
  j.burst = 64;
  const auto c = chunks(j);
  // src boundaries at 64, 128; dst (offset 16) at 48, 112: cuts at 48, 64, 112.
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].length, 48u);
  EXPECT_EQ(c[1].length, 16u);
  EXPECT_EQ(c[2].length, 48u);
  EXPECT_EQ(c[3].length, 16u);
}

TEST(DmaChunker, RepeatedPassesRestartTheOffset) {
  DmaJob j;
  j.width = 128;
  j.repeat = 3;
  j.burst = 64;
  const auto c = chunks(j);
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[2].pass, 1u);
  EXPECT_EQ(c[2].offset, 0u);
  EXPECT_EQ(c[5].pass, 2u);
  EXPECT_EQ(c[5].src_offset, 64u);
}

TEST(DmaChunker, MalformedJobsAreNamed) {
  DmaJob j;
  EXPECT_NE(dma_job_problem(j), nullptr);  // width 0
  j.width = 64;
  EXPECT_EQ(dma_job_problem(j), nullptr);
  j.burst = 48;
  EXPECT_NE(dma_job_problem(j), nullptr);
  j.burst = 64;
  j.src_pitch = 32;
  EXPECT_NE(dma_job_problem(j), nullptr);
  j.src_pitch = 0;
  j.tile_width = 16;
  EXPECT_NE(dma_job_problem(j), nullptr);
  EXPECT_FALSE(DmaChunker(j).next());  // a malformed job yields nothing
}

}  // namespace
}  // namespace dmasim::devices

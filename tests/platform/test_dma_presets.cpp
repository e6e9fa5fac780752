// The job sequences of the DMA master presets, against hand-counted layouts and sizes.
#include <gtest/gtest.h>

#include "platform/dma_presets.h"

namespace dmasim::platform {
namespace {

devices::VideoStreamConfig frames(unsigned n) {
  devices::VideoStreamConfig v;
  v.timing = devices::VideoTiming{64, 32, 80, 40, 60, 4};  // 256-byte lines, 8 KiB frames
  v.frames = n;
  return v;
}

std::uint64_t moved(const std::vector<devices::DmaJob>& jobs, devices::DmaOp op) {
  std::uint64_t n = 0;
  for (const auto& j : jobs) n += j.op == op ? j.total_bytes() : 0;
  return n;
}

TEST(DmaPresets, AVideoDecoderReadsBitstreamAndTiledReferencesAndWritesEachFrame) {
  PresetConfig c;
  c.bitstream = ByteSize{4096};
  c.references = 2;
  const auto jobs = preset_jobs(PresetKind::VideoDecoder, c, frames(3), 0x1000'0000, false);
  ASSERT_EQ(jobs.size(), 3u * 4);  // bitstream, 2 references, output
  EXPECT_EQ(jobs[0].src, 0x1000'0000u + 3 * 8192);  // after the output and 2 reference frames
  EXPECT_EQ(jobs[1].tile_width, 64u);                // 16 pixels of 4 bytes
  EXPECT_EQ(jobs[1].tile_height, 16u);
  EXPECT_EQ(jobs[2].src, 0x1000'0000u + 2 * 8192);
  EXPECT_EQ(jobs[3].op, devices::DmaOp::Write);
  EXPECT_EQ(jobs[3].dst, 0x1000'0000u);
  EXPECT_EQ(moved(jobs, devices::DmaOp::Read), 3u * (4096 + 2 * 8192));
  EXPECT_EQ(moved(jobs, devices::DmaOp::Write), 3u * 8192);
  EXPECT_EQ(preset_bytes(PresetKind::VideoDecoder, c, frames(3)), 3u * 8192 + 4096);
  for (const auto& j : jobs) EXPECT_EQ(devices::dma_job_problem(j), nullptr);
}

TEST(DmaPresets, AGpuReadsTexturesInTilesAndWritesATiledRenderTarget) {
  PresetConfig c;
  c.texture = ByteSize{10000};  // rounded up to 3 lines of 4 KiB
  const auto jobs = preset_jobs(PresetKind::Gpu, c, frames(1), 0, true);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].height, 3u);
  EXPECT_EQ(jobs[0].tile_width, 64u);
  EXPECT_EQ(jobs[1].dst, 3u * 4096);
  EXPECT_TRUE(jobs[1].coherent);
  EXPECT_EQ(preset_bytes(PresetKind::Gpu, c, frames(1)), 3u * 4096 + 8192);
}

TEST(DmaPresets, ANicReadsADescriptorWritesThePacketAndWritesTheDescriptorBack) {
  PresetConfig c;
  c.packets = 5;
  c.ring = 4;
  c.packet_size = ByteSize{1536};
  const auto jobs = preset_jobs(PresetKind::Nic, c, frames(1), 0, false);
  ASSERT_EQ(jobs.size(), 15u);
  EXPECT_EQ(jobs[0].op, devices::DmaOp::Read);
  EXPECT_EQ(jobs[0].width, 16u);
  EXPECT_EQ(jobs[1].dst, 4u * 16);  // the first packet buffer follows the ring
  EXPECT_EQ(jobs[2].dst, 0u);       // descriptor 0 written back
  EXPECT_EQ(jobs[12].src, 0u);      // packet 4 wraps to ring slot 0
  EXPECT_EQ(jobs[13].dst, 4u * 16);
  EXPECT_EQ(moved(jobs, devices::DmaOp::Write), 5u * (1536 + 16));
  EXPECT_EQ(preset_bytes(PresetKind::Nic, c, frames(1)), 4u * 16 + 4u * 1536);
}

}  // namespace
}  // namespace dmasim::platform

// Video timing and the display / camera pacing, against hand-computed times.
#include <gtest/gtest.h>

#include "models/devices/video_stream.h"

namespace dmasim::devices {
namespace {

TEST(VideoTiming, PixelTimesFollowTheBlankingOf1080p60) {
  VideoTiming t;  // 1920x1080, 2200x1125, 60 Hz: a 148.5 MHz pixel clock
  EXPECT_EQ(t.frame_time(1), 16'666'666'666u);
  // The first active pixel comes after 45 lines of vertical blanking: 99000 clocks = 666 666.67 ns.
  EXPECT_EQ(t.pixel_time(0, 0), 666'666'666u);
  // Line 1 starts 2200 clocks (14 814.81 ns) later; pixel 1 one clock (6 734.0 ps) after pixel 0.
  EXPECT_EQ(t.pixel_time(0, 1920) - t.pixel_time(0, 0), 14'814'815u);
  EXPECT_EQ(t.pixel_time(0, 1) - t.pixel_time(0, 0), 6'734u);
  // Frame starts are computed from the origin, not accumulated: 2/60 s = 33 333 333 333.3 ps.
  EXPECT_EQ(t.pixel_time(2, 0), 33'333'333'333u + 666'666'666u);
  EXPECT_DOUBLE_EQ(t.bandwidth(), 1920.0 * 1080 * 4 * 60);
}

VideoStreamConfig tiny() {
  // 4 lines of 64 pixels, 80 x 5 clocks per frame at 1000 Hz: a 400 kHz pixel clock, 2.5 us per
  // pixel, 200 us per line; 256 bytes per line.
  VideoStreamConfig c;
  c.timing = VideoTiming{64, 4, 80, 5, 1000, 4};
  c.fifo = ByteSize{128};
  return c;
}

DmaChunk chunk(std::uint64_t line, std::uint64_t column, unsigned length, std::uint64_t pass = 0) {
  DmaChunk c;
  c.pass = pass;
  c.line = line;
  c.column = column;
  c.offset = line * 256 + column;
  c.length = length;
  return c;
}

TEST(DisplayScanout, FetchesWaitForRoomInTheFifo) {
  stats::Registry r;
  DisplayScanout d(tiny(), stats::Group(r, "display"));
  d.start(1000);
  // The first 128 bytes fit the empty FIFO at the start of the frame (its vertical blanking).
  EXPECT_EQ(d.earliest(chunk(0, 64, 64)), 1000u);
  // Bytes 128..191 need bytes 0..63 shown: pixel 16 starts after one blanking line (200 us) and
  // 16 pixels (40 us).
  EXPECT_EQ(d.earliest(chunk(0, 128, 64)), 1000u + 200'000'000u + 40'000'000u);
  // Frame 1 starts 1 ms later.
  EXPECT_EQ(d.earliest(chunk(0, 0, 64, 1)), 1000u + 1'000'000'000u);
}

TEST(DisplayScanout, DataArrivingAfterItsFirstPixelIsDueIsAnUnderrunOfThatLine) {
  stats::Registry r;
  DisplayScanout d(tiny(), stats::Group(r, "display"));
  d.start(0);
  const Picoseconds line1 = 200'000'000u + 200'000'000u;  // pixel 64 (line 1, column 0)
  d.completed(chunk(1, 0, 64), line1);                     // just in time
  EXPECT_EQ(d.underruns(), 0u);
  d.completed(chunk(1, 64, 64), line1 + 16 * 2'500'000u + 1);  // 1 ps after pixel 80 is due
  d.completed(chunk(1, 128, 64), line1 + 40 * 2'500'000u);     // same line: one underrun
  d.completed(chunk(2, 0, 64), line1 + 200'000'000u + 5);
  EXPECT_EQ(d.underruns(), 2u);
  EXPECT_EQ(d.late_chunks(), 3u);
  EXPECT_EQ(r.number("display.underruns"), 2.0);
}

TEST(CameraCapture, WritesWaitForTheirPixelsAndOverflowWhenTheBufferFillsBehindThem) {
  stats::Registry r;
  CameraCapture c(tiny(), stats::Group(r, "camera"));
  c.start(0);
  // Bytes 0..63 (pixels 0..15) are in once pixel 16 starts: 200 us + 16 x 2.5 us.
  EXPECT_EQ(c.earliest(chunk(0, 0, 64)), 200'000'000u + 40'000'000u);
  // The buffer (128 bytes) behind chunk 0 is full when pixel 32 starts: 280 us.
  c.completed(chunk(0, 0, 64), 280'000'000u);
  EXPECT_EQ(c.overflows(), 0u);
  c.completed(chunk(0, 64, 64), 300'000'001u);  // pixel 48 starts at 320 us: in time
  EXPECT_EQ(c.overflows(), 0u);
  c.completed(chunk(1, 0, 64), 1'000'000'000u);  // far too late
  EXPECT_EQ(c.overflows(), 1u);
}

TEST(VideoStreamConfig, BlankingShorterThanTheActiveAreaIsRejected) {
  VideoStreamConfig c;
  c.timing.h_total = 1000;
  ASSERT_TRUE(c.problem());
  EXPECT_EQ(c.problem()->key, "timing.h_total");
}

}  // namespace
}  // namespace dmasim::devices

#include "models/devices/video_stream.h"

#include <fmt/format.h>

#include <algorithm>

namespace dmasim::devices {
namespace {

constexpr std::uint64_t kPsPerSecond = 1'000'000'000'000ull;

std::uint64_t frame_line_key(std::uint64_t pass, std::uint64_t line) { return (pass << 32) | line; }

}  // namespace

void VideoTiming::describe(cfg::Fields<VideoTiming>& f) {
  f("width", &VideoTiming::width, "active pixels per line").range(1, 16384);
  f("height", &VideoTiming::height, "active lines per frame").range(1, 16384);
  f("h_total", &VideoTiming::h_total, "pixel clocks per line, blanking included").range(1, 32768);
  f("v_total", &VideoTiming::v_total, "lines per frame, blanking included").range(1, 32768);
  f("refresh", &VideoTiming::refresh, "frames per second").range(1, 1000);
  f("bytes_per_pixel", &VideoTiming::bytes_per_pixel, "bytes per pixel in memory").range(1, 16);
}

std::optional<cfg::Problem> VideoTiming::problem() const {
  if (h_total < width) return cfg::Problem{"h_total", fmt::format("h_total ({}) is less than width ({})", h_total, width)};
  if (v_total < height)
    return cfg::Problem{"v_total", fmt::format("v_total ({}) is less than height ({})", v_total, height)};
  return std::nullopt;
}

Picoseconds VideoTiming::frame_time(std::uint64_t frame) const { return frame * kPsPerSecond / refresh; }

Picoseconds VideoTiming::pixel_time(std::uint64_t frame, std::uint64_t pixel) const {
  const std::uint64_t line = pixel / width, column = pixel % width;
  const std::uint64_t clocks = (std::uint64_t{v_total - height} + line) * h_total + column;
  const std::uint64_t per_frame = std::uint64_t{h_total} * v_total;
  // clocks * 1e12 stays below 2^64 for any frame of the ranges above.
  return frame_time(frame) + clocks * (kPsPerSecond / refresh) / per_frame +
         clocks * (kPsPerSecond % refresh) / refresh / per_frame;
}

void VideoStreamConfig::describe(cfg::Fields<VideoStreamConfig>& f) {
  f("timing", &VideoStreamConfig::timing, "the video timing (1080p60 by default)");
  f("fifo", &VideoStreamConfig::fifo, "bytes of the scan-out FIFO (display) or capture buffer (camera)");
  f("frames", &VideoStreamConfig::frames, "frames to stream").range(1, 100000);
}

std::optional<cfg::Problem> VideoStreamConfig::problem() const {
  if (auto p = timing.problem()) return cfg::Problem{"timing." + p->key, p->message};
  if (fifo.bytes < timing.bytes_per_pixel)
    return cfg::Problem{"fifo", "the FIFO must hold at least one pixel"};
  return std::nullopt;
}

// ---- display ------------------------------------------------------------------------------

DisplayScanout::DisplayScanout(const VideoStreamConfig& config, stats::Group g)
    : config_(config),
      underruns_(g.counter("underruns", "lines", "lines whose pixels were due before their data arrived")),
      late_(g.counter("late_chunks", "chunks", "fetches whose data arrived after their first pixel was due")),
      slack_(g.histogram("slack", "ns", "time from a fetch's data arriving to its first pixel being due (on time)")),
      lateness_(g.histogram("lateness", "ns", "time a late fetch's data arrived after its first pixel was due")) {}

Picoseconds DisplayScanout::earliest(const DmaChunk& c) const {
  const VideoTiming& t = config_.timing;
  const std::uint64_t fifo = config_.fifo.bytes;
  // Room in the FIFO: every byte up to (end of chunk - fifo) must have been shown.
  const std::uint64_t end = c.line * t.line_bytes() + c.column + c.length;
  if (end <= fifo) return origin_ + t.frame_time(c.pass);
  const std::uint64_t shown = end - fifo;
  return origin_ + t.pixel_time(c.pass, (shown + t.bytes_per_pixel - 1) / t.bytes_per_pixel);
}

void DisplayScanout::completed(const DmaChunk& c, Picoseconds done) {
  const VideoTiming& t = config_.timing;
  const Picoseconds due = origin_ + t.pixel_time(c.pass, (c.line * t.line_bytes() + c.column) / t.bytes_per_pixel);
  if (done <= due) {
    slack_.sample((due - done) / 1000);
    return;
  }
  late_.inc();
  lateness_.sample((done - due) / 1000);
  const std::uint64_t key = frame_line_key(c.pass, c.line);
  if (key != last_line_) underruns_.inc();
  last_line_ = key;
}

// ---- camera -------------------------------------------------------------------------------

CameraCapture::CameraCapture(const VideoStreamConfig& config, stats::Group g)
    : config_(config),
      overflows_(g.counter("overflows", "lines", "lines that lost pixels because the capture buffer was full")),
      late_(g.counter("late_chunks", "chunks", "writes that completed after the buffer filled up behind them")),
      lateness_(g.histogram("lateness", "ns", "how long after the buffer filled up a late write completed")) {}

Picoseconds CameraCapture::earliest(const DmaChunk& c) const {
  const VideoTiming& t = config_.timing;
  const std::uint64_t end = c.line * t.line_bytes() + c.column + c.length;  // bytes captured by then
  return origin_ + t.pixel_time(c.pass, (end + t.bytes_per_pixel - 1) / t.bytes_per_pixel);
}

void CameraCapture::completed(const DmaChunk& c, Picoseconds done) {
  const VideoTiming& t = config_.timing;
  // The chunk holds its buffer space until its write completes; the buffer is full when the
  // pixel `fifo` bytes after the chunk's first byte arrives.
  const std::uint64_t full_at = c.line * t.line_bytes() + c.column + config_.fifo.bytes;
  if (full_at >= t.frame_bytes()) return;  // the frame ends before the buffer fills
  const Picoseconds full = origin_ + t.pixel_time(c.pass, full_at / t.bytes_per_pixel);
  if (done <= full) return;
  late_.inc();
  lateness_.sample((done - full) / 1000);
  const std::uint64_t key = frame_line_key(c.pass, c.line);
  if (key != last_line_) overflows_.inc();
  last_line_ = key;
}

}  // namespace dmasim::devices

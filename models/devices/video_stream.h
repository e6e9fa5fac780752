#pragma once
// The two real-time video clients of a DMA engine (docs/devices.md):
// - DisplayScanout: a display controller reading a frame buffer into a FIFO from which pixels
//   leave at the pixel clock. A chunk may be fetched once the FIFO has room for it; if its data
//   arrives after the moment its first pixel must be shown, the FIFO ran dry: an underrun.
// - CameraCapture: a camera interface receiving pixels at the pixel clock into a capture buffer
//   and writing them out line by line. A chunk may be written once its last pixel is captured;
//   if its write completes after the buffer has filled up behind it, pixels were dropped: an
//   overflow.
// Frame timing follows the video timing: each frame of 1/refresh seconds is v_total lines of
// h_total pixels, vertical blanking (v_total - height lines) first, each line's active pixels
// before its horizontal blanking.
#include <cstdint>
#include <optional>

#include "models/common/config/problem.h"
#include "models/common/config/schema.h"
#include "models/common/stats/registry.h"
#include "models/devices/dma_pacing.h"

namespace dmasim::devices {

struct VideoTiming {
  unsigned width = 1920;  // active pixels per line
  unsigned height = 1080; // active lines
  unsigned h_total = 2200;
  unsigned v_total = 1125;
  unsigned refresh = 60;  // frames per second
  unsigned bytes_per_pixel = 4;

  static void describe(cfg::Fields<VideoTiming>& f);
  std::optional<cfg::Problem> problem() const;

  std::uint64_t line_bytes() const { return std::uint64_t{width} * bytes_per_pixel; }
  std::uint64_t frame_bytes() const { return line_bytes() * height; }
  // Bytes per second the active area moves (the stream's average bandwidth).
  double bandwidth() const { return static_cast<double>(frame_bytes()) * refresh; }
  // When active pixel `pixel` (line * width + column; may be width * height: the end of the
  // frame's active area) of frame `frame` starts, from the stream's origin.
  Picoseconds pixel_time(std::uint64_t frame, std::uint64_t pixel) const;
  Picoseconds frame_time(std::uint64_t frame) const;  // start of its vertical blanking
};

struct VideoStreamConfig {
  VideoTiming timing;
  ByteSize fifo{8192};  // the scan-out FIFO / capture buffer
  unsigned frames = 1;

  static void describe(cfg::Fields<VideoStreamConfig>& f);
  std::optional<cfg::Problem> problem() const;
  void validate(cfg::Validator& v) const { cfg::report(problem(), v); }
};

class DisplayScanout final : public DmaPacing {
 public:
  DisplayScanout(const VideoStreamConfig& config, stats::Group stats);
  void start(Picoseconds at) override { origin_ = at; }
  Picoseconds earliest(const DmaChunk& chunk) const override;
  void completed(const DmaChunk& chunk, Picoseconds done) override;

  std::uint64_t underruns() const { return underruns_.value(); }
  std::uint64_t late_chunks() const { return late_.value(); }

 private:
  VideoStreamConfig config_;
  Picoseconds origin_ = 0;
  std::uint64_t last_line_ = ~std::uint64_t{0};  // (pass, line) of the last underrun, as one key
  stats::Counter& underruns_;
  stats::Counter& late_;
  stats::Histogram& slack_;
  stats::Histogram& lateness_;
};

class CameraCapture final : public DmaPacing {
 public:
  CameraCapture(const VideoStreamConfig& config, stats::Group stats);
  void start(Picoseconds at) override { origin_ = at; }
  Picoseconds earliest(const DmaChunk& chunk) const override;
  void completed(const DmaChunk& chunk, Picoseconds done) override;

  std::uint64_t overflows() const { return overflows_.value(); }

 private:
  VideoStreamConfig config_;
  Picoseconds origin_ = 0;
  std::uint64_t last_line_ = ~std::uint64_t{0};
  stats::Counter& overflows_;
  stats::Counter& late_;
  stats::Histogram& lateness_;
};

}  // namespace dmasim::devices

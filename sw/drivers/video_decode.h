#pragma once
// Video decode: per frame the CPU writes the compressed bitstream into a buffer the decoder
// reads (TO_DEVICE), the decoder writes the decoded frame (NV12, FROM_DEVICE) into the next
// buffer of the output queue, and the CPU reads part of it (a region for analysis or a
// thumbnail: `cpu_reads` of the frame's bytes) before the buffer goes back to the decoder. The
// rest of the frame goes to the display or an encoder without the CPU touching it.
#include <memory>
#include <string>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

struct VideoDecodeConfig {
  std::string device = "mfc";
  unsigned core = 0;
  unsigned width = 3840, height = 2160;  // NV12: 1.5 bytes per pixel
  unsigned fps = 30;                     // 0: back to back
  unsigned frames = 2;
  unsigned buffers = 3;
  ByteSize bitstream{512 * 1024};  // compressed bytes per frame
  double cpu_reads = 0.125;        // fraction of each decoded frame the CPU reads
  ByteSize burst{64};

  std::uint64_t frame_bytes() const { return std::uint64_t{width} * height * 3 / 2; }
  static void describe(cfg::Fields<VideoDecodeConfig>& f);
};

std::unique_ptr<Driver> make_video_decode(Kernel& kernel, Strategy strategy, const VideoDecodeConfig& config);

}  // namespace dmasim::sw

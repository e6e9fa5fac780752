#pragma once
// Buffer sharing (dma-buf style), camera -> GPU -> display: the camera writes a frame into a
// buffer its driver allocated and mapped; the GPU driver imports that buffer and maps it for the
// GPU, which reads it and renders into a second buffer; the display driver imports the render
// target and scans it out. No CPU touches the pixels, so the importers map with
// DMA_ATTR_SKIP_CPU_SYNC (`skip_cpu_sync`): the exporter's maintenance already made memory
// current, and the second mapping's maintenance would be pure cost.
#include <memory>
#include <string>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

struct BufferSharingConfig {
  std::string camera = "fimc0", gpu = "g3d", display = "fimd";
  unsigned core = 0;
  unsigned width = 1920, height = 1080, bytes_per_pixel = 4;
  unsigned frames = 2;
  bool skip_cpu_sync = true;  // importers map with DMA_ATTR_SKIP_CPU_SYNC
  ByteSize burst{64};

  std::uint64_t frame_bytes() const { return std::uint64_t{width} * height * bytes_per_pixel; }
  static void describe(cfg::Fields<BufferSharingConfig>& f);
};

std::unique_ptr<Driver> make_buffer_sharing(Kernel& kernel, Strategy strategy, const BufferSharingConfig& config);

}  // namespace dmasim::sw

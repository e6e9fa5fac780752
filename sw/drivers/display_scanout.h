#pragma once
// Display scan-out: the CPU renders (or copies) into a frame buffer, the display controller
// reads the whole frame every refresh. Double-buffered: while the display scans one buffer, the
// CPU renders the next, hands it to the device (a clean when streaming, a write barrier when
// write-combine or coherent) and flips at the next refresh. A frame the display starts before
// the CPU flipped is shown again (counted as a repeated frame).
#include <memory>
#include <string>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

struct DisplayScanoutConfig {
  std::string device = "fimd";
  unsigned core = 0;
  unsigned width = 1920;
  unsigned height = 1080;
  unsigned bytes_per_pixel = 4;  // XRGB8888
  double fps = 60;
  unsigned frames = 4;
  double rendered = 1.0;  // fraction of each frame the CPU writes (1: the whole frame)
  ByteSize burst{64};

  static void describe(cfg::Fields<DisplayScanoutConfig>& f);
  std::uint64_t frame_bytes() const { return std::uint64_t{width} * height * bytes_per_pixel; }
};

std::unique_ptr<Driver> make_display_scanout(Kernel& kernel, Strategy strategy, const DisplayScanoutConfig& config);

}  // namespace dmasim::sw

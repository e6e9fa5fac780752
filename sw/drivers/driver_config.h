#pragma once
// A scenario's `drivers:` entry: exactly one driver, by its key.
//
//   drivers:
//     - camera: {device: fimc0, width: 1920, height: 1080, fps: 30, frames: 4}
#include <memory>
#include <optional>

#include "models/common/config/schema.h"
#include "sw/drivers/buffer_sharing.h"
#include "sw/drivers/camera_capture.h"
#include "sw/drivers/driver.h"
#include "sw/drivers/display_scanout.h"
#include "sw/drivers/gpu_upload.h"
#include "sw/drivers/nic_receive.h"
#include "sw/drivers/script_driver.h"
#include "sw/drivers/video_decode.h"

namespace dmasim::sw {

struct DriverConfig {
  std::optional<CameraCaptureConfig> camera;
  std::optional<DisplayScanoutConfig> display;
  std::optional<GpuUploadConfig> gpu;
  std::optional<NicReceiveConfig> nic;
  std::optional<ScriptConfig> script;
  std::optional<VideoDecodeConfig> decode;
  std::optional<BufferSharingConfig> sharing;

  static void describe(cfg::Fields<DriverConfig>& f);
  // "" when exactly one driver is set, else the problem.
  std::string problem() const;
  // The platform devices the driver uses, each with its key in the driver's entry.
  std::vector<std::pair<std::string, std::string>> devices() const;
  std::vector<unsigned> cores() const;  // the cores it runs threads on
};

std::unique_ptr<Driver> make_driver(Kernel& kernel, Strategy strategy, const DriverConfig& config);

}  // namespace dmasim::sw

#pragma once
// Camera capture with a CPU consumer, as a V4L2 capture driver and its user run it: a queue of
// frame buffers; the camera interface writes a frame into the next queued buffer at the sensor's
// pace; the driver dequeues it (vb2 finish: the buffer goes back to the CPU), a consumer thread
// on another core reads or processes it, then queues it again (vb2 prepare: the buffer goes to
// the device). When no buffer is queued at a frame's start the frame is dropped, as a real
// capture pipeline drops it.
#include <cstdint>
#include <memory>
#include <string>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

enum class ConsumerKind : std::uint8_t { Read, Copy, None };

struct CameraCaptureConfig {
  std::string device = "fimc0";
  unsigned core = 0;           // the driver's thread: queue management and the interrupt
  unsigned consumer_core = 1;  // the CPU consumer
  unsigned width = 1920;
  unsigned height = 1080;
  unsigned bytes_per_pixel = 2;  // YUV 4:2:2
  double fps = 30;               // sensor frame rate; 0: frames back to back as fast as the device writes
  unsigned frames = 4;
  unsigned buffers = 3;
  ConsumerKind consumer = ConsumerKind::Read;
  ByteSize access_size{8};   // bytes per CPU load of the consumer
  unsigned compute_per_line = 0;  // cycles of processing per frame line (after reading it)
  ByteSize burst{64};

  static void describe(cfg::Fields<CameraCaptureConfig>& f);
  std::uint64_t frame_bytes() const { return std::uint64_t{width} * height * bytes_per_pixel; }
};

}  // namespace dmasim::sw

namespace dmasim::cfg {
template <>
struct EnumNames<sw::ConsumerKind> {
  static constexpr std::array<std::pair<sw::ConsumerKind, std::string_view>, 3> names{{
      {sw::ConsumerKind::Read, "read"},
      {sw::ConsumerKind::Copy, "copy"},
      {sw::ConsumerKind::None, "none"},
  }};
};
}  // namespace dmasim::cfg

namespace dmasim::sw {
std::unique_ptr<Driver> make_camera_capture(Kernel& kernel, Strategy strategy, const CameraCaptureConfig& config);
}  // namespace dmasim::sw

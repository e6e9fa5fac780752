#pragma once
// GPU texture upload: the CPU writes a texture once (it never reads it), the GPU reads it many
// times while rendering. Per upload: the CPU fills the buffer, hands it to the device (a clean
// of the whole buffer when streaming; a write barrier that drains the write-combine buffer when
// write-combine), the device reads it `reads` times, and the CPU takes it back for the next one.
#include <memory>
#include <string>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

struct GpuUploadConfig {
  std::string device = "g3d";
  unsigned core = 0;
  ByteSize texture{4ull << 20};
  unsigned uploads = 4;
  unsigned reads = 4;  // passes of the device over each texture
  ByteSize burst{64};

  static void describe(cfg::Fields<GpuUploadConfig>& f);
};

std::unique_ptr<Driver> make_gpu_upload(Kernel& kernel, Strategy strategy, const GpuUploadConfig& config);

}  // namespace dmasim::sw

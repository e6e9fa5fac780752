#pragma once
// The generic `script` driver: a driver whose steps come from the scenario, for experiments the
// shipped use cases do not cover and for checking what a missing call does.
//
//   drivers:
//     - script:
//         device: mdma
//         buffers: [{name: frame, size: 64KiB, dir: from-device}]
//         steps:
//           - {op: for_device, buffer: frame}   # map (first time) or sync_for_device
//           - {op: device_write, buffer: frame}
//           - {op: for_cpu, buffer: frame}      # sync_for_cpu
//           - {op: cpu_read, buffer: frame}
//         repeat: 4
// Buffers are allocated under the scenario's strategy before the first step and freed (unmapped
// if needed) after the last repetition.
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/dma_api/types.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

struct ScriptBuffer {
  std::string name;
  ByteSize size{4096};
  DmaDirection dir = DmaDirection::Bidirectional;
  ByteSize offset{0};  // start of the buffer within its pages (an unaligned buffer when not 0)

  static void describe(cfg::Fields<ScriptBuffer>& f);
};

enum class ScriptOp : std::uint8_t { ForDevice, ForCpu, Unmap, DeviceRead, DeviceWrite, CpuRead, CpuWrite, Compute };

struct ScriptStep {
  ScriptOp op = ScriptOp::CpuRead;
  std::string buffer;
  ByteSize bytes{0};          // cpu_*, device_*: bytes from the start (0: the whole buffer)
  ByteSize access_size{0};    // cpu_*: bytes per access (0: a cache line)
  std::uint64_t cycles = 0;   // compute

  static void describe(cfg::Fields<ScriptStep>& f);
};

struct ScriptConfig {
  std::string device = "mdma";
  unsigned core = 0;
  std::vector<ScriptBuffer> buffers;
  std::vector<ScriptStep> steps;
  unsigned repeat = 1;

  static void describe(cfg::Fields<ScriptConfig>& f);
  std::string problem() const;  // "" or what is wrong (an unknown buffer name...)
};

std::unique_ptr<Driver> make_script_driver(Kernel& kernel, Strategy strategy, const ScriptConfig& config);

}  // namespace dmasim::sw

namespace dmasim::cfg {
template <>
struct EnumNames<sw::DmaDirection> {
  static constexpr std::array<std::pair<sw::DmaDirection, std::string_view>, 3> names{{
      {sw::DmaDirection::Bidirectional, "bidirectional"},
      {sw::DmaDirection::ToDevice, "to-device"},
      {sw::DmaDirection::FromDevice, "from-device"},
  }};
};
template <>
struct EnumNames<sw::ScriptOp> {
  static constexpr std::array<std::pair<sw::ScriptOp, std::string_view>, 8> names{{
      {sw::ScriptOp::ForDevice, "for_device"},
      {sw::ScriptOp::ForCpu, "for_cpu"},
      {sw::ScriptOp::Unmap, "unmap"},
      {sw::ScriptOp::DeviceRead, "device_read"},
      {sw::ScriptOp::DeviceWrite, "device_write"},
      {sw::ScriptOp::CpuRead, "cpu_read"},
      {sw::ScriptOp::CpuWrite, "cpu_write"},
      {sw::ScriptOp::Compute, "compute"},
  }};
};
}  // namespace dmasim::cfg

#pragma once
// The DMA side of a scenario (docs/devices.md, "Scenarios"): jobs for the platform's devices,
// each on a buffer in DRAM, started by a driver thread on a core, and, for devices behind a
// SYSMMU, the IO virtual mapping of those buffers.
//
//   iommu: {page_size: 64KiB}
//   dma:
//     - device: mdma
//       job: {op: read, burst: 64B}
//     - device: fimd
//       pacing: display
//       video: {timing: {width: 1920, height: 1080}, fifo: 8KiB, frames: 2}
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"
#include "models/devices/dma_job.h"
#include "models/devices/video_stream.h"
#include "models/iommu/sysmmu_config.h"
#include "platform/dma_presets.h"
#include "platform/platform_config.h"

namespace dmasim::platform {

class Soc;

enum class Programming { Mmio, Direct };
enum class PacingKind { None, Display, Camera };

// A job over the task's buffer; 0 sizes mean "the whole buffer".
struct DmaJobConfig {
  devices::DmaOp op = devices::DmaOp::Read;
  ByteSize width{0};      // bytes per line; 0: the buffer size (1D)
  unsigned height = 1;
  ByteSize pitch{0};      // 0: width
  ByteSize tile_width{0};
  unsigned tile_height = 0;
  ByteSize burst{64};
  bool coherent = false;
  ByteSize rate{0};       // bytes per second; 0: unlimited
  unsigned repeat = 1;
  unsigned outstanding = 0;  // 0: the engine's limit

  static void describe(cfg::Fields<DmaJobConfig>& f);
};

struct DmaTaskConfig {
  std::string device;
  unsigned core = 0;  // the driver thread's core
  Programming programming = Programming::Mmio;
  std::optional<ByteSize> offset;  // physical offset of the buffer from the DRAM base (default: buffer.offset)
  std::optional<ByteSize> size;    // default: buffer.size
  std::optional<ByteSize> mapped;  // behind a SYSMMU: bytes mapped from the start (default: all)
  DmaJobConfig job;
  unsigned jobs = 1;  // times the driver runs the job, one after the other
  PacingKind pacing = PacingKind::None;
  devices::VideoStreamConfig video;
  PresetKind preset = PresetKind::None;  // a preset's jobs replace `job`
  PresetConfig preset_options;

  static void describe(cfg::Fields<DmaTaskConfig>& f);
};

// How the buffers of devices behind a SYSMMU are mapped (what iommu_map would leave), and an
// optional SYSMMU configuration that replaces the platform's for every device that has one.
struct IommuMappingConfig {
  ByteSize page_size{4096};
  interconnect::Address iova{0x10000000};
  ByteSize tables{4ull << 20};  // physical offset from the DRAM base of the page-table area
  std::optional<iommu::SysmmuConfig> sysmmu;

  static void describe(cfg::Fields<IommuMappingConfig>& f);
};

// Checks the tasks against the platform (device names, cores, buffer fit); `v` is the
// scenario's validator, keys are "dma[i]...".
void validate_dma_tasks(const std::vector<DmaTaskConfig>& tasks, const IommuMappingConfig& iommu,
                        const PlatformConfig& platform, std::uint64_t default_offset, std::uint64_t default_size,
                        cfg::Validator& v);

// The platform with the scenario's SYSMMU configuration applied.
PlatformConfig with_iommu_overrides(const PlatformConfig& platform, const IommuMappingConfig& iommu);

// Maps the tasks' buffers, starts their driver threads on `soc` and, after the run, reports.
class DmaTasks {
 public:
  DmaTasks(Soc& soc, const std::vector<DmaTaskConfig>& tasks, const IommuMappingConfig& iommu,
           std::uint64_t default_offset, std::uint64_t default_size);
  ~DmaTasks();
  DmaTasks(const DmaTasks&) = delete;
  DmaTasks& operator=(const DmaTasks&) = delete;

  void start();  // the driver threads (before Soc::run)
  // Summary columns per task, prefixed with the device's name.
  void summarise(std::vector<std::pair<std::string, std::string>>& columns) const;

 private:
  struct Task;
  struct FaultHandler;
  Soc& soc_;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::vector<std::unique_ptr<FaultHandler>> handlers_;
};

}  // namespace dmasim::platform

namespace dmasim::cfg {
template <>
struct EnumNames<devices::DmaOp> {
  static constexpr std::array<std::pair<devices::DmaOp, std::string_view>, 3> names{{
      {devices::DmaOp::Read, "read"},
      {devices::DmaOp::Write, "write"},
      {devices::DmaOp::Copy, "copy"},
  }};
};
template <>
struct EnumNames<platform::Programming> {
  static constexpr std::array<std::pair<platform::Programming, std::string_view>, 2> names{{
      {platform::Programming::Mmio, "mmio"},
      {platform::Programming::Direct, "direct"},
  }};
};
template <>
struct EnumNames<platform::PacingKind> {
  static constexpr std::array<std::pair<platform::PacingKind, std::string_view>, 3> names{{
      {platform::PacingKind::None, "none"},
      {platform::PacingKind::Display, "display"},
      {platform::PacingKind::Camera, "camera"},
  }};
};
}  // namespace dmasim::cfg

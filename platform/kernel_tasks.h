#pragma once
// The kernel side of a scenario (docs/drivers.md): the kernel software model on the assembled
// SoC (its profile, memory management, DMA-mapping setup and dma-debug) and the scenario's
// drivers, each under the scenario's mapping strategy.
//
//   strategy: streaming
//   kernel: {arch: armv7-pl310}
//   drivers:
//     - camera: {device: fimc0, fps: 30, frames: 4}
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"
#include "platform/platform_config.h"
#include "sw/dma_api/kernel_setup.h"
#include "sw/drivers/driver_config.h"
#include "sw/drivers/strategy.h"
#include "sw/kernel/profile.h"

namespace dmasim::platform {

class Soc;

struct KernelTasksConfig {
  sw::Strategy strategy = sw::Strategy::Streaming;
  sw::KernelProfile kernel;
  sw::KernelMemoryConfig memory;
  std::vector<sw::DriverConfig> drivers;
  std::uint64_t seed = 1;
};

// Checks the drivers against the platform (devices, cores, strategy applicability); keys are
// "drivers[i]...".
void validate_kernel_tasks(const KernelTasksConfig& config, const PlatformConfig& platform, cfg::Validator& v);

class KernelTasks {
 public:
  KernelTasks(Soc& soc, const KernelTasksConfig& config, stats::Registry& stats);
  ~KernelTasks();
  KernelTasks(const KernelTasks&) = delete;
  KernelTasks& operator=(const KernelTasks&) = delete;

  void start();
  void summarise(std::vector<std::pair<std::string, std::string>>& columns) const;
  // dma-debug's violations and the drivers' errors, for violations.txt ("" when none).
  std::string report() const;
  std::uint64_t debug_violations() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace dmasim::platform

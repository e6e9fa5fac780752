#pragma once
// A scenario: a platform, a buffer of a given size and memory type, the built-in cpu_pattern
// program (sw/programs/cpu_pattern.h) and/or DMA tasks for the platform's devices
// (platform/dma_tasks.h). `dmasim run` loads one, runs it and writes stats.json, summary.csv,
// violations.txt and resolved.yaml.
//
//   platform: ../platforms/exynos4412.yaml
//   seed: 1
//   buffer: {size: 8MiB, type: cacheable}
//   cpu_pattern: {core: 0, pattern: read, access_size: 4B}
//   dma: [{device: mdma, job: {op: read}}]
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/recorder.h"
#include "platform/dma_tasks.h"
#include "platform/kernel_tasks.h"
#include "platform/platform_config.h"
#include "sw/programs/cpu_pattern.h"

namespace dmasim::platform {

// How the kernel maps the buffer: cacheable through the linear map (kmalloc / page memory);
// noncacheable remapped Normal-NC in the vmalloc area (dma_alloc_coherent / write-combine);
// strongly-ordered or device remapped so (dma_alloc_coherent without dma_mem_bufferable; ioremap).
enum class BufferType { Cacheable, NonCacheable, StronglyOrdered, Device };

struct BufferConfig {
  ByteSize size{8ull << 20};
  BufferType type = BufferType::Cacheable;
  ByteSize offset{16ull << 20};  // physical offset from the DRAM base (page aligned)

  static void describe(cfg::Fields<BufferConfig>& f);
};

struct ScenarioConfig {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  PlatformConfig platform;
  BufferConfig buffer;
  std::optional<sw::CpuPatternConfig> cpu_pattern;
  std::vector<DmaTaskConfig> dma;
  IommuMappingConfig iommu;
  sw::Strategy strategy = sw::Strategy::Streaming;
  sw::KernelProfile kernel;
  sw::KernelMemoryConfig memory;
  std::vector<sw::DriverConfig> drivers;
  bool oracle = true;

  static void describe(cfg::Fields<ScenarioConfig>& f);
  void validate(cfg::Validator& v) const;
  KernelTasksConfig kernel_tasks() const { return {strategy, kernel, memory, drivers, seed}; }
};

// The figures of one run: the row of summary.csv.
struct RunSummary {
  std::vector<std::pair<std::string, std::string>> columns;  // name, value (formatted)
  double total_ns = 0;
  std::uint64_t violations = 0;
  std::string violations_report;  // violations.txt
  std::string aliases_report;     // one line per conflicting alias pair ("" when none)
};

// Elaborates the platform, runs the scenario to completion and fills `stats`.
RunSummary run_scenario(const ScenarioConfig& config, const std::string& scenario_name, stats::Registry& stats,
                        trace::Recorder* trace = nullptr, std::function<void(Picoseconds)> progress = {});

std::string summary_csv(const RunSummary& s);

}  // namespace dmasim::platform

namespace dmasim::cfg {
template <>
struct EnumNames<platform::BufferType> {
  static constexpr std::array<std::pair<platform::BufferType, std::string_view>, 4> names{{
      {platform::BufferType::Cacheable, "cacheable"},
      {platform::BufferType::NonCacheable, "noncacheable"},
      {platform::BufferType::StronglyOrdered, "strongly-ordered"},
      {platform::BufferType::Device, "device"},
  }};
};
}  // namespace dmasim::cfg

#include "platform/scenario.h"

#include <fmt/format.h>

#include <sstream>

#include "models/common/error.h"
#include "platform/run_columns.h"
#include "platform/soc.h"

namespace dmasim::platform {
namespace {

cpu::MemAttr attr_of(BufferType t) {
  switch (t) {
    case BufferType::Cacheable: return cpu::MemAttr::NormalWriteBack;
    case BufferType::NonCacheable: return cpu::MemAttr::NormalNonCacheable;
    case BufferType::StronglyOrdered: return cpu::MemAttr::StronglyOrdered;
    case BufferType::Device: return cpu::MemAttr::Device;
  }
  return cpu::MemAttr::NormalWriteBack;
}

// Sum of a statistic over every DRAM channel.
double dram_sum(const stats::Registry& r, unsigned channels, const std::string& leaf) {
  double v = 0;
  for (unsigned c = 0; c < channels; ++c) v += r.number(fmt::format("soc.dram.ch{}.{}", c, leaf));
  return v;
}

std::string core_path(const PlatformConfig& p, unsigned core) {
  for (const auto& c : p.clusters) {
    if (core < c.cores) return fmt::format("soc.{}.cpu{}", c.name, core);
    core -= c.cores;
  }
  return {};
}

}  // namespace

void BufferConfig::describe(cfg::Fields<BufferConfig>& f) {
  f("size", &BufferConfig::size, "buffer size (a multiple of 4 KiB)");
  f("type", &BufferConfig::type,
    "cacheable: the linear map (Normal write-back); noncacheable: a Normal non-cacheable remap (coherent / "
    "write-combine DMA memory); strongly-ordered / device: remapped with that type");
  f("offset", &BufferConfig::offset, "physical offset of the buffer from the DRAM base (4 KiB aligned)");
}

void ScenarioConfig::describe(cfg::Fields<ScenarioConfig>& f) {
  f("name", &ScenarioConfig::name, "scenario name (default: the file name)");
  f("description", &ScenarioConfig::description, "what the scenario measures");
  f("seed", &ScenarioConfig::seed, "seed of every random stream in the run");
  f("platform", &ScenarioConfig::platform, "the SoC: a map or the path of a platform file (scenarios/platforms/)")
      .required();
  f("buffer", &ScenarioConfig::buffer, "the buffer the program works on (and the default buffer of DMA tasks)");
  f("cpu_pattern", &ScenarioConfig::cpu_pattern, "the built-in CPU program (none: no CPU program)");
  f("dma", &ScenarioConfig::dma, "DMA tasks: jobs for the platform's devices, each started by a driver thread");
  f("iommu", &ScenarioConfig::iommu, "how DMA buffers are mapped for devices behind a SYSMMU");
  f("strategy", &ScenarioConfig::strategy,
    "the drivers' mapping strategy: coherent, writecombine, streaming, iommu, io-coherent or bounce (docs/compare.md)");
  f("kernel", &ScenarioConfig::kernel, "the kernel profile the DMA-mapping software model follows");
  f("memory", &ScenarioConfig::memory, "the memory the kernel manages: CMA areas, swiotlb, atomic pool, boot population");
  f("drivers", &ScenarioConfig::drivers, "driver programs (use cases) written against the DMA-mapping API");
  f("oracle", &ScenarioConfig::oracle, "check every read against the data-version oracle");
}

void ScenarioConfig::validate(cfg::Validator& v) const {
  if (buffer.size.bytes == 0 || buffer.size.bytes % cpu::kPageSize)
    v.fail("buffer.size", "the buffer size must be a non-zero multiple of 4 KiB");
  if (buffer.offset.bytes % cpu::kPageSize) v.fail("buffer.offset", "the buffer offset must be 4 KiB aligned");
  if (!cpu_pattern && dma.empty() && drivers.empty())
    v.fail("cpu_pattern", "a scenario runs a cpu_pattern, DMA tasks (dma), drivers, or several of them");
  if (cpu_pattern) {
    const std::uint64_t copies = cpu_pattern->pattern == sw::Pattern::Copy ? 2 : 1;
    if (buffer.offset.bytes + copies * buffer.size.bytes > platform.kernel.lowmem.bytes)
      v.fail("buffer.size", fmt::format("the buffer{} at offset {} does not fit the {} of lowmem",
                                        copies == 2 ? " and its copy destination" : "",
                                        units::format(buffer.offset), units::format(platform.kernel.lowmem)));
    if (cpu_pattern->core >= platform.core_count())
      v.fail("cpu_pattern.core", fmt::format("the platform has {} cores", platform.core_count()));
    const std::uint64_t a = cpu_pattern->access_size.bytes;
    if (a > 64 || (a != 0 && (a & (a - 1)) != 0))
      v.fail("cpu_pattern.access_size", "the access size must be a power of two from 1B to 64B (or 0: a line)");
  }
  validate_kernel_tasks(kernel_tasks(), platform, v);
  validate_dma_tasks(dma, iommu, with_iommu_overrides(platform, iommu), buffer.offset.bytes, buffer.size.bytes, v);
}

RunSummary run_scenario(const ScenarioConfig& config, const std::string& scenario_name, stats::Registry& stats,
                        trace::Recorder* trace, std::function<void(Picoseconds)> progress) {
  SocOptions options;
  options.seed = config.seed;
  options.oracle = config.oracle;
  options.trace = trace;
  options.progress = std::move(progress);
  Soc soc(with_iommu_overrides(config.platform, config.iommu), stats, options);

  const std::uint64_t pa = soc.dram_base() + config.buffer.offset.bytes;
  const std::uint64_t bytes = config.buffer.size.bytes;
  if (config.cpu_pattern) {
    const cpu::MemAttr attr = attr_of(config.buffer.type);
    sw::PatternBuffers buffers;
    buffers.bytes = bytes;
    auto place = [&](std::uint64_t at, const std::string& name) {
      return attr == cpu::MemAttr::NormalWriteBack ? soc.linear_va(at) : soc.vmap(at, bytes, attr, name);
    };
    buffers.va = place(pa, "buffer");
    if (config.cpu_pattern->pattern == sw::Pattern::Copy) buffers.copy_dst_va = place(pa + bytes, "copy destination");
    const std::uint64_t seed = config.seed;
    const sw::CpuPatternConfig pattern = *config.cpu_pattern;
    soc.start(pattern.core, [pattern, buffers, seed](cpu::Core& c) { sw::run_cpu_pattern(c, pattern, buffers, seed); });
  }
  DmaTasks dma(soc, config.dma, config.iommu, config.buffer.offset.bytes, bytes);
  dma.start();
  KernelTasks kernel(soc, config.kernel_tasks(), stats);
  kernel.start();
  const Picoseconds end = soc.run();
  soc.finish();

  RunSummary s;
  s.total_ns = static_cast<double>(end) / 1000.0;
  const unsigned channels = soc.dram().channel_count();
  const auto conflicts = soc.kernel().conflicting_aliases();
  s.violations = soc.oracle().violation_count();
  std::ostringstream report;
  soc.oracle().write_report(report);
  s.violations_report = report.str() + kernel.report();
  s.aliases_report = cpu::AddressSpace::format_report(conflicts);

  auto col = [&](std::string name, std::string value) { s.columns.emplace_back(std::move(name), std::move(value)); };
  col("scenario", scenario_name);
  col("platform", config.platform.name);
  if (config.cpu_pattern) {
    const sw::CpuPatternConfig& p = *config.cpu_pattern;
    const unsigned line = soc.core(p.core).config().line_size;
    const std::uint64_t accesses = sw::pattern_accesses(p, bytes, line);
    const unsigned access_size = sw::pattern_access_size(p, line);
    const std::string cpu = core_path(config.platform, p.core);
    const double moved = static_cast<double>(accesses) * access_size;
    col("pattern", std::string(cfg::EnumNames<sw::Pattern>::names[static_cast<std::size_t>(p.pattern)].second));
    col("buffer_type", std::string(cfg::EnumNames<BufferType>::names[static_cast<std::size_t>(config.buffer.type)].second));
    col("buffer_bytes", fmt::format("{}", bytes));
    col("access_size", fmt::format("{}", access_size));
    col("accesses", fmt::format("{}", accesses));
    col("total_ns", fmt::format("{:.3f}", s.total_ns));
    col("core_cycles", fmt::format("{}", soc.core(p.core).clock().cycles_at(end)));
    col("bandwidth_mb_s", fmt::format("{:.1f}", s.total_ns > 0 ? moved / s.total_ns * 1000.0 : 0.0));
    col("ns_per_access", fmt::format("{:.3f}", accesses ? s.total_ns / static_cast<double>(accesses) : 0.0));
    col("l1d_read_hits", fmt::format("{:.0f}", stats.number(cpu + ".l1d.read_hits")));
    col("l1d_read_misses", fmt::format("{:.0f}", stats.number(cpu + ".l1d.read_misses")));
    col("l1d_write_misses", fmt::format("{:.0f}", stats.number(cpu + ".l1d.write_misses")));
  } else {
    col("total_ns", fmt::format("{:.3f}", s.total_ns));
  }
  col("dram_reads", fmt::format("{:.0f}", dram_sum(stats, channels, "reads")));
  col("dram_writes", fmt::format("{:.0f}", dram_sum(stats, channels, "writes")));
  col("dram_bytes", fmt::format("{:.0f}", dram_sum(stats, channels, "bytes_read") + dram_sum(stats, channels, "bytes_written")));
  col("violations", fmt::format("{}", s.violations));
  col("alias_conflicts", fmt::format("{}", conflicts.size()));
  dma.summarise(s.columns);
  kernel.summarise(s.columns);
  col("coherence_violations", fmt::format("{}", s.violations));
  append_run_columns(stats, config.platform, s.total_ns, s.columns);
  return s;
}

std::string summary_csv(const RunSummary& s) {
  std::string head, row;
  for (std::size_t i = 0; i < s.columns.size(); ++i) {
    head += (i ? "," : "") + s.columns[i].first;
    row += (i ? "," : "") + s.columns[i].second;
  }
  return head + "\n" + row + "\n";
}

}  // namespace dmasim::platform

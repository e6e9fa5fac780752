#include "platform/kernel_tasks.h"

#include <fmt/format.h>

#include "platform/soc.h"
#include "platform/soc_machine.h"
#include "models/common/sim_now.h"
#include "sw/dma_debug/dma_debug_tracker.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/vmalloc.h"

namespace dmasim::platform {

namespace {
bool port_is_ace_lite(const PlatformConfig& p, const DeviceConfig& d) {
  const auto port = p.interconnect.find_port(d.port_name());
  return port && p.interconnect.ports[*port].kind == interconnect::PortKind::AceLite;
}
}  // namespace

void validate_kernel_tasks(const KernelTasksConfig& config, const PlatformConfig& platform, cfg::Validator& v) {
  const bool has_outer = [&] {
    for (const auto& c : platform.clusters)
      if (c.outer_registers) return true;
    return false;
  }();
  std::uint64_t cma = 0;
  for (const auto& a : config.memory.cma) {
    if (a.size.bytes == 0 || a.size.bytes % (4ull << 20) != 0) v.fail("memory.cma", "a CMA area's size is a non-zero multiple of 4 MiB");
    cma += a.size.bytes;
  }
  if (config.memory.reserved.bytes + config.memory.swiotlb.bytes + cma + (8ull << 20) > platform.kernel.lowmem.bytes)
    v.fail("memory", "the reserved memory, swiotlb pool and CMA areas leave less than 8 MiB of lowmem");
  if (config.kernel.arch == sw::KernelArch::Armv7Pl310 && !has_outer && !config.drivers.empty())
    v.fail("kernel.arch", fmt::format("armv7-pl310 needs an outer cache, and platform '{}' has none", platform.name));
  for (std::size_t i = 0; i < config.drivers.size(); ++i) {
    const sw::DriverConfig& d = config.drivers[i];
    const std::string at = fmt::format("drivers[{}]", i);
    if (const std::string p = d.problem(); !p.empty()) {
      v.fail(at, p);
      continue;
    }
    for (unsigned c : d.cores())
      if (c >= platform.core_count()) v.fail(at, fmt::format("core {}: the platform has {} cores", c, platform.core_count()));
    for (const auto& [key, name] : d.devices()) {
      const DeviceConfig* dev = platform.find_device(name);
      if (dev == nullptr) {
        v.fail(at + "." + key, fmt::format("platform '{}' has no device '{}'", platform.name, name));
        continue;
      }
      if (config.strategy == sw::Strategy::Iommu && !dev->sysmmu)
        v.fail("strategy", fmt::format("iommu is not applicable: device '{}' has no SYSMMU", dev->name));
      if (config.strategy == sw::Strategy::IoCoherent && !port_is_ace_lite(platform, *dev))
        v.fail("strategy",
               fmt::format("io-coherent is not applicable: device '{}' is not on an ACE-Lite port", dev->name));
    }
  }
}

struct KernelTasks::State {
  State(Soc& soc_, const KernelTasksConfig& c, stats::Registry& stats)
      : soc(soc_), config(c), machine(soc_), kernel(machine, c.kernel, stats::Group(stats, "sw"), soc_.trace()) {}
  Soc& soc;
  KernelTasksConfig config;
  SocMachine machine;
  sw::Kernel kernel;
  std::unique_ptr<sw::KernelSetup> setup;
  std::unique_ptr<sw::DmaDebugTracker> debug;
  std::vector<std::unique_ptr<sw::Driver>> drivers;
};

KernelTasks::KernelTasks(Soc& soc, const KernelTasksConfig& config, stats::Registry& stats)
    : s_(std::make_unique<State>(soc, config, stats)) {
  if (config.drivers.empty()) return;
  s_->setup = std::make_unique<sw::KernelSetup>(s_->kernel, config.memory, config.seed);
  if (config.kernel.dma_debug) {
    sw::Kernel& k = s_->kernel;
    s_->debug = std::make_unique<sw::DmaDebugTracker>(
        k.stats().group("dma_debug"), [&k](sw::VirtAddr va) { return k.vmalloc().contains(va); }, [] { return sim_now(); });
    s_->debug->install(k);
  }
  for (const sw::DriverConfig& d : config.drivers) s_->drivers.push_back(sw::make_driver(s_->kernel, config.strategy, d));
}

KernelTasks::~KernelTasks() = default;

void KernelTasks::start() {
  for (auto& d : s_->drivers) d->start();
}

void KernelTasks::summarise(std::vector<std::pair<std::string, std::string>>& columns) const {
  if (s_->drivers.empty()) return;
  columns.emplace_back("strategy", std::string(cfg::EnumNames<sw::Strategy>::names[static_cast<std::size_t>(s_->config.strategy)].second));
  std::size_t errors = 0;
  for (const auto& d : s_->drivers) {
    d->summarise(columns);
    errors += d->errors().size();
  }
  columns.emplace_back("driver_errors", fmt::format("{}", errors));
  columns.emplace_back("debug_violations", fmt::format("{}", debug_violations()));
  const sw::Kernel& k = s_->kernel;
  auto ns = [](Picoseconds ps) { return fmt::format("{:.0f}", static_cast<double>(ps) / 1000.0); };
  // Each kind's outermost-scope time, then the same five kinds without overlap (each core instant
  // charged to the innermost scope), in the columns' order.
  struct CostColumns {
    sw::CostKind kind;
    const char* cost;
    const char* self;
  };
  static constexpr CostColumns kCostColumns[] = {
      {sw::CostKind::DmaApi, "map_unmap_ns", "self_dma_api_ns"},
      {sw::CostKind::Maintenance, "cpu_maintenance_ns", "self_maintenance_ns"},
      {sw::CostKind::Copy, "cpu_copy_ns", "self_copy_ns"},
      {sw::CostKind::Iommu, "iommu_ns", "self_iommu_ns"},
      {sw::CostKind::Allocator, "allocator_ns", "self_allocator_ns"},
  };
  for (const CostColumns& c : kCostColumns) columns.emplace_back(c.cost, ns(k.cost(c.kind)));
  for (const CostColumns& c : kCostColumns) columns.emplace_back(c.self, ns(k.self_cost(c.kind)));
}

std::string KernelTasks::report() const {
  std::string out;
  if (s_->setup)
    for (const std::string& m : s_->setup->messages()) out += "kernel: " + m + "\n";
  for (const auto& d : s_->drivers)
    for (const std::string& e : d->errors()) out += "driver: " + e + "\n";
  if (s_->debug) out += s_->debug->report();
  return out;
}

std::uint64_t KernelTasks::debug_violations() const { return s_->debug ? s_->debug->violation_count() : 0; }

}  // namespace dmasim::platform

#include <fmt/format.h>

#include "sw/drivers/driver.h"
#include "sw/drivers/iommu_probe.h"

namespace dmasim::sw {

std::string strategy_not_applicable(const Machine& machine, const std::string& name, Strategy strategy) {
  const DeviceHandle* hw = machine.device(name);
  if (hw == nullptr) return fmt::format("the platform has no device '{}'", name);
  if (strategy == Strategy::Iommu && hw->sysmmus.empty()) return fmt::format("device '{}' has no SYSMMU", name);
  if (strategy == Strategy::IoCoherent && !hw->ace_lite)
    return fmt::format("device '{}' is not on an IO-coherent (ACE-Lite) port", name);
  return {};
}

std::unique_ptr<Device> probe_device(cpu::Core& cpu, Kernel& kernel, const std::string& name, Strategy strategy,
                                     std::string& why) {
  why = strategy_not_applicable(kernel.machine(), name, strategy);
  if (!why.empty()) return nullptr;
  auto dev = std::make_unique<Device>(kernel, name);
  dev->hw = *kernel.machine().device(name);
  switch (strategy) {
    case Strategy::IoCoherent: dev->dma_coherent = true; break;
    case Strategy::Bounce: dev->force_bounce = true; break;
    case Strategy::Iommu:
      if (!attach_iommu(cpu, kernel, *dev, why)) return nullptr;
      break;
    default: break;
  }
  return dev;
}

}  // namespace dmasim::sw

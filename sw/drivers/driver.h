#pragma once
// A driver program: a use case written against the DMA-mapping API under one mapping strategy.
// The scenario creates it, start() launches its software threads on the machine's cores, and
// after the run summarise() adds its figures (frames, drops, errors...) to the summary.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sw/dma_api/device.h"
#include "sw/drivers/strategy.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

using Columns = std::vector<std::pair<std::string, std::string>>;

class Driver {
 public:
  virtual ~Driver() = default;
  virtual void start() = 0;
  virtual void summarise(Columns& columns) const = 0;
  // Simulated failures the driver met (allocation or mapping failed, device errors).
  const std::vector<std::string>& errors() const { return errors_; }

 protected:
  std::vector<std::string> errors_;
};

// The probe of a platform device under a strategy: a struct device with the device's hardware,
// dma_coherent for io-coherent, forced bouncing for bounce, and for iommu the device attached to
// a new IOMMU mapping (which writes page tables and programs the SYSMMU on `cpu`). Returns null
// and sets `why` when the platform cannot do the strategy for that device.
std::unique_ptr<Device> probe_device(cpu::Core& cpu, Kernel& kernel, const std::string& name, Strategy strategy,
                                     std::string& why);
// The same question without probing (for validation before a run).
std::string strategy_not_applicable(const Machine& machine, const std::string& name, Strategy strategy);

}  // namespace dmasim::sw

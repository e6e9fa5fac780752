#include "sw/drivers/iommu_probe.h"

namespace dmasim::sw {

bool attach_iommu(cpu::Core&, Kernel&, Device& dev, std::string& why) {
  why = "the IOMMU API is not assembled yet for device '" + dev.name + "'";
  return false;
}

}  // namespace dmasim::sw

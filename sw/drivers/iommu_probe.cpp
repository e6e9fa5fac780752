#include "sw/drivers/iommu_probe.h"

#include <fmt/format.h>

#include "sw/iommu/arm_iommu.h"
#include "sw/iommu/dma_iommu.h"

namespace dmasim::sw {

bool attach_iommu(cpu::Core& cpu, Kernel& kernel, Device& dev, std::string& why) {
  const IommuPolicy& p = kernel.profile().iommu;
  const int ret = kernel.profile().is_arm64() ? iommu_dma_attach_default_domain(cpu, kernel, dev)
                                              : arm_iommu_attach_new_mapping(cpu, kernel, dev, p.iova_base, p.iova_size.bytes);
  if (ret == 0) return true;
  why = fmt::format("attaching device '{}' to an IOMMU domain failed ({})", dev.name, ret);
  return false;
}

}  // namespace dmasim::sw

#pragma once
// Attaching a device to an IOMMU mapping the way the kernel's platform code does for the
// profile: arm_iommu_create_mapping + arm_iommu_attach_device on 32-bit ARM, a dma-iommu
// default domain on arm64.
#include <string>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

bool attach_iommu(cpu::Core& cpu, Kernel& kernel, Device& dev, std::string& why);

}  // namespace dmasim::sw

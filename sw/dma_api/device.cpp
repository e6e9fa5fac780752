#include "sw/dma_api/device.h"

#include <algorithm>

#include "sw/kernel/kernel.h"
#include "sw/mm/cma.h"

namespace dmasim::sw {

namespace {
// dma_supported (kernel/dma/mapping.c). The IOMMU ops have no dma_supported hook: any mask goes
// (dma-iommu allocates IOVAs under it; arm_iommu hands out its mapping's window regardless). dma-direct (dma_direct_supported) takes any mask of 32 bits or
// more, and a narrower one only if it covers the last page of DRAM (max_pfn), or the top of
// ZONE_DMA where the kernel has one (arm64: zone_dma_bits is 32) - a device that cannot reach
// all of memory has to be given a bounce path or an IOMMU instead. DMA addresses equal physical
// ones here (no dma-ranges offset).
bool dma_supported(const Device& dev, std::uint64_t mask) {
  if (dev.dma_ops != nullptr) return true;
  if (mask >= DMA_BIT_MASK(32)) return true;
  const MemoryLayout& m = dev.kernel->machine().layout();
  const std::uint64_t max_pfn = (m.dram_base + m.dram_size) >> PAGE_SHIFT;
  std::uint64_t min_mask = (max_pfn - 1) << PAGE_SHIFT;
  if (dev.kernel->profile().is_arm64()) min_mask = std::min(min_mask, DMA_BIT_MASK(32));
  return mask >= min_mask;
}
}  // namespace

int dma_set_mask(Device& dev, std::uint64_t mask) {
  if (!dma_supported(dev, mask)) return -kEIO;
  dev.dma_mask = mask;
  return 0;
}

int dma_set_coherent_mask(Device& dev, std::uint64_t mask) {
  if (!dma_supported(dev, mask)) return -kEIO;
  dev.coherent_dma_mask = mask;
  return 0;
}

int dma_set_mask_and_coherent(Device& dev, std::uint64_t mask) {
  const int rc = dma_set_mask(dev, mask);
  return rc == 0 ? dma_set_coherent_mask(dev, mask) : rc;
}

Cma* dev_get_cma_area(const Device& dev) {
  if (dev.cma_area != nullptr) return dev.cma_area;
  return dev.kernel->cma_areas.empty() ? nullptr : dev.kernel->cma_areas[0];
}

std::optional<Pfn> dma_alloc_from_contiguous(cpu::Core& cpu, const Device& dev, std::uint64_t count, unsigned order,
                                             bool no_warn) {
  Cma* cma = dev_get_cma_area(dev);
  if (cma == nullptr) return std::nullopt;
  return cma->cma_alloc(cpu, count, std::min(order, CONFIG_CMA_ALIGNMENT), no_warn);
}

Cma* cma_area_of(const Kernel& kernel, PhysAddr pa) {
  for (Cma* c : kernel.cma_areas)
    if (pa >= c->base() && pa < c->base() + c->size()) return c;
  return nullptr;
}

}  // namespace dmasim::sw

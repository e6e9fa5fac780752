#include "sw/dma_api/device.h"

#include <algorithm>

#include "sw/kernel/kernel.h"
#include "sw/mm/cma.h"

namespace dmasim::sw {

namespace {
// dma_supported for dma-direct: the mask must reach the lowest DRAM page (the kernel compares it
// with the physical address of the zone the allocations must come from).
bool dma_supported(const Device& dev, std::uint64_t mask) {
  return mask >= dev.kernel->machine().layout().dram_base + PAGE_SIZE - 1;
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

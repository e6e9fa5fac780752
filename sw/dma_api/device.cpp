#include "sw/dma_api/device.h"

#include "sw/kernel/kernel.h"

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

}  // namespace dmasim::sw

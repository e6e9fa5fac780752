#include "sw/dma_api/coherent_mem.h"

#include <memory>

#include "sw/dma_api/dma_mapping.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/vmalloc.h"

namespace dmasim::sw {

DmaAllocation DmaCoherentMem::alloc(cpu::Core& cpu, std::uint64_t size) {
  unsigned order = 0;
  while ((PAGE_SIZE << order) < size) ++order;
  const std::uint64_t n = std::uint64_t{1} << order;
  std::uint64_t looked = 0;
  for (std::uint64_t i = 0; i + n <= used_.size(); i += n) {  // naturally aligned blocks
    bool free = true;
    for (std::uint64_t j = i; j < i + n && free; ++j, ++looked) free = !used_[j];
    if (!free) continue;
    cpu.compute(looked * kBitCycles);
    for (std::uint64_t j = i; j < i + n; ++j) used_[j] = true;
    DmaAllocation a;
    a.cpu_addr = va_ + i * PAGE_SIZE;
    a.dma_handle = device_base_ + i * PAGE_SIZE;
    a.cookie = phys_ + i * PAGE_SIZE;
    cpu.write_range(a.cpu_addr, n * PAGE_SIZE);
    return a;
  }
  cpu.compute(looked * kBitCycles);
  return DmaAllocation{};
}

bool DmaCoherentMem::release(std::uint64_t size, const DmaAllocation& a) {
  if (a.dma_handle < device_base_ || a.dma_handle >= device_base_ + used_.size() * PAGE_SIZE) return false;
  unsigned order = 0;
  while ((PAGE_SIZE << order) < size) ++order;
  const std::uint64_t first = (a.dma_handle - device_base_) / PAGE_SIZE;
  for (std::uint64_t j = first; j < first + (std::uint64_t{1} << order) && j < used_.size(); ++j) used_[j] = false;
  return true;
}

DmaAllocation dma_alloc_from_dev_coherent(cpu::Core& cpu, Device& dev, std::uint64_t size) {
  return dev.dma_mem == nullptr ? DmaAllocation{} : dev.dma_mem->alloc(cpu, size);
}

bool dma_release_from_dev_coherent(Device& dev, std::uint64_t size, const DmaAllocation& a) {
  return dev.dma_mem != nullptr && dev.dma_mem->release(size, a);
}

int dma_declare_coherent_memory(Device& dev, PhysAddr phys_addr, DmaAddr device_addr, std::uint64_t size) {
  if (dev.dma_mem != nullptr || size == 0 || (phys_addr & (PAGE_SIZE - 1)) != 0) return -kEINVAL;
  const std::optional<VirtAddr> va =
      dev.kernel->vmalloc().vmap_contiguous(phys_addr, size, cpu::MemAttr::NormalNonCacheable, "dma declared memory");
  if (!va) return -kENOMEM;
  // The region lives as long as the kernel (declared memory is not released in the model).
  dev.dma_mem = dev.kernel->keep(std::make_unique<DmaCoherentMem>(phys_addr, device_addr, *va, PAGE_ALIGN(size)));
  return 0;
}

}  // namespace dmasim::sw

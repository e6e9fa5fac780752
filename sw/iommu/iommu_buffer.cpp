#include "sw/iommu/iommu_buffer.h"

#include "sw/dma_api/direct.h"
#include "sw/kernel/kernel.h"
#include "sw/mm/cma.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

void IommuBuffer::add_block(cpu::Core& cpu, Kernel& kernel, PhysAddr pa, unsigned order, std::uint64_t count, bool flush) {
  blocks.emplace_back(pa, order);
  dma_clear_buffer(cpu, kernel, pa, count * PAGE_SIZE, flush);
  for (std::uint64_t i = 0; i < count; ++i) pages.push_back(pa + i * PAGE_SIZE);
}

void IommuBuffer::free_blocks(cpu::Core& cpu, Kernel& kernel) const {
  for (const auto& [pa, order] : blocks) {
    if (order != kCmaBlock) {
      kernel.page_allocator->free_pages(cpu, PHYS_PFN(pa), order);
      continue;
    }
    for (Cma* c : kernel.cma_areas)
      if (pa >= c->base() && pa < c->base() + c->size()) c->cma_release(cpu, PHYS_PFN(pa), pages.size());
  }
}

int iommu_buffer_mmap(Kernel& kernel, const Device& dev, VirtAddr uaddr, const IommuBuffer& b, std::uint64_t size,
                      DmaAttrs attrs) {
  const std::uint64_t n = PAGE_ALIGN(size) / PAGE_SIZE;
  if ((uaddr & (PAGE_SIZE - 1)) != 0 || n > b.pages.size()) return -kENXIO;
  const cpu::MemAttr attr = dev.dma_coherent ? cpu::MemAttr::NormalWriteBack : dma_pgprot(kernel.profile(), attrs);
  for (std::uint64_t i = 0; i < n; ++i)
    kernel.machine().address_space().map(uaddr + i * PAGE_SIZE, b.pages[i], PAGE_SIZE, attr, "dma_mmap user mapping");
  return 0;
}

}  // namespace dmasim::sw

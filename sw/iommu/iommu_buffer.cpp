#include "sw/iommu/iommu_buffer.h"

#include "sw/dma_api/atomic_pool.h"
#include "sw/dma_api/direct.h"
#include "sw/iommu/iommu.h"
#include "sw/kernel/vmalloc.h"
#include "sw/kernel/kernel.h"
#include "sw/mm/cma.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

void IommuBuffer::add_block(cpu::Core& cpu, Kernel& kernel, PhysAddr pa, unsigned order, std::uint64_t count, bool flush) {
  blocks.emplace_back(pa, order);
  dma_clear_buffer(cpu, kernel, pa, count * PAGE_SIZE, flush);
  for (std::uint64_t i = 0; i < count; ++i) pages.push_back(pa + i * PAGE_SIZE);
}

std::optional<VirtAddr> IommuBuffer::alloc_from_pool(cpu::Core& cpu, Kernel& kernel, std::uint64_t size) {
  if (kernel.atomic_pool == nullptr) return std::nullopt;
  const std::optional<PhysAddr> pa = kernel.atomic_pool->alloc(cpu, size);
  if (!pa) return std::nullopt;
  from_pool = true;
  for (std::uint64_t off = 0; off < size; off += PAGE_SIZE) pages.push_back(*pa + off);
  return kernel.atomic_pool->va_of(*pa);
}

void IommuBuffer::release(cpu::Core& cpu, Kernel& kernel, std::uint64_t size) const {
  if (remap != 0) kernel.vmalloc().vunmap(remap);
  if (from_pool) kernel.atomic_pool->free(pages.front(), size);
  else free_blocks(cpu, kernel);
}

void IommuBuffer::free_blocks(cpu::Core& cpu, Kernel& kernel) const {
  for (const auto& [pa, order] : blocks) {
    if (order != kCmaBlock) {
      kernel.page_allocator->free_pages(cpu, PHYS_PFN(pa), order);
      continue;
    }
    if (Cma* cma = cma_area_of(kernel, pa)) cma->cma_release(cpu, PHYS_PFN(pa), pages.size());
  }
}

DmaAllocation IommuAllocations::keep(DmaAddr iova, VirtAddr cpu_addr, IommuBuffer b) {
  buffers_[iova] = std::move(b);
  DmaAllocation a;
  a.cpu_addr = cpu_addr;
  a.dma_handle = iova;
  a.cookie = iova;
  return a;
}

std::optional<IommuBuffer> IommuAllocations::take(DmaAddr iova) {
  const auto it = buffers_.find(iova);
  if (it == buffers_.end()) return std::nullopt;
  IommuBuffer b = std::move(it->second);
  buffers_.erase(it);
  return b;
}

const IommuBuffer* IommuAllocations::find(DmaAddr iova) const {
  const auto it = buffers_.find(iova);
  return it == buffers_.end() ? nullptr : &it->second;
}

std::uint64_t iommu_map_pages(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, const std::vector<PhysAddr>& pages,
                              int prot) {
  std::uint64_t mapped = 0;
  for (std::size_t i = 0; i < pages.size();) {
    std::size_t j = i + 1;
    while (j < pages.size() && pages[j] == pages[j - 1] + PAGE_SIZE) ++j;
    const std::uint64_t len = (j - i) * PAGE_SIZE;
    if (iommu_map(cpu, domain, iova + mapped, pages[i], len, prot) != 0) break;
    mapped += len;
    i = j;
  }
  return mapped;
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

#include "sw/drivers/dma_buffer.h"

#include <fmt/format.h>

#include <bit>

#include "sw/dma_api/dma_mapping.h"
#include "sw/kernel/cache_maint.h"
#include "sw/kernel/kernel.h"
#include "sw/mm/cma.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

namespace {
constexpr unsigned kMaxOrder = MAX_ORDER - 1;  // the buddy allocator's largest block
}  // namespace

DmaBuffer::DmaBuffer(cpu::Core& cpu, Device& dev, Strategy strategy, std::uint64_t size, DmaDirection dir,
                     bool skip_cpu_sync, std::uint64_t offset)
    : dev_(dev),
      strategy_(strategy),
      size_(size),
      dir_(dir),
      map_attrs_(skip_cpu_sync ? DMA_ATTR_SKIP_CPU_SYNC : 0),
      offset_(uses_dma_alloc(strategy) ? 0 : offset) {
  Kernel& k = *dev.kernel;
  if (uses_dma_alloc(strategy)) {
    alloc_ = dma_alloc_attrs(cpu, dev, size, GFP_KERNEL,
                             strategy == Strategy::WriteCombine ? DMA_ATTR_WRITE_COMBINE : 0);
    if (!alloc_.ok()) {
      error_ = fmt::format("dma_alloc_attrs of {} bytes failed", size);
      return;
    }
    cpu_va_ = alloc_.cpu_addr;
    dma_ = alloc_.dma_handle;
    ok_ = true;
    return;
  }
  // Kernel pages (what a driver gets from alloc_pages, or from CMA when the buffer is larger
  // than the buddy allocator's largest block), cacheable through the linear map.
  order_ = get_order(size + offset_);
  std::optional<Pfn> pfn;
  if (order_ <= kMaxOrder && k.page_allocator != nullptr) {
    pfn = k.page_allocator->alloc_pages(cpu, GFP_KERNEL, order_);
  } else if (!k.cma_areas.empty()) {
    order_ = kMaxOrder + 1;  // marks a CMA allocation
    pfn = k.cma_areas[0]->cma_alloc(cpu, PAGE_ALIGN(size + offset_) / PAGE_SIZE, 0, false);
  }
  if (!pfn) {
    error_ = fmt::format("no {} contiguous bytes of kernel memory for the buffer", size);
    return;
  }
  phys_ = PFN_PHYS(*pfn) + offset_;
  cpu_va_ = k.phys_to_virt(phys_);
  ok_ = true;
}

DmaBuffer::~DmaBuffer() = default;

void DmaBuffer::for_device(cpu::Core& cpu) {
  if (!ok_ || device_owns_) return;
  if (uses_dma_alloc(strategy_)) {
    dev_.kernel->cache().wmb(cpu);
  } else if (!mapped_) {
    dma_ = dma_map_single_attrs(cpu, dev_, cpu_va_, size_, dir_, map_attrs_);
    if (dma_mapping_error(dev_, dma_) != 0) {
      ok_ = false;
      error_ = fmt::format("dma_map_single_attrs of {} bytes failed", size_);
      return;
    }
    mapped_ = true;
  } else {
    dma_sync_single_for_device(cpu, dev_, dma_, size_, dir_);
  }
  device_owns_ = true;
}

void DmaBuffer::for_cpu(cpu::Core& cpu, bool keep_mapped) {
  if (!ok_ || !device_owns_) return;
  if (!uses_dma_alloc(strategy_)) {
    if (keep_mapped) {
      dma_sync_single_for_cpu(cpu, dev_, dma_, size_, dir_);
    } else {
      dma_unmap_single_attrs(cpu, dev_, dma_, size_, dir_, map_attrs_);
      mapped_ = false;
    }
  }
  device_owns_ = false;
}

void DmaBuffer::release(cpu::Core& cpu) {
  if (released_) return;
  released_ = true;
  Kernel& k = *dev_.kernel;
  if (uses_dma_alloc(strategy_)) {
    if (alloc_.ok()) dma_free_attrs(cpu, dev_, size_, alloc_, strategy_ == Strategy::WriteCombine ? DMA_ATTR_WRITE_COMBINE : 0);
    return;
  }
  if (mapped_) {
    if (device_owns_) for_cpu(cpu, false);
    else dma_unmap_single_attrs(cpu, dev_, dma_, size_, dir_, map_attrs_);
    mapped_ = false;
  }
  if (phys_ == 0) return;
  if (order_ > kMaxOrder) {
    k.cma_areas[0]->cma_release(cpu, PHYS_PFN(phys_), PAGE_ALIGN(size_ + offset_) / PAGE_SIZE);
  } else {
    k.page_allocator->free_pages(cpu, PHYS_PFN(phys_), order_);
  }
}

}  // namespace dmasim::sw

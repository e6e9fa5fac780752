#include "sw/dma_api/direct.h"

#include <bit>

#include "sw/dma_api/atomic_pool.h"
#include "sw/dma_api/swiotlb.h"
#include "sw/kernel/cache_maint.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/vmalloc.h"
#include "sw/mm/cma.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

namespace {
bool needs_bounce(const Device& dev, PhysAddr phys, std::uint64_t size) {
  return dev.force_bounce || phys + size - 1 > dev.dma_mask;
}
}  // namespace

cpu::MemAttr dma_pgprot(const KernelProfile& profile, DmaAttrs attrs) {
  if ((attrs & DMA_ATTR_WRITE_COMBINE) != 0 || profile.dma_mem_bufferable) return cpu::MemAttr::NormalNonCacheable;
  return cpu::MemAttr::StronglyOrdered;
}

cpu::MemAttr DirectOps::dma_pgprot(DmaAttrs attrs) const { return sw::dma_pgprot(kernel_.profile(), attrs); }

// ---- streaming ------------------------------------------------------------------------------

DmaAddr DirectOps::map_page(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, DmaDirection dir,
                            DmaAttrs attrs) {
  if (needs_bounce(dev, phys, size)) {
    if (kernel_.swiotlb == nullptr) return DMA_MAPPING_ERROR;
    return kernel_.swiotlb->swiotlb_tbl_map_single(cpu, dev, phys, size, dir, attrs);
  }
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(phys), phys, size, dir);
  return phys;
}

void DirectOps::unmap_page(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                           DmaAttrs attrs) {
  if (kernel_.swiotlb != nullptr && kernel_.swiotlb->is_swiotlb_buffer(addr)) {
    kernel_.swiotlb->swiotlb_tbl_unmap_single(cpu, dev, addr, size, dir, attrs);
    return;
  }
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(addr), addr, size, dir);
}

int DirectOps::map_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  // One map_page per entry: each entry's maintenance ends with its own DSB.
  for (std::size_t i = 0; i < sg.size(); ++i) {
    Scatterlist& s = sg[i];
    s.dma_address = map_page(cpu, dev, s.phys(), s.length, dir, attrs);
    if (s.dma_address == DMA_MAPPING_ERROR) {
      for (std::size_t j = 0; j < i; ++j)
        unmap_page(cpu, dev, sg[j].dma_address, sg[j].length, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
      return 0;
    }
    s.dma_length = s.length;
  }
  return static_cast<int>(sg.size());
}

void DirectOps::unmap_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  for (Scatterlist& s : sg) unmap_page(cpu, dev, s.dma_address, s.dma_length, dir, attrs);
}

void DirectOps::sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) {
  if (kernel_.swiotlb != nullptr && kernel_.swiotlb->is_swiotlb_buffer(addr)) {
    kernel_.swiotlb->swiotlb_sync_single_for_cpu(cpu, dev, addr, size, dir);
    return;
  }
  if (!dev.dma_coherent) kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(addr), addr, size, dir);
}

void DirectOps::sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size,
                                       DmaDirection dir) {
  if (kernel_.swiotlb != nullptr && kernel_.swiotlb->is_swiotlb_buffer(addr)) {
    kernel_.swiotlb->swiotlb_sync_single_for_device(cpu, dev, addr, size, dir);
    return;
  }
  if (!dev.dma_coherent) kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(addr), addr, size, dir);
}

void DirectOps::sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  for (Scatterlist& s : sg) sync_single_for_cpu(cpu, dev, s.dma_address, s.dma_length, dir);
}

void DirectOps::sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  for (Scatterlist& s : sg) sync_single_for_device(cpu, dev, s.dma_address, s.dma_length, dir);
}

// ---- allocations ----------------------------------------------------------------------------

std::optional<PhysAddr> DirectOps::get_pages(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, Buffer& b) {
  b.pages = PAGE_ALIGN(size) / PAGE_SIZE;
  if (gfpflags_allow_blocking(gfp)) {
    const bool no_warn = (gfp & __GFP_NOWARN) != 0;
    if (const std::optional<Pfn> pfn = dma_alloc_from_contiguous(cpu, dev, b.pages, get_order(size), no_warn)) {
      b.from = From::Cma;
      return PFN_PHYS(*pfn);
    }
  }
  b.order = get_order(size);
  if (kernel_.page_allocator == nullptr || b.order >= MAX_ORDER) return std::nullopt;
  const std::optional<Pfn> pfn = kernel_.page_allocator->alloc_pages(cpu, gfp, b.order);
  if (!pfn) return std::nullopt;
  b.from = From::Pages;
  return PFN_PHYS(*pfn);
}

void dma_clear_buffer(cpu::Core& cpu, Kernel& kernel, PhysAddr pa, std::uint64_t size, bool flush) {
  const VirtAddr va = kernel.phys_to_virt(pa);
  {
    CostScope scope(kernel, cpu, CostKind::Copy, "memset", {{"bytes", size}});
    cpu.write_range(va, size);
  }
  if (flush) kernel.cache().flush_range(cpu, va, pa, size);
}

void DirectOps::flush_tlb_kernel_range(cpu::Core& cpu, std::uint64_t pages) {
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "flush_tlb_kernel_range", {{"pages", pages}});
  cpu.dsb();
  cpu.compute(pages * kTlbFlushCyclesPerPage);
  cpu.dsb();
}

DmaAllocation DirectOps::alloc(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs) {
  DmaAllocation a;
  size = PAGE_ALIGN(size);
  const bool no_mapping = (attrs & DMA_ATTR_NO_KERNEL_MAPPING) != 0;
  const cpu::MemAttr prot = dma_pgprot(attrs);
  cpu::AddressSpace& as = kernel_.machine().address_space();
  Buffer b;

  if (dev.dma_coherent) {  // __alloc_simple_buffer for a coherent device: cacheable, no maintenance
    const std::optional<PhysAddr> pa = get_pages(cpu, dev, size, gfp, b);
    if (!pa) return a;
    b.pa = *pa;
    dma_clear_buffer(cpu, kernel_, *pa, size, false);
    a.cpu_addr = kernel_.phys_to_virt(*pa);
  } else if (!gfpflags_allow_blocking(gfp)) {
    if (kernel_.atomic_pool == nullptr) return a;
    const std::optional<PhysAddr> pa = kernel_.atomic_pool->alloc(cpu, size);
    if (!pa) return a;
    b.from = From::AtomicPool;
    b.pa = *pa;
    a.cpu_addr = kernel_.atomic_pool->va_of(*pa);
  } else {
    const std::optional<PhysAddr> pa = get_pages(cpu, dev, size, gfp, b);
    if (!pa) return a;
    b.pa = *pa;
    const bool arm64 = kernel_.profile().is_arm64();
    if (arm64) {
      // dma_direct_alloc: arch_dma_prep_coherent (clean + invalidate), then a remap, zeroed
      // through it (unless no kernel mapping is wanted).
      kernel_.cache().flush_range(cpu, kernel_.phys_to_virt(*pa), *pa, size);
      if (!no_mapping) {
        const std::optional<VirtAddr> va = kernel_.vmalloc().vmap_contiguous(*pa, size, prot, "dma coherent remap");
        if (!va) return a;
        b.remap = *va;
        a.cpu_addr = *va;
        CostScope scope(kernel_, cpu, CostKind::Copy, "memset", {{"bytes", size}});
        cpu.write_range(*va, size);
      }
    } else {
      // __dma_clear_buffer: zeroed through the cacheable alias and flushed to the point of
      // coherency (after 6.0, NO_KERNEL_MAPPING buffers are flushed but not zeroed).
      if (!no_mapping || kernel_.profile().pre_6_0)
        dma_clear_buffer(cpu, kernel_, *pa, size, true);
      else
        kernel_.cache().flush_range(cpu, kernel_.phys_to_virt(*pa), *pa, size);
      if (!no_mapping) {
        if (b.from == From::Cma) {
          // __dma_remap: the linear map's PTEs of the buffer take the DMA memory type.
          as.set_attr(kernel_.phys_to_virt(*pa), size, prot);
          flush_tlb_kernel_range(cpu, size / PAGE_SIZE);
          b.linear_retyped = true;
          a.cpu_addr = kernel_.phys_to_virt(*pa);
        } else {
          const std::optional<VirtAddr> va = kernel_.vmalloc().vmap_contiguous(*pa, size, prot, "dma coherent remap");
          if (!va) return a;
          b.remap = *va;
          a.cpu_addr = *va;
        }
      }
    }
  }
  a.dma_handle = b.pa;
  a.cookie = b.pa;
  buffers_[b.pa] = b;
  return a;
}

void DirectOps::free(cpu::Core& cpu, Device&, std::uint64_t size, const DmaAllocation& a, DmaAttrs) {
  const auto it = buffers_.find(a.dma_handle);
  if (it == buffers_.end()) return;  // dma-debug reports it; the kernel would corrupt memory
  const Buffer b = it->second;
  buffers_.erase(it);
  size = PAGE_ALIGN(size);
  if (b.remap != 0) kernel_.vmalloc().vunmap(b.remap);
  if (b.linear_retyped) {
    kernel_.machine().address_space().set_attr(kernel_.phys_to_virt(b.pa), size, cpu::MemAttr::NormalWriteBack);
    flush_tlb_kernel_range(cpu, size / PAGE_SIZE);
  }
  switch (b.from) {
    case From::AtomicPool: kernel_.atomic_pool->free(b.pa, size); break;
    case From::Cma: {
      if (Cma* cma = cma_area_of(kernel_, b.pa)) cma->cma_release(cpu, PHYS_PFN(b.pa), b.pages);
      break;
    }
    case From::Pages: kernel_.page_allocator->free_pages(cpu, PHYS_PFN(b.pa), b.order); break;
  }
}

int DirectOps::mmap(cpu::Core&, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size, DmaAttrs attrs) {
  const auto it = buffers_.find(a.dma_handle);
  if (it == buffers_.end() || (uaddr & (PAGE_SIZE - 1)) != 0) return -kENXIO;
  // The user mapping gets the allocation's memory type (pgprot_writecombine / dmacoherent).
  kernel_.machine().address_space().map(uaddr, it->second.pa, PAGE_ALIGN(size),
                                        dev.dma_coherent ? cpu::MemAttr::NormalWriteBack : dma_pgprot(attrs),
                                        "dma_mmap user mapping");
  return 0;
}

}  // namespace dmasim::sw

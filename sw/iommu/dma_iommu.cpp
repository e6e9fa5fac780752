#include "sw/iommu/dma_iommu.h"

#include <bit>

#include "sw/dma_api/atomic_pool.h"
#include "sw/dma_api/direct.h"
#include "sw/kernel/cache_maint.h"
#include "sw/kernel/vmalloc.h"
#include "sw/mm/cma.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

namespace {
}  // namespace

DmaIommuOps::DmaIommuOps(Kernel& kernel, IommuDomain& domain)
    : kernel_(kernel),
      domain_(domain),
      iovad_(std::max<std::uint64_t>(1, kernel.profile().iommu.iova_base >> PAGE_SHIFT), kernel.machine().core_count()),
      lazy_(kernel.profile().iommu.flush == IommuFlush::Lazy),
      fq_(kernel.machine().core_count()) {}

void DmaIommuOps::charge(cpu::Core& cpu) {
  const IovaDomain::Work w = iovad_.take_work();
  cpu.compute(kIovaCallCycles + w.nodes * kCyclesPerNode + w.mag_ops * kCyclesPerMagOp);
}

std::uint64_t DmaIommuOps::iova_pages(std::uint64_t bytes) const {
  std::uint64_t pages = PAGE_ALIGN(bytes) / PAGE_SIZE;
  if (pages < (1u << (IovaDomain::kRangeCacheMaxSize - 1))) pages = std::bit_ceil(pages);
  return pages;
}

DmaAddr DmaIommuOps::alloc_iova(cpu::Core& cpu, std::uint64_t bytes, std::uint64_t dma_limit) {
  CostScope scope(kernel_, cpu, CostKind::Allocator, "iommu_dma_alloc_iova", {{"size", bytes}});
  const IommuPolicy& p = kernel_.profile().iommu;
  const std::uint64_t limit = std::min(dma_limit, p.iova_base + p.iova_size.bytes - 1);
  const std::optional<std::uint64_t> pfn = iovad_.alloc_fast(kernel_.core_index(cpu), iova_pages(bytes), limit >> PAGE_SHIFT);
  charge(cpu);
  if (!pfn) {
    kernel_.count_failure("iommu_dma_alloc_iova");
    return DMA_MAPPING_ERROR;
  }
  return *pfn << PAGE_SHIFT;
}

void DmaIommuOps::free_iova(cpu::Core& cpu, DmaAddr iova, std::uint64_t bytes, bool queued) {
  const std::uint64_t pages = PAGE_ALIGN(bytes) / PAGE_SIZE;
  if (queued) {
    queue_iova(cpu, iova >> PAGE_SHIFT, pages);
    return;
  }
  CostScope scope(kernel_, cpu, CostKind::Allocator, "free_iova_fast", {{"size", bytes}});
  iovad_.free_fast(kernel_.core_index(cpu), iova >> PAGE_SHIFT, pages);
  charge(cpu);
}

void DmaIommuOps::fq_flush(cpu::Core& cpu, std::deque<QueuedIova>&) {
  domain_.flush_iotlb_all(cpu);
  CostScope scope(kernel_, cpu, CostKind::Allocator, "fq_ring_free");
  for (std::deque<QueuedIova>& q : fq_) {
    for (const QueuedIova& e : q) iovad_.free_fast(kernel_.core_index(cpu), e.pfn, e.pages);
    q.clear();
  }
  charge(cpu);
}

void DmaIommuOps::queue_iova(cpu::Core& cpu, std::uint64_t pfn, std::uint64_t pages) {
  std::deque<QueuedIova>& q = fq_[kernel_.core_index(cpu) % fq_.size()];
  const Picoseconds now = cpu.now();
  if (!q.empty() && now - q.front().at >= kFlushQueueTimeout) fq_flush(cpu, q);  // the timer's flush
  if (q.size() >= kFlushQueueEntries) fq_flush(cpu, q);
  cpu.compute(kIovaCallCycles);
  q.push_back(QueuedIova{pfn, pages, now});
}

void DmaIommuOps::flush_queues(cpu::Core& cpu) {
  for (std::deque<QueuedIova>& q : fq_)
    if (!q.empty()) {
      fq_flush(cpu, q);
      return;
    }
}

DmaAddr DmaIommuOps::dma_map(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, int prot) {
  const std::uint64_t off = phys & ~PAGE_MASK;
  size = PAGE_ALIGN(size + off);
  const DmaAddr iova = alloc_iova(cpu, size, dev.dma_mask);
  if (iova == DMA_MAPPING_ERROR) return iova;
  if (iommu_map(cpu, domain_, iova, phys - off, size, prot) != 0) {
    free_iova(cpu, iova, size, false);
    return DMA_MAPPING_ERROR;
  }
  return iova + off;
}

void DmaIommuOps::dma_unmap(cpu::Core& cpu, DmaAddr addr, std::uint64_t size) {
  const std::uint64_t off = addr & ~PAGE_MASK;
  addr -= off;
  size = PAGE_ALIGN(size + off);
  iommu_unmap_fast(cpu, domain_, addr, size, lazy_);
  free_iova(cpu, addr, size, lazy_);
}

// ---- streaming -------------------------------------------------------------------------------

DmaAddr DmaIommuOps::map_page(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, DmaDirection dir,
                              DmaAttrs attrs) {
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(phys), phys, size, dir);
  return dma_map(cpu, dev, phys, size, dma_info_to_prot(dir));
}

void DmaIommuOps::unmap_page(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                             DmaAttrs attrs) {
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0) {
    if (const std::optional<PhysAddr> pa = iommu_iova_to_phys(cpu, domain_, addr & PAGE_MASK)) {
      const PhysAddr phys = *pa + (addr & ~PAGE_MASK);
      kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(phys), phys, size, dir);
    }
  }
  dma_unmap(cpu, addr, size);
}

int DmaIommuOps::map_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  if (sg.empty()) return 0;
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    for (const Scatterlist& s : sg) kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(s.phys()), s.phys(), s.length, dir);
  // Each entry takes whole granules of IO space, one after the other.
  std::uint64_t iova_len = 0;
  for (const Scatterlist& s : sg) iova_len += PAGE_ALIGN((s.offset & ~PAGE_MASK) + s.length);
  const DmaAddr iova = alloc_iova(cpu, iova_len, dev.dma_mask);
  if (iova == DMA_MAPPING_ERROR) return 0;
  // iommu_map_sg: physically contiguous entries in one iommu_map.
  std::uint64_t mapped = 0, run_len = 0;
  PhysAddr run_start = 0;
  const int prot = dma_info_to_prot(dir);
  for (std::size_t i = 0; i <= sg.size(); ++i) {
    PhysAddr p = 0;
    std::uint64_t len = 0;
    if (i < sg.size()) {
      p = sg[i].phys() & PAGE_MASK;
      len = PAGE_ALIGN((sg[i].offset & ~PAGE_MASK) + sg[i].length);
      if (run_len != 0 && p == run_start + run_len) {
        run_len += len;
        continue;
      }
    }
    if (run_len != 0) {
      if (iommu_map(cpu, domain_, iova + mapped, run_start, run_len, prot) != 0) {
        if (mapped != 0) iommu_unmap(cpu, domain_, iova, mapped);
        free_iova(cpu, iova, iova_len, false);
        return 0;
      }
      mapped += run_len;
    }
    run_start = p;
    run_len = len;
  }
  // __finalise_sg: consecutive entries merge into one segment while they continue at a granule
  // boundary and the segment stays within the device's maximum segment size.
  for (Scatterlist& s : sg) {
    s.dma_address = DMA_MAPPING_ERROR;
    s.dma_length = 0;
  }
  int segments = 0;
  std::uint64_t at = iova, seg_len = 0;
  Scatterlist* seg = nullptr;
  for (const Scatterlist& s : sg) {
    const std::uint64_t off = s.offset & ~PAGE_MASK;
    const bool joins = seg != nullptr && off == 0 && (seg_len & ~PAGE_MASK) == 0 && seg_len + s.length <= dev.max_segment_size;
    if (joins) {
      seg_len += s.length;
    } else {
      seg = &sg[static_cast<std::size_t>(segments++)];
      seg->dma_address = at + off;
      seg_len = s.length;
    }
    seg->dma_length = static_cast<std::uint32_t>(seg_len);
    at += PAGE_ALIGN(off + s.length);
  }
  return segments;
}

void DmaIommuOps::unmap_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  if (sg.empty()) return;
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    for (const Scatterlist& s : sg) kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(s.phys()), s.phys(), s.length, dir);
  DmaAddr end = sg[0].dma_address;
  for (const Scatterlist& s : sg)
    if (s.dma_length != 0) end = s.dma_address + s.dma_length;
  dma_unmap(cpu, sg[0].dma_address, end - sg[0].dma_address);
}

void DmaIommuOps::sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) {
  if (dev.dma_coherent) return;
  if (const std::optional<PhysAddr> pa = iommu_iova_to_phys(cpu, domain_, addr & PAGE_MASK)) {
    const PhysAddr phys = *pa + (addr & ~PAGE_MASK);
    kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(phys), phys, size, dir);
  }
}

void DmaIommuOps::sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size,
                                         DmaDirection dir) {
  if (dev.dma_coherent) return;
  if (const std::optional<PhysAddr> pa = iommu_iova_to_phys(cpu, domain_, addr & PAGE_MASK)) {
    const PhysAddr phys = *pa + (addr & ~PAGE_MASK);
    kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(phys), phys, size, dir);
  }
}

void DmaIommuOps::sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  if (dev.dma_coherent) return;
  for (const Scatterlist& s : sg) kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(s.phys()), s.phys(), s.length, dir);
}

void DmaIommuOps::sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  if (dev.dma_coherent) return;
  for (const Scatterlist& s : sg) kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(s.phys()), s.phys(), s.length, dir);
}

// ---- allocations -----------------------------------------------------------------------------

bool DmaIommuOps::alloc_pages(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs, Buffer& b) {
  const bool flush = !dev.dma_coherent;  // arch_dma_prep_coherent after zeroing
  const std::uint64_t count = size / PAGE_SIZE;
  auto add = [&](PhysAddr pa, unsigned order, std::uint64_t pages) { b.add_block(cpu, kernel_, pa, order, pages, flush); };
  if ((attrs & DMA_ATTR_FORCE_CONTIGUOUS) != 0 || get_order(size) >= MAX_ORDER) {
    const std::optional<Pfn> pfn = dma_alloc_from_contiguous(cpu, dev, count, get_order(size), false);
    if (!pfn) return false;
    add(PFN_PHYS(*pfn), IommuBuffer::kCmaBlock, count);
    return true;
  }
  if (kernel_.page_allocator == nullptr) return false;
  // __iommu_dma_alloc_pages: the largest order the IOMMU's page sizes allow that fits what is
  // left, going down at the first failure.
  std::uint64_t order_mask = (domain_.pgsize_bitmap() >> PAGE_SHIFT) & ((1ull << MAX_ORDER) - 1);
  if ((attrs & DMA_ATTR_ALLOC_SINGLE_PAGES) != 0) order_mask = 1;
  std::uint64_t left = count;
  while (left != 0) {
    std::uint64_t candidates = order_mask & ((2ull << (std::bit_width(left) - 1)) - 1);
    bool got = false;
    while (candidates != 0 && !got) {
      const unsigned order = static_cast<unsigned>(std::bit_width(candidates) - 1);
      candidates &= ~(1ull << order);
      if (const std::optional<Pfn> pfn = kernel_.page_allocator->alloc_pages(cpu, gfp, order)) {
        add(PFN_PHYS(*pfn), order, 1ull << order);
        left -= 1ull << order;
        got = true;
      } else {
        order_mask &= ~(1ull << order);  // do not retry this order
      }
    }
    if (!got) {
      b.free_blocks(cpu, kernel_);
      b = Buffer{};
      return false;
    }
  }
  return true;
}

DmaAllocation DmaIommuOps::alloc(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs) {
  size = PAGE_ALIGN(size);
  Buffer b;
  VirtAddr cpu_addr = 0;
  if (!gfpflags_allow_blocking(gfp) && !dev.dma_coherent) {
    const std::optional<VirtAddr> va = b.alloc_from_pool(cpu, kernel_, size);
    if (!va) return DmaAllocation{};
    cpu_addr = *va;
  } else if (!alloc_pages(cpu, dev, size, gfp, attrs, b)) {
    return DmaAllocation{};
  }
  // One IOVA for the buffer; physically contiguous runs mapped together.
  const DmaAddr iova = alloc_iova(cpu, size, dev.coherent_dma_mask);
  const std::uint64_t mapped =
      iova == DMA_MAPPING_ERROR ? 0 : iommu_map_pages(cpu, domain_, iova, b.pages, IOMMU_READ | IOMMU_WRITE);
  bool ok = iova != DMA_MAPPING_ERROR && mapped == size;
  if (ok && !b.from_pool && (attrs & DMA_ATTR_NO_KERNEL_MAPPING) == 0) {
    const std::optional<VirtAddr> va = kernel_.vmalloc().vmap(b.pages, dma_pgprot(kernel_.profile(), attrs), "iommu dma remap");
    ok = va.has_value();
    if (ok) {
      b.remap = *va;
      cpu_addr = *va;
    }
  }
  if (!ok) {
    if (mapped != 0) iommu_unmap(cpu, domain_, iova, mapped);
    if (iova != DMA_MAPPING_ERROR) free_iova(cpu, iova, size, false);
    b.release(cpu, kernel_, size);
    return DmaAllocation{};
  }
  return buffers_.keep(iova, cpu_addr, std::move(b));
}

void DmaIommuOps::free(cpu::Core& cpu, Device&, std::uint64_t size, const DmaAllocation& a, DmaAttrs) {
  const std::optional<Buffer> b = buffers_.take(a.dma_handle);
  if (!b) return;  // dma-debug reports it
  size = PAGE_ALIGN(size);
  dma_unmap(cpu, a.dma_handle, size);
  b->release(cpu, kernel_, size);
}

int DmaIommuOps::mmap(cpu::Core&, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size,
                      DmaAttrs attrs) {
  const Buffer* b = buffers_.find(a.dma_handle);
  return b == nullptr ? -kENXIO : iommu_buffer_mmap(kernel_, dev, uaddr, *b, size, attrs);
}

int iommu_dma_attach_default_domain(cpu::Core& cpu, Kernel& kernel, Device& dev) {
  IommuDomain* domain = iommu_domain_alloc(cpu, kernel);
  if (domain == nullptr) return -kENOMEM;
  if (const int ret = iommu_attach_device(cpu, *domain, dev); ret != 0) return ret;
  dev.dma_ops = kernel.keep(std::make_unique<DmaIommuOps>(kernel, *domain));
  return 0;
}

}  // namespace dmasim::sw

#include "sw/iommu/arm_iommu.h"

#include <array>
#include <bit>

#include "sw/dma_api/atomic_pool.h"
#include "sw/dma_api/direct.h"
#include "sw/kernel/cache_maint.h"
#include "sw/kernel/vmalloc.h"
#include "sw/mm/cma.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

namespace {
constexpr std::array<unsigned, 4> kIommuOrders = {9, 8, 4, 0};  // __iommu_alloc_buffer's iommu_order_array
}  // namespace

// ---- IO space --------------------------------------------------------------------------------

std::optional<std::uint64_t> ArmIommuOps::alloc_iova(cpu::Core& cpu, std::uint64_t size) {
  CostScope scope(kernel_, cpu, CostKind::Allocator, "__alloc_iova", {{"size", size}});
  const std::optional<std::uint64_t> iova = mapping_.iova.alloc(size);
  cpu.compute(kIovaCallCycles + mapping_.iova.take_words() * kCyclesPerBitmapWord);
  if (!iova) kernel_.count_failure("__alloc_iova");
  return iova;
}

void ArmIommuOps::free_iova(cpu::Core& cpu, std::uint64_t iova, std::uint64_t size) {
  CostScope scope(kernel_, cpu, CostKind::Allocator, "__free_iova", {{"size", size}});
  mapping_.iova.free(iova, size);
  cpu.compute(kIovaCallCycles + mapping_.iova.take_words() * kCyclesPerBitmapWord);
}

void ArmIommuOps::cpu_to_dev(cpu::Core& cpu, PhysAddr pa, std::uint64_t size, DmaDirection dir) {
  kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(pa), pa, size, dir);
}

void ArmIommuOps::dev_to_cpu(cpu::Core& cpu, PhysAddr pa, std::uint64_t size, DmaDirection dir) {
  kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(pa), pa, size, dir);
}

DmaAddr ArmIommuOps::create_mapping(cpu::Core& cpu, const std::vector<PhysAddr>& pages, std::uint64_t size) {
  const std::optional<std::uint64_t> base = alloc_iova(cpu, size);
  if (!base) return DMA_MAPPING_ERROR;
  const std::uint64_t mapped = iommu_map_pages(cpu, *mapping_.domain, *base, pages, IOMMU_READ | IOMMU_WRITE);
  if (mapped == pages.size() * PAGE_SIZE) return *base;
  if (mapped != 0) iommu_unmap(cpu, *mapping_.domain, *base, mapped);
  free_iova(cpu, *base, size);
  return DMA_MAPPING_ERROR;
}

void ArmIommuOps::remove_mapping(cpu::Core& cpu, DmaAddr handle, std::uint64_t size) {
  const std::uint64_t iova = handle & PAGE_MASK;
  size = PAGE_ALIGN((handle & ~PAGE_MASK) + size);
  iommu_unmap(cpu, *mapping_.domain, iova, size);
  free_iova(cpu, iova, size);
}

// ---- streaming -------------------------------------------------------------------------------

DmaAddr ArmIommuOps::map_page(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, DmaDirection dir,
                              DmaAttrs attrs) {
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0) cpu_to_dev(cpu, phys, size, dir);
  const std::uint64_t offset = phys & ~PAGE_MASK;
  const std::uint64_t len = PAGE_ALIGN(size + offset);
  const std::optional<std::uint64_t> iova = alloc_iova(cpu, len);
  if (!iova) return DMA_MAPPING_ERROR;
  if (iommu_map(cpu, *mapping_.domain, *iova, phys & PAGE_MASK, len, dma_info_to_prot(dir)) != 0) {
    free_iova(cpu, *iova, len);
    return DMA_MAPPING_ERROR;
  }
  return *iova + offset;
}

void ArmIommuOps::unmap_page(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                             DmaAttrs attrs) {
  const std::uint64_t iova = addr & PAGE_MASK;
  if (iova == 0) return;
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0) {
    if (const std::optional<PhysAddr> pa = iommu_iova_to_phys(cpu, *mapping_.domain, iova))
      dev_to_cpu(cpu, *pa + (addr & ~PAGE_MASK), size, dir);
  }
  remove_mapping(cpu, addr, size);
}

int ArmIommuOps::map_sg_chunk(cpu::Core& cpu, Device& dev, SgTable& sg, std::size_t first, std::size_t last,
                              std::uint64_t size, DmaDirection dir, DmaAttrs attrs, DmaAddr& handle) {
  size = PAGE_ALIGN(size);
  const std::optional<std::uint64_t> base = alloc_iova(cpu, size);
  if (!base) return -kENOMEM;
  std::uint64_t iova = *base;
  for (std::size_t i = first; i <= last; ++i) {
    const Scatterlist& s = sg[i];
    const std::uint64_t len = PAGE_ALIGN(s.offset + s.length);
    if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0) cpu_to_dev(cpu, s.phys(), s.length, dir);
    if (iommu_map(cpu, *mapping_.domain, iova, s.page_link & PAGE_MASK, len, dma_info_to_prot(dir)) != 0) {
      if (iova != *base) iommu_unmap(cpu, *mapping_.domain, *base, iova - *base);
      free_iova(cpu, *base, size);
      return -kENOMEM;
    }
    iova += len;
  }
  handle = *base;
  return 0;
}

int ArmIommuOps::map_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  if (sg.empty()) return 0;
  for (Scatterlist& s : sg) {
    s.dma_address = DMA_MAPPING_ERROR;
    s.dma_length = 0;
  }
  std::size_t start = 0, out = 0;
  std::uint64_t offset = sg[0].offset, size = std::uint64_t{sg[0].offset} + sg[0].length;
  auto chunk = [&](std::size_t last) {
    DmaAddr handle = 0;
    if (map_sg_chunk(cpu, dev, sg, start, last, size, dir, attrs, handle) != 0) return false;
    sg[out].dma_address = handle + offset;
    sg[out].dma_length = static_cast<std::uint32_t>(size - offset);
    ++out;
    return true;
  };
  bool ok = true;
  for (std::size_t i = 1; i < sg.size() && ok; ++i) {
    const Scatterlist& s = sg[i];
    if (s.offset != 0 || (size & ~PAGE_MASK) != 0 || size + s.length > dev.max_segment_size) {
      ok = chunk(i - 1);
      size = offset = s.offset;
      start = i;
    }
    size += s.length;
  }
  if (ok) ok = chunk(sg.size() - 1);
  if (!ok) {
    for (std::size_t i = 0; i < out; ++i) remove_mapping(cpu, sg[i].dma_address, sg[i].dma_length);
    return 0;
  }
  return static_cast<int>(out);
}

void ArmIommuOps::unmap_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  for (Scatterlist& s : sg) {
    if (s.dma_length != 0) remove_mapping(cpu, s.dma_address, s.dma_length);
    if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0) dev_to_cpu(cpu, s.phys(), s.length, dir);
  }
}

void ArmIommuOps::sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) {
  if (dev.dma_coherent) return;
  if (const std::optional<PhysAddr> pa = iommu_iova_to_phys(cpu, *mapping_.domain, addr & PAGE_MASK))
    dev_to_cpu(cpu, *pa + (addr & ~PAGE_MASK), size, dir);
}

void ArmIommuOps::sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size,
                                         DmaDirection dir) {
  if (dev.dma_coherent) return;
  if (const std::optional<PhysAddr> pa = iommu_iova_to_phys(cpu, *mapping_.domain, addr & PAGE_MASK))
    cpu_to_dev(cpu, *pa + (addr & ~PAGE_MASK), size, dir);
}

void ArmIommuOps::sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  if (dev.dma_coherent) return;
  for (const Scatterlist& s : sg) dev_to_cpu(cpu, s.phys(), s.length, dir);
}

void ArmIommuOps::sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  if (dev.dma_coherent) return;
  for (const Scatterlist& s : sg) cpu_to_dev(cpu, s.phys(), s.length, dir);
}

// ---- allocations -----------------------------------------------------------------------------

bool ArmIommuOps::alloc_buffer(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs, Buffer& b) {
  std::uint64_t count = size / PAGE_SIZE;
  if ((attrs & DMA_ATTR_FORCE_CONTIGUOUS) != 0) {
    const std::optional<Pfn> pfn = dma_alloc_from_contiguous(cpu, dev, count, get_order(size), (gfp & __GFP_NOWARN) != 0);
    if (!pfn) return false;
    b.add_block(cpu, kernel_, PFN_PHYS(*pfn), IommuBuffer::kCmaBlock, count, !dev.dma_coherent);
    return true;
  }
  if (kernel_.page_allocator == nullptr) return false;
  const bool single = (attrs & DMA_ATTR_ALLOC_SINGLE_PAGES) != 0;
  std::size_t idx = single ? kIommuOrders.size() - 1 : 0;
  while (count != 0) {
    const unsigned order = kIommuOrders[idx];
    if (static_cast<unsigned>(std::bit_width(count) - 1) < order) {  // drop down when we get small
      ++idx;
      continue;
    }
    const std::optional<Pfn> pfn = kernel_.page_allocator->alloc_pages(cpu, gfp, order);
    if (!pfn) {
      if (order != 0) {  // go down a notch at the first sign of pressure
        ++idx;
        continue;
      }
      b.free_blocks(cpu, kernel_);
      b = Buffer{};
      return false;
    }
    b.add_block(cpu, kernel_, PFN_PHYS(*pfn), order, 1ull << order, !dev.dma_coherent);
    count -= 1ull << order;
  }
  return true;
}

DmaAllocation ArmIommuOps::alloc(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs) {
  size = PAGE_ALIGN(size);
  Buffer b;
  VirtAddr cpu_addr = 0;
  if (!gfpflags_allow_blocking(gfp)) {  // __iommu_alloc_simple: the atomic pool, already remapped
    const std::optional<VirtAddr> va = b.alloc_from_pool(cpu, kernel_, size);
    if (!va) return DmaAllocation{};
    cpu_addr = *va;
  } else if (!alloc_buffer(cpu, dev, size, gfp, attrs, b)) {
    return DmaAllocation{};
  }
  const DmaAddr iova = create_mapping(cpu, b.pages, size);
  if (iova == DMA_MAPPING_ERROR) {
    b.release(cpu, kernel_, size);
    return DmaAllocation{};
  }
  if (!b.from_pool && (attrs & DMA_ATTR_NO_KERNEL_MAPPING) == 0) {
    const std::optional<VirtAddr> va =
        kernel_.vmalloc().vmap(b.pages, dma_pgprot(kernel_.profile(), attrs), "iommu dma remap");
    if (!va) {
      remove_mapping(cpu, iova, size);
      b.release(cpu, kernel_, size);
      return DmaAllocation{};
    }
    b.remap = *va;
    cpu_addr = *va;
  }
  return buffers_.keep(iova, cpu_addr, std::move(b));
}

void ArmIommuOps::free(cpu::Core& cpu, Device&, std::uint64_t size, const DmaAllocation& a, DmaAttrs) {
  const std::optional<Buffer> b = buffers_.take(a.dma_handle);
  if (!b) return;  // dma-debug reports it
  size = PAGE_ALIGN(size);
  remove_mapping(cpu, a.dma_handle, size);
  b->release(cpu, kernel_, size);
}

int ArmIommuOps::mmap(cpu::Core&, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size,
                      DmaAttrs attrs) {
  const Buffer* b = buffers_.find(a.dma_handle);
  return b == nullptr ? -kENXIO : iommu_buffer_mmap(kernel_, dev, uaddr, *b, size, attrs);
}

// ---- attaching -------------------------------------------------------------------------------

int arm_iommu_attach_new_mapping(cpu::Core& cpu, Kernel& kernel, Device& dev, std::uint64_t base, std::uint64_t size) {
  IommuDomain* domain = iommu_domain_alloc(cpu, kernel);
  if (domain == nullptr) return -kENOMEM;
  DmaIommuMapping* mapping = kernel.keep(std::make_unique<DmaIommuMapping>(*domain, base, size));
  if (const int ret = iommu_attach_device(cpu, *domain, dev); ret != 0) return ret;
  dev.dma_ops = kernel.keep(std::make_unique<ArmIommuOps>(kernel, *mapping));
  return 0;
}

}  // namespace dmasim::sw

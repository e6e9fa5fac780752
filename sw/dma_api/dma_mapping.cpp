#include "sw/dma_api/dma_mapping.h"

#include "sw/dma_api/coherent_mem.h"
#include "sw/dma_api/direct.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/kernel/kernel.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

namespace {

bool valid_direction(DmaDirection dir) { return dir != DmaDirection::None; }

DmaMapOps& ops_of(Device& dev) {
  if (dev.dma_ops != nullptr) return *dev.dma_ops;
  return dev.kernel->direct_ops();
}

DmaDebug* debug_of(Device& dev) {
  Kernel& k = *dev.kernel;
  return k.profile().dma_debug ? k.debug : nullptr;
}

}  // namespace

DmaAllocation dma_alloc_attrs(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_alloc_attrs", {{"size", size}});
  DmaAllocation a;
  if (dev.dma_mem != nullptr) a = dma_alloc_from_dev_coherent(cpu, dev, size);
  if (!a.ok()) a = ops_of(dev).alloc(cpu, dev, size, gfp, attrs);
  if (!a.ok()) {
    dev.kernel->count_failure("dma_alloc_attrs");
    return a;
  }
  if (DmaDebug* d = debug_of(dev))
    d->debug_dma_alloc_coherent(dev, size, a.dma_handle, a.cpu_addr, a.cookie);
  return a;
}

void dma_free_attrs(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a, DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_free_attrs", {{"size", size}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_free_coherent(dev, size, a.cpu_addr, a.dma_handle);
  if (dev.dma_mem != nullptr && dma_release_from_dev_coherent(dev, size, a)) return;
  ops_of(dev).free(cpu, dev, size, a, attrs);
}

DmaAllocation dma_alloc_noncoherent(cpu::Core& cpu, Device& dev, std::uint64_t size, DmaDirection dir, Gfp gfp) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_alloc_noncoherent", {{"size", size}});
  // Cacheable pages the driver owns and syncs itself: mapped like a streaming buffer.
  Kernel& k = *dev.kernel;
  DmaAllocation a;
  if (k.page_allocator == nullptr) return a;
  unsigned order = 0;
  while ((PAGE_SIZE << order) < size) ++order;
  const std::optional<Pfn> pfn = k.page_allocator->alloc_pages(cpu, gfp, order);
  if (!pfn) {
    k.count_failure("dma_alloc_noncoherent");
    return a;
  }
  const PhysAddr pa = PFN_PHYS(*pfn);
  a.cpu_addr = k.phys_to_virt(pa);
  a.cookie = pa;
  a.dma_handle = ops_of(dev).map_page(cpu, dev, pa, size, dir, 0);
  if (a.dma_handle == DMA_MAPPING_ERROR) {
    k.page_allocator->free_pages(cpu, *pfn, order);
    k.count_failure("dma_alloc_noncoherent");
    return DmaAllocation{};
  }
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_map_page(dev, pa, a.cpu_addr, size, dir, a.dma_handle, DebugEntryType::Page, 0);
  return a;
}

void dma_free_noncoherent(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a, DmaDirection dir) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_free_noncoherent", {{"size", size}});
  Kernel& k = *dev.kernel;
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_unmap_page(dev, a.dma_handle, size, dir, DebugEntryType::Page);
  ops_of(dev).unmap_page(cpu, dev, a.dma_handle, size, dir, 0);
  unsigned order = 0;
  while ((PAGE_SIZE << order) < size) ++order;
  if (k.page_allocator != nullptr) k.page_allocator->free_pages(cpu, PHYS_PFN(a.cookie), order);
}

int dma_mmap_attrs(cpu::Core& cpu, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size,
                   DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_mmap_attrs", {{"size", size}});
  return ops_of(dev).mmap(cpu, dev, uaddr, a, size, attrs);
}

DmaAddr dma_map_page_attrs(cpu::Core& cpu, Device& dev, PhysAddr page, std::uint64_t offset, std::uint64_t size,
                           DmaDirection dir, DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_map_page_attrs", {{"size", size}, {"dir", to_string(dir)}});
  if (!valid_direction(dir)) return DMA_MAPPING_ERROR;
  const PhysAddr phys = page + offset;
  const DmaAddr addr = ops_of(dev).map_page(cpu, dev, phys, size, dir, attrs);
  if (addr == DMA_MAPPING_ERROR) dev.kernel->count_failure("dma_map_page_attrs");
  if (DmaDebug* d = debug_of(dev))
    d->debug_dma_map_page(dev, phys, dev.kernel->is_lowmem(phys) ? dev.kernel->phys_to_virt(phys) : 0, size, dir,
                          addr, DebugEntryType::Page, attrs);
  return addr;
}

DmaAddr dma_map_single_attrs(cpu::Core& cpu, Device& dev, VirtAddr ptr, std::uint64_t size, DmaDirection dir,
                             DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_map_single_attrs", {{"size", size}, {"dir", to_string(dir)}});
  if (!valid_direction(dir)) return DMA_MAPPING_ERROR;
  const PhysAddr phys = dev.kernel->virt_to_phys(ptr);
  const DmaAddr addr = ops_of(dev).map_page(cpu, dev, phys, size, dir, attrs);
  if (addr == DMA_MAPPING_ERROR) dev.kernel->count_failure("dma_map_single_attrs");
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_map_page(dev, phys, ptr, size, dir, addr, DebugEntryType::Single, attrs);
  return addr;
}

void dma_unmap_page_attrs(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                          DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_unmap_page_attrs", {{"size", size}, {"dir", to_string(dir)}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_unmap_page(dev, addr, size, dir, DebugEntryType::Page);
  ops_of(dev).unmap_page(cpu, dev, addr, size, dir, attrs);
}

void dma_unmap_single_attrs(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                            DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_unmap_single_attrs", {{"size", size}, {"dir", to_string(dir)}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_unmap_page(dev, addr, size, dir, DebugEntryType::Single);
  ops_of(dev).unmap_page(cpu, dev, addr, size, dir, attrs);
}

int dma_map_sg_attrs(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_map_sg_attrs", {{"nents", sg.size()}, {"dir", to_string(dir)}});
  if (!valid_direction(dir)) return 0;
  const int n = ops_of(dev).map_sg(cpu, dev, sg, dir, attrs);
  if (n == 0) dev.kernel->count_failure("dma_map_sg_attrs");
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_map_sg(dev, sg, n, dir, attrs);
  return n;
}

void dma_unmap_sg_attrs(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_unmap_sg_attrs", {{"nents", sg.size()}, {"dir", to_string(dir)}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_unmap_sg(dev, sg, dir);
  ops_of(dev).unmap_sg(cpu, dev, sg, dir, attrs);
}

int dma_mapping_error(Device& dev, DmaAddr dma_addr) {
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_mapping_error(dev, dma_addr);
  return dma_addr == DMA_MAPPING_ERROR ? -kENOMEM : 0;
}

void dma_sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_sync_single_for_cpu", {{"size", size}, {"dir", to_string(dir)}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_sync_single_for_cpu(dev, addr, size, dir);
  ops_of(dev).sync_single_for_cpu(cpu, dev, addr, size, dir);
}

void dma_sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_sync_single_for_device", {{"size", size}, {"dir", to_string(dir)}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_sync_single_for_device(dev, addr, size, dir);
  ops_of(dev).sync_single_for_device(cpu, dev, addr, size, dir);
}

void dma_sync_single_range_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t offset,
                                   std::uint64_t size, DmaDirection dir) {
  dma_sync_single_for_cpu(cpu, dev, addr + offset, size, dir);
}

void dma_sync_single_range_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t offset,
                                      std::uint64_t size, DmaDirection dir) {
  dma_sync_single_for_device(cpu, dev, addr + offset, size, dir);
}

void dma_sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_sync_sg_for_cpu", {{"nents", sg.size()}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_sync_sg_for_cpu(dev, sg, dir);
  ops_of(dev).sync_sg_for_cpu(cpu, dev, sg, dir);
}

void dma_sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) {
  CostScope scope(*dev.kernel, cpu, CostKind::DmaApi, "dma_sync_sg_for_device", {{"nents", sg.size()}});
  if (DmaDebug* d = debug_of(dev)) d->debug_dma_sync_sg_for_device(dev, sg, dir);
  ops_of(dev).sync_sg_for_device(cpu, dev, sg, dir);
}

void dma_debug_device_release(Device& dev) {
  if (DmaDebug* d = debug_of(dev)) d->dma_debug_device_release(dev);
}

}  // namespace dmasim::sw

#pragma once
// The DMA-mapping API (include/linux/dma-mapping.h, kernel/dma/mapping.c) as drivers call it,
// with the kernel's names and semantics. Each call runs on the calling CPU (first argument),
// charges its time to CostKind::DmaApi, draws a slice on that core's trace track, calls
// dma-debug when the profile enables it, and dispatches to the device's dma_map_ops (dma-direct
// when it has none). A failure the kernel would report (no memory, IOVA space exhausted, swiotlb
// full) returns the kernel's error value and is counted; it never throws.
#include <cstdint>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/dma_map_ops.h"
#include "sw/dma_api/types.h"

namespace dmasim::sw {

// Coherent / write-combine / non-coherent allocations. The returned cookie goes back to free.
DmaAllocation dma_alloc_attrs(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs);
void dma_free_attrs(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a, DmaAttrs attrs);
inline DmaAllocation dma_alloc_coherent(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp) {
  return dma_alloc_attrs(cpu, dev, size, gfp, 0);
}
inline void dma_free_coherent(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a) {
  dma_free_attrs(cpu, dev, size, a, 0);
}
inline DmaAllocation dma_alloc_wc(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp) {
  return dma_alloc_attrs(cpu, dev, size, gfp, DMA_ATTR_WRITE_COMBINE);
}
// dma_alloc_noncoherent: cacheable pages the driver syncs itself (dma_sync_single_*).
DmaAllocation dma_alloc_noncoherent(cpu::Core& cpu, Device& dev, std::uint64_t size, DmaDirection dir, Gfp gfp);
void dma_free_noncoherent(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a, DmaDirection dir);
int dma_mmap_attrs(cpu::Core& cpu, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size,
                   DmaAttrs attrs);

// Streaming mappings. `ptr` is a kernel virtual address in the linear map (kmalloc memory).
DmaAddr dma_map_single_attrs(cpu::Core& cpu, Device& dev, VirtAddr ptr, std::uint64_t size, DmaDirection dir,
                             DmaAttrs attrs);
void dma_unmap_single_attrs(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                            DmaAttrs attrs);
DmaAddr dma_map_page_attrs(cpu::Core& cpu, Device& dev, PhysAddr page, std::uint64_t offset, std::uint64_t size,
                           DmaDirection dir, DmaAttrs attrs);
void dma_unmap_page_attrs(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                          DmaAttrs attrs);
int dma_map_sg_attrs(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs);
void dma_unmap_sg_attrs(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs);
// 0 when dma_addr is a valid mapping, else -kENOMEM (dma-debug records that it was checked).
int dma_mapping_error(Device& dev, DmaAddr dma_addr);

void dma_sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir);
void dma_sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir);
void dma_sync_single_range_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t offset,
                                   std::uint64_t size, DmaDirection dir);
void dma_sync_single_range_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t offset,
                                      std::uint64_t size, DmaDirection dir);
void dma_sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir);
void dma_sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir);

// Per-device coherent memory (kernel/dma/coherent.c): a region the device's coherent
// allocations come from first. 0 or -errno.
int dma_declare_coherent_memory(Device& dev, PhysAddr phys_addr, DmaAddr device_addr, std::uint64_t size);

// Called when a driver is unbound (dma-debug reports allocations and mappings still pending).
void dma_debug_device_release(Device& dev);

}  // namespace dmasim::sw

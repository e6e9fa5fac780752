#pragma once
// struct dma_map_ops (include/linux/dma-map-ops.h): what a DMA-mapping backend implements.
// Backends: dma-direct (sw/dma_api/direct.h: non-coherent, coherent, swiotlb bounce),
// arm_iommu (arch/arm/mm/dma-mapping.c IOMMU ops) and dma-iommu (drivers/iommu/dma-iommu.c),
// both in sw/iommu/. The API front end (sw/dma_api/dma_mapping.h) checks arguments, calls
// dma-debug and dispatches here; a backend does the work on the calling CPU.
#include <cstdint>
#include <optional>
#include <string_view>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/types.h"

namespace dmasim::sw {

// The result of an allocation: the CPU address (0 with NO_KERNEL_MAPPING: then `cookie` is what
// dma_free_attrs must get back, as the kernel's page pointer) and the device's address.
struct DmaAllocation {
  VirtAddr cpu_addr = 0;
  DmaAddr dma_handle = DMA_MAPPING_ERROR;
  std::uint64_t cookie = 0;
  bool ok() const { return dma_handle != DMA_MAPPING_ERROR; }
};

class DmaMapOps {
 public:
  virtual ~DmaMapOps() = default;
  virtual std::string_view name() const = 0;

  virtual DmaAllocation alloc(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs) = 0;
  virtual void free(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a, DmaAttrs attrs) = 0;
  // dma_mmap_attrs: maps the buffer into a user address range at uaddr (-errno or 0).
  virtual int mmap(cpu::Core& cpu, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size,
                   DmaAttrs attrs) = 0;

  virtual DmaAddr map_page(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, DmaDirection dir,
                           DmaAttrs attrs) = 0;
  virtual void unmap_page(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                          DmaAttrs attrs) = 0;
  // Returns the number of DMA segments (0 on failure).
  virtual int map_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) = 0;
  virtual void unmap_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) = 0;

  virtual void sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size,
                                   DmaDirection dir) = 0;
  virtual void sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size,
                                      DmaDirection dir) = 0;
  virtual void sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) = 0;
  virtual void sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) = 0;
};

}  // namespace dmasim::sw

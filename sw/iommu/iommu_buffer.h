#pragma once
// A DMA allocation behind an IOMMU, as both IOMMU DMA ops (arm_iommu, dma-iommu) hold it: the
// pages (not necessarily contiguous), the blocks to give back, the kernel remap, and whether it
// came from the atomic pool.
#include <cstdint>
#include <utility>
#include <vector>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/types.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Kernel;

struct IommuBuffer {
  static constexpr unsigned kCmaBlock = 0xff;  // a block's order for a CMA run

  std::vector<PhysAddr> pages;                        // one per 4 KiB page, in IO order
  std::vector<std::pair<PhysAddr, unsigned>> blocks;  // (pa, order) as allocated
  VirtAddr remap = 0;
  bool from_pool = false;

  // Adds `count` pages at pa allocated as one block, zeroed through the linear map (and flushed
  // to the point of coherency unless the device is coherent), as __dma_clear_buffer /
  // arch_dma_prep_coherent do.
  void add_block(cpu::Core& cpu, Kernel& kernel, PhysAddr pa, unsigned order, std::uint64_t count, bool flush);
  // Gives the blocks back to the page allocator or their CMA area (not the atomic pool's).
  void free_blocks(cpu::Core& cpu, Kernel& kernel) const;
};

// dma_mmap_attrs of an IOMMU allocation: its pages into a user range with the allocation's memory
// type. 0 or -errno.
int iommu_buffer_mmap(Kernel& kernel, const Device& dev, VirtAddr uaddr, const IommuBuffer& b, std::uint64_t size,
                      DmaAttrs attrs);

}  // namespace dmasim::sw

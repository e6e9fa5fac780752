#pragma once
// A DMA allocation behind an IOMMU, as both IOMMU DMA ops (arm_iommu, dma-iommu) hold it: the
// pages (not necessarily contiguous), the blocks to give back, the kernel remap, and whether it
// came from the atomic pool.
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/dma_map_ops.h"
#include "sw/dma_api/types.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Kernel;
class IommuDomain;

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
  // Pages from the atomic pool (already remapped at boot): the CPU address, nullopt when the pool
  // cannot serve `size` bytes.
  std::optional<VirtAddr> alloc_from_pool(cpu::Core& cpu, Kernel& kernel, std::uint64_t size);
  // Gives the blocks back to the page allocator or their CMA area (not the atomic pool's).
  void free_blocks(cpu::Core& cpu, Kernel& kernel) const;
  // Undoes the remap and gives the memory back wherever it came from (`size`: page-aligned bytes).
  void release(cpu::Core& cpu, Kernel& kernel, std::uint64_t size) const;
};

// The live allocations of one IOMMU DMA ops instance, by IO address.
class IommuAllocations {
 public:
  // Records b as the allocation at iova; returns what dma_alloc_attrs hands back.
  DmaAllocation keep(DmaAddr iova, VirtAddr cpu_addr, IommuBuffer b);
  // Forgets the allocation at iova and returns it; nullopt when there is none (dma-debug reports
  // the caller's mistake).
  std::optional<IommuBuffer> take(DmaAddr iova);
  const IommuBuffer* find(DmaAddr iova) const;

 private:
  std::map<DmaAddr, IommuBuffer> buffers_;
};

// Maps `pages` (4 KiB each, in IO order) from iova with one iommu_map per physically contiguous
// run (__iommu_create_mapping, iommu_map_sg). Returns the bytes mapped: all of them, or on a
// failure the prefix mapped before it, which the caller unmaps.
std::uint64_t iommu_map_pages(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, const std::vector<PhysAddr>& pages,
                              int prot);

// dma_mmap_attrs of an IOMMU allocation: its pages into a user range with the allocation's memory
// type. 0 or -errno.
int iommu_buffer_mmap(Kernel& kernel, const Device& dev, VirtAddr uaddr, const IommuBuffer& b, std::uint64_t size,
                      DmaAttrs attrs);

}  // namespace dmasim::sw

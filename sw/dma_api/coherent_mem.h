#pragma once
// Per-device coherent memory (kernel/dma/coherent.c): a region declared with
// dma_declare_coherent_memory, remapped write-combine, from which the device's coherent
// allocations are served first, in power-of-two page blocks from a bitmap
// (bitmap_find_free_region); zeroed through the remap.
#include <cstdint>
#include <vector>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/dma_map_ops.h"

namespace dmasim::sw {

class DmaCoherentMem {
 public:
  static constexpr std::uint64_t kBitCycles = 2;
  DmaCoherentMem(PhysAddr phys, DmaAddr device_base, VirtAddr va, std::uint64_t size)
      : phys_(phys), device_base_(device_base), va_(va), used_(size / PAGE_SIZE, false) {}

  DmaAllocation alloc(cpu::Core& cpu, std::uint64_t size);
  bool release(std::uint64_t size, const DmaAllocation& a);

 private:
  PhysAddr phys_;
  DmaAddr device_base_;
  VirtAddr va_;
  std::vector<bool> used_;
};

// Tried first by dma_alloc_attrs / dma_free_attrs for a device with declared memory.
DmaAllocation dma_alloc_from_dev_coherent(cpu::Core& cpu, Device& dev, std::uint64_t size);
bool dma_release_from_dev_coherent(Device& dev, std::uint64_t size, const DmaAllocation& a);

}  // namespace dmasim::sw

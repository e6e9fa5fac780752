#pragma once
// The atomic pool (arch/arm/mm/dma-mapping.c's pool, kernel/dma/pool.c on arm64): memory set
// aside and remapped with the DMA memory type at boot, from which allocations that may not sleep
// are carved (a page bitmap here, as gen_pool's first fit). When it is exhausted the kernel
// prints "ERROR: %u KiB atomic DMA coherent pool is too small!".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/stats/registry.h"
#include "models/cpu/core.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Kernel;

class AtomicPool {
 public:
  static constexpr std::uint64_t kBitCycles = 2;  // per page bit looked at by the search

  // pa: the pool's pages (physically contiguous); va: their boot-time remap.
  AtomicPool(Kernel& kernel, PhysAddr pa, VirtAddr va, std::uint64_t size);

  // The physical address of `size` bytes (page-rounded), or nullopt (message kept, counted).
  std::optional<PhysAddr> alloc(cpu::Core& cpu, std::uint64_t size);
  bool free(PhysAddr pa, std::uint64_t size);  // false when pa is not the pool's
  bool contains(PhysAddr pa) const { return pa >= pa_ && pa < pa_ + size_; }
  VirtAddr va_of(PhysAddr pa) const { return va_ + (pa - pa_); }
  bool contains_va(VirtAddr va) const { return va >= va_ && va < va_ + size_; }
  PhysAddr pa_of(VirtAddr va) const { return pa_ + (va - va_); }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  Kernel& kernel_;
  PhysAddr pa_;
  VirtAddr va_;
  std::uint64_t size_;
  std::vector<bool> used_;
  std::vector<std::string> messages_;
  stats::Counter* failures_;
};

}  // namespace dmasim::sw

#pragma once
// The vmalloc area: virtual ranges for remaps (dma_alloc_attrs' non-cacheable alias, vmap of
// scattered pages), first fit with one guard page after each area as __get_vm_area_node leaves.
// Mapping and unmapping change the kernel address space (the MMU's view).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/cpu/address_space.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class VmallocArea {
 public:
  VmallocArea(cpu::AddressSpace& as, VirtAddr start, std::uint64_t size);

  // Reserves size bytes (page-rounded) and maps them to the pages at `pas` (one physical address
  // per page, in order) with `attr`; nullopt when the area has no room.
  std::optional<VirtAddr> vmap(const std::vector<PhysAddr>& pas, cpu::MemAttr attr, const std::string& name);
  // A physically contiguous range.
  std::optional<VirtAddr> vmap_contiguous(PhysAddr pa, std::uint64_t size, cpu::MemAttr attr, const std::string& name);
  // Unmaps and frees the area starting at va (vunmap). Throws std::logic_error if none starts there.
  void vunmap(VirtAddr va);
  std::uint64_t area_size(VirtAddr va) const;  // 0 when no area starts at va
  bool contains(VirtAddr va) const { return va >= start_ && va < start_ + size_; }

 private:
  cpu::AddressSpace& as_;
  VirtAddr start_;
  std::uint64_t size_;
  std::map<VirtAddr, std::uint64_t> areas_;  // start -> bytes reserved (guard page included)
};

}  // namespace dmasim::sw

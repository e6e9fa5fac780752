#include "sw/kernel/vmalloc.h"

#include <fmt/format.h>

#include <stdexcept>

namespace dmasim::sw {

VmallocArea::VmallocArea(cpu::AddressSpace& as, VirtAddr start, std::uint64_t size)
    : as_(as), start_(start), size_(size) {}

std::optional<VirtAddr> VmallocArea::vmap(const std::vector<PhysAddr>& pas, cpu::MemAttr attr,
                                          const std::string& name) {
  if (pas.empty()) return std::nullopt;
  const std::uint64_t bytes = pas.size() * PAGE_SIZE + PAGE_SIZE;  // one guard page after it
  // First fit between the areas, in address order.
  VirtAddr va = start_;
  for (const auto& [s, n] : areas_) {
    if (s - va >= bytes) break;
    va = s + n;
  }
  if (va + bytes > start_ + size_) return std::nullopt;
  // Runs of physically consecutive pages become one mapping each.
  std::size_t i = 0;
  while (i < pas.size()) {
    std::size_t j = i + 1;
    while (j < pas.size() && pas[j] == pas[j - 1] + PAGE_SIZE) ++j;
    as_.map(va + i * PAGE_SIZE, pas[i], (j - i) * PAGE_SIZE, attr, name);
    i = j;
  }
  areas_.emplace(va, bytes);
  return va;
}

std::optional<VirtAddr> VmallocArea::vmap_contiguous(PhysAddr pa, std::uint64_t size, cpu::MemAttr attr,
                                                     const std::string& name) {
  std::vector<PhysAddr> pas;
  for (std::uint64_t off = 0; off < PAGE_ALIGN(size); off += PAGE_SIZE) pas.push_back(pa + off);
  return vmap(pas, attr, name);
}

void VmallocArea::vunmap(VirtAddr va) {
  const auto it = areas_.find(va);
  if (it == areas_.end()) throw std::logic_error(fmt::format("vunmap: no vmalloc area starts at {:#x}", va));
  as_.unmap(va, it->second - PAGE_SIZE);
  areas_.erase(it);
}

std::uint64_t VmallocArea::area_size(VirtAddr va) const {
  const auto it = areas_.find(va);
  return it == areas_.end() ? 0 : it->second - PAGE_SIZE;
}

}  // namespace dmasim::sw

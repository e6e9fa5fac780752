#include "models/iommu/flpd_cache.h"

namespace dmasim::iommu {

std::optional<std::uint32_t> FlpdCache::lookup(unsigned lv1_index) {
  for (Slot& s : slots_)
    if (s.valid && s.index == lv1_index) {
      s.lru = ++tick_;
      return s.descriptor;
    }
  return std::nullopt;
}

void FlpdCache::insert(unsigned lv1_index, std::uint32_t descriptor) {
  if (slots_.empty()) return;
  Slot* victim = nullptr;
  for (Slot& s : slots_) {
    if (s.valid && s.index == lv1_index) {
      victim = &s;
      break;
    }
    if (victim == nullptr || (victim->valid && (!s.valid || s.lru < victim->lru))) victim = &s;
  }
  *victim = Slot{true, lv1_index, descriptor, ++tick_};
}

void FlpdCache::flush_all() {
  for (Slot& s : slots_) s.valid = false;
}

void FlpdCache::flush_range(std::uint64_t start, std::uint64_t end) {
  const std::uint64_t first = start >> 20, last = end >> 20;
  for (Slot& s : slots_)
    if (s.valid && s.index >= first && s.index <= last) s.valid = false;
}

}  // namespace dmasim::iommu

#pragma once
// The FLPD cache: a small fully associative LRU cache of level-1 descriptors (first-level page
// descriptors), keyed by the 1 MiB region of IO virtual address space they describe. A hit saves
// the level-1 read of a walk. It caches links to level-2 tables as well as sections, so
// replacing a link (the shared zero level-2 table by a real one) needs an FLPD invalidation,
// which the SYSMMU does on a TLB flush covering the region. SystemC-free.
#include <cstdint>
#include <optional>
#include <vector>

namespace dmasim::iommu {

class FlpdCache {
 public:
  explicit FlpdCache(unsigned entries) : slots_(entries) {}

  bool enabled() const { return !slots_.empty(); }
  std::optional<std::uint32_t> lookup(unsigned lv1_index);
  void insert(unsigned lv1_index, std::uint32_t descriptor);
  void flush_all();
  // Every region intersecting [start, end] (IO virtual addresses, inclusive).
  void flush_range(std::uint64_t start, std::uint64_t end);

 private:
  struct Slot {
    bool valid = false;
    unsigned index = 0;
    std::uint32_t descriptor = 0;
    std::uint64_t lru = 0;
  };
  std::vector<Slot> slots_;
  std::uint64_t tick_ = 0;
};

}  // namespace dmasim::iommu

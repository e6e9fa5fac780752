#pragma once
// A SYSMMU prefetch buffer (REFERENCE.md section 4; docs/iommu.md, "Prefetch buffers"): a small
// fully associative LRU store of page translations that sits beside the main TLB for the
// transactions bound to it (a direction, a stream, an IO virtual address range). Walks of the
// page after the one in use fill it ahead of the master, so a sequential stream finds its next
// page's descriptor without a walk. Every entry remembers whether it has served a hit yet, which
// is how the SYSMMU counts useful prefetches. SystemC-free.
#include <cstdint>
#include <optional>
#include <vector>

#include "models/iommu/tlb.h"

namespace dmasim::iommu {

class PrefetchBuffer {
 public:
  struct Hit {
    Translation translation;
    bool first_use = false;  // the entry's first hit since it was filled
  };

  explicit PrefetchBuffer(unsigned entries);  // entries >= 1 (validated by the config)

  // The translation of `iova`; a hit becomes the most recently used.
  std::optional<Hit> lookup(std::uint64_t iova);
  // Whether an entry translates `iova`, without touching the LRU order (may a prefetch be skipped).
  bool holds(std::uint64_t iova) const;
  // Keeps `t`, replacing every entry it overlaps (a remap), else a free or the least recently
  // used entry.
  void insert(const Translation& t);

  void flush_all();
  // Every entry translating any address of [start, end] (inclusive, as the FLUSH_END register).
  void flush_range(std::uint64_t start, std::uint64_t end);

  std::size_t valid_entries() const;
  std::size_t capacity() const { return entries_.size(); }

 private:
  struct Entry {
    bool valid = false;
    bool used = false;
    std::uint64_t lru = 0;
    Translation t;

    bool covers(std::uint64_t iova) const { return valid && iova >= t.iova && iova - t.iova < t.size; }
  };

  std::vector<Entry> entries_;
  std::uint64_t tick_ = 0;
};

}  // namespace dmasim::iommu

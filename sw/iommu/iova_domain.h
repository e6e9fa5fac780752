#pragma once
// The IOVA allocator of dma-iommu (drivers/iommu/iova.c), in page frames of the IOMMU granule:
//
// - a tree of allocated ranges (the kernel's rbtree, with an anchor node at the top) searched
//   top-down from a cached node for a gap below the limit, the new range aligned to its size
//   rounded up to a power of two; a failed search from the cache retries once from the top;
// - per-CPU range caches for sizes up to 32 frames (6 size classes): a loaded and a previous
//   magazine of 127 frames each per CPU, and a depot of at most 32 full magazines per size;
//   freeing into a full depot returns a whole magazine to the tree.
//
// Work is counted (tree nodes visited, magazine operations) for the caller to charge as CPU
// cycles. SystemC-free.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace dmasim::sw {

class IovaDomain {
 public:
  static constexpr unsigned kRangeCacheMaxSize = 6;  // IOVA_RANGE_CACHE_MAX_SIZE: sizes 2^0..2^5
  static constexpr std::size_t kMagSize = 127;       // IOVA_MAG_SIZE
  static constexpr std::size_t kMaxGlobalMags = 32;  // MAX_GLOBAL_MAGS

  struct Work {
    std::uint64_t nodes = 0;      // tree nodes visited (search, insert, erase)
    std::uint64_t mag_ops = 0;    // magazine pushes, pops, swaps
  };

  // start_pfn: the first frame handed out; cpus: per-CPU caches.
  IovaDomain(std::uint64_t start_pfn, unsigned cpus);

  // alloc_iova_fast: `size` frames below limit_pfn (inclusive), from cpu's cache or the tree;
  // after a failure the caches are flushed back to the tree and the search retried once.
  std::optional<std::uint64_t> alloc_fast(unsigned cpu, std::uint64_t size, std::uint64_t limit_pfn);
  // free_iova_fast: into cpu's cache for small sizes, else back to the tree.
  void free_fast(unsigned cpu, std::uint64_t pfn, std::uint64_t size);

  Work take_work();
  std::size_t tree_nodes() const { return tree_.size() - 1; }  // allocated ranges (anchor excluded)
  std::uint64_t cache_hits() const { return cache_hits_; }

 private:
  struct Magazine {
    std::vector<std::uint64_t> pfns;
    bool full() const { return pfns.size() == kMagSize; }
    bool empty() const { return pfns.empty(); }
  };
  struct CpuCache {
    Magazine loaded, prev;
  };
  struct RangeCache {
    std::vector<CpuCache> cpus;
    std::vector<Magazine> depot;
  };
  using Tree = std::map<std::uint64_t, std::uint64_t>;  // pfn_lo -> pfn_hi

  std::optional<std::uint64_t> alloc_tree(std::uint64_t size, std::uint64_t limit_pfn);
  void free_tree(std::uint64_t pfn);
  std::optional<std::uint64_t> cache_get(unsigned cpu, unsigned log_size, std::uint64_t limit_pfn);
  bool cache_insert(unsigned cpu, unsigned log_size, std::uint64_t pfn);
  void free_magazine(Magazine& m);
  void flush_caches();
  std::uint64_t log_nodes() const;  // a tree descent's length

  std::uint64_t start_pfn_;
  Tree tree_;
  std::uint64_t cached_lo_;   // the cached node: the search starts below it
  std::array<RangeCache, kRangeCacheMaxSize> caches_;
  Work work_;
  std::uint64_t cache_hits_ = 0;
};

}  // namespace dmasim::sw

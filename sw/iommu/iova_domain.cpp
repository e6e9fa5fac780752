#include "sw/iommu/iova_domain.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace dmasim::sw {

namespace {
constexpr std::uint64_t kAnchor = ~0ull;  // IOVA_ANCHOR: a node above every range
unsigned order_base_2(std::uint64_t n) { return n <= 1 ? 0 : static_cast<unsigned>(std::bit_width(n - 1)); }
}  // namespace

IovaDomain::IovaDomain(std::uint64_t start_pfn, unsigned cpus) : start_pfn_(start_pfn), cached_lo_(kAnchor) {
  tree_.emplace(kAnchor, kAnchor);
  for (RangeCache& r : caches_) r.cpus.resize(std::max(1u, cpus));
}

IovaDomain::Work IovaDomain::take_work() {
  const Work w = work_;
  work_ = Work{};
  return w;
}

std::uint64_t IovaDomain::log_nodes() const { return static_cast<std::uint64_t>(std::bit_width(tree_.size())); }

std::optional<std::uint64_t> IovaDomain::alloc_tree(std::uint64_t size, std::uint64_t limit_pfn) {
  const std::uint64_t align_mask = ~((1ull << order_base_2(size)) - 1);
  std::uint64_t high = limit_pfn + 1, low = start_pfn_;
  auto curr = tree_.find(cached_lo_);
  if (curr == tree_.end() || curr->first > limit_pfn + 1) curr = tree_.upper_bound(limit_pfn);
  const std::uint64_t retry_pfn = curr->first == kAnchor ? limit_pfn + 1 : curr->second + 1;
  bool retried = false;
  for (;;) {
    std::uint64_t new_pfn = 0;
    bool below = false;  // high < size: nothing fits below high
    for (;;) {
      high = std::min(high, curr->first);
      below = high < size;
      new_pfn = below ? 0 : (high - size) & align_mask;
      ++work_.nodes;
      if (curr == tree_.begin()) break;
      --curr;
      if (below || new_pfn > curr->second || new_pfn < low) break;
    }
    if (!below && new_pfn >= low) {
      tree_.emplace(new_pfn, new_pfn + size - 1);
      work_.nodes += log_nodes();
      cached_lo_ = new_pfn;
      return new_pfn;
    }
    // Nothing free below the cached node: once more over the range above it.
    if (retried || low != start_pfn_ || retry_pfn > limit_pfn) return std::nullopt;
    retried = true;
    high = limit_pfn + 1;
    low = retry_pfn;
    curr = tree_.upper_bound(limit_pfn);
  }
}

void IovaDomain::free_tree(std::uint64_t pfn) {
  const auto it = tree_.find(pfn);
  work_.nodes += log_nodes();
  if (it == tree_.end() || pfn == kAnchor) throw std::logic_error("free_iova of a range not allocated");
  if (it->first >= cached_lo_) cached_lo_ = std::next(it)->first;
  tree_.erase(it);
}

std::optional<std::uint64_t> IovaDomain::cache_get(unsigned cpu, unsigned log_size, std::uint64_t limit_pfn) {
  RangeCache& r = caches_[log_size];
  CpuCache& c = r.cpus[cpu % r.cpus.size()];
  ++work_.mag_ops;
  if (c.loaded.empty()) {
    if (!c.prev.empty()) {
      std::swap(c.loaded, c.prev);
    } else if (!r.depot.empty()) {
      c.loaded = std::move(r.depot.back());
      r.depot.pop_back();
    } else {
      return std::nullopt;
    }
  }
  // iova_magazine_pop: the last frame at or below the limit.
  std::vector<std::uint64_t>& p = c.loaded.pfns;
  for (std::size_t i = p.size(); i-- > 0;) {
    if (p[i] > limit_pfn) continue;
    const std::uint64_t pfn = p[i];
    p[i] = p.back();
    p.pop_back();
    return pfn;
  }
  return std::nullopt;
}

bool IovaDomain::cache_insert(unsigned cpu, unsigned log_size, std::uint64_t pfn) {
  RangeCache& r = caches_[log_size];
  CpuCache& c = r.cpus[cpu % r.cpus.size()];
  ++work_.mag_ops;
  if (c.loaded.full()) {
    if (!c.prev.full()) {
      std::swap(c.loaded, c.prev);
    } else if (r.depot.size() < kMaxGlobalMags) {
      r.depot.push_back(std::move(c.loaded));
      c.loaded = Magazine{};
    } else {
      free_magazine(c.loaded);  // the depot is full: the magazine's ranges go back to the tree
    }
  }
  c.loaded.pfns.push_back(pfn);
  return true;
}

void IovaDomain::free_magazine(Magazine& m) {
  for (std::uint64_t pfn : m.pfns) free_tree(pfn);
  m.pfns.clear();
}

void IovaDomain::flush_caches() {
  for (RangeCache& r : caches_) {
    for (CpuCache& c : r.cpus) {
      free_magazine(c.loaded);
      free_magazine(c.prev);
    }
    for (Magazine& m : r.depot) free_magazine(m);
    r.depot.clear();
  }
}

std::optional<std::uint64_t> IovaDomain::alloc_fast(unsigned cpu, std::uint64_t size, std::uint64_t limit_pfn) {
  const unsigned log_size = order_base_2(size);
  if (log_size < kRangeCacheMaxSize) {
    if (const std::optional<std::uint64_t> pfn = cache_get(cpu, log_size, limit_pfn)) {
      ++cache_hits_;
      return pfn;
    }
  }
  if (const std::optional<std::uint64_t> pfn = alloc_tree(size, limit_pfn)) return pfn;
  flush_caches();
  return alloc_tree(size, limit_pfn);
}

void IovaDomain::free_fast(unsigned cpu, std::uint64_t pfn, std::uint64_t size) {
  const unsigned log_size = order_base_2(size);
  if (log_size < kRangeCacheMaxSize && cache_insert(cpu, log_size, pfn)) return;
  free_tree(pfn);
}

}  // namespace dmasim::sw

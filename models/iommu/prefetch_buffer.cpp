#include "models/iommu/prefetch_buffer.h"

#include <algorithm>
#include <cassert>

namespace dmasim::iommu {

PrefetchBuffer::PrefetchBuffer(unsigned entries) : entries_(entries) { assert(entries >= 1); }

std::optional<PrefetchBuffer::Hit> PrefetchBuffer::lookup(std::uint64_t iova) {
  for (Entry& e : entries_) {
    if (!e.covers(iova)) continue;
    e.lru = ++tick_;
    const bool first = !e.used;
    e.used = true;
    return Hit{e.t, first};
  }
  return std::nullopt;
}

bool PrefetchBuffer::holds(std::uint64_t iova) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.covers(iova); });
}

void PrefetchBuffer::insert(const Translation& t) {
  // Drop what the new translation overlaps, so that one address never has two entries.
  for (Entry& e : entries_)
    if (e.valid && e.t.iova < t.iova + t.size && t.iova < e.t.iova + e.t.size) e.valid = false;
  Entry* victim = &entries_.front();
  for (Entry& e : entries_) {
    if (!e.valid) {
      victim = &e;
      break;
    }
    if (e.lru < victim->lru) victim = &e;
  }
  *victim = Entry{true, false, ++tick_, t};
}

void PrefetchBuffer::flush_all() {
  for (Entry& e : entries_) e.valid = false;
}

void PrefetchBuffer::flush_range(std::uint64_t start, std::uint64_t end) {
  for (Entry& e : entries_)
    if (e.valid && e.t.iova <= end && start <= e.t.iova + (e.t.size - 1)) e.valid = false;
}

std::size_t PrefetchBuffer::valid_entries() const {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.valid; }));
}

}  // namespace dmasim::iommu

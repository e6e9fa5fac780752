#pragma once
// The write/eviction buffer of a cache: dirty lines (evicted or cleaned) waiting to be written to
// the next level, drained in FIFO order. A line written back again while still queued replaces
// its queued data in place (coalescing, the newer version wins); when the buffer is full the
// caller must stall the eviction (and so the fill that caused it). A read miss must look here
// first: the newest data of a line may be in the buffer rather than below. No timing.
//
// A fixed ring of entries: no allocation after construction, deterministic order.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/common/stats/registry.h"

namespace dmasim::cache {

struct WriteBufferEntry {
  std::uint64_t line = 0;  // line-aligned address
  std::uint64_t version = 0;
  std::uint64_t not_before = 0;  // ps: the eviction's time (a fill applied ahead of its time)
  friend bool operator==(const WriteBufferEntry&, const WriteBufferEntry&) = default;
};

enum class WbPush { Added, Coalesced, Full };

class WriteBuffer {
 public:
  WriteBuffer(unsigned entries, unsigned line_size, stats::Group stats);

  WbPush push(std::uint64_t addr, std::uint64_t version, std::uint64_t not_before = 0);
  // The queued version of the line holding addr, if queued.
  std::optional<std::uint64_t> find(std::uint64_t addr) const;
  // The oldest entry (the caller checked !empty()).
  const WriteBufferEntry& front() const { return ring_[head_]; }
  void pop_front();
  // Takes the line out wherever it is queued (a snoop took the data, or a fill was served from
  // the buffer): true when it was there.
  bool remove(std::uint64_t addr);

  std::size_t size() const { return count_; }
  std::size_t capacity() const { return ring_.size(); }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == ring_.size(); }
  // The entry at position i from the oldest (0 = front).
  const WriteBufferEntry& at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }

 private:
  std::size_t slot(std::size_t i) const { return (head_ + i) % ring_.size(); }
  std::optional<std::size_t> position(std::uint64_t line) const;

  std::vector<WriteBufferEntry> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::uint64_t line_mask_;
  stats::Counter& pushed_;
  stats::Counter& coalesced_;
  stats::Counter& full_stalls_;
};

}  // namespace dmasim::cache

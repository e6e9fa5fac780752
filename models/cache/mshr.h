#pragma once
// Miss status holding registers: one entry per line with an outstanding miss, holding the
// requests (targets) waiting for it. A second miss to a line already pending merges into its
// entry; when no entry (or no target slot) is free the caller must stall the request. Plain data,
// no timing: the SystemC wrapper decides when a miss is issued and when its fill arrives.
//
// Entries live in a fixed array searched linearly (a few to a few dozen entries), so nothing
// allocates per miss and every iteration order is deterministic (allocation order).
#include <cstdint>
#include <vector>

#include "models/common/stats/registry.h"

namespace dmasim::cache {

struct MshrTarget {
  std::uint64_t addr = 0;  // the request's byte address
  bool is_write = false;
  std::uint64_t id = 0;  // the caller's handle (payload, request number)
  friend bool operator==(const MshrTarget&, const MshrTarget&) = default;
};

struct MshrEntry {
  bool valid = false;
  std::uint64_t line = 0;       // line-aligned address
  std::uint64_t order = 0;      // allocation sequence number (older = smaller)
  bool wants_ownership = false; // some target is a write: the fill must come unique (ReadUnique)
  bool issued = false;          // the miss request has gone to the next level
  bool issued_with_ownership = false;
  std::vector<MshrTarget> targets;  // arrival order; capacity reserved at construction
};

enum class MshrAdd {
  Allocated,  // a new entry: the caller issues the miss
  Merged,     // joined the line's pending entry: nothing to issue (unless ownership is now needed)
  NoEntry,    // every entry busy: stall
  NoTarget,   // the line's entry is full of targets: stall
};

class MshrTable {
 public:
  MshrTable(unsigned entries, unsigned targets_per_entry, unsigned line_size, stats::Group stats);

  MshrAdd add(std::uint64_t addr, bool is_write, std::uint64_t id);
  const MshrEntry* find(std::uint64_t addr) const;
  bool pending(std::uint64_t addr) const { return find(addr) != nullptr; }
  // Records that the line's miss went downstream (with or without ownership).
  void mark_issued(std::uint64_t addr, bool with_ownership);
  // The oldest valid entry not yet issued, or nullptr.
  const MshrEntry* next_to_issue() const;
  // The fill arrived: frees the line's entry and copies its targets, arrival order, to `out`
  // (cleared first). False when the line had no entry.
  bool complete(std::uint64_t addr, std::vector<MshrTarget>& out);

  unsigned in_use() const { return in_use_; }
  unsigned capacity() const { return static_cast<unsigned>(entries_.size()); }
  bool full() const { return in_use_ == entries_.size(); }

 private:
  MshrEntry* find_mut(std::uint64_t line);

  std::vector<MshrEntry> entries_;
  unsigned targets_per_entry_;
  std::uint64_t line_mask_;
  unsigned in_use_ = 0;
  std::uint64_t next_order_ = 0;
  stats::Counter& allocations_;
  stats::Counter& merges_;
  stats::Counter& full_stalls_;
  stats::Counter& target_stalls_;
};

}  // namespace dmasim::cache

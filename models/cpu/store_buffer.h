#pragma once
// The store buffer of a core, which is also its write-combining buffer for non-cacheable
// memory (REFERENCE.md section 5, "Store buffer rules"). Free of SystemC and of timing: the core
// model decides when drained entries go on the bus and how long they take; this engine decides
// what is merged, what must leave and in which order, and what a load may take from the buffer.
//
// - An entry is one aligned slot of entry_size bytes (normally the L1 line size) with a byte mask.
// - A store to Normal memory (write-back or non-cacheable, i.e. bufferable) merges into the
//   youngest entry of its slot when that entry has the same memory type; otherwise it takes a new
//   entry. A slot written completely (full_line) drains as one burst: that is the write-combining
//   of coherent / write-combine DMA buffers.
// - A store or load to Device or Strongly-ordered memory is never buffered: it first drains every
//   older entry (oldest first), then the caller performs the access itself (Unbuffered).
// - Drain triggers: DMB, DSB, cache maintenance, a Device/SO access, a full buffer (the oldest
//   entry leaves to make room: the store stalls until it is accepted), a load that needs bytes
//   the buffer holds only in part, a background drain when the bus is idle, an explicit drain.
// - Loads from Normal memory look in the buffer: all bytes present (in the youngest entries of
//   the slot) -> forwarded; none -> go to the cache; some -> the entries holding them must drain
//   first (Stall), then the load goes to the cache.
//
// Every drained entry is handed back, in drain order, appended to a caller-supplied vector (no
// allocation here once that vector has grown). An entry carries the newest oracle version merged
// into it (an entry lies within one cache line, so one version suffices). Data bytes are not
// held: dmasim carries versions, not data.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/problem.h"
#include "models/common/config/schema.h"
#include "models/common/stats/registry.h"
#include "models/cpu/address_space.h"

namespace dmasim::cpu {

struct StoreBufferConfig {
  unsigned entries = 4;
  ByteSize entry_size{32};  // bytes per entry (merge granule); 8, 16, 32 or 64, at most the line

  static void describe(cfg::Fields<StoreBufferConfig>& f);
  void validate(cfg::Validator& v) const;
  using Problem = cfg::Problem;
  std::optional<Problem> problem() const;
  void check() const;  // throws UserError
};

enum class DrainReason : std::uint8_t {
  Dmb,               // DMB: older stores become observable before younger accesses
  Dsb,               // DSB: as DMB; the core then also waits for completion (+ outer sync)
  CacheMaintenance,  // DC CVAC / IVAC / CIVAC / set-way
  DeviceAccess,      // a Device or Strongly-ordered load or store
  Full,              // no free entry for a new store: the oldest leaves
  LoadHazard,        // a load needs bytes the buffer holds only in part
  Idle,              // background drain when the bus is free (the core model decides when)
  Complete,          // an entry written completely leaves at once (one burst), older ones first
  Explicit,          // drain() without a more specific reason
  Count
};
std::string_view to_string(DrainReason reason);  // "dmb", "dsb", "cache_maintenance", ...

struct DrainedStore {
  std::uint64_t addr = 0;  // entry-aligned physical address
  std::uint64_t mask = 0;  // bit i: byte addr + i written
  MemAttr attr = MemAttr::NormalWriteBack;
  bool full_line = false;     // every byte of the entry written: one burst
  std::uint64_t version = 0;  // newest oracle version merged into the entry
  std::uint32_t stores = 0;   // stores merged into the entry
  DrainReason reason = DrainReason::Explicit;
  friend bool operator==(const DrainedStore&, const DrainedStore&) = default;
};

enum class StoreOutcome : std::uint8_t {
  Merged,              // into an existing entry
  Allocated,           // into a free entry
  AllocatedAfterFull,  // the oldest entry was drained first (a full-buffer stall)
  Unbuffered,          // Device / SO: older entries drained; the caller performs the store itself
};

enum class LoadOutcome : std::uint8_t {
  Miss,        // no byte in the buffer: the load goes to the cache / bus
  Forwarded,   // every byte in the buffer: served from it (version below)
  Stall,       // some bytes in the buffer: entries drained (LoadHazard); the load waits for them
  Unbuffered,  // Device / SO: older entries drained; the caller performs the load itself
};

struct LoadResult {
  LoadOutcome outcome = LoadOutcome::Miss;
  std::uint64_t version = 0;  // Forwarded: the version of the youngest entry that supplied bytes
};

class StoreBuffer {
 public:
  StoreBuffer(const StoreBufferConfig& config, stats::Group stats);

  // A store of `size` bytes at physical address pa with the memory type of its page; the bytes
  // must lie within one entry-sized slot (the core model splits accesses). `version` is the
  // oracle version the store creates. Drained entries are appended to `out`.
  StoreOutcome store(std::uint64_t pa, unsigned size, MemAttr attr, std::uint64_t version,
                     std::vector<DrainedStore>& out);
  // A load of `size` bytes (within one slot).
  LoadResult load(std::uint64_t pa, unsigned size, MemAttr attr, std::vector<DrainedStore>& out);

  void dmb(std::vector<DrainedStore>& out) { drain_all(DrainReason::Dmb, out); }
  void dsb(std::vector<DrainedStore>& out) { drain_all(DrainReason::Dsb, out); }
  void cache_maintenance(std::vector<DrainedStore>& out) { drain_all(DrainReason::CacheMaintenance, out); }
  void drain(std::vector<DrainedStore>& out) { drain_all(DrainReason::Explicit, out); }
  // Every entry, oldest first.
  void drain_all(DrainReason reason, std::vector<DrainedStore>& out);
  // The oldest entry, if any (for background draining): true when one was drained.
  bool drain_oldest(DrainReason reason, std::vector<DrainedStore>& out);
  // When the youngest entry of pa's slot is completely written, drains it and every older entry
  // (oldest first, reason Complete) and returns true; what a core calls after each store so that
  // full entries leave at once as one burst.
  bool drain_complete(std::uint64_t pa, std::vector<DrainedStore>& out);

  std::size_t size() const { return count_; }
  std::size_t capacity() const { return ring_.size(); }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == ring_.size(); }
  unsigned entry_size() const { return entry_size_; }

  struct Stats {
    explicit Stats(stats::Group g);
    stats::Counter& stores;             // buffered and unbuffered
    stats::Counter& merges;             // stores merged into an existing entry
    stats::Counter& unbuffered_stores;  // Device / SO stores
    stats::Counter& full_stalls;        // stores that found the buffer full
    stats::Counter& loads;              // loads checked against the buffer
    stats::Counter& forwarded_loads;
    stats::Counter& load_stalls;        // loads that had to wait for a drain (partial overlap)
    stats::Counter& drained;            // entries drained, all reasons
    stats::Counter& full_line_drains;   // of which complete entries (bursts)
    std::array<stats::Counter*, static_cast<std::size_t>(DrainReason::Count)> by_reason{};
    stats::Counter& drained_for(DrainReason r) { return *by_reason[static_cast<std::size_t>(r)]; }
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Entry {
    std::uint64_t addr = 0;
    std::uint64_t mask = 0;
    MemAttr attr = MemAttr::NormalWriteBack;
    std::uint64_t version = 0;
    std::uint32_t stores = 0;
  };
  Entry& at(std::size_t i) { return ring_[(head_ + i) % ring_.size()]; }  // 0 = oldest
  const Entry& at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
  // Slot address and byte mask of an access; throws std::invalid_argument when it leaves a slot.
  std::pair<std::uint64_t, std::uint64_t> slot_of(std::uint64_t pa, unsigned size) const;
  void pop_oldest(DrainReason reason, std::vector<DrainedStore>& out);

  std::vector<Entry> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  unsigned entry_size_;
  std::uint64_t full_mask_;
  Stats stats_;
};

}  // namespace dmasim::cpu

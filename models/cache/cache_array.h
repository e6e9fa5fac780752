#pragma once
// The tag/state array of one set-associative cache, free of SystemC: which lines are present, in
// which coherence state, holding which data version, and which line a fill replaces. No timing:
// latencies, MSHRs in flight, port stalls and the coherence protocol belong to the SystemC
// wrapper, which drives this engine (and unit tests drive it directly).
//
// Storage is flat: per line a block number (address >> line bits; a sentinel when invalid), a
// state byte, a data version and the replacement state, sets contiguous, the set index taken by
// mask. A lookup is a scan of one set's block numbers; nothing allocates per access, nothing
// iterates an unordered container, and random replacement draws from a per-cache seeded stream.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/cache/cache_config.h"
#include "models/cache/cache_stats.h"
#include "models/cache/line_state.h"
#include "models/common/stats/registry.h"

namespace dmasim::cache {

// One line as the array holds it.
struct LineInfo {
  std::uint64_t addr = 0;  // line-aligned physical address
  LineState state = LineState::Invalid;
  std::uint64_t version = 0;  // data version (for the data-version oracle)
  bool valid() const { return is_valid(state); }
  bool dirty() const { return is_dirty(state); }
  friend bool operator==(const LineInfo&, const LineInfo&) = default;
};

// What an eviction or a maintenance operation did to one line. `line` is the line as it was
// before (state Invalid: there was nothing). writeback: its dirty data must be written to the
// next level (line.addr, line.version). lost: an invalidate dropped dirty data (the caller flags
// it; DC IVAC on a dirty line is legal but loses the CPU's writes).
struct LineOutcome {
  LineInfo line;
  bool writeback = false;
  bool lost = false;
  bool present() const { return line.valid(); }
};

enum class Maint { Clean, Invalidate, CleanInvalidate };

enum class AccessResult : std::uint8_t {
  Hit,
  Miss,
  // A write hit a Shared or Owned line: the caller obtains ownership (coherence), sets the state
  // and writes again. The line is touched, not changed.
  Upgrade,
};

struct Probe {
  bool hit = false;
  unsigned set = 0;
  unsigned way = 0;  // valid when hit
  LineState state = LineState::Invalid;
};

struct SetWay {
  unsigned set = 0;
  unsigned way = 0;
  friend bool operator==(const SetWay&, const SetWay&) = default;
};

class CacheArray {
 public:
  // The config must pass check() (UserError otherwise). `seed`: this cache's random stream
  // (random replacement), derived by the platform from the scenario seed.
  CacheArray(const CacheConfig& config, stats::Group stats, std::uint64_t seed = 0);
  CacheArray(const CacheArray&) = delete;
  CacheArray& operator=(const CacheArray&) = delete;

  // ---- geometry
  unsigned sets() const { return sets_; }
  unsigned ways() const { return ways_; }
  unsigned line_size() const { return 1u << line_bits_; }
  Replacement replacement() const { return replacement_; }
  std::uint64_t line_address(std::uint64_t addr) const { return addr & ~((std::uint64_t{1} << line_bits_) - 1); }
  unsigned set_of(std::uint64_t addr) const { return static_cast<unsigned>((addr >> line_bits_) & set_mask_); }

  // ---- lookup and access
  // No side effects: no stats, no replacement update.
  Probe lookup(std::uint64_t addr) const {
    const std::uint64_t block = addr >> line_bits_;
    const unsigned set = static_cast<unsigned>(block & set_mask_);
    const std::uint64_t* tags = &blocks_[static_cast<std::size_t>(set) * ways_];
    for (unsigned w = 0; w < ways_; ++w)
      if (tags[w] == block) return Probe{true, set, w, states_[static_cast<std::size_t>(set) * ways_ + w]};
    return Probe{false, set, 0, LineState::Invalid};
  }
  bool contains(std::uint64_t addr) const { return lookup(addr).hit; }
  // The line holding addr, or a LineInfo with state Invalid.
  LineInfo find(std::uint64_t addr) const;
  LineInfo line_at(unsigned set, unsigned way) const;

  // A load: counts a hit or miss; a hit becomes most recently used.
  AccessResult read(std::uint64_t addr);
  // A store of a whole or partial line that creates data version `version`: a hit on an
  // Exclusive/Modified line makes it Modified with that version; Shared/Owned gives Upgrade; a
  // miss changes nothing (write-allocate: the caller fetches the line with ownership and fills it,
  // typically as Modified with the new version).
  AccessResult write(std::uint64_t addr, std::uint64_t version);

  // Allocates the line in `state` (not Invalid) with `version` and makes it most recently used.
  // Returns the replaced line (present() when a valid line was evicted; writeback when dirty).
  // The victim is an invalid way if the set has one (the lowest), else the replacement policy's.
  // A line already present is updated in place (no victim).
  LineOutcome fill(std::uint64_t addr, LineState state, std::uint64_t version);
  // The way fill() would replace now, without changing anything (random: the next draw).
  unsigned victim_way(std::uint64_t addr) const;

  // Coherence updates (snoops, upgrades): no stats, no replacement change. Setting Invalid drops
  // the line. Returns the line as it was (state Invalid: absent, nothing changed).
  LineInfo set_state(std::uint64_t addr, LineState state);
  bool set_version(std::uint64_t addr, std::uint64_t version);

  // ---- maintenance (counted per operation in the stats)
  // By physical address, one line (DC CVAC/IVAC/CIVAC to the PoC; PL310 CLEAN_LINE_PA,
  // INV_LINE_PA, CLEAN_INV_LINE_PA). Clean writes back a dirty line and keeps it (M -> E,
  // O -> S); Invalidate drops it, reporting dirty data as lost; CleanInvalidate writes back and
  // drops.
  LineOutcome maintain(Maint op, std::uint64_t addr);
  // By set/way (DC CSW/ISW/CISW): the line in that slot, whatever its address.
  LineOutcome maintain_set_way(Maint op, unsigned set, unsigned way);
  // By way (PL310 CLEAN_WAY/INV_WAY/CLEAN_INV_WAY): every line of the ways in `way_mask` (bit w
  // = way w). Appends to `out` the outcomes with a writeback or lost data, ways ascending, sets
  // ascending within a way; returns the number of valid lines the operation covered. Counted as
  // one operation.
  std::size_t maintain_ways(Maint op, std::uint64_t way_mask, std::vector<LineOutcome>& out);
  // One by-PA operation per line overlapping [base, base + bytes), ascending (as the kernel
  // issues them); appends outcomes with a writeback or lost data; returns the lines present.
  std::size_t maintain_range(Maint op, std::uint64_t base, std::uint64_t bytes, std::vector<LineOutcome>& out);

  // The DC CSW/ISW/CISW operand (ARMv7/v8 "SetWay" format: way in the top log2(ways) bits of
  // bits [31:0], set from bit log2(line_size), level in bits [3:1]).
  SetWay decode_set_way_operand(std::uint64_t operand) const;
  std::uint64_t set_way_operand(unsigned set, unsigned way, unsigned level = 0) const;

  // ---- inspection (tests, oracle checks; not hot)
  // Dirty lines overlapping [base, base + bytes), ascending by address.
  std::vector<LineInfo> dirty_lines(std::uint64_t base, std::uint64_t bytes) const;
  std::vector<LineInfo> valid_lines() const;  // ascending by address
  std::size_t valid_count() const;

  CacheStats& stats() { return stats_; }
  const CacheStats& stats() const { return stats_; }

 private:
  static constexpr std::uint64_t kNoBlock = ~std::uint64_t{0};
  std::size_t index(unsigned set, unsigned way) const { return static_cast<std::size_t>(set) * ways_ + way; }
  void touch(unsigned set, unsigned way);
  unsigned policy_victim(unsigned set);
  unsigned lru_victim(unsigned set) const;
  unsigned plru_victim(unsigned set) const;
  LineOutcome apply(Maint op, std::size_t i);
  std::uint64_t next_random();

  unsigned sets_;
  unsigned ways_;
  unsigned line_bits_;
  unsigned way_bits_;  // ceil(log2(ways))
  std::uint64_t set_mask_;
  Replacement replacement_;
  unsigned plru_levels_ = 0;

  std::vector<std::uint64_t> blocks_;   // addr >> line_bits_, kNoBlock when invalid
  std::vector<LineState> states_;
  std::vector<std::uint64_t> versions_;
  std::vector<std::uint64_t> stamps_;   // lru: last-use time per line
  std::vector<std::uint64_t> plru_;     // plru: tree bits per set (node n at bit n, root 1)
  std::uint64_t clock_ = 0;
  std::uint64_t rng_;

  CacheStats stats_;
};

}  // namespace dmasim::cache

#pragma once
// The counters of one cache, registered once through a stats::Group; the engine and (later) the
// SystemC wrapper update them as plain member accesses.
#include <array>
#include <cstddef>

#include "models/common/stats/registry.h"

namespace dmasim::cache {

// Cache maintenance operation kinds, counted one per operation (a by-way operation counts once
// however many lines it covers).
enum class MaintStat : std::size_t {
  CleanPa,          // DC CVAC / PL310 CLEAN_LINE_PA
  InvPa,            // DC IVAC / PL310 INV_LINE_PA
  CleanInvPa,       // DC CIVAC / PL310 CLEAN_INV_LINE_PA
  CleanSetWay,      // DC CSW (PL310 CLEAN_LINE_IDX)
  InvSetWay,        // DC ISW (PL310 INV_LINE_IDX does not exist on the L2C-310; kept for L1)
  CleanInvSetWay,   // DC CISW (PL310 CLEAN_INV_LINE_IDX)
  CleanWay,         // PL310 CLEAN_WAY
  InvWay,           // PL310 INV_WAY
  CleanInvWay,      // PL310 CLEAN_INV_WAY
  Count
};

struct CacheStats {
  explicit CacheStats(stats::Group g);

  stats::Counter& read_hits;
  stats::Counter& read_misses;
  stats::Counter& write_hits;
  stats::Counter& write_misses;
  stats::Counter& upgrades;         // writes that hit a Shared/Owned line (need ownership first)
  stats::Counter& fills;
  stats::Counter& evictions;        // valid lines replaced by a fill
  stats::Counter& dirty_evictions;  // of which dirty (written back)
  stats::Counter& writebacks;       // lines written back: dirty evictions and cleans
  stats::Counter& lost_dirty;       // dirty lines dropped by an invalidate (data lost)
  stats::Counter& snoops_received;  // counted by the coherence wrapper
  std::array<stats::Counter*, static_cast<std::size_t>(MaintStat::Count)> maintenance{};

  stats::Counter& maint(MaintStat kind) { return *maintenance[static_cast<std::size_t>(kind)]; }
};

}  // namespace dmasim::cache

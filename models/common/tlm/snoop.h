#pragma once
// The snoop channel of the coherent interconnect (ACE AC/CR/CD), as a direct call: a crossbar
// snoops the caches behind its ACE ports by calling snoop() on each, and the call returns what
// the cache held and how long it took to answer. Snoops take effect at once (like gem5's express
// snoops); their latency is charged to the transaction that caused them. See docs/protocol.md.
#include <cstdint>

#include "models/common/sim_time.h"
#include "models/common/tlm/bus_op.h"

namespace dmasim {

struct SnoopRequest {
  BusOp op = BusOp::ReadShared;  // the transaction that causes the snoop (is_snooping or is_maintenance)
  std::uint64_t line = 0;        // line-aligned physical address
  std::uint32_t line_bytes = 64; // the requester's line size (32 or 64); a snooped cache with
                                 // larger lines acts on the line holding this address
  bool full_line = true;         // WriteUnique: the write covers the whole line (a dirty copy may be dropped)
  Picoseconds at = 0;            // when the snoop reaches the snooped cache
};

struct SnoopResponse {
  bool hit = false;        // a copy was there (in the cache or its write buffer, or above it)
  bool dirty = false;      // the data handed back is dirty: the caller must write it to memory or
                           // pass ownership (ReadUnique); the snooped copy is no longer dirty
  bool kept = false;       // the snooped cache still holds a copy (the requester must fill Shared)
  bool lost = false;       // MakeInvalid dropped dirty data
  std::uint64_t version = 0;   // the data version handed back (valid when hit)
  Picoseconds latency = 0;     // from `at` until the response is back at the snooper
};

class SnoopTarget {
 public:
  virtual ~SnoopTarget() = default;
  virtual SnoopResponse snoop(const SnoopRequest& request) = 0;
  // Whether a snoop of the line could find anything here: what duplicate tags answer (a crossbar
  // with `snoop: tags` sends a snoop only then). Must be true whenever snoop() would hit or change
  // state; the default, true, is always safe.
  virtual bool may_hold(std::uint64_t line, std::uint32_t line_bytes) const {
    (void)line;
    (void)line_bytes;
    return true;
  }
};

// Newer data wins when responses from several caches are combined (at most one may be dirty
// under a correct protocol); latencies combine as the slowest, since snoops go out in parallel.
inline void merge_snoop(SnoopResponse& into, const SnoopResponse& r) {
  if (r.hit && (!into.hit || r.dirty || r.version > into.version)) {
    into.version = r.version;
  }
  into.hit |= r.hit;
  into.dirty |= r.dirty;
  into.kept |= r.kept;
  into.lost |= r.lost;
  if (r.latency > into.latency) into.latency = r.latency;
}

}  // namespace dmasim

#pragma once
// The hardware prefetcher of a cache (the SystemC wrapper's, but free of SystemC): given a demand
// access that triggers it (a cacheable demand miss, or the first demand hit on a prefetched
// line), says which lines to fetch. Never crosses a 4 KiB page.
//   next-line: the `degree` lines after the access;
//   stride:    per 4 KiB page (`streams` pages tracked, the least recently used replaced), the
//              distance between the last two triggers; once the same non-zero stride is seen
//              twice in a row, the `degree` lines at 1..degree strides ahead.
// Fixed-size table, linear search: deterministic, no allocation per access.
#include <cstdint>
#include <vector>

#include "models/cache/cache_config.h"

namespace dmasim::cache {

class Prefetcher {
 public:
  static constexpr std::uint64_t kPageBytes = 4096;

  Prefetcher(const PrefetchConfig& config, unsigned line_size);

  bool enabled() const { return config_.kind != PrefetchKind::None; }
  // Appends the line addresses to prefetch after a trigger at `addr` (out is cleared first).
  void candidates(std::uint64_t addr, std::vector<std::uint64_t>& out);

 private:
  struct Stream {
    bool valid = false;
    std::uint64_t page = 0;
    std::uint64_t last_line = 0;
    std::int64_t stride = 0;
    bool confirmed = false;
    std::uint64_t stamp = 0;
  };

  PrefetchConfig config_;
  std::uint64_t line_mask_;
  std::uint64_t line_bytes_;
  std::vector<Stream> streams_;
  std::uint64_t clock_ = 0;
};

}  // namespace dmasim::cache

#include "models/cache/cache_config.h"

#include <fmt/format.h>

#include <bit>

#include "models/common/error.h"

namespace dmasim::cache {

void PrefetchConfig::describe(cfg::Fields<PrefetchConfig>& f) {
  f("kind", &PrefetchConfig::kind,
    "none: no prefetcher; next-line: the next `degree` lines after a demand miss; stride: a per-page stride "
    "detector fetching `degree` strides ahead once a stride repeats. Never crosses a 4 KiB page");
  f("degree", &PrefetchConfig::degree, "lines (next-line) or strides (stride) fetched ahead per trigger").range(1, 16);
  f("streams", &PrefetchConfig::streams, "stride: 4 KiB pages tracked at once (oldest replaced)").range(1, 64);
}

void CacheConfig::describe(cfg::Fields<CacheConfig>& f) {
  f("size", &CacheConfig::size, "capacity (ways x sets x line_size; the number of sets a power of two)");
  f("ways", &CacheConfig::ways, "associativity (lines per set)").range(1, 64);
  f("line_size", &CacheConfig::line_size, "line size: 32B or 64B");
  f("hit_latency", &CacheConfig::hit_latency, "cycles from request to data on a hit").range(0, 1000);
  f("mshrs", &CacheConfig::mshrs, "miss status holding registers: lines with an outstanding miss").range(1, 256);
  f("mshr_targets", &CacheConfig::mshr_targets, "requests merged into one MSHR (misses to the same line)")
      .range(1, 256);
  f("write_buffer", &CacheConfig::write_buffer, "write/eviction buffer entries (lines waiting to be written back)")
      .range(1, 256);
  f("replacement", &CacheConfig::replacement,
    "lru: least recently used; plru: tree pseudo-LRU (ways a power of two); random: seeded per cache, "
    "deterministic. Invalid ways are always filled first");
  f("inclusion", &CacheConfig::inclusion,
    "relation to the caches above: inclusive (an eviction here back-invalidates them), exclusive (holds "
    "their victims, not their lines), non-inclusive (neither)");
  f("write_policy", &CacheConfig::write_policy, "write-back: write-back, write-allocate");
  f("protocol", &CacheConfig::protocol,
    "coherence states: moesi (a snooped dirty line becomes Owned) or mesi (it is handed back dirty and becomes "
    "Shared)");
  f("snoop_latency", &CacheConfig::snoop_latency,
    "cycles to answer a snoop (the caches above add theirs when the snoop is forwarded up)")
      .range(0, 1000);
  f("level", &CacheConfig::level, "cache level, 1 to 3: set/way operations with level field level-1 act here")
      .range(1, 3);
  f("outer", &CacheConfig::outer,
    "PL310-style outer cache: maintenance by register (set_register_window), absorbs the data of CP15 "
    "maintenance instead of forwarding it, never snooped");
  f("prefetch", &CacheConfig::prefetch, "hardware prefetcher");
}

std::optional<CacheConfig::Problem> CacheConfig::problem() const {
  const std::uint64_t line = line_size.bytes;
  if (line != 32 && line != 64)
    return Problem{"line_size", fmt::format("line size must be 32B or 64B, got {}", units::format(line_size))};
  if (ways < 1 || ways > 64) return Problem{"ways", fmt::format("ways must be 1 to 64, got {}", ways)};
  if (size.bytes == 0) return Problem{"size", "size must not be zero"};
  const std::uint64_t set_bytes = line * ways;
  if (size.bytes % set_bytes != 0)
    return Problem{"size", fmt::format("size {} is not a multiple of ways x line_size = {} x {} = {}",
                                       units::format(size), ways, line, set_bytes)};
  const std::uint64_t sets = size.bytes / set_bytes;
  if (!std::has_single_bit(sets))
    return Problem{"size", fmt::format("size {} with {} ways of {}B lines gives {} sets; the number of sets "
                                       "must be a power of two",
                                       units::format(size), ways, line, sets)};
  if (sets > (std::uint64_t{1} << 26))
    return Problem{"size", fmt::format("size {} gives {} sets, more than supported (2^26)", units::format(size), sets)};
  if (replacement == Replacement::Plru && !std::has_single_bit(ways))
    return Problem{"replacement", fmt::format("plru needs a power-of-two number of ways, got {}", ways)};
  if (mshrs < 1) return Problem{"mshrs", "at least one MSHR is needed"};
  if (mshr_targets < 1) return Problem{"mshr_targets", "an MSHR must hold at least one request"};
  if (write_buffer < 1) return Problem{"write_buffer", "the write buffer needs at least one entry"};
  if (level < 1 || level > 3) return Problem{"level", fmt::format("level must be 1 to 3, got {}", level)};
  if (prefetch.degree < 1 || prefetch.degree > 16)
    return Problem{"prefetch.degree", fmt::format("prefetch degree must be 1 to 16, got {}", prefetch.degree)};
  if (prefetch.streams < 1 || prefetch.streams > 64)
    return Problem{"prefetch.streams", fmt::format("prefetch streams must be 1 to 64, got {}", prefetch.streams)};
  if (outer && inclusion == Inclusion::Exclusive)
    return Problem{"inclusion", "an outer (PL310-style) cache cannot be exclusive"};
  return std::nullopt;
}

void CacheConfig::validate(cfg::Validator& v) const { cfg::report(problem(), v); }

void CacheConfig::check() const { cfg::raise(problem(), "cache configuration"); }

}  // namespace dmasim::cache

#include "models/cpu/core_config.h"

#include <fmt/format.h>

#include "models/common/error.h"

namespace dmasim::cpu {

void CoreConfig::describe(cfg::Fields<CoreConfig>& f) {
  f("clock", &CoreConfig::clock, "core clock: a frequency (1GHz) or a period (1ns)");
  f("store_buffer", &CoreConfig::store_buffer, "the store / write-combining buffer");
  f("line_size", &CoreConfig::line_size,
    "bytes of an L1 line, 32 or 64: the granule of DC operations and the default access of "
    "read_range / write_range / copy")
      .range(32, 64);
  f("max_outstanding_loads", &CoreConfig::max_outstanding_loads,
    "loads in flight at once (L1 misses and non-cacheable reads; streaming loops keep this many)")
      .range(1, 64);
  f("max_outstanding_uncached_loads", &CoreConfig::max_outstanding_uncached_loads,
    "Normal non-cacheable reads in flight (also bounded by max_outstanding_loads): cores that do not overlap "
    "uncached reads (Cortex-A9: one at a time, as its 100 ns per byte over uncached memory shows) set 1")
      .range(1, 64);
  f("max_outstanding_writes", &CoreConfig::max_outstanding_writes,
    "writes in flight at once: drained store-buffer entries, Device writes and cache maintenance operations")
      .range(1, 64);
  f("drain_idle_cycles", &CoreConfig::drain_idle_cycles,
    "a partially written store-buffer entry older than this many core cycles drains by itself")
      .range(0, 1'000'000);
  f("quantum_cycles", &CoreConfig::quantum_cycles,
    "how many cycles the core's local time may run ahead of the SystemC time before it synchronises")
      .range(1, 1'000'000);
}

std::optional<CoreConfig::Problem> CoreConfig::problem() const {
  if (clock.period_ps() == 0) return Problem{"clock", "the clock must have a non-zero frequency or period"};
  if (line_size != 32 && line_size != 64)
    return Problem{"line_size", fmt::format("line_size must be 32 or 64, got {}", line_size)};
  if (const auto p = store_buffer.problem()) return Problem{"store_buffer." + p->key, p->message};
  if (store_buffer.entry_size.bytes > line_size)
    return Problem{"store_buffer.entry_size",
                   fmt::format("a store-buffer entry ({} bytes) must not be larger than the line ({} bytes)",
                               store_buffer.entry_size.bytes, line_size)};
  if (max_outstanding_loads < 1 || max_outstanding_loads > 64)
    return Problem{"max_outstanding_loads",
                   fmt::format("max_outstanding_loads must be 1 to 64, got {}", max_outstanding_loads)};
  if (max_outstanding_writes < 1 || max_outstanding_writes > 64)
    return Problem{"max_outstanding_writes",
                   fmt::format("max_outstanding_writes must be 1 to 64, got {}", max_outstanding_writes)};
  if (drain_idle_cycles > 1'000'000)
    return Problem{"drain_idle_cycles", fmt::format("drain_idle_cycles must be at most 1000000, got {}", drain_idle_cycles)};
  if (quantum_cycles < 1 || quantum_cycles > 1'000'000)
    return Problem{"quantum_cycles", fmt::format("quantum_cycles must be 1 to 1000000, got {}", quantum_cycles)};
  return std::nullopt;
}

void CoreConfig::validate(cfg::Validator& v) const { cfg::report(problem(), v); }

void CoreConfig::check() const { cfg::raise(problem(), "core configuration"); }

}  // namespace dmasim::cpu

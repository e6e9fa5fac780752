#include "models/common/clock_domain.h"

#include <cassert>
#include <limits>

namespace dmasim {

std::uint64_t ClockDomain::cycles_at(Picoseconds t) const {
  assert(period > 0);
  return t / period;
}

Picoseconds ClockDomain::cycle_start(std::uint64_t cycle) const {
  assert(period > 0);
  assert(cycle <= std::numeric_limits<Picoseconds>::max() / period && "time overflows 64 bits");
  return cycle * period;
}

Picoseconds ClockDomain::next_edge(Picoseconds t) const {
  assert(period > 0);
  const Picoseconds into_cycle = t % period;
  return into_cycle == 0 ? t : t + (period - into_cycle);
}

double ClockDomain::frequency_hz() const {
  assert(period > 0);
  return 1e12 / static_cast<double>(period);
}

sc_core::sc_time ClockDomain::time_of(std::uint64_t cycles) const {
  // One sc_time unit must be one picosecond, or from_value would silently scale the result.
  assert(sc_core::sc_get_time_resolution() == sc_core::sc_time(1.0, sc_core::SC_PS));
  return sc_core::sc_time::from_value(cycle_start(cycles));
}

}  // namespace dmasim

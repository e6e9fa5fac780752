#pragma once
// A clock domain: a name and a period in picoseconds. Models count time in their own cycles and
// convert at their boundaries; there is no sc_clock (see DESIGN.md, "Speed"). Edges are at
// t = n * period from time zero, so every domain's cycle 0 starts at 0 ps.
#include <cstdint>
#include <string>

#include <systemc>

#include "models/common/sim_time.h"

namespace dmasim {

struct ClockDomain {
  std::string name;
  Picoseconds period = 0;  // must be > 0 before any of the conversions below is used

  // The cycle in progress at time t (floor): the edge at t belongs to the cycle it starts.
  std::uint64_t cycles_at(Picoseconds t) const;
  // The time of the edge that starts the given cycle.
  Picoseconds cycle_start(std::uint64_t cycle) const;
  // The first edge at or after t: t itself when t is on an edge.
  Picoseconds next_edge(Picoseconds t) const;
  // 1e12 / period; a double because most periods (e.g. 833 ps) give no integer frequency.
  double frequency_hz() const;
  // The duration of the given number of cycles as an sc_time. Exact: the SystemC resolution is
  // 1 ps (init_time_resolution() must have been called), so the picosecond count is the raw
  // sc_time value, with no detour through double.
  sc_core::sc_time time_of(std::uint64_t cycles) const;
};

}  // namespace dmasim

#pragma once
// Simulation time conventions: the SystemC resolution is 1 ps everywhere, so that clock periods
// such as DDR4-2400's 833 ps are exact integers.
#include <cstdint>

namespace dmasim {

using Picoseconds = std::uint64_t;

// Sets the SystemC time resolution to 1 ps. Call before any sc_time is constructed; safe to
// call more than once.
void init_time_resolution();

}  // namespace dmasim

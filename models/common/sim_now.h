#pragma once
// The current simulated time in ps, read inline from the simulation context: sc_time_stamp()
// is an out-of-line library call, and the models ask for the time dozens of times per request.
#include <systemc>

#include "models/common/sim_time.h"

namespace dmasim {

inline Picoseconds sim_now() { return sc_core::sc_get_curr_simcontext()->time_stamp().value(); }

}  // namespace dmasim

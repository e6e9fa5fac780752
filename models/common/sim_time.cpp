#include "models/common/sim_time.h"

#include <systemc>

namespace dmasim {

void init_time_resolution() {
  static const bool done = [] {
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    return true;
  }();
  (void)done;
}

}  // namespace dmasim

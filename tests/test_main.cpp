// Shared GoogleTest main: SystemC needs sc_main's environment set up even when a test only
// touches sc_time, so the time resolution is fixed here once, before any test runs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

#include "models/common/sim_time.h"

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  dmasim::init_time_resolution();
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

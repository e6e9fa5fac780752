#pragma once
// A SystemC kernel elaborates once per process, so a test that builds a model must be the only
// one in its process: ctest runs each test case as its own process. Run directly, a second such
// test skips itself instead of failing.
#include <gtest/gtest.h>

#include <systemc>

#define SKIP_IF_ELABORATED()                                                                  \
  do {                                                                                        \
    if (sc_core::sc_get_curr_simcontext()->elaboration_done())                                \
      GTEST_SKIP() << "a SystemC model elaborates once per process: run this test through ctest"; \
  } while (0)

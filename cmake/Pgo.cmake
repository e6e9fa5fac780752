# Profile-guided optimisation of the simulator (scripts/build-pgo runs the steps): GENERATE builds
# an instrumented dmasim, which writes its profile (.gcda next to each object file) when a run
# ends; USE rebuilds in the same build directory from that profile, with link-time optimisation.
# The simulated figures do not change (same code, same floating-point rules); the speed does.
set(DMASIM_PGO "OFF" CACHE STRING "Profile-guided optimisation: OFF, GENERATE or USE (see scripts/build-pgo)")
set_property(CACHE DMASIM_PGO PROPERTY STRINGS OFF GENERATE USE)
if(DMASIM_PGO STREQUAL "GENERATE")
  target_compile_options(dmasim_options INTERFACE -fprofile-generate -fprofile-update=single)
  target_link_options(dmasim_options INTERFACE -fprofile-generate)
elseif(DMASIM_PGO STREQUAL "USE")
  # Partial training: code the training runs never reached keeps its normal optimisation.
  target_compile_options(dmasim_options INTERFACE -fprofile-use -fprofile-partial-training -Wno-missing-profile)
  set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
elseif(NOT DMASIM_PGO STREQUAL "OFF")
  message(FATAL_ERROR "DMASIM_PGO must be OFF, GENERATE or USE, not '${DMASIM_PGO}'")
endif()

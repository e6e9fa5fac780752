# Determinism of `dmasim dram` (issue 2: "two runs give byte-identical JSON apart from
# wall_seconds and requests_per_second"): runs the same configuration and trace twice, then
#  - compares the two --json files line by line after dropping the host figures,
#  - compares the two stats.json files byte for byte,
#  - checks the --json file has every figure the issue asks for,
#  - checks resolved.yaml was written and that `dmasim validate` accepts it.
#   cmake -DDMASIM=<exe> -DCONFIG=<yaml> -DTRACE=<trace> -DWORK_DIR=<dir> -P determinism.cmake
cmake_minimum_required(VERSION 3.25)

foreach(v DMASIM CONFIG TRACE WORK_DIR)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "determinism.cmake: ${v} is not set")
  endif()
endforeach()

# Prints the text as is (FATAL_ERROR text is re-wrapped), then fails.
function(die text)
  message("${text}")
  message(FATAL_ERROR "determinism.cmake: check failed (see above)")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run_or_fail)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc STREQUAL "0")
    string(REPLACE ";" " " shown "${ARGN}")
    die("command failed (exit ${rc}): ${shown}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  set(last_stdout "${out}" PARENT_SCOPE)
endfunction()

foreach(run 1 2)
  run_or_fail("${DMASIM}" dram --config "${CONFIG}" --trace "${TRACE}" --quiet
              --json "${WORK_DIR}/run${run}.json" --out "${WORK_DIR}/out${run}")
  foreach(f "${WORK_DIR}/run${run}.json" "${WORK_DIR}/out${run}/stats.json" "${WORK_DIR}/out${run}/resolved.yaml")
    if(NOT EXISTS "${f}")
      die("run ${run} did not write ${f}")
    endif()
  endforeach()
endforeach()

# Figures JSON: one key per line (the writer pretty-prints). The host figures are the only lines
# allowed to differ.
set(host_figures "\"(wall_seconds|requests_per_second)\"[ ]*:")
foreach(run 1 2)
  file(STRINGS "${WORK_DIR}/run${run}.json" lines${run})
  list(LENGTH lines${run} n)
  if(n LESS 10)
    die("run${run}.json has only ${n} lines; expected one figure per line:\n${lines${run}}")
  endif()
  list(FILTER lines${run} EXCLUDE REGEX "${host_figures}")
endforeach()
if(NOT lines1 STREQUAL lines2)
  list(LENGTH lines1 n1)
  list(LENGTH lines2 n2)
  set(report "the two --json files differ beyond the host figures (${WORK_DIR}/run1.json, run2.json):\n")
  if(NOT n1 EQUAL n2)
    string(APPEND report "  ${n1} lines vs ${n2} lines\n")
  else()
    math(EXPR last "${n1} - 1")
    foreach(i RANGE ${last})
      list(GET lines1 ${i} a)
      list(GET lines2 ${i} b)
      if(NOT a STREQUAL b)
        string(APPEND report "  run 1: ${a}\n  run 2: ${b}\n")
      endif()
    endforeach()
  endif()
  die("${report}")
endif()

# Every figure the issue names must be there.
file(READ "${WORK_DIR}/run1.json" json)
foreach(key cycles requests reads writes bandwidth_gbps row_hit_rate avg_read_latency_cycles avg_write_latency_cycles
            refreshes energy_nj wall_seconds requests_per_second)
  if(NOT json MATCHES "\"${key}\"[ ]*:[ ]*[-0-9.eE+]+")
    die("run1.json has no numeric '${key}':\n${json}")
  endif()
endforeach()
if(NOT json MATCHES "\"requests\"[ ]*:[ ]*[1-9]")
  die("run1.json reports no requests:\n${json}")
endif()

# stats.json: the whole registry, byte for byte.
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK_DIR}/out1/stats.json" "${WORK_DIR}/out2/stats.json"
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  die("stats.json differs between two identical runs: ${WORK_DIR}/out1/stats.json vs ${WORK_DIR}/out2/stats.json")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK_DIR}/out1/resolved.yaml" "${WORK_DIR}/out2/resolved.yaml"
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  die("resolved.yaml differs between two identical runs")
endif()

# resolved.yaml is a complete DRAM configuration, memspec inlined: validate must accept it alone.
file(READ "${WORK_DIR}/out1/resolved.yaml" resolved)
if(NOT resolved MATCHES "^memspec:[ ]*\n|\nmemspec:[ ]*\n" OR NOT resolved MATCHES "\n  timing:")
  die("resolved.yaml does not inline the memspec:\n${resolved}")
endif()
run_or_fail("${DMASIM}" validate "${WORK_DIR}/out1/resolved.yaml")
if(NOT last_stdout MATCHES "valid DRAM configuration")
  die("dmasim validate resolved.yaml: unexpected output:\n${last_stdout}")
endif()
message(STATUS "ok: two runs identical; resolved.yaml valid")

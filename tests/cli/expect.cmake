# Runs one command and checks its exit code and output. Used by tests/cli/CMakeLists.txt as
#   cmake -DCMD=<prog>@@<arg>@@<arg>... -DEXPECT_EXIT=2 [-DEXPECT_STDERR_REGEX=...] -P expect.cmake
#
# CMD                   the command line, arguments separated by "@@" (a ;-list would be split by
#                       add_test and ctest before it reaches this script)
# EXPECT_EXIT           the exact exit code the command must return (required)
# EXPECT_STDOUT_REGEX   regular expressions stdout must match, separated by "@@" (each must match)
# EXPECT_STDERR_REGEX   the same for stderr
# REJECT_STDOUT_REGEX   regular expressions stdout must NOT match, separated by "@@"
# REJECT_STDERR_REGEX   the same for stderr
# EXPECT_FILES          files that must exist after the run, separated by "@@"
# TIMEOUT_SECONDS       kill the command after this long (default 300): a hang is a failure too
# WORKING_DIR           directory to run in (default: the current one)
#
# On failure, prints the command, the exit code, stdout and stderr, and every check that failed.
cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED CMD OR CMD STREQUAL "")
  message(FATAL_ERROR "expect.cmake: CMD is not set")
endif()
if(NOT DEFINED EXPECT_EXIT)
  message(FATAL_ERROR "expect.cmake: EXPECT_EXIT is not set")
endif()
if(NOT DEFINED TIMEOUT_SECONDS)
  set(TIMEOUT_SECONDS 300)
endif()

# "@@"-separated text -> CMake list. The separator is not a ';' so it survives add_test; an
# argument that itself contains ';' is not supported (none of the tests needs one).
function(split_at_sep out text)
  if(text STREQUAL "")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "@@" ";" items "${text}")
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

split_at_sep(command "${CMD}")
set(workdir_args)
if(DEFINED WORKING_DIR AND NOT WORKING_DIR STREQUAL "")
  set(workdir_args WORKING_DIRECTORY "${WORKING_DIR}")
endif()

execute_process(
  COMMAND ${command}
  ${workdir_args}
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT ${TIMEOUT_SECONDS})

set(failures)
if(NOT exit_code STREQUAL "${EXPECT_EXIT}")
  list(APPEND failures "exit code is '${exit_code}', expected ${EXPECT_EXIT}")
endif()

foreach(stream stdout stderr)
  if(stream STREQUAL "stdout")
    set(text "${out}")
    set(want "${EXPECT_STDOUT_REGEX}")
    set(reject "${REJECT_STDOUT_REGEX}")
  else()
    set(text "${err}")
    set(want "${EXPECT_STDERR_REGEX}")
    set(reject "${REJECT_STDERR_REGEX}")
  endif()
  split_at_sep(want_list "${want}")
  foreach(re IN LISTS want_list)
    if(NOT text MATCHES "${re}")
      list(APPEND failures "${stream} does not match the regex: ${re}")
    endif()
  endforeach()
  split_at_sep(reject_list "${reject}")
  foreach(re IN LISTS reject_list)
    if(text MATCHES "${re}")
      list(APPEND failures "${stream} matches the forbidden regex: ${re} (matched: '${CMAKE_MATCH_0}')")
    endif()
  endforeach()
endforeach()

split_at_sep(file_list "${EXPECT_FILES}")
foreach(f IN LISTS file_list)
  if(NOT EXISTS "${f}")
    list(APPEND failures "expected file was not written: ${f}")
  endif()
endforeach()

if(failures)
  string(REPLACE ";" " " shown "${command}")
  set(report "command: ${shown}\nexit code: ${exit_code}\n--- stdout ---\n${out}\n--- stderr ---\n${err}\n--- failed checks ---\n")
  foreach(f IN LISTS failures)
    string(REPLACE "\n" "\\n" f "${f}")  # regexes such as [^\n] stay on one line
    string(APPEND report "  ${f}\n")
  endforeach()
  message("${report}")  # plain message(): printed as is, not re-wrapped like FATAL_ERROR text
  list(LENGTH failures n)
  message(FATAL_ERROR "expect.cmake: ${n} check(s) failed")
endif()
message(STATUS "ok: exit ${exit_code}")

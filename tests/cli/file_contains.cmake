# Checks that a file holds every string of a list:
#   cmake -DSCRIPT=<file> "-DEXPECT=<string>;<string>..." -P file_contains.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT EXISTS "${SCRIPT}")
  message(FATAL_ERROR "${SCRIPT}: no such file")
endif()
file(READ "${SCRIPT}" text)
foreach(s IN LISTS EXPECT)
  string(FIND "${text}" "${s}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${SCRIPT} does not contain \"${s}\":\n${text}")
  endif()
endforeach()

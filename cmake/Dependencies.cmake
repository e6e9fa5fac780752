# Every dependency comes from a Debian package (scripts/install-deps installs them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(Protobuf REQUIRED)
find_package(Threads REQUIRED)

# One interface target carries what every SystemC translation unit needs.
add_library(dmasim_systemc INTERFACE)
target_link_libraries(dmasim_systemc INTERFACE PkgConfig::SYSTEMC Threads::Threads)
target_compile_definitions(dmasim_systemc INTERFACE SC_CPLUSPLUS=201703L SC_INCLUDE_DYNAMIC_PROCESSES)
# SystemC headers are not warning-clean under -Wall -Wextra; treat them as system headers.
target_include_directories(dmasim_systemc SYSTEM INTERFACE ${SYSTEMC_INCLUDE_DIRS} /usr/include)

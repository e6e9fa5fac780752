# dmasim_options: the compile flags of every project target (warnings, sanitizers, includes).
add_library(dmasim_options INTERFACE)
target_compile_options(dmasim_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(DMASIM_WERROR)
  target_compile_options(dmasim_options INTERFACE -Werror)
endif()
if(DMASIM_SANITIZE)
  target_compile_options(dmasim_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(dmasim_options INTERFACE -fsanitize=address,undefined)
endif()
# Includes are written from the repository root: #include "models/dram/memspec.h".
target_include_directories(dmasim_options INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
target_compile_definitions(dmasim_options INTERFACE DMASIM_VERSION="${PROJECT_VERSION}"
  DMASIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

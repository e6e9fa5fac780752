#pragma once
// The built-in CPU program of scenarios that run no driver: one core sweeping a buffer with loads
// and/or stores (stream, random, copy, memset), for measuring what the memory type of a buffer
// costs the CPU (REFERENCE.md section 7: reading a non-cacheable buffer is 5-20x slower).
// Software: it uses only the core's software interface.
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "models/common/config/schema.h"
#include "models/cpu/core.h"

namespace dmasim::sw {

enum class Pattern { Read, Write, Copy, Memset, RandomRead, RandomWrite };

struct CpuPatternConfig {
  unsigned core = 0;
  Pattern pattern = Pattern::Read;
  ByteSize access_size{0};  // bytes per load/store; 0: the L1 line size
  unsigned passes = 1;      // sweeps over the buffer
  std::uint64_t accesses = 0;  // random patterns: accesses per pass (0: buffer size / access size)

  static void describe(cfg::Fields<CpuPatternConfig>& f);
};

// What the program touches: the buffer (and, for copy, a second buffer of the same size and
// type as the destination), as virtual addresses.
struct PatternBuffers {
  std::uint64_t va = 0;
  std::uint64_t bytes = 0;
  std::uint64_t copy_dst_va = 0;
};

// Accesses the program makes in total (for reporting bandwidth).
std::uint64_t pattern_accesses(const CpuPatternConfig& c, std::uint64_t bytes, unsigned line_size);
unsigned pattern_access_size(const CpuPatternConfig& c, unsigned line_size);

// Runs the pattern on `core` (from one of its software threads). `seed` drives the random patterns.
void run_cpu_pattern(cpu::Core& core, const CpuPatternConfig& c, const PatternBuffers& b, std::uint64_t seed);

}  // namespace dmasim::sw

namespace dmasim::cfg {
template <>
struct EnumNames<sw::Pattern> {
  static constexpr std::array<std::pair<sw::Pattern, std::string_view>, 6> names{{
      {sw::Pattern::Read, "read"},
      {sw::Pattern::Write, "write"},
      {sw::Pattern::Copy, "copy"},
      {sw::Pattern::Memset, "memset"},
      {sw::Pattern::RandomRead, "random-read"},
      {sw::Pattern::RandomWrite, "random-write"},
  }};
};
}  // namespace dmasim::cfg

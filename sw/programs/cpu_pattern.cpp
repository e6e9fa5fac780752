#include "sw/programs/cpu_pattern.h"

#include <random>

namespace dmasim::sw {

void CpuPatternConfig::describe(cfg::Fields<CpuPatternConfig>& f) {
  f("core", &CpuPatternConfig::core, "the core that runs the program (index over all clusters)").range(0, 63);
  f("pattern", &CpuPatternConfig::pattern,
    "read / write: sequential sweep; copy: buffer to a second buffer of the same type; memset: sequential "
    "stores; random-read / random-write: uniformly random aligned accesses");
  f("access_size", &CpuPatternConfig::access_size, "bytes per access, 1 to 64 (0: the L1 line size)");
  f("passes", &CpuPatternConfig::passes, "sweeps over the buffer").range(1, 1000000);
  f("accesses", &CpuPatternConfig::accesses, "random patterns: accesses per pass (0: buffer size / access size)");
}

unsigned pattern_access_size(const CpuPatternConfig& c, unsigned line_size) {
  return c.access_size.bytes == 0 ? line_size : static_cast<unsigned>(c.access_size.bytes);
}

std::uint64_t pattern_accesses(const CpuPatternConfig& c, std::uint64_t bytes, unsigned line_size) {
  const unsigned size = pattern_access_size(c, line_size);
  const bool random = c.pattern == Pattern::RandomRead || c.pattern == Pattern::RandomWrite;
  const std::uint64_t per_pass = random && c.accesses ? c.accesses : bytes / size;
  return per_pass * c.passes * (c.pattern == Pattern::Copy ? 2 : 1);
}

void run_cpu_pattern(cpu::Core& core, const CpuPatternConfig& c, const PatternBuffers& b, std::uint64_t seed) {
  const unsigned size = pattern_access_size(c, core.config().line_size);
  std::mt19937_64 rng(seed);  // fully specified by the standard: the same stream on every host
  const std::uint64_t slots = b.bytes / size;
  for (unsigned pass = 0; pass < c.passes; ++pass) {
    switch (c.pattern) {
      case Pattern::Read: core.read_range(b.va, b.bytes, size); break;
      case Pattern::Write:
      case Pattern::Memset: core.write_range(b.va, b.bytes, size); break;
      case Pattern::Copy: core.copy(b.copy_dst_va, b.va, b.bytes, size); break;
      case Pattern::RandomRead:
      case Pattern::RandomWrite: {
        const std::uint64_t n = c.accesses ? c.accesses : slots;
        for (std::uint64_t i = 0; i < n; ++i) {
          const std::uint64_t va = b.va + (rng() % slots) * size;
          if (c.pattern == Pattern::RandomRead) core.load(va, size);
          else core.store(va, size);
        }
        break;
      }
    }
  }
}

}  // namespace dmasim::sw

#pragma once
// The memory a scenario's kernel manages and the DMA pieces set up at boot (the scenario's
// `memory:` section): the buddy allocator over lowmem above the reserved start, CMA areas
// (declared like cma= / reserved-memory nodes, placed at the top of lowmem), the swiotlb pool,
// the atomic pool, dma-direct, dma-debug, and a population of pages laid down at boot (anonymous,
// page cache, pinned, kernel) from the scenario's seed so that fragmentation, and the work CMA
// must do, are real.
//
//   memory:
//     cma: [{name: reserved, size: 64MiB}]
//     population: {anon: 0.3, page_cache_clean: 0.2, page_cache_dirty: 0.05, pinned: 0.0}
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

struct CmaAreaConfig {
  std::string name = "reserved";
  ByteSize size{64ull << 20};  // a multiple of the 4 MiB pageblock

  static void describe(cfg::Fields<CmaAreaConfig>& f);
};

// Fractions of the managed pages in use at boot, by what they hold. Movable pages (anon, page
// cache, pinned) may sit in CMA pageblocks, as movable allocations use free CMA memory; kernel
// pages never do. pinned_in_cma_every: additionally, one pinned page every N pages of each CMA
// area (0: none), so that every window cma_alloc tries holds one.
struct PopulationConfig {
  double anon = 0;
  double page_cache_clean = 0;
  double page_cache_dirty = 0;
  double pinned = 0;
  double kernel = 0;
  std::uint64_t pinned_in_cma_every = 0;

  static void describe(cfg::Fields<PopulationConfig>& f);
};

struct KernelMemoryConfig {
  ByteSize reserved{16ull << 20};  // lowmem from the DRAM base the allocators never hand out (kernel image, tables)
  std::vector<CmaAreaConfig> cma{CmaAreaConfig{}};
  PopulationConfig population;
  ByteSize swiotlb{64ull << 20};
  ByteSize atomic_pool{256ull << 10};

  static void describe(cfg::Fields<KernelMemoryConfig>& f);
};

// Owns what it sets up; the kernel's pointers refer to it.
class KernelSetup {
 public:
  KernelSetup(Kernel& kernel, const KernelMemoryConfig& config, std::uint64_t seed);
  ~KernelSetup();
  KernelSetup(const KernelSetup&) = delete;
  KernelSetup& operator=(const KernelSetup&) = delete;

  // Messages the allocators kept (CMA failures, a full swiotlb, an exhausted atomic pool).
  std::vector<std::string> messages() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> p_;
};

}  // namespace dmasim::sw

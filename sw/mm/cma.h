#pragma once
// A contiguous memory area (mm/cma.c): declared like cma= or a reserved-memory node, its
// pageblocks MIGRATE_CMA (they serve movable allocations while free). cma_alloc searches the
// area's bitmap (bitmap_find_next_zero_area_off) and runs alloc_contig_range on the window:
// isolate the pageblocks, migrate movable pages (real CPU copies through the caches), drop clean
// page cache, give up after 5 passes without progress; on -EBUSY slide the window and retry.
//
// Interface used by sw/dma_api; the implementation may add to it.
#include <cstdint>
#include <optional>
#include <string>

#include "models/cpu/core.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Cma {
 public:
  virtual ~Cma() = default;
  // count pages aligned to 2^align pages; nullopt on failure (logged "<name>: alloc failed,
  // req-size: N pages, ret: -E", counted), unless no_warn.
  virtual std::optional<Pfn> cma_alloc(cpu::Core& cpu, std::uint64_t count, unsigned align, bool no_warn) = 0;
  // false when the pages are not from this area.
  virtual bool cma_release(cpu::Core& cpu, Pfn pfn, std::uint64_t count) = 0;
  virtual const std::string& name() const = 0;
  virtual PhysAddr base() const = 0;
  virtual std::uint64_t size() const = 0;  // bytes
};

}  // namespace dmasim::sw

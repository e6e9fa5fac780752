#pragma once
// The physical page allocator (mm/page_alloc.c): a buddy allocator over the DRAM the kernel
// manages, with pageblock migrate types (UNMOVABLE, MOVABLE, CMA, ISOLATE), and a population of
// movable (anonymous), page-cache (clean or dirty) and pinned pages laid down at boot so that
// fragmentation, and the work CMA must do, are real.
//
// Interface used by the rest of sw/ (sw/dma_api, sw/iommu); the implementation may add to it.
#include <cstdint>
#include <optional>

#include "models/cpu/core.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Kernel;

enum class MigrateType : std::uint8_t { Unmovable, Movable, Cma, Isolate };

// What a page holds (the parts of struct page the model needs).
enum class PageUse : std::uint8_t {
  Free,
  Reserved,        // memblock-reserved: kernel image, page tables, carve-outs
  Kernel,          // an unmovable kernel allocation (alloc_pages without __GFP_MOVABLE)
  Anon,            // movable user memory: migrated by copying
  PageCacheClean,  // clean page cache: dropped instead of migrated
  PageCacheDirty,  // dirty page cache: migrated by copying
  Pinned,          // movable but pinned (get_user_pages): cannot be migrated
  Dma,             // handed out by cma_alloc / for DMA buffers
};

class PageAllocator {
 public:
  // alloc_pages(gfp, order): 2^order contiguous pages, from the free lists of the migrate type
  // the gfp flags ask for (MOVABLE allocations may take CMA pageblocks), falling back as the
  // kernel does. Charges the calling CPU compute cycles for the free-list work done. nullopt when
  // no block is free (a simulated outcome, counted).
  virtual std::optional<Pfn> alloc_pages(cpu::Core& cpu, Gfp gfp, unsigned order) = 0;
  virtual void free_pages(cpu::Core& cpu, Pfn pfn, unsigned order) = 0;
  virtual PageUse use(Pfn pfn) const = 0;
  virtual Pfn start_pfn() const = 0;
  virtual Pfn end_pfn() const = 0;
  virtual ~PageAllocator() = default;
};

}  // namespace dmasim::sw

#pragma once
// A buddy allocator over a range of page frames (mm/page_alloc.c's core): free lists per order
// and migrate type, splitting a larger block when the order asked for is empty (expand) and
// merging a freed block with its free buddy (__free_one_page). Allocations ask for a migrate
// type through their gfp flags; MOVABLE allocations may take CMA pageblocks; an empty type falls
// back to the others, largest block first, as __rmqueue_fallback does (without stealing whole
// pageblocks: a simplification, see docs/mm.md).
//
// Costs: each free-list operation (a block taken from or put on a list, a split, a buddy check)
// charges kListOpCycles of compute to the calling CPU. Boot-time calls take no CPU.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "models/common/stats/registry.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

class BuddyAllocator final : public PageAllocator {
 public:
  static constexpr unsigned MAX_ORDER = sw::MAX_ORDER;
  static constexpr unsigned pageblock_order = MAX_ORDER - 1;
  static constexpr std::uint64_t kListOpCycles = 20;

  // Manages [start, end) page frames; every page starts reserved until freed at boot.
  BuddyAllocator(Kernel& kernel, Pfn start, Pfn end);

  // Boot: hand a range to the allocator as free pages of a migrate type (its pageblocks get it).
  void free_range_boot(Pfn start, Pfn end, MigrateType type);
  std::optional<Pfn> alloc_pages_boot(Gfp gfp, unsigned order) { return alloc(nullptr, gfp, order); }
  // Boot: take specific free pages out of the free lists (a population laid down at boot, or a
  // contiguous range taken by CMA). False when a page of the range is not free.
  bool take_range(Pfn start, Pfn end, PageUse use);
  void free_range(cpu::Core* cpu, Pfn start, Pfn end);  // gives pages back one by one (merging)

  std::optional<Pfn> alloc_pages(cpu::Core& cpu, Gfp gfp, unsigned order) override { return alloc(&cpu, gfp, order); }
  void free_pages(cpu::Core& cpu, Pfn pfn, unsigned order) override;
  PageUse use(Pfn pfn) const override { return pages_.at(pfn - start_).use; }
  void set_use(Pfn pfn, PageUse u) { pages_.at(pfn - start_).use = u; }
  MigrateType pageblock_type(Pfn pfn) const { return block_type_.at((pfn - start_) >> pageblock_order); }
  // Changes a pageblock's migrate type and moves its free blocks to that type's lists
  // (move_freepages_block); ISOLATE blocks serve no allocation.
  void set_pageblock_type(Pfn pfn, MigrateType t);
  Pfn start_pfn() const override { return start_; }
  Pfn end_pfn() const override { return end_; }
  std::uint64_t free_page_count() const { return free_pages_; }
  bool is_free(Pfn pfn) const { return pages_.at(pfn - start_).use == PageUse::Free; }

 private:
  struct PageInfo {
    PageUse use = PageUse::Reserved;
    std::int8_t free_order = -1;  // head of a free block of this order, else -1
  };
  static constexpr std::size_t kTypes = 4;  // Unmovable, Movable, Cma, Isolate (never allocated from)

  std::optional<Pfn> alloc(cpu::Core* cpu, Gfp gfp, unsigned order);
  void free(cpu::Core* cpu, Pfn pfn, unsigned order);
  std::optional<Pfn> take_from(unsigned type, unsigned order, std::uint64_t& ops);
  void add_free(Pfn pfn, unsigned order, std::uint64_t& ops);
  void remove_free(Pfn pfn, unsigned order, std::uint64_t& ops);
  unsigned list_of(Pfn pfn) const;
  void charge(cpu::Core* cpu, std::uint64_t ops);

  Kernel& kernel_;
  Pfn start_, end_;
  std::vector<PageInfo> pages_;
  std::vector<MigrateType> block_type_;
  std::array<std::array<std::set<Pfn>, MAX_ORDER>, kTypes> free_;  // ordered: lowest address first
  std::uint64_t free_pages_ = 0;
  stats::Counter* allocs_;
  stats::Counter* failures_;
};

}  // namespace dmasim::sw

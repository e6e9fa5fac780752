#pragma once
// A CMA area (mm/cma.c) over the buddy allocator: a bitmap of the area's pages (order_per_bit
// 0) and cma_alloc's search and alloc_contig_range's work on the window it finds:
//  - bitmap_find_next_zero_area_off: the first aligned run of clear bits; kBitmapWordCycles of
//    compute per bitmap word looked at;
//  - isolate the window's pageblocks (kIsolateCycles each);
//  - every page of the window in use is emptied: clean page cache is dropped (kDropCycles),
//    anonymous and dirty page-cache pages are migrated: a free page outside the window is
//    allocated and the 4 KiB copied by the CPU through the cacheable linear map (real loads and
//    stores through the caches), plus kMigrateCycles of bookkeeping; a pinned page cannot move,
//    and after 5 passes without progress the window fails with -EBUSY;
//  - on -EBUSY the search slides past the failed window and tries again, until no window is left:
//    then "<name>: alloc failed, req-size: N pages, ret: -16" is kept and counted.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/stats/registry.h"
#include "sw/mm/buddy_allocator.h"
#include "sw/mm/cma.h"

namespace dmasim::sw {

class CmaArea final : public Cma {
 public:
  static constexpr std::uint64_t kBitmapWordCycles = 4;
  static constexpr std::uint64_t kIsolateCycles = 200;
  static constexpr std::uint64_t kDropCycles = 300;
  static constexpr std::uint64_t kMigrateCycles = 600;
  static constexpr unsigned kMaxPasses = 5;

  // Declares [base, base+size) (pageblock aligned) as MIGRATE_CMA and gives it to the buddy
  // allocator as free pages.
  CmaArea(Kernel& kernel, BuddyAllocator& buddy, std::string name, PhysAddr base, std::uint64_t size);

  std::optional<Pfn> cma_alloc(cpu::Core& cpu, std::uint64_t count, unsigned align, bool no_warn) override;
  bool cma_release(cpu::Core& cpu, Pfn pfn, std::uint64_t count) override;
  const std::string& name() const override { return name_; }
  PhysAddr base() const override { return PFN_PHYS(base_pfn_); }
  std::uint64_t size() const override { return count_ * PAGE_SIZE; }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  // 0 or -kEBUSY / -kENOMEM.
  int alloc_contig_range(cpu::Core& cpu, Pfn start, Pfn end);

  Kernel& kernel_;
  BuddyAllocator& buddy_;
  std::string name_;
  Pfn base_pfn_;
  std::uint64_t count_;
  std::vector<bool> bitmap_;
  std::vector<std::string> messages_;
  struct Stats {
    stats::Counter* allocs;
    stats::Counter* failures;
    stats::Counter* pages_migrated;
    stats::Counter* pages_dropped;
    stats::Counter* passes;
    stats::Counter* retries;
    stats::Counter* bytes_copied;
  } stats_{};
};

}  // namespace dmasim::sw

#include "sw/mm/cma_area.h"

#include <fmt/format.h>

#include <algorithm>

#include "sw/kernel/kernel.h"

namespace dmasim::sw {

CmaArea::CmaArea(Kernel& kernel, BuddyAllocator& buddy, std::string name, PhysAddr base, std::uint64_t size)
    : kernel_(kernel), buddy_(buddy), name_(std::move(name)), base_pfn_(PHYS_PFN(base)), count_(size / PAGE_SIZE),
      bitmap_(count_, false) {
  buddy_.free_range_boot(base_pfn_, base_pfn_ + count_, MigrateType::Cma);
  stats::Group g = kernel.stats().group("mm.cma." + name_);
  stats_.allocs = &g.counter("allocs", "calls", "cma_alloc calls that succeeded");
  stats_.failures = &g.counter("failures", "calls", "cma_alloc calls that failed");
  stats_.pages_migrated = &g.counter("pages_migrated", "pages", "pages copied out of a window");
  stats_.pages_dropped = &g.counter("pages_dropped", "pages", "clean page-cache pages dropped from a window");
  stats_.passes = &g.counter("passes", "passes", "migration passes over windows");
  stats_.retries = &g.counter("retries", "windows", "windows given up with -EBUSY (the search slid past them)");
  stats_.bytes_copied = &g.counter("bytes_copied", "bytes", "bytes the CPU copied migrating pages");
}

std::optional<Pfn> CmaArea::cma_alloc(cpu::Core& cpu, std::uint64_t count, unsigned align, bool no_warn) {
  CostScope scope(kernel_, cpu, CostKind::Allocator, "cma_alloc", {{"pages", count}});
  if (count == 0 || count > count_) {
    stats_.failures->inc();
    return std::nullopt;
  }
  const std::uint64_t mask = (std::uint64_t{1} << align) - 1;
  std::uint64_t start = 0;
  int ret = -kENOMEM;
  for (;;) {
    // bitmap_find_next_zero_area_off: the first aligned run of `count` clear bits from `start`.
    std::uint64_t words = 0, found = count_;
    for (std::uint64_t i = (start + mask) & ~mask; i + count <= count_;) {
      std::uint64_t j = i;
      while (j < i + count && !bitmap_[j]) ++j;
      words += (j - i) / 64 + 1;
      if (j == i + count) {
        found = i;
        break;
      }
      i = (j + 1 + mask) & ~mask;
    }
    cpu.compute(words * kBitmapWordCycles);
    if (found == count_) break;  // no window left
    for (std::uint64_t b = found; b < found + count; ++b) bitmap_[b] = true;
    ret = alloc_contig_range(cpu, base_pfn_ + found, base_pfn_ + found + count);
    if (ret == 0) {
      stats_.allocs->inc();
      return base_pfn_ + found;
    }
    for (std::uint64_t b = found; b < found + count; ++b) bitmap_[b] = false;
    if (ret != -kEBUSY) break;
    stats_.retries->inc();
    start = found + mask + 1;  // slide past the window's start
  }
  stats_.failures->inc();
  if (!no_warn) messages_.push_back(fmt::format("{}: alloc failed, req-size: {} pages, ret: {}", name_, count, ret));
  return std::nullopt;
}

int CmaArea::alloc_contig_range(cpu::Core& cpu, Pfn start, Pfn end) {
  // Isolation: the window's pageblocks stop serving allocations.
  const Pfn first_block = start >> BuddyAllocator::pageblock_order;
  const Pfn last_block = (end - 1) >> BuddyAllocator::pageblock_order;
  cpu.compute((last_block - first_block + 1) * kIsolateCycles);
  for (Pfn b = first_block; b <= last_block; ++b) buddy_.set_pageblock_type(b << BuddyAllocator::pageblock_order, MigrateType::Isolate);
  auto unisolate = [&] {
    for (Pfn b = first_block; b <= last_block; ++b) buddy_.set_pageblock_type(b << BuddyAllocator::pageblock_order, MigrateType::Cma);
  };
  unsigned passes_without_progress = 0;
  for (;;) {
    stats_.passes->inc();
    std::uint64_t moved = 0, stuck = 0;
    for (Pfn p = start; p < end; ++p) {
      switch (buddy_.use(p)) {
        case PageUse::Free:
        case PageUse::Dma: break;
        case PageUse::PageCacheClean:
          cpu.compute(kDropCycles);
          buddy_.free_range(&cpu, p, p + 1);
          stats_.pages_dropped->inc();
          ++moved;
          break;
        case PageUse::Anon:
        case PageUse::PageCacheDirty: {
          // A destination outside the window (isolated blocks serve nothing, so any page the
          // allocator hands out is outside it).
          const std::optional<Pfn> dst = buddy_.alloc_pages(cpu, GFP_KERNEL | __GFP_MOVABLE, 0);
          if (!dst) {
            ++stuck;
            break;
          }
          {
            CostScope copy(kernel_, cpu, CostKind::Copy, "migrate_page", {{"pfn", p}});
            cpu.copy(kernel_.phys_to_virt(PFN_PHYS(*dst)), kernel_.phys_to_virt(PFN_PHYS(p)), PAGE_SIZE);
          }
          cpu.compute(kMigrateCycles);
          buddy_.set_use(*dst, buddy_.use(p));
          buddy_.free_range(&cpu, p, p + 1);
          stats_.pages_migrated->inc();
          stats_.bytes_copied->inc(PAGE_SIZE);
          ++moved;
          break;
        }
        case PageUse::Pinned:
        case PageUse::Kernel:
        case PageUse::Reserved: ++stuck; break;
      }
    }
    if (stuck == 0) break;
    passes_without_progress = moved == 0 ? passes_without_progress + 1 : 0;
    if (passes_without_progress >= kMaxPasses) {
      unisolate();
      return -kEBUSY;
    }
  }
  unisolate();
  // Every page is free now: take the window out of the free lists.
  buddy_.take_range(start, end, PageUse::Dma);
  return 0;
}

bool CmaArea::cma_release(cpu::Core& cpu, Pfn pfn, std::uint64_t count) {
  if (pfn < base_pfn_ || pfn + count > base_pfn_ + count_) return false;
  CostScope scope(kernel_, cpu, CostKind::Allocator, "cma_release", {{"pages", count}});
  if (kernel_.freed_pages_check != nullptr) kernel_.freed_pages_check->pages_freed(PFN_PHYS(pfn), count * PAGE_SIZE);
  for (std::uint64_t b = pfn - base_pfn_; b < pfn - base_pfn_ + count; ++b) bitmap_[b] = false;
  cpu.compute((count / 64 + 1) * kBitmapWordCycles);
  buddy_.free_range(&cpu, pfn, pfn + count);
  return true;
}

}  // namespace dmasim::sw

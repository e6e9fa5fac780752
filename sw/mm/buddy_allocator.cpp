#include "sw/mm/buddy_allocator.h"

#include <stdexcept>

#include "sw/kernel/kernel.h"

namespace dmasim::sw {

namespace {
constexpr unsigned kUnmovable = 0, kMovable = 1, kCma = 2, kIsolate = 3;

unsigned list_for(MigrateType t) {
  switch (t) {
    case MigrateType::Unmovable: return kUnmovable;
    case MigrateType::Movable: return kMovable;
    case MigrateType::Cma: return kCma;
    case MigrateType::Isolate: return kIsolate;
  }
  return kUnmovable;
}
}  // namespace

BuddyAllocator::BuddyAllocator(Kernel& kernel, Pfn start, Pfn end)
    : kernel_(kernel),
      start_(start),
      end_(end),
      pages_(end - start),
      block_type_(((end - start) >> pageblock_order) + 1, MigrateType::Unmovable) {
  stats::Group g = kernel.stats().group("mm.buddy");
  allocs_ = &g.counter("allocs", "calls", "alloc_pages calls that succeeded");
  failures_ = &g.counter("failures", "calls", "alloc_pages calls with no free block of the order");
}

unsigned BuddyAllocator::list_of(Pfn pfn) const { return list_for(pageblock_type(pfn)); }

void BuddyAllocator::set_pageblock_type(Pfn pfn, MigrateType t) {
  const Pfn block = start_ + (((pfn - start_) >> pageblock_order) << pageblock_order);
  const unsigned from = list_of(block);
  block_type_.at((block - start_) >> pageblock_order) = t;
  const unsigned to = list_of(block);
  if (from == to) return;
  for (Pfn p = block; p < std::min(end_, block + (Pfn{1} << pageblock_order)); ++p) {
    const std::int8_t o = pages_[p - start_].free_order;
    if (o < 0) continue;
    free_[from][static_cast<unsigned>(o)].erase(p);
    free_[to][static_cast<unsigned>(o)].insert(p);
  }
}

void BuddyAllocator::add_free(Pfn pfn, unsigned order, std::uint64_t& ops) {
  pages_[pfn - start_].free_order = static_cast<std::int8_t>(order);
  free_[list_of(pfn)][order].insert(pfn);
  ++ops;
}

void BuddyAllocator::remove_free(Pfn pfn, unsigned order, std::uint64_t& ops) {
  pages_[pfn - start_].free_order = -1;
  free_[list_of(pfn)][order].erase(pfn);
  ++ops;
}

void BuddyAllocator::charge(cpu::Core* cpu, std::uint64_t ops) {
  if (cpu == nullptr || ops == 0) return;
  CostScope scope(kernel_, *cpu, CostKind::Allocator, "buddy", {{"list_ops", ops}});
  cpu->compute(ops * kListOpCycles);
}

void BuddyAllocator::free_range_boot(Pfn start, Pfn end, MigrateType type) {
  for (Pfn b = start; b < end; b += Pfn{1} << pageblock_order) set_pageblock_type(b, type);
  free_range(nullptr, start, end);
}

void BuddyAllocator::free_range(cpu::Core* cpu, Pfn start, Pfn end) {
  // The largest aligned blocks that fit, each freed (and merged with its buddies) once.
  std::uint64_t ops = 0;
  Pfn pfn = start;
  while (pfn < end) {
    unsigned order = 0;
    while (order + 1 < MAX_ORDER && ((pfn - start_) & ((Pfn{1} << (order + 1)) - 1)) == 0 &&
           pfn + (Pfn{1} << (order + 1)) <= end)
      ++order;
    for (Pfn p = pfn; p < pfn + (Pfn{1} << order); ++p) pages_[p - start_].use = PageUse::Free;
    free_pages_ += Pfn{1} << order;
    Pfn head = pfn;
    unsigned o = order;
    while (o + 1 < MAX_ORDER) {
      const Pfn buddy = start_ + ((head - start_) ^ (Pfn{1} << o));
      if (buddy < start_ || buddy >= end_ || pages_[buddy - start_].free_order != static_cast<std::int8_t>(o) ||
          list_of(buddy) != list_of(head))
        break;
      remove_free(buddy, o, ops);
      head = std::min(head, buddy);
      ++o;
    }
    add_free(head, o, ops);
    pfn += Pfn{1} << order;
  }
  charge(cpu, ops);
}

void BuddyAllocator::free_pages(cpu::Core& cpu, Pfn pfn, unsigned order) {
  if (kernel_.freed_pages_check != nullptr) kernel_.freed_pages_check->pages_freed(PFN_PHYS(pfn), PAGE_SIZE << order);
  free(&cpu, pfn, order);
}

void BuddyAllocator::free(cpu::Core* cpu, Pfn pfn, unsigned order) {
  for (Pfn p = pfn; p < pfn + (Pfn{1} << order); ++p)
    if (pages_.at(p - start_).use == PageUse::Free) throw std::logic_error("free_pages: a page freed twice");
  free_range(cpu, pfn, pfn + (Pfn{1} << order));
}

std::optional<Pfn> BuddyAllocator::take_from(unsigned type, unsigned order, std::uint64_t& ops) {
  for (unsigned o = order; o < MAX_ORDER; ++o) {
    ++ops;  // a look at this order's list
    auto& list = free_[type][o];
    if (list.empty()) continue;
    const Pfn head = *list.begin();
    remove_free(head, o, ops);
    // expand(): the upper halves go back on the lists, one per order down to the one asked for.
    for (unsigned s = o; s > order; --s) add_free(head + (Pfn{1} << (s - 1)), s - 1, ops);
    return head;
  }
  return std::nullopt;
}

std::optional<Pfn> BuddyAllocator::alloc(cpu::Core* cpu, Gfp gfp, unsigned order) {
  if (order >= MAX_ORDER) {
    failures_->inc();
    return std::nullopt;
  }
  std::uint64_t ops = 0;
  // Movable allocations use CMA pageblocks too; unmovable ones never do.
  const bool movable = (gfp & __GFP_MOVABLE) != 0;
  const std::array<unsigned, 3> movable_order = {kMovable, kCma, kUnmovable};
  const std::array<unsigned, 2> unmovable_order = {kUnmovable, kMovable};
  std::optional<Pfn> pfn;
  if (movable) {
    for (unsigned t : movable_order)
      if ((pfn = take_from(t, order, ops))) break;
  } else {
    for (unsigned t : unmovable_order)
      if ((pfn = take_from(t, order, ops))) break;
  }
  charge(cpu, ops);
  if (!pfn) {
    failures_->inc();
    return std::nullopt;
  }
  const PageUse use = movable ? PageUse::Anon : PageUse::Kernel;
  for (Pfn p = *pfn; p < *pfn + (Pfn{1} << order); ++p) pages_[p - start_].use = use;
  free_pages_ -= Pfn{1} << order;
  allocs_->inc();
  return pfn;
}

bool BuddyAllocator::take_range(Pfn start, Pfn end, PageUse use) {
  for (Pfn p = start; p < end; ++p)
    if (p < start_ || p >= end_ || pages_[p - start_].use != PageUse::Free) return false;
  std::uint64_t ops = 0;
  for (Pfn pfn = start; pfn < end; ++pfn) {
    // The free block holding pfn, split until pfn is a block of its own.
    unsigned o = 0;
    Pfn head = pfn;
    for (; o < MAX_ORDER; ++o) {
      head = start_ + ((pfn - start_) & ~((Pfn{1} << o) - 1));
      if (pages_[head - start_].free_order == static_cast<std::int8_t>(o)) break;
    }
    if (o == MAX_ORDER) throw std::logic_error("take_range: a free page outside any free block");
    remove_free(head, o, ops);
    while (o > 0) {
      --o;
      const Pfn half = head + (Pfn{1} << o);
      if (pfn >= half) {
        add_free(head, o, ops);
        head = half;
      } else {
        add_free(half, o, ops);
      }
    }
    pages_[pfn - start_].use = use;
    --free_pages_;
  }
  return true;
}

}  // namespace dmasim::sw

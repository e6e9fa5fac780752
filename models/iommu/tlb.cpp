#include "models/iommu/tlb.h"

#include <array>
#include <cassert>

namespace dmasim::iommu {
namespace {

constexpr std::array<std::uint64_t, 4> kPageSizes{kSmallPage, kLargePage, kSection, kSupersection};

}  // namespace

Tlb::Tlb(const TlbGeometry& g) : g_(g), sets_(g.ways ? g.entries / g.ways : 0) {
  assert(g.entries > 0 && g.ways > 0 && g.entries % g.ways == 0);
  assert(g.pages_per_entry == 1 || g.pages_per_entry == 4);
  entries_.resize(g.entries);
}

std::uint64_t Tlb::span_of(std::uint64_t page) const {
  return page == kSmallPage ? page * g_.pages_per_entry : page;
}

unsigned Tlb::set_of(std::uint64_t address, std::uint64_t span) const {
  const std::uint64_t unit = g_.index == TlbGeometry::Index::SmallPageNumber ? kSmallPage : span;
  return static_cast<unsigned>((address / unit) % sets_);
}

const Translation* Tlb::slot(const Entry& e, std::uint64_t address) const {
  if (!e.valid || address < e.tag || address - e.tag >= e.span) return nullptr;
  const unsigned i = static_cast<unsigned>((address - e.tag) / e.page);
  return (e.present & (1u << i)) ? &e.t[i] : nullptr;
}

Tlb::Result Tlb::lookup(std::uint64_t address) {
  Result r;
  Entry* hit = nullptr;
  unsigned hits = 0;
  const bool one_set = g_.index == TlbGeometry::Index::SmallPageNumber;
  for (std::uint64_t page : kPageSizes) {
    const unsigned s = set_of(address, span_of(page));
    for (unsigned w = 0; w < g_.ways; ++w) {
      Entry& e = entries_[std::size_t{s} * g_.ways + w];
      if (!one_set && e.page != page) continue;  // another size's probe sees it
      if (const Translation* t = slot(e, address)) {
        ++hits;
        hit = &e;
        r.translation = *t;
      }
    }
    if (one_set) break;
  }
  if (hits == 0) return r;
  if (hits > 1) {
    r.outcome = Outcome::MultiHit;
    return r;
  }
  hit->lru = ++tick_;
  r.outcome = Outcome::Hit;
  return r;
}

Tlb::Entry* Tlb::find(std::uint64_t address, std::uint64_t page) {
  const std::uint64_t span = span_of(page);
  const std::uint64_t tag = address / span * span;
  const unsigned s = set_of(address, span);
  for (unsigned w = 0; w < g_.ways; ++w) {
    Entry& e = entries_[std::size_t{s} * g_.ways + w];
    if (e.valid && e.page == page && e.tag == tag) return &e;
  }
  return nullptr;
}

void Tlb::insert(std::uint64_t address, const Translation& t) {
  assert(t.size == kSmallPage || t.size == kLargePage || t.size == kSection || t.size == kSupersection);
  const std::uint64_t span = span_of(t.size);
  const std::uint64_t tag = t.iova / span * span;
  const unsigned i = static_cast<unsigned>((t.iova - tag) / t.size);
  // The address that picks the set: the one that missed under small-page indexing.
  const std::uint64_t placed = g_.index == TlbGeometry::Index::SmallPageNumber ? address : t.iova;
  Entry* e = find(placed, t.size);
  if (e == nullptr) {
    const unsigned s = set_of(placed, span);
    Entry* victim = nullptr;
    for (unsigned w = 0; w < g_.ways; ++w) {
      Entry& c = entries_[std::size_t{s} * g_.ways + w];
      if (!c.valid) {
        victim = &c;
        break;
      }
      if (victim == nullptr || c.lru < victim->lru) victim = &c;
    }
    e = victim;
    *e = Entry{};
    e->valid = true;
    e->tag = tag;
    e->span = span;
    e->page = t.size;
  }
  e->t[i] = t;
  e->present |= static_cast<std::uint8_t>(1u << i);
  e->lru = ++tick_;
}

void Tlb::flush_all() {
  for (Entry& e : entries_) e.valid = false;
}

void Tlb::flush_range(std::uint64_t start, std::uint64_t end) {
  if (start == end && g_.index == TlbGeometry::Index::SmallPageNumber) {
    // The v2 hardware flushes an entry by looking it up: only the set of the 4 KiB page.
    const unsigned s = set_of(start, kSmallPage);
    for (unsigned w = 0; w < g_.ways; ++w) {
      Entry& e = entries_[std::size_t{s} * g_.ways + w];
      if (e.valid && start >= e.tag && start - e.tag < e.span) e.valid = false;
    }
    return;
  }
  for (Entry& e : entries_)
    if (e.valid && e.tag <= end && start < e.tag + e.span) e.valid = false;
}

std::size_t Tlb::valid_entries() const {
  std::size_t n = 0;
  for (const Entry& e : entries_) n += e.valid;
  return n;
}

}  // namespace dmasim::iommu

#pragma once
// A SYSMMU translation lookaside buffer (SystemC-free): set-associative (fully associative with
// one set) with LRU replacement, holding translations of the page sizes the table maps.
//
// Indexing. A TLB that serves several page sizes must find an entry without knowing its size in
// advance. `Index::PageNumber` places an entry by the page number of its own size and probes
// each size on a lookup (one entry per page of the mapping's size, the picture of
// REFERENCE.md's v2 TLB). `Index::SmallPageNumber` places every entry by the 4 KiB page number
// of the address that missed, as the v2 hardware does (which is why the Exynos driver
// invalidates a 1 MiB mapping with 64 entry flushes): a large page or section then takes one
// entry per set it was used in.
//
// Sub-line entries (v7): with pages_per_entry 4 an entry covers four consecutive 4 KiB pages
// (a 16 KiB aligned group), each with its own physical page, filled together from one walk
// read. Pages of other sizes take one entry each.
//
// Multi-hit: two valid entries translating one address (a remap without a flush) is reported
// by lookup(), as the hardware raises a MULTI-HIT fault.
#include <cstdint>
#include <optional>
#include <vector>

#include "models/common/sim_time.h"
#include "models/iommu/page_table_format.h"

namespace dmasim::iommu {

// The translation of one page.
struct Translation {
  std::uint64_t iova = 0;  // page base (aligned to size)
  std::uint64_t pa = 0;    // physical page base
  std::uint64_t size = kSmallPage;
  Access access = Access::None;
  Picoseconds ready_at = 0;  // when the walk that found it completed (a lookup before waits)

  std::uint64_t translate(std::uint64_t address) const { return pa + (address - iova); }
};

struct TlbGeometry {
  enum class Index : std::uint8_t { PageNumber, SmallPageNumber };
  unsigned entries = 512;
  unsigned ways = 8;  // entries == ways: fully associative
  unsigned pages_per_entry = 1;  // 1, or 4 (v7 sub-line entries: 4 KiB pages only)
  Index index = Index::PageNumber;
};

class Tlb {
 public:
  enum class Outcome : std::uint8_t { Miss, Hit, MultiHit };
  struct Result {
    Outcome outcome = Outcome::Miss;
    Translation translation;  // valid on Hit
  };

  explicit Tlb(const TlbGeometry& g);  // asserts a consistent geometry (validated by the config)

  // Looks up the translation of `address`; a hit becomes the most recently used.
  Result lookup(std::uint64_t address);
  // Inserts the translation of the page containing `address` (the address that missed: it
  // chooses the set under Index::SmallPageNumber). A sub-line group already present for the
  // same 16 KiB takes the page into its slot.
  void insert(std::uint64_t address, const Translation& t);

  void flush_all();
  // Every entry translating any address of [start, end] (inclusive, as the FLUSH_END register).
  void flush_range(std::uint64_t start, std::uint64_t end);
  void flush_entry(std::uint64_t address) { flush_range(address, address); }

  std::size_t valid_entries() const;
  const TlbGeometry& geometry() const { return g_; }
  unsigned sets() const { return sets_; }

 private:
  struct Entry {
    bool valid = false;
    std::uint64_t tag = 0;   // iova of the covered block (page base, or 16 KiB group base)
    std::uint64_t span = 0;  // bytes of iova the entry covers
    std::uint64_t page = kSmallPage;  // page size of its translations
    std::uint64_t lru = 0;
    std::uint8_t present = 0;          // sub-line slots holding a translation
    Translation t[4];                  // slot i translates tag + i * page
  };

  std::uint64_t span_of(std::uint64_t page) const;
  unsigned set_of(std::uint64_t address, std::uint64_t span) const;
  Entry* find(std::uint64_t address, std::uint64_t page);  // the entry holding `address`'s block
  const Translation* slot(const Entry& e, std::uint64_t address) const;

  TlbGeometry g_;
  unsigned sets_;
  std::vector<Entry> entries_;  // set-major: set s holds [s * ways, (s + 1) * ways)
  std::uint64_t tick_ = 0;
};

}  // namespace dmasim::iommu

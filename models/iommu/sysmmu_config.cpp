#include "models/iommu/sysmmu_config.h"

#include <fmt/format.h>

#include <string>

#include "models/common/error.h"

namespace dmasim::iommu {

void TlbConfig::describe(cfg::Fields<TlbConfig>& f) {
  f("entries", &TlbConfig::entries, "translations held (a multiple of ways)").range(1, 65536);
  f("ways", &TlbConfig::ways, "associativity; equal to entries for a fully associative TLB").range(1, 65536);
  f("hit_latency", &TlbConfig::hit_latency, "cycles from request to translated request on a hit").range(0, 1000);
  f("index", &TlbConfig::index,
    "page-number: an entry sits in the set of its own page number (one entry per page of the mapping's size); "
    "small-page-number: in the set of the 4 KiB page that missed, as the v2 hardware (a 1 MiB section may take an "
    "entry in every set)");
}

void L1TlbConfig::describe(cfg::Fields<L1TlbConfig>& f) {
  f("entries", &L1TlbConfig::entries, "entries of the fully associative L1 TLB (0: none, as v2)").range(0, 4096);
  f("hit_latency", &L1TlbConfig::hit_latency, "cycles on an L1 TLB hit (the main TLB adds its own on a miss)")
      .range(0, 1000);
}

void IovaRange::describe(cfg::Fields<IovaRange>& f) {
  f("base", &IovaRange::base, "first IO virtual address of the range (4 KiB aligned)");
  f("size", &IovaRange::size, "bytes of the range (a multiple of 4KiB); 0: no range, every address");
}

void PrefetchBufferConfig::describe(cfg::Fields<PrefetchBufferConfig>& f) {
  f("direction", &PrefetchBufferConfig::direction,
    "the transactions the buffer serves: read, write (the hardware binds a buffer to one), or any");
  f("stream", &PrefetchBufferConfig::stream,
    "the stream id (AXI ID) of the transactions the buffer serves; absent: every stream");
  f("range", &PrefetchBufferConfig::range, "the IO virtual addresses the buffer serves");
  f("entries", &PrefetchBufferConfig::entries,
    "descriptors the buffer holds (16 in one hardware buffer; 32 or 64 when buffers are combined)")
      .range(1, kMaxPrefetchBufferEntries);
  f("next_page", &PrefetchBufferConfig::next_page,
    "when the translation of a page is known, walk the page after it in the background and keep its descriptor");
  f("tlb_update", &PrefetchBufferConfig::tlb_update, "a hit in the buffer also fills the TLB");
}

bool PrefetchBufferConfig::binds(bool write, std::uint32_t stream_id, std::uint64_t iova) const {
  if (direction != PbDirection::Any && (direction == PbDirection::Write) != write) return false;
  if (stream && *stream != stream_id) return false;
  return range.contains(iova);
}

void SysmmuConfig::describe(cfg::Fields<SysmmuConfig>& f) {
  f("version", &SysmmuConfig::version,
    "register layout and page-table format: v2 (v1-v3 layout, 32-bit PA), v5 (36-bit PA, flush range), v7 (fault "
    "info register)");
  f("clock", &SysmmuConfig::clock, "clock of the SYSMMU (its latencies count in its cycles)");
  f("tlb", &SysmmuConfig::tlb, "the main TLB (v2's only TLB; the L2 TLB of v5+)");
  f("l1_tlb", &SysmmuConfig::l1_tlb, "the fully associative L1 TLB of v5+");
  f("pages_per_entry", &SysmmuConfig::pages_per_entry,
    "4 KiB pages one TLB entry covers: 1, or 4 (v7: four consecutive pages, filled from one 16-byte walk read)")
      .range(1, 4);
  f("flpd_entries", &SysmmuConfig::flpd_entries, "entries of the FLPD (level-1 descriptor) cache; 0: none")
      .range(0, 4096);
  f("flpd_latency", &SysmmuConfig::flpd_latency, "cycles to look up the FLPD cache on a TLB miss").range(0, 1000);
  f("walk_burst", &SysmmuConfig::walk_burst,
    "bytes of the level-2 read of a walk: 4B (one descriptor), 16B or 64B (a burst of consecutive descriptors)");
  f("burst_fill", &SysmmuConfig::burst_fill, "every valid descriptor a walk burst read fills the TLB, not only the one "
                                             "that missed");
  f("outstanding_walks", &SysmmuConfig::outstanding_walks, "page-table walks in progress at once").range(1, 64);
  f("coherent_walks", &SysmmuConfig::coherent_walks,
    "walk reads snoop the CPU caches (IO-coherent, needs an ace-lite port); false: the driver must clean "
    "every page-table write");
  f("outstanding", &SysmmuConfig::outstanding, "master transactions accepted and not yet answered").range(1, 1024);
  f("register_latency", &SysmmuConfig::register_latency, "cycles for a register read or write").range(0, 1000);
  f("on_fault", &SysmmuConfig::on_fault,
    "stall: block and hold the faulting transaction until software unblocks (retry) or aborts it; abort: answer "
    "it with a slave error at once (interrupt and fault registers are set either way)");
  f("prefetch_buffers", &SysmmuConfig::prefetch_buffers,
    "prefetch buffers beside the main TLB, each bound to a direction, a stream and an IO virtual address range; "
    "a transaction uses the first that binds it; empty: none");
}

namespace {

std::optional<cfg::Problem> prefetch_buffer_problem(const PrefetchBufferConfig& b, std::size_t i) {
  const std::string at = fmt::format("prefetch_buffers[{}]", i);
  if (b.entries == 0 || b.entries > kMaxPrefetchBufferEntries)
    return cfg::Problem{at + ".entries", fmt::format("a prefetch buffer holds 1 to {} entries, got {}",
                                                     kMaxPrefetchBufferEntries, b.entries)};
  const IovaRange& r = b.range;
  if (r.base % kSmallPage != 0)
    return cfg::Problem{at + ".range.base", fmt::format("range base {:#x} is not 4 KiB aligned", r.base)};
  if (r.size.bytes % kSmallPage != 0)
    return cfg::Problem{at + ".range.size",
                        fmt::format("range size {} is not a multiple of 4KiB", units::format(r.size))};
  constexpr std::uint64_t kIovaSpace = std::uint64_t{1} << 32;
  if (r.base >= kIovaSpace || r.size.bytes > kIovaSpace - r.base)
    return cfg::Problem{at + ".range.size", fmt::format("range {:#x} + {} ends beyond the 4 GiB IO virtual "
                                                        "address space", r.base, units::format(r.size))};
  return std::nullopt;
}

}  // namespace

std::optional<SysmmuConfig::Problem> SysmmuConfig::problem() const {
  if (tlb.ways == 0 || tlb.entries % tlb.ways != 0)
    return Problem{"tlb.ways", fmt::format("tlb entries ({}) must be a multiple of ways ({})", tlb.entries, tlb.ways)};
  if (pages_per_entry != 1 && pages_per_entry != 4)
    return Problem{"pages_per_entry", fmt::format("pages_per_entry must be 1 or 4, got {}", pages_per_entry)};
  const std::uint64_t b = walk_burst.bytes;
  if (b != 4 && b != 16 && b != 64)
    return Problem{"walk_burst", fmt::format("walk_burst must be 4B, 16B or 64B, got {}", units::format(walk_burst))};
  if (pages_per_entry == 4 && b < 16)
    return Problem{"walk_burst", "4 pages per entry are filled from one read: walk_burst must be at least 16B"};
  if (version == SysmmuVersion::V2 && l1_tlb.entries != 0)
    return Problem{"l1_tlb.entries", "a v2 SYSMMU has a single TLB: l1_tlb.entries must be 0"};
  if (clock.period_ps() == 0) return Problem{"clock", "the clock period must not be zero"};
  if (prefetch_buffers.size() > kMaxPrefetchBuffers)
    return Problem{"prefetch_buffers", fmt::format("a SYSMMU has at most {} prefetch buffers, got {}",
                                                   kMaxPrefetchBuffers, prefetch_buffers.size())};
  for (std::size_t i = 0; i < prefetch_buffers.size(); ++i)
    if (auto p = prefetch_buffer_problem(prefetch_buffers[i], i)) return p;
  return std::nullopt;
}

void SysmmuConfig::validate(cfg::Validator& v) const { cfg::report(problem(), v); }

void SysmmuConfig::check() const { cfg::raise(problem(), "sysmmu configuration"); }

TlbGeometry SysmmuConfig::main_tlb() const {
  return TlbGeometry{tlb.entries, tlb.ways, pages_per_entry, tlb.index};
}

std::optional<TlbGeometry> SysmmuConfig::first_tlb() const {
  if (l1_tlb.entries == 0) return std::nullopt;
  return TlbGeometry{l1_tlb.entries, l1_tlb.entries, pages_per_entry, TlbGeometry::Index::PageNumber};
}

}  // namespace dmasim::iommu

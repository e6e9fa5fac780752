#pragma once
// The configuration of one SYSMMU instance, read from YAML through the schema layer. The
// defaults are a v2-style SYSMMU (REFERENCE.md section 4: a 512-entry 8-way x 64-set TLB, an
// FLPD cache, one 4-byte read per walk level); docs/iommu.md gives the v5 and v7 settings.
//
//   sysmmu:
//     version: v5
//     tlb: {entries: 512, ways: 8}
//     l1_tlb: {entries: 16}
//     walk_burst: 64B
//     prefetch_buffers:
//       - {direction: read, range: {base: 0x10000000, size: 8MiB}, entries: 16}
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/clock_spec.h"
#include "models/common/config/problem.h"
#include "models/common/config/schema.h"
#include "models/iommu/page_table_format.h"
#include "models/iommu/tlb.h"

namespace dmasim::iommu {

// stall: the SYSMMU blocks, raises its interrupt and holds the faulting transaction until
// software unblocks it (it is translated again) or aborts it (FAULT_ABORT); as the hardware and
// the Linux driver do. abort: the fault is recorded and the interrupt raised, but the transaction
// ends at once with a slave error and nothing blocks (a master with no handler behind it).
enum class FaultAction { Stall, Abort };

struct TlbConfig {
  unsigned entries = 512;
  unsigned ways = 8;  // entries == ways: fully associative
  unsigned hit_latency = 1;  // cycles of the SYSMMU clock
  TlbGeometry::Index index = TlbGeometry::Index::PageNumber;

  static void describe(cfg::Fields<TlbConfig>& f);
};

struct L1TlbConfig {
  unsigned entries = 0;  // 0: none (v2); v5+: a fully associative TLB in front of the main one
  unsigned hit_latency = 1;

  static void describe(cfg::Fields<L1TlbConfig>& f);
};

// The transactions a prefetch buffer serves: reads, writes, or both (the hardware binds each
// buffer to one direction; `any` is a modelling convenience for a master whose buffer is both).
enum class PbDirection { Read, Write, Any };

// A range of IO virtual addresses; size 0: no range (every address).
struct IovaRange {
  std::uint64_t base = 0;
  ByteSize size{0};

  bool contains(std::uint64_t iova) const { return size.bytes == 0 || (iova >= base && iova - base < size.bytes); }
  bool overlaps(std::uint64_t start, std::uint64_t bytes) const {
    return size.bytes == 0 || (start < base + size.bytes && base < start + bytes);
  }
  static void describe(cfg::Fields<IovaRange>& f);
};

// One prefetch buffer (docs/iommu.md, "Prefetch buffers"): descriptors held beside the main TLB
// for the transactions bound to it, filled by walks of the page after the one in use.
struct PrefetchBufferConfig {
  PbDirection direction = PbDirection::Any;
  std::optional<std::uint32_t> stream;  // MemExt::stream_id (the AXI ID) to serve; none: every stream
  IovaRange range;
  unsigned entries = 16;   // descriptors held (16 per hardware buffer, more when buffers combine)
  bool next_page = true;   // a lookup prefetches the descriptor of the page after the one in use
  bool tlb_update = true;  // a hit in the buffer also fills the TLB (the driver's default setting)

  bool binds(bool write, std::uint32_t stream_id, std::uint64_t iova) const;
  static void describe(cfg::Fields<PrefetchBufferConfig>& f);
};

// The hardware has at most six buffers (groups of 3, 4 or 6) and 64 entries in one buffer (a
// group combined into one).
inline constexpr unsigned kMaxPrefetchBuffers = 6;
inline constexpr unsigned kMaxPrefetchBufferEntries = 64;

struct SysmmuConfig {
  SysmmuVersion version = SysmmuVersion::V2;
  ClockSpec clock = ClockSpec::from_frequency(Frequency{400'000'000});
  TlbConfig tlb;
  L1TlbConfig l1_tlb;
  unsigned pages_per_entry = 1;  // 4: v7 entries covering 4 consecutive 4 KiB pages
  unsigned flpd_entries = 16;    // FLPD cache (0: none)
  unsigned flpd_latency = 1;     // cycles to look it up on a TLB miss
  ByteSize walk_burst{4};        // bytes per level-2 read: 4 (one descriptor), 16 or 64 (a burst)
  bool burst_fill = true;        // every valid descriptor of a burst fills the TLB
  unsigned outstanding_walks = 4;
  bool coherent_walks = false;   // walks snoop the CPU caches (an ACE-Lite port)
  unsigned outstanding = 16;     // master transactions accepted and not yet answered
  unsigned register_latency = 2;  // cycles for a register access
  FaultAction on_fault = FaultAction::Stall;
  std::vector<PrefetchBufferConfig> prefetch_buffers;  // empty: none; a request uses the first that binds it

  static void describe(cfg::Fields<SysmmuConfig>& f);
  void validate(cfg::Validator& v) const;

  using Problem = cfg::Problem;
  std::optional<Problem> problem() const;
  void check() const;  // throws UserError("sysmmu configuration: KEY: MESSAGE")

  TlbGeometry main_tlb() const;
  std::optional<TlbGeometry> first_tlb() const;  // the L1 TLB, when configured
};

}  // namespace dmasim::iommu

namespace dmasim::cfg {

template <>
struct EnumNames<iommu::SysmmuVersion> {
  static constexpr std::array<std::pair<iommu::SysmmuVersion, std::string_view>, 3> names{{
      {iommu::SysmmuVersion::V2, "v2"},
      {iommu::SysmmuVersion::V5, "v5"},
      {iommu::SysmmuVersion::V7, "v7"},
  }};
};

template <>
struct EnumNames<iommu::TlbGeometry::Index> {
  static constexpr std::array<std::pair<iommu::TlbGeometry::Index, std::string_view>, 2> names{{
      {iommu::TlbGeometry::Index::PageNumber, "page-number"},
      {iommu::TlbGeometry::Index::SmallPageNumber, "small-page-number"},
  }};
};

template <>
struct EnumNames<iommu::PbDirection> {
  static constexpr std::array<std::pair<iommu::PbDirection, std::string_view>, 3> names{{
      {iommu::PbDirection::Read, "read"},
      {iommu::PbDirection::Write, "write"},
      {iommu::PbDirection::Any, "any"},
  }};
};

template <>
struct EnumNames<iommu::FaultAction> {
  static constexpr std::array<std::pair<iommu::FaultAction, std::string_view>, 2> names{{
      {iommu::FaultAction::Stall, "stall"},
      {iommu::FaultAction::Abort, "abort"},
  }};
};

}  // namespace dmasim::cfg

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
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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
struct EnumNames<iommu::FaultAction> {
  static constexpr std::array<std::pair<iommu::FaultAction, std::string_view>, 2> names{{
      {iommu::FaultAction::Stall, "stall"},
      {iommu::FaultAction::Abort, "abort"},
  }};
};

}  // namespace dmasim::cfg

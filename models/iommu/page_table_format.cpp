#include "models/iommu/page_table_format.h"

#include <cassert>

namespace dmasim::iommu {
namespace {

// v2 access bits: an "enable" bit and a "read-only" bit per level. Write-only cannot be
// expressed; the driver maps it read/write, and so does this encoder.
constexpr std::uint32_t kV2Lv1Enable = 1u << 10, kV2Lv1ReadOnly = 1u << 15;
constexpr std::uint32_t kV2Lv2Enable = 1u << 4, kV2Lv2ReadOnly = 1u << 9;
constexpr unsigned kV5Lv1AccessShift = 4, kV5Lv2AccessShift = 2;
constexpr std::uint32_t kSupersectionBit = 1u << 18;

}  // namespace

std::string_view to_string(SysmmuVersion v) {
  switch (v) {
    case SysmmuVersion::V2: return "v2";
    case SysmmuVersion::V5: return "v5";
    case SysmmuVersion::V7: return "v7";
  }
  return "?";
}

std::string_view to_string(Descriptor::Kind k) {
  switch (k) {
    case Descriptor::Kind::Fault: return "fault";
    case Descriptor::Kind::Table: return "table";
    case Descriptor::Kind::Section: return "section";
    case Descriptor::Kind::Supersection: return "supersection";
    case Descriptor::Kind::LargePage: return "large page";
    case Descriptor::Kind::SmallPage: return "small page";
  }
  return "?";
}

PteFormat::PteFormat(SysmmuVersion v) : version_(v), shift_(v == SysmmuVersion::V2 ? 0 : 4) {}

std::uint32_t PteFormat::lv1_access_bits(Access a) const {
  if (shift_ != 0) return static_cast<std::uint32_t>(a) << kV5Lv1AccessShift;
  switch (a) {
    case Access::None: return 0;
    case Access::Read: return kV2Lv1Enable | kV2Lv1ReadOnly;
    default: return kV2Lv1Enable;
  }
}

std::uint32_t PteFormat::lv2_access_bits(Access a) const {
  if (shift_ != 0) return static_cast<std::uint32_t>(a) << kV5Lv2AccessShift;
  switch (a) {
    case Access::None: return 0;
    case Access::Read: return kV2Lv2Enable | kV2Lv2ReadOnly;
    default: return kV2Lv2Enable;
  }
}

Access PteFormat::lv1_access(std::uint32_t e) const {
  if (shift_ != 0) return static_cast<Access>((e >> kV5Lv1AccessShift) & 3);
  if (!(e & kV2Lv1Enable)) return Access::None;
  return (e & kV2Lv1ReadOnly) ? Access::Read : Access::ReadWrite;
}

Access PteFormat::lv2_access(std::uint32_t e) const {
  if (shift_ != 0) return static_cast<Access>((e >> kV5Lv2AccessShift) & 3);
  if (!(e & kV2Lv2Enable)) return Access::None;
  return (e & kV2Lv2ReadOnly) ? Access::Read : Access::ReadWrite;
}

std::uint32_t PteFormat::section(std::uint64_t pa, Access a) const {
  assert(pa % kSection == 0 && pa < pa_limit());
  return static_cast<std::uint32_t>(pa >> shift_) | lv1_access_bits(a) | 2;
}

std::uint32_t PteFormat::supersection(std::uint64_t pa, Access a) const {
  assert(has_supersections() && pa % kSupersection == 0 && pa < pa_limit());
  return static_cast<std::uint32_t>(pa) | kSupersectionBit | lv1_access_bits(a) | 2;
}

std::uint32_t PteFormat::table(std::uint64_t lv2_pa) const {
  assert(lv2_pa % kLv2TableBytes == 0 && lv2_pa < pa_limit());
  return static_cast<std::uint32_t>(lv2_pa >> shift_) | 1;
}

std::uint32_t PteFormat::large_page(std::uint64_t pa, Access a) const {
  assert(pa % kLargePage == 0 && pa < pa_limit());
  return static_cast<std::uint32_t>(pa >> shift_) | lv2_access_bits(a) | 1;
}

std::uint32_t PteFormat::small_page(std::uint64_t pa, Access a) const {
  assert(pa % kSmallPage == 0 && pa < pa_limit());
  return static_cast<std::uint32_t>(pa >> shift_) | lv2_access_bits(a) | 2;
}

Descriptor PteFormat::decode_lv1(std::uint32_t e) const {
  const std::uint64_t raw = std::uint64_t{e} << shift_;
  Descriptor d;
  switch (e & 3) {
    case 1:
      d.kind = Descriptor::Kind::Table;
      d.base = (std::uint64_t{e & 0xFFFFFFC0u}) << shift_;
      break;
    case 2:
      if (has_supersections() && (e & kSupersectionBit)) {
        d.kind = Descriptor::Kind::Supersection;
        d.size = kSupersection;
      } else {
        d.kind = Descriptor::Kind::Section;
        d.size = kSection;
      }
      d.base = raw & ~(d.size - 1);
      d.access = lv1_access(e);
      break;
    default:  // 0 and 3 are faults
      break;
  }
  return d;
}

Descriptor PteFormat::decode_lv2(std::uint32_t e) const {
  const std::uint64_t raw = std::uint64_t{e} << shift_;
  Descriptor d;
  if (e & 2) {
    d.kind = Descriptor::Kind::SmallPage;
    d.size = kSmallPage;
  } else if ((e & 3) == 1) {
    d.kind = Descriptor::Kind::LargePage;
    d.size = kLargePage;
  } else {
    return d;
  }
  d.base = raw & ~(d.size - 1);
  d.access = lv2_access(e);
  return d;
}

}  // namespace dmasim::iommu

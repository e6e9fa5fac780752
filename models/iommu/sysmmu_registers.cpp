#include "models/iommu/sysmmu_registers.h"

namespace dmasim::iommu {
namespace {

constexpr std::uint32_t kSmallPageMask = ~std::uint32_t{kSmallPage - 1};
constexpr std::uint32_t kV2PageFaultAddr = 0x024, kV2AwFaultAddr = 0x028, kV2ArFaultAddr = 0x02C,
                        kV2DefaultSlaveAddr = 0x030;
constexpr std::uint32_t kV5FaultArVa = 0x070, kV5FaultAwVa = 0x080;
constexpr std::uint32_t kV7FaultVa = 0x070, kV7FaultInfo = 0x078;
constexpr std::uint32_t kV7InfoWrite = 1u << 20;

std::uint32_t version_register(SysmmuVersion v) {
  const std::uint32_t major = v == SysmmuVersion::V2 ? 2 : v == SysmmuVersion::V5 ? 5 : 7;
  return (major << 7) << 21;  // minor 0
}

}  // namespace

std::string_view to_string(FaultKind k) {
  switch (k) {
    case FaultKind::Page: return "page";
    case FaultKind::Permission: return "permission";
    case FaultKind::MultiHit: return "multi_hit";
    case FaultKind::BusError: return "bus_error";
  }
  return "?";
}

SysmmuRegisters::SysmmuRegisters(SysmmuVersion v) : version_(v) {
  if (v == SysmmuVersion::V2) layout_ = Layout{0x014, 0x00C, 0x010, 0, 0, 0, 0x018, 0x01C, kV2PageFaultAddr};
  else layout_ = Layout{0x00C, 0x010, 0x014, 0x018, 0x020, 0x024, 0x060, 0x064, kV5FaultArVa};
}

unsigned SysmmuRegisters::interrupt_bit(FaultKind kind, bool write) const {
  if (version_ == SysmmuVersion::V2) {
    switch (kind) {
      case FaultKind::Page: return 0;
      case FaultKind::MultiHit: return write ? 2 : 1;
      case FaultKind::BusError: return 3;
      case FaultKind::Permission: return write ? 7 : 5;
    }
  }
  unsigned bit = 0;
  switch (kind) {
    case FaultKind::BusError: bit = 0; break;
    case FaultKind::Page: bit = 1; break;
    case FaultKind::MultiHit: bit = version_ == SysmmuVersion::V5 ? 2 : 3; break;
    case FaultKind::Permission: bit = version_ == SysmmuVersion::V5 ? 3 : 2; break;
  }
  return bit + (write ? 16 : 0);
}

void SysmmuRegisters::record_fault(FaultKind kind, bool write, std::uint64_t iova) {
  const bool first = int_status_ == 0;
  int_status_ |= 1u << interrupt_bit(kind, write);
  if (!first) return;
  const auto a = static_cast<std::uint32_t>(iova);
  if (version_ == SysmmuVersion::V2) {
    if (kind == FaultKind::Page) page_fault_addr_ = a;
    else if (kind == FaultKind::BusError) slave_fault_addr_ = a;
    else (write ? aw_fault_addr_ : ar_fault_addr_) = a;
  } else if (version_ == SysmmuVersion::V5) {
    (write ? aw_fault_addr_ : ar_fault_addr_) = a;
  } else {
    ar_fault_addr_ = a;
    fault_info_ = write ? kV7InfoWrite : 0;
  }
}

std::uint32_t SysmmuRegisters::read(std::uint32_t offset, bool blocked) const {
  switch (offset) {
    case kCtrl: return ctrl_;
    case kCfg: return cfg_;
    case kStatus: return blocked ? 1 : 0;
    case kVersion: return version_register(version_);
    default: break;
  }
  if (offset == layout_.int_status) return int_status_;
  if (offset == layout_.pt_base)
    return static_cast<std::uint32_t>(version_ == SysmmuVersion::V2 ? pt_base_ : pt_base_ >> 12);
  if (layout_.flush_start != 0 && offset == layout_.flush_start) return flush_start_;
  if (layout_.flush_end != 0 && offset == layout_.flush_end) return flush_end_;
  if (version_ == SysmmuVersion::V2) {
    switch (offset) {
      case kV2PageFaultAddr: return page_fault_addr_;
      case kV2AwFaultAddr: return aw_fault_addr_;
      case kV2ArFaultAddr: return ar_fault_addr_;
      case kV2DefaultSlaveAddr: return slave_fault_addr_;
      default: return 0;
    }
  }
  if (version_ == SysmmuVersion::V5) {
    if (offset == kV5FaultArVa) return ar_fault_addr_;
    if (offset == kV5FaultAwVa) return aw_fault_addr_;
    return 0;
  }
  if (offset == kV7FaultVa) return ar_fault_addr_;
  if (offset == kV7FaultInfo) return fault_info_;
  return 0;
}

SysmmuRegisters::Effect SysmmuRegisters::write(std::uint32_t offset, std::uint32_t value) {
  Effect e;
  switch (offset) {
    case kCtrl:
      ctrl_ = value & 7;
      e.action = Action::Control;
      return e;
    case kCfg:
      cfg_ = value;
      return e;
    case kFaultAbort:
      if (value & 1) e.action = Action::AbortFaulted;
      return e;
    default: break;
  }
  if (offset == layout_.pt_base) {
    pt_base_ = version_ == SysmmuVersion::V2 ? std::uint64_t{value} : std::uint64_t{value} << 12;
    e.action = Action::SetPageTable;
  } else if (offset == layout_.flush_all) {
    if (value & 1) e.action = Action::FlushAll;
  } else if (offset == layout_.flush_entry) {
    e.action = Action::FlushEntry;  // the driver sets bit 0; the page number is what counts
    e.start = e.end = value & kSmallPageMask;
  } else if (layout_.flush_start != 0 && offset == layout_.flush_start) {
    flush_start_ = value;
  } else if (layout_.flush_end != 0 && offset == layout_.flush_end) {
    flush_end_ = value;
  } else if (layout_.flush_range != 0 && offset == layout_.flush_range) {
    if (value & 1) {
      e.action = Action::FlushRange;
      e.start = flush_start_ & kSmallPageMask;
      e.end = (flush_end_ & kSmallPageMask) + (kSmallPage - 1);
    }
  } else if (offset == layout_.int_clear) {
    int_status_ &= ~value;
    e.action = Action::InterruptCleared;
  }
  return e;
}

}  // namespace dmasim::iommu

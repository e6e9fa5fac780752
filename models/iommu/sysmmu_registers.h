#pragma once
// The SYSMMU's register file (SystemC-free): the layouts of the v1-v3 (here "v2"), v5 and v7
// (non-VM) SYSMMUs as the Exynos driver uses them, the fault recording of each, and what a write
// asks the SYSMMU to do. The SystemC shell (sysmmu.h) carries the actions out and supplies
// STATUS.
//
// Every layout: CTRL 0x000 (bit 0 enable, bit 1 block: 0x5 enable, 0x7 block, 0x0 disable),
// CFG 0x004 (stored), STATUS 0x008 (bit 0: blocked), VERSION 0x034 (the major.minor version in
// bits [31:21]).
// - v2:    FLUSH 0x00C, FLUSH_ENTRY 0x010, PT_BASE 0x014 (physical address), INT_STATUS 0x018,
//          INT_CLEAR 0x01C, PAGE_FAULT_ADDR 0x024, AW_FAULT_ADDR 0x028, AR_FAULT_ADDR 0x02C,
//          DEFAULT_SLAVE_ADDR 0x030. Interrupt bits: 0 page, 1/2 read/write multi-hit, 3 bus
//          error, 5/7 read/write access protection.
// - v5/v7: PT_BASE 0x00C (page frame number), FLUSH_ALL 0x010, FLUSH_ENTRY 0x014, FLUSH_RANGE
//          0x018, FLUSH_START 0x020, FLUSH_END 0x024, INT_STATUS 0x060, INT_CLEAR 0x064.
//          v5: FAULT_AR_VA 0x070, FAULT_AW_VA 0x080; bits 0-4 read faults (PTW, page, multi-hit,
//          access protection, security), 16-20 the same for writes.
//          v7: FAULT_VA 0x070, FAULT_INFO 0x078 (bit 20: write); bits 0-3 (PTW, page, access,
//          multi-hit in the reserved slot), 16-19 for writes.
// - FAULT_ABORT 0x0FC (a dmasim addition; the Linux driver panics instead): writing 1 ends the
//   transactions held by a fault with a slave error.
// The fault address registers keep the first fault until INT_CLEAR clears its bits.
#include <cstdint>
#include <string_view>

#include "models/iommu/page_table_format.h"

namespace dmasim::iommu {

enum class FaultKind : std::uint8_t { Page, Permission, MultiHit, BusError };
inline constexpr std::size_t kFaultKinds = 4;
std::string_view to_string(FaultKind k);  // "page", "permission", "multi_hit", "bus_error"

class SysmmuRegisters {
 public:
  static constexpr std::uint32_t kCtrl = 0x000, kCfg = 0x004, kStatus = 0x008, kVersion = 0x034;
  static constexpr std::uint32_t kFaultAbort = 0x0FC;
  static constexpr std::uint32_t kCtrlEnable = 0x5, kCtrlBlock = 0x7, kCtrlDisable = 0x0;
  static constexpr std::uint32_t kWindow = 0x1000;  // bytes of register space

  // Offsets of this version's registers (0 where the version has none).
  struct Layout {
    std::uint32_t pt_base, flush_all, flush_entry, flush_range, flush_start, flush_end, int_status, int_clear;
    std::uint32_t fault_va;  // the faulting address a handler reads first (v2 page fault, v5+ read fault VA)
  };

  enum class Action : std::uint8_t {
    None, Control, SetPageTable, FlushAll, FlushEntry, FlushRange, InterruptCleared, AbortFaulted
  };
  struct Effect {
    Action action = Action::None;
    std::uint64_t start = 0, end = 0;  // flushes: IO virtual addresses, inclusive
  };

  explicit SysmmuRegisters(SysmmuVersion v);

  const Layout& layout() const { return layout_; }
  SysmmuVersion version() const { return version_; }

  // A register read; `blocked` is STATUS bit 0 as the SYSMMU reports it. Unknown offsets read 0.
  std::uint32_t read(std::uint32_t offset, bool blocked) const;
  // A register write: updates the register state and says what the SYSMMU must do.
  Effect write(std::uint32_t offset, std::uint32_t value);

  bool enabled() const { return (ctrl_ & 1) != 0; }
  bool block_requested() const { return (ctrl_ & 2) != 0; }
  std::uint64_t page_table() const { return pt_base_; }  // physical address of the level-1 table
  std::uint32_t int_status() const { return int_status_; }
  bool interrupt_pending() const { return int_status_ != 0; }

  // Records a fault: sets its interrupt bit, and the address registers if no fault is pending.
  void record_fault(FaultKind kind, bool write, std::uint64_t iova);
  // The interrupt bit a fault sets (tests, reports).
  unsigned interrupt_bit(FaultKind kind, bool write) const;

 private:
  SysmmuVersion version_;
  Layout layout_;
  std::uint32_t ctrl_ = 0, cfg_ = 0;
  std::uint64_t pt_base_ = 0;
  std::uint32_t int_status_ = 0;
  std::uint32_t flush_start_ = 0, flush_end_ = 0;
  // v2: page, AR, AW and default-slave fault addresses; v5: AR and AW; v7: FAULT_VA and INFO.
  std::uint32_t page_fault_addr_ = 0, ar_fault_addr_ = 0, aw_fault_addr_ = 0, slave_fault_addr_ = 0;
  std::uint32_t fault_info_ = 0;
};

}  // namespace dmasim::iommu

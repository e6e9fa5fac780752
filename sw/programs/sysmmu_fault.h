#pragma once
// A SYSMMU fault handler as a driver registers one (the exynos-iommu interrupt handler with a
// fault handler that gives up on the transaction): read the interrupt status and the faulting
// address, abort the faulting transaction (FAULT_ABORT, a dmasim register), clear the interrupt
// and unblock. Every step is an MMIO access with its cost.
#include <cstdint>

#include "models/cpu/core.h"
#include "models/iommu/sysmmu_registers.h"

namespace dmasim::sw {

struct SysmmuFault {
  std::uint32_t status = 0;  // INT_STATUS as read
  std::uint32_t address = 0;  // the faulting IO virtual address register
};

// `regs`: the ioremap address of the SYSMMU's register block.
SysmmuFault sysmmu_handle_fault(cpu::Core& core, std::uint64_t regs, const iommu::SysmmuRegisters::Layout& layout);

}  // namespace dmasim::sw

#include "sw/programs/sysmmu_fault.h"

namespace dmasim::sw {

using iommu::SysmmuRegisters;

SysmmuFault sysmmu_handle_fault(cpu::Core& core, std::uint64_t regs, const SysmmuRegisters::Layout& layout) {
  SysmmuFault f;
  f.status = core.mmio_read(regs + layout.int_status);
  f.address = core.mmio_read(regs + layout.fault_va);
  core.mmio_write(regs + SysmmuRegisters::kFaultAbort, 1);
  core.mmio_write(regs + layout.int_clear, f.status);
  core.mmio_write(regs + SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlEnable);
  return f;
}

}  // namespace dmasim::sw

#include "sw/drivers/device_jobs.h"

#include <memory>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/kernel/cache_maint.h"
#include "sw/kernel/kernel.h"
#include "sw/programs/dma_driver.h"

namespace dmasim::sw {

using namespace devices::dma_reg;

void device_start_job(cpu::Core& cpu, Device& dev, const devices::DmaJob& job) {
  Kernel& k = *dev.kernel;
  if (k.debug != nullptr && k.profile().dma_debug) {
    // The bytes the job touches, as one range per buffer (first byte to last byte).
    const std::uint64_t src_span = (job.height - 1) * (job.src_pitch ? job.src_pitch : job.width) + job.width;
    const std::uint64_t dst_span = (job.height - 1) * (job.dst_pitch ? job.dst_pitch : job.width) + job.width;
    if (job.reads()) k.debug->device_access(dev, job.src, src_span, false);
    if (job.writes()) k.debug->device_access(dev, job.dst, dst_span, true);
  }
  dma_program_job(cpu, dev.hw.regs_va, job);
  k.cache().wmb(cpu);  // writel() = wmb + writel_relaxed: buffers and registers before the start
  cpu.mmio_write(dev.hw.regs_va + CTRL, CTRL_START | CTRL_IRQ_ENABLE);
}

std::uint32_t device_wait_job(cpu::Core& cpu, Device& dev) {
  InterruptLine& irq = *dev.hw.irq;
  cpu.wait_until(irq.event(), [&] { return irq.pending(); });
  const std::uint32_t status = cpu.mmio_read(dev.hw.regs_va + STATUS);
  cpu.mmio_write(dev.hw.regs_va + STATUS, status & ~STATUS_BUSY);
  return status;
}

std::uint32_t device_run_job(cpu::Core& cpu, Device& dev, const devices::DmaJob& job) {
  device_start_job(cpu, dev, job);
  return device_wait_job(cpu, dev);
}

void sleep_until(cpu::Core& cpu, Picoseconds t) { cpu.sleep_until(t); }

}  // namespace dmasim::sw

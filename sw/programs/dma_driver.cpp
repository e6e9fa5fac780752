#include "sw/programs/dma_driver.h"

#include "models/devices/dma_registers.h"

namespace dmasim::sw {

using namespace devices::dma_reg;

void dma_program_job(cpu::Core& core, std::uint64_t regs, const devices::DmaJob& job) {
  auto w = [&](std::uint32_t offset, std::uint64_t value) {
    core.mmio_write(regs + offset, static_cast<std::uint32_t>(value));
  };
  w(SRC, job.src);
  w(SRC_HI, job.src >> 32);
  w(DST, job.dst);
  w(DST_HI, job.dst >> 32);
  w(WIDTH, job.width);
  w(HEIGHT, job.height);
  w(SRC_PITCH, job.src_pitch);
  w(DST_PITCH, job.dst_pitch);
  w(CONFIG, config_word(job.op, job.coherent, job.burst));
  w(TILE, (job.tile_height << 16) | job.tile_width);
  w(RATE, job.rate / 1024);
  w(REPEAT, job.repeat);
  w(OUTSTANDING, job.outstanding);
}

void dma_start_job(cpu::Core& core, std::uint64_t regs, const devices::DmaJob& job) {
  dma_program_job(core, regs, job);
  core.dsb();  // the job's buffers are ready before the start, as the kernel's writel orders them
  core.mmio_write(regs + CTRL, CTRL_START | CTRL_IRQ_ENABLE);
}

std::uint32_t dma_wait_irq(cpu::Core& core, std::uint64_t regs, InterruptLine& irq) {
  while (!irq.pending()) core.wait(irq.event());
  const std::uint32_t status = core.mmio_read(regs + STATUS);
  core.mmio_write(regs + STATUS, status & ~STATUS_BUSY);
  return status;
}

}  // namespace dmasim::sw

#pragma once
// The smallest driver of a DMA engine (models/devices/dma_registers.h), written against the
// core's software interface as a kernel driver would be: program the job register by register
// (writel), start it with the interrupt enabled, sleep until the completion interrupt, then read
// and acknowledge the status in the handler. Every step is an MMIO access with its real cost.
#include <cstdint>

#include "models/common/interrupt_line.h"
#include "models/cpu/core.h"
#include "models/devices/dma_job.h"

namespace dmasim::sw {

// Writes the job's registers and CTRL.START | CTRL.IRQ_ENABLE. `regs` is the ioremap address of
// the register block.
void dma_start_job(cpu::Core& core, std::uint64_t regs, const devices::DmaJob& job);
// Every job register but CTRL (writel_relaxed each): what a driver writes before its barrier
// and the start bit.
void dma_program_job(cpu::Core& core, std::uint64_t regs, const devices::DmaJob& job);

// Sleeps until `irq` is raised, then reads STATUS and writes it back to clear it (the handler);
// returns the status read.
std::uint32_t dma_wait_irq(cpu::Core& core, std::uint64_t regs, InterruptLine& irq);

}  // namespace dmasim::sw

#pragma once
// Running a job on a platform DMA engine the way a kernel driver does: the job registers with
// writel_relaxed, a wmb() so the descriptors and buffers are visible first (DSB, plus CACHE_SYNC
// with an outer cache), the start bit, then sleep until the completion interrupt and acknowledge
// it in the handler. dma-debug is told which bytes the device reads and writes.
#include <cstdint>

#include "models/cpu/core.h"
#include "models/devices/dma_job.h"
#include "sw/dma_api/device.h"

namespace dmasim::sw {

// Starts the job and returns at once.
void device_start_job(cpu::Core& cpu, Device& dev, const devices::DmaJob& job);
// Sleeps until the device's completion interrupt, acknowledges it; returns the status read.
std::uint32_t device_wait_job(cpu::Core& cpu, Device& dev);
// Both.
std::uint32_t device_run_job(cpu::Core& cpu, Device& dev, const devices::DmaJob& job);

// Sleeps the calling software thread until the simulated time t (ps); returns at once if past.
void sleep_until(cpu::Core& cpu, Picoseconds t);

}  // namespace dmasim::sw

#pragma once
// The DMA engine's register block (dmasim's own layout, documented in docs/devices.md): a job
// is programmed field by field and started by writing CTRL.START; completion and errors are
// sticky STATUS bits, cleared by writing 1 to them, that drive the interrupt line while
// CTRL.IRQ_ENABLE is set. SystemC-free: the engine applies the actions it returns.
#include <cstdint>

#include "models/devices/dma_job.h"

namespace dmasim::devices {

namespace dma_reg {
inline constexpr std::uint32_t CTRL = 0x00;
inline constexpr std::uint32_t STATUS = 0x04;
inline constexpr std::uint32_t SRC = 0x08;
inline constexpr std::uint32_t SRC_HI = 0x0C;
inline constexpr std::uint32_t DST = 0x10;
inline constexpr std::uint32_t DST_HI = 0x14;
inline constexpr std::uint32_t WIDTH = 0x18;
inline constexpr std::uint32_t HEIGHT = 0x1C;
inline constexpr std::uint32_t SRC_PITCH = 0x20;
inline constexpr std::uint32_t DST_PITCH = 0x24;
inline constexpr std::uint32_t CONFIG = 0x28;     // [1:0] op (0 read, 1 write, 2 copy), [4] coherent, [15:8] log2 burst
inline constexpr std::uint32_t TILE = 0x2C;       // [15:0] tile width (bytes), [31:16] tile height (lines); 0: untiled
inline constexpr std::uint32_t RATE = 0x30;       // KiB per second, 0: unlimited
inline constexpr std::uint32_t REPEAT = 0x34;     // passes (0 reads as 1)
inline constexpr std::uint32_t JOBS_DONE = 0x38;  // read-only count of completed jobs
inline constexpr std::uint32_t OUTSTANDING = 0x3C;  // transactions in flight at most (0: the engine's limit)
inline constexpr std::uint32_t kBlockBytes = 0x1000;

inline constexpr std::uint32_t CTRL_START = 1u << 0;       // write 1: queue the programmed job
inline constexpr std::uint32_t CTRL_IRQ_ENABLE = 1u << 1;
inline constexpr std::uint32_t STATUS_BUSY = 1u << 0;      // read-only: a job is queued or running
inline constexpr std::uint32_t STATUS_DONE = 1u << 1;      // write 1 to clear
inline constexpr std::uint32_t STATUS_ERROR = 1u << 2;     // a transaction got an error response
inline constexpr std::uint32_t STATUS_REJECTED = 1u << 3;  // START with the queue full or a bad job

inline constexpr std::uint32_t config_word(DmaOp op, bool coherent, unsigned burst) {
  unsigned log2 = 0;
  while ((1u << log2) < burst) ++log2;
  return static_cast<std::uint32_t>(op) | (coherent ? 1u << 4 : 0u) | (log2 << 8);
}
}  // namespace dma_reg

class DmaRegisters {
 public:
  std::uint32_t read(std::uint32_t offset) const;
  // Applies a register write; true when it was CTRL with START set (the engine queues job()).
  bool write(std::uint32_t offset, std::uint32_t value);

  DmaJob job() const;  // the job the registers describe
  bool irq_enabled() const { return ctrl_ & dma_reg::CTRL_IRQ_ENABLE; }
  bool interrupt_pending() const { return irq_enabled() && (status_ & ~dma_reg::STATUS_BUSY) != 0; }

  void set_busy(bool busy);
  void set_status(std::uint32_t bits) { status_ |= bits; }
  void job_done() { ++jobs_done_; }

 private:
  std::uint32_t ctrl_ = 0, status_ = 0;
  std::uint32_t src_ = 0, src_hi_ = 0, dst_ = 0, dst_hi_ = 0;
  std::uint32_t width_ = 0, height_ = 1, src_pitch_ = 0, dst_pitch_ = 0;
  std::uint32_t config_ = dma_reg::config_word(DmaOp::Read, false, 64);
  std::uint32_t tile_ = 0, rate_ = 0, repeat_ = 1, jobs_done_ = 0, outstanding_ = 0;
};

}  // namespace dmasim::devices

#include "models/devices/dma_registers.h"

namespace dmasim::devices {

std::uint32_t DmaRegisters::read(std::uint32_t offset) const {
  switch (offset) {
    case dma_reg::CTRL: return ctrl_ & ~dma_reg::CTRL_START;
    case dma_reg::STATUS: return status_;
    case dma_reg::SRC: return src_;
    case dma_reg::SRC_HI: return src_hi_;
    case dma_reg::DST: return dst_;
    case dma_reg::DST_HI: return dst_hi_;
    case dma_reg::WIDTH: return width_;
    case dma_reg::HEIGHT: return height_;
    case dma_reg::SRC_PITCH: return src_pitch_;
    case dma_reg::DST_PITCH: return dst_pitch_;
    case dma_reg::CONFIG: return config_;
    case dma_reg::TILE: return tile_;
    case dma_reg::RATE: return rate_;
    case dma_reg::REPEAT: return repeat_;
    case dma_reg::JOBS_DONE: return jobs_done_;
    case dma_reg::OUTSTANDING: return outstanding_;
    default: return 0;  // unimplemented offsets read as zero, as on most IP blocks
  }
}

bool DmaRegisters::write(std::uint32_t offset, std::uint32_t value) {
  switch (offset) {
    case dma_reg::CTRL:
      ctrl_ = value & dma_reg::CTRL_IRQ_ENABLE;
      return (value & dma_reg::CTRL_START) != 0;
    case dma_reg::STATUS: status_ &= ~(value & ~dma_reg::STATUS_BUSY); break;
    case dma_reg::SRC: src_ = value; break;
    case dma_reg::SRC_HI: src_hi_ = value; break;
    case dma_reg::DST: dst_ = value; break;
    case dma_reg::DST_HI: dst_hi_ = value; break;
    case dma_reg::WIDTH: width_ = value; break;
    case dma_reg::HEIGHT: height_ = value; break;
    case dma_reg::SRC_PITCH: src_pitch_ = value; break;
    case dma_reg::DST_PITCH: dst_pitch_ = value; break;
    case dma_reg::CONFIG: config_ = value; break;
    case dma_reg::TILE: tile_ = value; break;
    case dma_reg::RATE: rate_ = value; break;
    case dma_reg::REPEAT: repeat_ = value; break;
    case dma_reg::OUTSTANDING: outstanding_ = value; break;
    default: break;  // writes to read-only or unimplemented offsets are ignored
  }
  return false;
}

DmaJob DmaRegisters::job() const {
  DmaJob j;
  const unsigned op = config_ & 3u;
  j.op = op == 1 ? DmaOp::Write : op == 2 ? DmaOp::Copy : DmaOp::Read;
  j.coherent = (config_ >> 4) & 1u;
  const unsigned log2 = (config_ >> 8) & 0xFFu;
  j.burst = log2 < 16 ? 1u << log2 : 0;  // out of range: rejected by dma_job_problem
  j.src = (std::uint64_t{src_hi_} << 32) | src_;
  j.dst = (std::uint64_t{dst_hi_} << 32) | dst_;
  j.width = width_;
  j.height = height_;
  j.src_pitch = src_pitch_;
  j.dst_pitch = dst_pitch_;
  j.tile_width = tile_ & 0xFFFFu;
  j.tile_height = tile_ >> 16;
  j.rate = std::uint64_t{rate_} * 1024;
  j.repeat = repeat_ ? repeat_ : 1;
  j.outstanding = outstanding_;
  return j;
}

void DmaRegisters::set_busy(bool busy) {
  if (busy) status_ |= dma_reg::STATUS_BUSY;
  else status_ &= ~dma_reg::STATUS_BUSY;
}

}  // namespace dmasim::devices

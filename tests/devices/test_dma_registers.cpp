// The DMA engine's register block: fields, START, sticky status bits and the interrupt condition.
#include <gtest/gtest.h>

#include "models/devices/dma_registers.h"

namespace dmasim::devices {
namespace {

TEST(DmaRegisters, FieldsProgramAJob) {
  DmaRegisters r;
  r.write(dma_reg::SRC, 0x1000);
  r.write(dma_reg::SRC_HI, 0x1);
  r.write(dma_reg::DST, 0x2000);
  r.write(dma_reg::WIDTH, 7680);
  r.write(dma_reg::HEIGHT, 1080);
  r.write(dma_reg::SRC_PITCH, 8192);
  r.write(dma_reg::CONFIG, dma_reg::config_word(DmaOp::Copy, true, 128));
  r.write(dma_reg::TILE, (16u << 16) | 64u);
  r.write(dma_reg::RATE, 1000);
  r.write(dma_reg::REPEAT, 2);
  r.write(dma_reg::OUTSTANDING, 4);
  const DmaJob j = r.job();
  EXPECT_EQ(j.src, 0x1'0000'1000u);
  EXPECT_EQ(j.dst, 0x2000u);
  EXPECT_EQ(j.width, 7680u);
  EXPECT_EQ(j.height, 1080u);
  EXPECT_EQ(j.src_pitch, 8192u);
  EXPECT_EQ(j.op, DmaOp::Copy);
  EXPECT_TRUE(j.coherent);
  EXPECT_EQ(j.burst, 128u);
  EXPECT_EQ(j.tile_width, 64u);
  EXPECT_EQ(j.tile_height, 16u);
  EXPECT_EQ(j.rate, 1000u * 1024);
  EXPECT_EQ(j.repeat, 2u);
  EXPECT_EQ(j.outstanding, 4u);
  EXPECT_EQ(r.read(dma_reg::WIDTH), 7680u);
  EXPECT_EQ(r.read(dma_reg::CONFIG), dma_reg::config_word(DmaOp::Copy, true, 128));
}

TEST(DmaRegisters, StartIsAnActionNotAStoredBit) {
  DmaRegisters r;
  EXPECT_FALSE(r.write(dma_reg::CTRL, dma_reg::CTRL_IRQ_ENABLE));
  EXPECT_TRUE(r.write(dma_reg::CTRL, dma_reg::CTRL_START | dma_reg::CTRL_IRQ_ENABLE));
  EXPECT_EQ(r.read(dma_reg::CTRL), dma_reg::CTRL_IRQ_ENABLE);
  EXPECT_FALSE(r.write(dma_reg::WIDTH, dma_reg::CTRL_START));
}

TEST(DmaRegisters, StatusBitsAreStickyAndClearedByWritingOne) {
  DmaRegisters r;
  r.write(dma_reg::CTRL, dma_reg::CTRL_IRQ_ENABLE);
  r.set_busy(true);
  EXPECT_FALSE(r.interrupt_pending());  // busy alone does not interrupt
  r.set_status(dma_reg::STATUS_DONE | dma_reg::STATUS_ERROR);
  EXPECT_TRUE(r.interrupt_pending());
  r.write(dma_reg::STATUS, dma_reg::STATUS_DONE | dma_reg::STATUS_BUSY);  // BUSY is read-only
  EXPECT_EQ(r.read(dma_reg::STATUS), dma_reg::STATUS_BUSY | dma_reg::STATUS_ERROR);
  EXPECT_TRUE(r.interrupt_pending());
  r.write(dma_reg::STATUS, dma_reg::STATUS_ERROR);
  EXPECT_FALSE(r.interrupt_pending());
  r.set_status(dma_reg::STATUS_DONE);
  r.write(dma_reg::CTRL, 0);  // masked
  EXPECT_FALSE(r.interrupt_pending());
}

TEST(DmaRegisters, JobsDoneCountsAndIsReadOnly) {
  DmaRegisters r;
  r.job_done();
  r.job_done();
  r.write(dma_reg::JOBS_DONE, 0);
  EXPECT_EQ(r.read(dma_reg::JOBS_DONE), 2u);
  EXPECT_EQ(r.read(0x800), 0u);  // unimplemented offsets read as zero
}

}  // namespace
}  // namespace dmasim::devices

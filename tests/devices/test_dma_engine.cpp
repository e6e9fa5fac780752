// The DMA engine on a fixed-latency memory: issue timing under credits, write data beats, copy
// dependencies, rate limits, register programming and the completion interrupt, errors, pacing.
#include <gtest/gtest.h>

#include "models/devices/video_stream.h"
#include "tests/devices/engine_bench.h"
#include "tests/support/elaboration.h"

namespace dmasim::devices::test {
namespace {

DmaJob read_job(std::uint64_t bytes) {
  DmaJob j;
  j.op = DmaOp::Read;
  j.src = 0x8000'0000;
  j.width = bytes;
  j.burst = 64;
  return j;
}

TEST(DmaEngine, ReadsIssueOnePerCycleUntilTheCreditsRunOut) {
  SKIP_IF_ELABORATED();
  EngineBench b;  // 4 outstanding, 50 ns memory
  b.engine->submit(read_job(4096));
  sc_core::sc_start();
  // 64 reads in 16 groups of 4: group g issues at 50g + 0..3 ns; the last completes at 753 + 50.
  EXPECT_EQ(b.engine->jobs_done(), 1u);
  EXPECT_EQ(b.engine->last_completion(), 803 * kCycle);
  EXPECT_EQ(b.memory->reads(), 64u);
  EXPECT_EQ(b.memory->log[4].arrival, 50 * kCycle);
  EXPECT_EQ(b.stat("bytes_read"), 4096.0);
  EXPECT_EQ(b.histogram("job_time").max(), 803u);
  // Ready but out of credit from 50g + 4 to 50(g + 1), for the 15 groups that have a successor.
  EXPECT_EQ(b.stat("stall_cycles"), 15.0 * 46);
  EXPECT_EQ(b.histogram("read_latency").min(), 50u);
  EXPECT_EQ(b.histogram("read_latency").max(), 50u);
}

TEST(DmaEngine, WritesHoldThePortForTheirDataBeats) {
  SKIP_IF_ELABORATED();
  DmaEngineConfig c = test_config();
  c.outstanding = 16;
  EngineBench b(c);
  DmaJob j = read_job(4096);
  j.op = DmaOp::Write;
  j.dst = 0x9000'0000;
  b.engine->submit(j);
  sc_core::sc_start();
  // 64-byte writes on a 16-byte port: one every 4 cycles; the last at 252 ns answers at 302 ns.
  EXPECT_EQ(b.memory->writes(), 64u);
  EXPECT_EQ(b.memory->log[1].arrival, 4 * kCycle);
  EXPECT_EQ(b.engine->last_completion(), 302 * kCycle);
  EXPECT_EQ(b.stat("stall_cycles"), 0.0);
  // Every line written carries a new version from the engine's oracle agent.
  EXPECT_EQ(b.memory->log[0].versions.size(), 1u);
  EXPECT_EQ(b.oracle->writes(), 64u);
}

TEST(DmaEngine, ACopyWritesEachChunkAfterItsReadDataArrives) {
  SKIP_IF_ELABORATED();
  DmaEngineConfig c = test_config();
  c.outstanding = 32;
  EngineBench b(c);
  DmaJob j = read_job(1024);
  j.op = DmaOp::Copy;
  j.dst = 0x9000'0000;
  b.engine->submit(j);
  sc_core::sc_start();
  // Reads at 0..15 ns, their data at 50..65 ns; the writes, 4 cycles each, at 50 + 4k ns: the
  // last at 110 ns answers at 160 ns.
  EXPECT_EQ(b.memory->reads(), 16u);
  EXPECT_EQ(b.memory->writes(), 16u);
  EXPECT_EQ(b.engine->last_completion(), 160 * kCycle);
  EXPECT_EQ(b.stat("bytes_written"), 1024.0);
}

TEST(DmaEngine, WithAWritePortBoundWritesLeaveThroughIt) {
  SKIP_IF_ELABORATED();
  DmaEngineConfig c = test_config();
  c.outstanding = 32;
  EngineBench b(c);
  dmasim::test::TestMemory writes("writes", kMemoryLatency, b.oracle.get());
  b.engine->write_port.bind(writes.socket);
  DmaJob j = read_job(1024);
  j.op = DmaOp::Copy;
  j.dst = 0x9000'0000;
  b.engine->submit(j);
  sc_core::sc_start();
  EXPECT_EQ(b.memory->reads(), 16u);
  EXPECT_EQ(b.memory->writes(), 0u);
  EXPECT_EQ(writes.writes(), 16u);
  EXPECT_EQ(b.engine->last_completion(), 160 * kCycle);  // as on one port: the reads come first
}

TEST(DmaEngine, ARateLimitSpacesTheTransactions) {
  SKIP_IF_ELABORATED();
  EngineBench b;
  DmaJob j = read_job(1024);
  j.rate = 1'000'000'000;  // 1 GB/s: 64 bytes every 64 ns
  b.engine->submit(j);
  sc_core::sc_start();
  EXPECT_EQ(b.memory->log[1].arrival, 64 * kCycle);
  EXPECT_EQ(b.memory->log[15].arrival, 960 * kCycle);
  EXPECT_EQ(b.engine->last_completion(), 1010 * kCycle);
}

TEST(DmaEngine, AJobsOutstandingCapLimitsItBelowTheEnginesLimit) {
  SKIP_IF_ELABORATED();
  EngineBench b;  // engine limit 4
  DmaJob j = read_job(1024);
  j.outstanding = 2;
  b.engine->submit(j);
  sc_core::sc_start();
  // 16 reads in 8 pairs: pair g issues at 50g + 0, 1 ns; the last completes at 351 + 50 ns.
  EXPECT_EQ(b.memory->log[2].arrival, 50 * kCycle);
  EXPECT_EQ(b.engine->last_completion(), 401 * kCycle);
}

TEST(DmaEngine, ProgrammedThroughRegistersItInterruptsAfterTheLastResponse) {
  SKIP_IF_ELABORATED();
  EngineBench b;
  Picoseconds started = 0, interrupted = 0;
  std::uint32_t status = 0, after_clear = 0, jobs = 0;
  bool lowered = false;
  b.cpu->program = [&](RegisterThread& t) {
    t.write(dma_reg::SRC, 0x8000'0000);
    t.write(dma_reg::WIDTH, 4096);
    t.write(dma_reg::CONFIG, dma_reg::config_word(DmaOp::Read, false, 64));
    t.write(dma_reg::CTRL, dma_reg::CTRL_START | dma_reg::CTRL_IRQ_ENABLE);
    started = sc_core::sc_time_stamp().value();  // the write's 2 cycles are over: the job starts
    while (!b.engine->irq().pending()) sc_core::wait(b.engine->irq().event());
    interrupted = sc_core::sc_time_stamp().value();
    status = t.read(dma_reg::STATUS);
    t.write(dma_reg::STATUS, dma_reg::STATUS_DONE);
    lowered = !b.engine->irq().pending();
    after_clear = t.read(dma_reg::STATUS);
    jobs = t.read(dma_reg::JOBS_DONE);
  };
  sc_core::sc_start();
  EXPECT_EQ(started, 8 * kCycle);  // four register writes of 2 cycles
  EXPECT_EQ(interrupted, started + 803 * kCycle + 10 * kCycle);
  EXPECT_EQ(status, dma_reg::STATUS_DONE);
  EXPECT_TRUE(lowered);
  EXPECT_EQ(after_clear, 0u);
  EXPECT_EQ(jobs, 1u);
  EXPECT_EQ(b.stat("register_accesses"), 8.0);
}

TEST(DmaEngine, AStartWithTheQueueFullIsRejectedAndFlagged) {
  SKIP_IF_ELABORATED();
  DmaEngineConfig c = test_config();
  c.queue = 1;
  EngineBench b(c);
  std::uint32_t status = 0;
  b.cpu->program = [&](RegisterThread& t) {
    t.write(dma_reg::WIDTH, 4096);
    t.write(dma_reg::CTRL, dma_reg::CTRL_START);
    t.write(dma_reg::CTRL, dma_reg::CTRL_START);
    status = t.read(dma_reg::STATUS);
  };
  sc_core::sc_start();
  EXPECT_EQ(status, dma_reg::STATUS_BUSY | dma_reg::STATUS_REJECTED);
  EXPECT_EQ(b.stat("rejected"), 1.0);
  EXPECT_EQ(b.engine->jobs_done(), 1u);
}

TEST(DmaEngine, AnErrorResponseEndsTheJobWithTheErrorBit) {
  SKIP_IF_ELABORATED();
  EngineBench b;
  b.memory->error_from = 0x8000'0800;  // the second half answers with an error
  b.engine->submit(read_job(4096));
  sc_core::sc_start();
  EXPECT_EQ(b.engine->jobs_done(), 1u);
  EXPECT_EQ(b.stat("errors"), 32.0);
  EXPECT_EQ(b.engine->register_file().read(dma_reg::STATUS), dma_reg::STATUS_DONE | dma_reg::STATUS_ERROR);
}

TEST(DmaEngine, ADeviceReadingWhatACpuWroteButDidNotPublishIsFlagged) {
  SKIP_IF_ELABORATED();
  EngineBench b;
  const auto cpu = b.oracle->register_agent("cpu", b.oracle->add_domain("cpus"), oracle::AgentKind::Cpu);
  b.oracle->write(cpu, 0x8000'0040, 0);  // in a CPU cache, never cleaned
  b.engine->submit(read_job(256));
  sc_core::sc_start();
  EXPECT_EQ(b.oracle->violation_count(oracle::ViolationKind::DeviceReadStale), 1u);
}

VideoStreamConfig small_display(unsigned fifo) {
  VideoStreamConfig c;
  c.timing = VideoTiming{64, 4, 80, 5, 1000, 4};  // 2.5 us per pixel
  c.fifo = ByteSize{fifo};
  c.frames = 2;
  return c;
}

DmaJob scanout(const VideoStreamConfig& c) {
  DmaJob j;
  j.src = 0x8000'0000;
  j.width = c.timing.line_bytes();
  j.height = c.timing.height;
  j.repeat = c.frames;
  j.burst = 64;
  return j;
}

TEST(DmaEngine, ADisplayFedFasterThanItsFifoDrainsNeverUnderruns) {
  SKIP_IF_ELABORATED();
  EngineBench b;  // 50 ns memory, 16 pixels (40 us) per 64-byte fetch
  const VideoStreamConfig c = small_display(256);
  DisplayScanout d(c, stats::Group(b.stats, "display"));
  b.engine->submit(scanout(c), &d);
  sc_core::sc_start();
  EXPECT_EQ(b.engine->jobs_done(), 1u);
  EXPECT_EQ(d.underruns(), 0u);
  EXPECT_EQ(b.memory->reads(), 2u * 16);
  // Paced by the FIFO: the last fetch (frame 1, bytes 960..1023) waits for bytes 0..767 of that
  // frame to be shown: pixel 192 starts at 1 ms + 200 us + 3 x 200 us = 1.8 ms.
  EXPECT_EQ(b.memory->log.back().arrival, 1'800'000'000u);
}

TEST(DmaEngine, ADisplayWhoseDataComesLaterThanItsFifoLastsUnderruns) {
  SKIP_IF_ELABORATED();
  EngineBench b(test_config(), 50'000'000);  // 50 us memory: longer than a 64-byte FIFO lasts (40 us)
  const VideoStreamConfig c = small_display(64);
  DisplayScanout d(c, stats::Group(b.stats, "display"));
  b.engine->submit(scanout(c), &d);
  sc_core::sc_start();
  EXPECT_GT(d.underruns(), 0u);
  EXPECT_EQ(b.stats.number("display.underruns"), static_cast<double>(d.underruns()));
}

}  // namespace
}  // namespace dmasim::devices::test

#include "sw/drivers/camera_capture.h"

#include <fmt/format.h>

#include <deque>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"

namespace dmasim::sw {

void CameraCaptureConfig::describe(cfg::Fields<CameraCaptureConfig>& f) {
  f("device", &CameraCaptureConfig::device, "the camera interface: a platform device");
  f("core", &CameraCaptureConfig::core, "the core running the driver (buffer queue, interrupt)");
  f("consumer_core", &CameraCaptureConfig::consumer_core, "the core running the CPU consumer of the frames");
  f("width", &CameraCaptureConfig::width, "pixels per line").range(1, 16384);
  f("height", &CameraCaptureConfig::height, "lines per frame").range(1, 16384);
  f("bytes_per_pixel", &CameraCaptureConfig::bytes_per_pixel, "bytes per pixel (2: YUV 4:2:2)").range(1, 8);
  f("fps", &CameraCaptureConfig::fps, "sensor frames per second; 0: back to back, as fast as the device writes")
      .range(0, 1000);
  f("frames", &CameraCaptureConfig::frames, "frames the sensor delivers").range(1, 100000);
  f("buffers", &CameraCaptureConfig::buffers, "frame buffers in the queue").range(1, 64);
  f("consumer", &CameraCaptureConfig::consumer,
    "what the CPU does with a frame: read it, copy it to a cacheable buffer, or nothing");
  f("access_size", &CameraCaptureConfig::access_size, "bytes per CPU load of the consumer (4B, 8B or a line)");
  f("compute_per_line", &CameraCaptureConfig::compute_per_line, "cycles of processing per frame line")
      .range(0, 1u << 20);
  f("burst", &CameraCaptureConfig::burst, "the camera interface's write burst");
}

namespace {

class CameraCapture final : public Driver {
 public:
  CameraCapture(Kernel& kernel, Strategy strategy, const CameraCaptureConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override {
    kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { capture(cpu); }, "camera driver");
    if (c_.consumer != ConsumerKind::None)
      kernel_.machine().start(c_.consumer_core, [this](cpu::Core& cpu) { consume(cpu); }, "camera consumer");
  }

  void summarise(Columns& col) const override {
    col.emplace_back("camera_frames", fmt::format("{}", captured_));
    col.emplace_back("camera_dropped", fmt::format("{}", dropped_));
    col.emplace_back("camera_consumed", fmt::format("{}", consumed_));
    col.emplace_back("camera_consumer_ns", fmt::format("{:.0f}", static_cast<double>(consumer_ps_) / 1000.0));
  }

 private:
  void capture(cpu::Core& cpu) {
    std::string why;
    dev_ = probe_device(cpu, kernel_, c_.device, strategy_, why);
    if (!dev_) {
      fail(why);
      finished_ = true;  // the consumer has nothing to wait for
      ready_.notify(sc_core::SC_ZERO_TIME);
      return;
    }
    const std::uint64_t frame = c_.frame_bytes();
    for (unsigned i = 0; i < c_.buffers; ++i) {
      auto b = std::make_unique<DmaBuffer>(cpu, *dev_, strategy_, frame, DmaDirection::FromDevice);
      if (!b->ok()) {
        fail(b->error());
        break;
      }
      b->for_device(cpu);  // VIDIOC_QBUF: the buffer is the device's
      if (!b->ok()) {      // the mapping failed: QBUF fails, streaming does not start
        fail(b->error());
        b->release(cpu);
        break;
      }
      free_.push_back(b.get());
      buffers_.push_back(std::move(b));
    }
    if (free_.size() < c_.buffers) {  // tear down what was queued
      for (auto& q : buffers_) q->release(cpu);
      buffers_.clear();
      free_.clear();
    }
    const Picoseconds period = c_.fps > 0 ? static_cast<Picoseconds>(1e12 / c_.fps) : 0;
    const Picoseconds t0 = cpu.now();
    for (unsigned f = 0; f < c_.frames && !buffers_.empty(); ++f) {
      if (period != 0) sleep_until(cpu, t0 + f * period);
      if (free_.empty()) {
        ++dropped_;
        continue;
      }
      DmaBuffer* b = free_.front();
      free_.pop_front();
      devices::DmaJob job;
      job.op = devices::DmaOp::Write;
      job.dst = b->dma();
      job.width = std::uint64_t{c_.width} * c_.bytes_per_pixel;
      job.height = c_.height;
      job.burst = static_cast<unsigned>(c_.burst.bytes);
      job.coherent = dev_->dma_coherent;
      // The sensor delivers a frame over its frame time; the interface writes at that pace.
      if (c_.fps > 0) job.rate = static_cast<std::uint64_t>(static_cast<double>(frame) * c_.fps * 1.05);
      const std::uint32_t status = device_run_job(cpu, *dev_, job);
      if ((status & devices::dma_reg::STATUS_ERROR) != 0) fail(fmt::format("frame {}: the device reported an error", f));
      b->for_cpu(cpu);  // VIDIOC_DQBUF: vb2 finish gives the buffer to the CPU
      ++captured_;
      cpu.sync();  // the frame is the consumer's from now on (no earlier in simulated time)
      done_.push_back(b);
      ready_.notify(sc_core::SC_ZERO_TIME);
      if (c_.consumer == ConsumerKind::None) {
        done_.pop_back();
        b->for_device(cpu);
        free_.push_back(b);
      }
    }
    cpu.sync();
    finished_ = true;
    ready_.notify(sc_core::SC_ZERO_TIME);
    // Wait for the consumer to hand every buffer back before tearing down.
    if (c_.consumer != ConsumerKind::None) cpu.wait_until(returned_, [this] { return consumer_done_; });
    for (auto& b : buffers_) b->release(cpu);
    buffers_.clear();
    dma_debug_device_release_if_enabled();
  }

  void consume(cpu::Core& cpu) {
    const std::uint64_t frame = c_.frame_bytes();
    const std::uint64_t line_bytes = std::uint64_t{c_.width} * c_.bytes_per_pixel;
    std::unique_ptr<DmaBuffer> copy_dst;
    for (;;) {
      cpu.wait_until(ready_, [this] { return !done_.empty() || finished_; });
      if (done_.empty()) break;
      DmaBuffer* b = done_.front();
      done_.pop_front();
      const Picoseconds start = cpu.now();
      if (kernel_.debug != nullptr && kernel_.profile().dma_debug && b->phys() != 0)
        kernel_.debug->cpu_access("camera consumer", b->phys(), frame, false);
      if (c_.consumer == ConsumerKind::Copy && !copy_dst && kernel_.page_allocator != nullptr) {
        copy_dst = std::make_unique<DmaBuffer>(cpu, *dev_, Strategy::Streaming, frame, DmaDirection::ToDevice);
        if (!copy_dst->ok()) copy_dst.reset();
      }
      for (unsigned line = 0; line < c_.height; ++line) {
        const VirtAddr src = b->cpu_va() + std::uint64_t{line} * line_bytes;
        if (copy_dst)
          cpu.copy(copy_dst->cpu_va() + std::uint64_t{line} * line_bytes, src, line_bytes,
                   static_cast<unsigned>(c_.access_size.bytes));
        else
          cpu.read_range(src, line_bytes, static_cast<unsigned>(c_.access_size.bytes));
        if (c_.compute_per_line != 0) cpu.compute(c_.compute_per_line);
      }
      consumer_ps_ += cpu.now() - start;
      ++consumed_;
      b->for_device(cpu);  // VIDIOC_QBUF: vb2 prepare gives it back to the device
      cpu.sync();
      free_.push_back(b);
    }
    if (copy_dst) copy_dst->release(cpu);
    cpu.sync();
    consumer_done_ = true;
    returned_.notify(sc_core::SC_ZERO_TIME);
  }

  void fail(const std::string& why) { errors_.push_back(fmt::format("camera capture ({}): {}", c_.device, why)); }
  void dma_debug_device_release_if_enabled() {
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug) kernel_.debug->dma_debug_device_release(*dev_);
  }

  Kernel& kernel_;
  Strategy strategy_;
  CameraCaptureConfig c_;
  std::unique_ptr<Device> dev_;
  std::vector<std::unique_ptr<DmaBuffer>> buffers_;
  std::deque<DmaBuffer*> free_, done_;
  sc_core::sc_event ready_, returned_;
  bool finished_ = false, consumer_done_ = false;
  std::uint64_t captured_ = 0, dropped_ = 0, consumed_ = 0;
  Picoseconds consumer_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_camera_capture(Kernel& kernel, Strategy strategy, const CameraCaptureConfig& config) {
  return std::make_unique<CameraCapture>(kernel, strategy, config);
}

}  // namespace dmasim::sw

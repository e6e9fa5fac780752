#include "sw/drivers/display_scanout.h"

#include <fmt/format.h>

#include <array>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"

namespace dmasim::sw {

void DisplayScanoutConfig::describe(cfg::Fields<DisplayScanoutConfig>& f) {
  f("device", &DisplayScanoutConfig::device, "the display controller: a platform device");
  f("core", &DisplayScanoutConfig::core, "the core rendering and running the driver");
  f("width", &DisplayScanoutConfig::width, "pixels per line").range(1, 16384);
  f("height", &DisplayScanoutConfig::height, "lines").range(1, 16384);
  f("bytes_per_pixel", &DisplayScanoutConfig::bytes_per_pixel, "bytes per pixel").range(1, 8);
  f("fps", &DisplayScanoutConfig::fps, "refresh rate").range(1, 1000);
  f("frames", &DisplayScanoutConfig::frames, "refreshes simulated").range(1, 100000);
  f("rendered", &DisplayScanoutConfig::rendered, "fraction of each frame the CPU writes").range(0, 1);
  f("burst", &DisplayScanoutConfig::burst, "the display's read burst");
}

namespace {

class DisplayScanout final : public Driver {
 public:
  DisplayScanout(Kernel& kernel, Strategy strategy, const DisplayScanoutConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override { kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { run(cpu); }, "display driver"); }

  void summarise(Columns& col) const override {
    col.emplace_back("display_frames", fmt::format("{}", shown_));
    col.emplace_back("display_repeated", fmt::format("{}", repeated_));
    col.emplace_back("display_render_ns", fmt::format("{:.0f}", static_cast<double>(render_ps_) / 1000.0));
  }

 private:
  void run(cpu::Core& cpu) {
    std::string why;
    auto dev = probe_device(cpu, kernel_, c_.device, strategy_, why);
    if (!dev) {
      errors_.push_back(fmt::format("display ({}): {}", c_.device, why));
      return;
    }
    const std::uint64_t frame = c_.frame_bytes();
    std::array<std::unique_ptr<DmaBuffer>, 2> fb;
    for (auto& b : fb) {
      b = std::make_unique<DmaBuffer>(cpu, *dev, strategy_, frame, DmaDirection::ToDevice);
      if (!b->ok()) {
        errors_.push_back(fmt::format("display: {}", b->error()));
        return;
      }
    }
    const Picoseconds period = static_cast<Picoseconds>(1e12 / c_.fps);
    const auto rendered = static_cast<std::uint64_t>(static_cast<double>(frame) * c_.rendered) & ~std::uint64_t{63};
    unsigned front = 0;
    bool back_ready = false;
    const Picoseconds t0 = cpu.now();
    for (unsigned f = 0; f < c_.frames; ++f) {
      // The refresh: scan the front buffer out, paced over the frame time.
      if (back_ready) {
        front ^= 1;
        back_ready = false;
      } else if (f > 0) {
        ++repeated_;
      }
      DmaBuffer& scan = *fb[front];
      scan.for_device(cpu);
      if (!scan.ok()) {  // the mapping failed: the display cannot be pointed at the frame
        errors_.push_back(fmt::format("display: {}", scan.error()));
        break;
      }
      devices::DmaJob job;
      job.op = devices::DmaOp::Read;
      job.src = scan.dma();
      job.width = frame;
      job.burst = static_cast<unsigned>(c_.burst.bytes);
      job.rate = static_cast<std::uint64_t>(static_cast<double>(frame) * c_.fps * 1.05);
      job.coherent = dev->dma_coherent;
      device_start_job(cpu, *dev, job);
      // Meanwhile the CPU renders the back buffer.
      DmaBuffer& back = *fb[front ^ 1];
      back.for_cpu(cpu, false);
      if (kernel_.debug != nullptr && kernel_.profile().dma_debug && back.phys() != 0)
        kernel_.debug->cpu_access("renderer", back.phys(), rendered, true);
      const Picoseconds t = cpu.now();
      if (rendered != 0) cpu.write_range(back.cpu_va(), rendered);
      render_ps_ += cpu.now() - t;
      back.for_device(cpu);
      back_ready = cpu.now() < t0 + (f + 1) * period;  // rendered before the next refresh
      const std::uint32_t status = device_wait_job(cpu, *dev);
      if ((status & devices::dma_reg::STATUS_ERROR) != 0) errors_.push_back("display: the device reported an error");
      scan.for_cpu(cpu, false);
      ++shown_;
      sleep_until(cpu, t0 + (f + 1) * period);
    }
    for (auto& b : fb) b->release(cpu);
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug) kernel_.debug->dma_debug_device_release(*dev);
  }

  Kernel& kernel_;
  Strategy strategy_;
  DisplayScanoutConfig c_;
  std::uint64_t shown_ = 0, repeated_ = 0;
  Picoseconds render_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_display_scanout(Kernel& kernel, Strategy strategy, const DisplayScanoutConfig& config) {
  return std::make_unique<DisplayScanout>(kernel, strategy, config);
}

}  // namespace dmasim::sw

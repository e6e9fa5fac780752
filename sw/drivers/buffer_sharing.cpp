#include "sw/drivers/buffer_sharing.h"

#include <fmt/format.h>

#include "models/devices/dma_registers.h"
#include "sw/dma_api/dma_mapping.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"

namespace dmasim::sw {

void BufferSharingConfig::describe(cfg::Fields<BufferSharingConfig>& f) {
  f("camera", &BufferSharingConfig::camera, "the capturing device (exports the frame buffer)");
  f("gpu", &BufferSharingConfig::gpu, "the device that reads the frame and renders (imports it, exports the render target)");
  f("display", &BufferSharingConfig::display, "the device that scans the render target out (imports it)");
  f("core", &BufferSharingConfig::core, "the core running the three drivers");
  f("width", &BufferSharingConfig::width, "pixels per line").range(16, 16384);
  f("height", &BufferSharingConfig::height, "lines per frame").range(16, 16384);
  f("bytes_per_pixel", &BufferSharingConfig::bytes_per_pixel, "bytes per pixel").range(1, 8);
  f("frames", &BufferSharingConfig::frames, "frames passed along the chain").range(1, 100000);
  f("skip_cpu_sync", &BufferSharingConfig::skip_cpu_sync,
    "importers map the shared buffers with DMA_ATTR_SKIP_CPU_SYNC (false: with full maintenance)");
  f("burst", &BufferSharingConfig::burst, "the devices' burst");
}

namespace {

// An importer's mapping of another driver's buffer (dma_buf_map_attachment on a direct or IOMMU
// device): the exporter's pages mapped for this device.
class Import {
 public:
  Import(Device& dev, DmaDirection dir, DmaAttrs attrs) : dev_(dev), dir_(dir), attrs_(attrs) {}
  bool map(cpu::Core& cpu, PhysAddr phys, std::uint64_t size) {
    size_ = size;
    dma_ = dma_map_page_attrs(cpu, dev_, phys, 0, size, dir_, attrs_);
    return dma_mapping_error(dev_, dma_) == 0;
  }
  void unmap(cpu::Core& cpu) { dma_unmap_page_attrs(cpu, dev_, dma_, size_, dir_, attrs_); }
  DmaAddr dma() const { return dma_; }

 private:
  Device& dev_;
  DmaDirection dir_;
  DmaAttrs attrs_;
  DmaAddr dma_ = DMA_MAPPING_ERROR;
  std::uint64_t size_ = 0;
};

class BufferSharing final : public Driver {
 public:
  BufferSharing(Kernel& kernel, Strategy strategy, const BufferSharingConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override { kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { run(cpu); }, "buffer sharing"); }

  void summarise(Columns& col) const override {
    col.emplace_back("sharing_frames", fmt::format("{}", frames_));
    col.emplace_back("sharing_import_ns", fmt::format("{:.0f}", static_cast<double>(import_ps_) / 1000.0));
  }

 private:
  void fail(const std::string& why) { errors_.push_back(fmt::format("buffer sharing: {}", why)); }

  std::uint32_t job(cpu::Core& cpu, Device& dev, devices::DmaOp op, DmaAddr src, DmaAddr dst, std::uint64_t bytes) {
    devices::DmaJob j;
    j.op = op;
    j.src = src;
    j.dst = dst;
    j.width = bytes;
    j.burst = static_cast<unsigned>(c_.burst.bytes);
    j.coherent = dev.dma_coherent;
    return device_run_job(cpu, dev, j);
  }

  void run(cpu::Core& cpu) {
    std::string why;
    auto cam = probe_device(cpu, kernel_, c_.camera, strategy_, why);
    if (!cam) return fail(why);
    auto gpu = probe_device(cpu, kernel_, c_.gpu, strategy_, why);
    if (!gpu) return fail(why);
    auto disp = probe_device(cpu, kernel_, c_.display, strategy_, why);
    if (!disp) return fail(why);
    const std::uint64_t bytes = c_.frame_bytes();
    DmaBuffer frame(cpu, *cam, strategy_, bytes, DmaDirection::FromDevice);   // the camera driver's
    DmaBuffer target(cpu, *gpu, strategy_, bytes, DmaDirection::FromDevice);  // the GPU driver's
    if (!frame.ok() || !target.ok()) return fail(!frame.ok() ? frame.error() : target.error());
    // The pages an importer maps: the exporter's (a DMA allocation's bus address is its
    // physical address under dma-direct).
    auto pages = [](const DmaBuffer& b) { return b.phys() != 0 ? b.phys() : b.dma(); };
    const DmaAttrs attrs = c_.skip_cpu_sync ? DMA_ATTR_SKIP_CPU_SYNC : 0;
    for (unsigned f = 0; f < c_.frames; ++f) {
      frame.for_device(cpu);
      if (!frame.ok()) return fail(frame.error());
      std::uint32_t status = job(cpu, *cam, devices::DmaOp::Write, 0, frame.dma(), bytes);
      frame.for_cpu(cpu, false);  // the capture is complete: the exporter unmaps
      // The GPU imports the frame, reads it and renders into its target.
      target.for_device(cpu);
      if (!target.ok()) return fail(target.error());
      Picoseconds t = cpu.now();
      Import src(*gpu, DmaDirection::ToDevice, attrs);
      if (!src.map(cpu, pages(frame), bytes)) return fail("importing the frame for the GPU failed");
      import_ps_ += cpu.now() - t;
      status |= job(cpu, *gpu, devices::DmaOp::Read, src.dma(), 0, bytes);
      status |= job(cpu, *gpu, devices::DmaOp::Write, 0, target.dma(), bytes);
      t = cpu.now();
      src.unmap(cpu);
      import_ps_ += cpu.now() - t;
      target.for_cpu(cpu, false);
      // The display imports the render target and scans it out.
      t = cpu.now();
      Import scan(*disp, DmaDirection::ToDevice, attrs);
      if (!scan.map(cpu, pages(target), bytes)) return fail("importing the render target for the display failed");
      import_ps_ += cpu.now() - t;
      status |= job(cpu, *disp, devices::DmaOp::Read, scan.dma(), 0, bytes);
      t = cpu.now();
      scan.unmap(cpu);
      import_ps_ += cpu.now() - t;
      if ((status & devices::dma_reg::STATUS_ERROR) != 0) fail(fmt::format("frame {}: a device reported an error", f));
      ++frames_;
    }
    frame.release(cpu);
    target.release(cpu);
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug)
      for (Device* d : {cam.get(), gpu.get(), disp.get()}) kernel_.debug->dma_debug_device_release(*d);
  }

  Kernel& kernel_;
  Strategy strategy_;
  BufferSharingConfig c_;
  std::uint64_t frames_ = 0;
  Picoseconds import_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_buffer_sharing(Kernel& kernel, Strategy strategy, const BufferSharingConfig& config) {
  return std::make_unique<BufferSharing>(kernel, strategy, config);
}

}  // namespace dmasim::sw

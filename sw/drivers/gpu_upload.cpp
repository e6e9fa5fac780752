#include "sw/drivers/gpu_upload.h"

#include <fmt/format.h>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"

namespace dmasim::sw {

void GpuUploadConfig::describe(cfg::Fields<GpuUploadConfig>& f) {
  f("device", &GpuUploadConfig::device, "the GPU: a platform device");
  f("core", &GpuUploadConfig::core, "the core running the driver and writing the textures");
  f("texture", &GpuUploadConfig::texture, "bytes per texture").min(1);
  f("uploads", &GpuUploadConfig::uploads, "textures uploaded, one after the other into the same buffer").range(1, 100000);
  f("reads", &GpuUploadConfig::reads, "passes of the GPU over each texture").range(1, 100000);
  f("burst", &GpuUploadConfig::burst, "the GPU's read burst");
}

namespace {

class GpuUpload final : public Driver {
 public:
  GpuUpload(Kernel& kernel, Strategy strategy, const GpuUploadConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override { kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { run(cpu); }, "gpu driver"); }

  void summarise(Columns& col) const override {
    col.emplace_back("gpu_uploads", fmt::format("{}", uploads_));
    col.emplace_back("gpu_cpu_write_ns", fmt::format("{:.0f}", static_cast<double>(write_ps_) / 1000.0));
    col.emplace_back("gpu_device_ns", fmt::format("{:.0f}", static_cast<double>(device_ps_) / 1000.0));
  }

 private:
  void run(cpu::Core& cpu) {
    std::string why;
    auto dev = probe_device(cpu, kernel_, c_.device, strategy_, why);
    if (!dev) {
      errors_.push_back(fmt::format("gpu upload ({}): {}", c_.device, why));
      return;
    }
    const std::uint64_t bytes = c_.texture.bytes;
    DmaBuffer tex(cpu, *dev, strategy_, bytes, DmaDirection::ToDevice);
    if (!tex.ok()) {
      errors_.push_back(fmt::format("gpu upload: {}", tex.error()));
      return;
    }
    for (unsigned u = 0; u < c_.uploads; ++u) {
      if (kernel_.debug != nullptr && kernel_.profile().dma_debug && tex.phys() != 0)
        kernel_.debug->cpu_access("gpu upload", tex.phys(), bytes, true);
      Picoseconds t = cpu.now();
      cpu.write_range(tex.cpu_va(), bytes);  // full-line stores: a texture upload is a streaming write
      write_ps_ += cpu.now() - t;
      tex.for_device(cpu);
      if (!tex.ok()) {
        errors_.push_back(fmt::format("gpu upload: {}", tex.error()));
        break;
      }
      devices::DmaJob job;
      job.op = devices::DmaOp::Read;
      job.src = tex.dma();
      job.width = bytes;
      job.repeat = c_.reads;
      job.burst = static_cast<unsigned>(c_.burst.bytes);
      job.coherent = dev->dma_coherent;
      t = cpu.now();
      const std::uint32_t status = device_run_job(cpu, *dev, job);
      device_ps_ += cpu.now() - t;
      if ((status & devices::dma_reg::STATUS_ERROR) != 0) errors_.push_back("gpu upload: the device reported an error");
      tex.for_cpu(cpu, false);  // the next texture: unmap (nothing to do for TO_DEVICE) and map again
      ++uploads_;
    }
    tex.release(cpu);
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug) kernel_.debug->dma_debug_device_release(*dev);
  }

  Kernel& kernel_;
  Strategy strategy_;
  GpuUploadConfig c_;
  std::uint64_t uploads_ = 0;
  Picoseconds write_ps_ = 0, device_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_gpu_upload(Kernel& kernel, Strategy strategy, const GpuUploadConfig& config) {
  return std::make_unique<GpuUpload>(kernel, strategy, config);
}

}  // namespace dmasim::sw

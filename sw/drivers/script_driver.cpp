#include "sw/drivers/script_driver.h"

#include <fmt/format.h>

#include <map>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"

namespace dmasim::sw {

void ScriptBuffer::describe(cfg::Fields<ScriptBuffer>& f) {
  f("name", &ScriptBuffer::name, "the name steps use").required();
  f("size", &ScriptBuffer::size, "bytes").min(1);
  f("dir", &ScriptBuffer::dir, "the DMA direction it is mapped with: to-device, from-device or bidirectional");
  f("offset", &ScriptBuffer::offset, "bytes into its first page the buffer starts (unaligned buffers)");
}

void ScriptStep::describe(cfg::Fields<ScriptStep>& f) {
  f("op", &ScriptStep::op,
    "for_device (map or sync_for_device), for_cpu (sync_for_cpu), unmap, device_read, device_write, cpu_read, "
    "cpu_write, compute")
      .required();
  f("buffer", &ScriptStep::buffer, "the buffer the step works on (all but compute)");
  f("bytes", &ScriptStep::bytes, "bytes from the buffer's start (0: all of it)");
  f("access_size", &ScriptStep::access_size, "CPU steps: bytes per access (0: a cache line)");
  f("cycles", &ScriptStep::cycles, "compute: CPU cycles");
}

void ScriptConfig::describe(cfg::Fields<ScriptConfig>& f) {
  f("device", &ScriptConfig::device, "the platform device the script's DMA steps use");
  f("core", &ScriptConfig::core, "the core running the script");
  f("buffers", &ScriptConfig::buffers, "the buffers, allocated under the scenario's strategy before the first step");
  f("steps", &ScriptConfig::steps, "the steps, run in order, `repeat` times");
  f("repeat", &ScriptConfig::repeat, "times the steps run").range(1, 1u << 24);
}

std::string ScriptConfig::problem() const {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const ScriptStep& s = steps[i];
    if (s.op == ScriptOp::Compute) continue;
    bool found = false;
    for (const ScriptBuffer& b : buffers) found = found || b.name == s.buffer;
    if (!found) return fmt::format("steps[{}].buffer: no buffer named '{}'", i, s.buffer);
  }
  if (steps.empty()) return "steps: a script needs at least one step";
  return {};
}

namespace {

class ScriptDriver final : public Driver {
 public:
  ScriptDriver(Kernel& kernel, Strategy strategy, const ScriptConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override { kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { run(cpu); }, "script driver"); }

  void summarise(Columns& col) const override {
    col.emplace_back("script_steps", fmt::format("{}", steps_done_));
    col.emplace_back("script_device_ns", fmt::format("{:.0f}", static_cast<double>(device_ps_) / 1000.0));
    col.emplace_back("script_cpu_access_ns", fmt::format("{:.0f}", static_cast<double>(cpu_ps_) / 1000.0));
  }

 private:
  void run(cpu::Core& cpu) {
    std::string why;
    auto dev = probe_device(cpu, kernel_, c_.device, strategy_, why);
    if (!dev) {
      errors_.push_back(fmt::format("script ({}): {}", c_.device, why));
      return;
    }
    std::map<std::string, std::unique_ptr<DmaBuffer>> buffers;
    for (const ScriptBuffer& b : c_.buffers) {
      auto buf = std::make_unique<DmaBuffer>(cpu, *dev, strategy_, b.size.bytes, b.dir, false, b.offset.bytes);
      if (!buf->ok()) {
        errors_.push_back(fmt::format("script buffer '{}': {}", b.name, buf->error()));
        return;
      }
      buffers.emplace(b.name, std::move(buf));
    }
    for (unsigned r = 0; r < c_.repeat; ++r) {
      for (const ScriptStep& s : c_.steps) {
        DmaBuffer* b = s.op == ScriptOp::Compute ? nullptr : buffers.at(s.buffer).get();
        step(cpu, *dev, s, b);
        ++steps_done_;
      }
    }
    for (auto& [name, b] : buffers) b->release(cpu);
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug) kernel_.debug->dma_debug_device_release(*dev);
  }

  void step(cpu::Core& cpu, Device& dev, const ScriptStep& s, DmaBuffer* b) {
    const std::uint64_t bytes = b == nullptr ? 0 : (s.bytes.bytes == 0 ? b->size() : std::min(s.bytes.bytes, b->size()));
    const unsigned access = static_cast<unsigned>(s.access_size.bytes);
    switch (s.op) {
      case ScriptOp::ForDevice: b->for_device(cpu); break;
      case ScriptOp::ForCpu: b->for_cpu(cpu, true); break;
      case ScriptOp::Unmap: b->for_cpu(cpu, false); break;
      case ScriptOp::DeviceRead:
      case ScriptOp::DeviceWrite: {
        devices::DmaJob job;
        job.op = s.op == ScriptOp::DeviceRead ? devices::DmaOp::Read : devices::DmaOp::Write;
        (job.op == devices::DmaOp::Read ? job.src : job.dst) = b->dma();
        job.width = bytes;
        job.coherent = dev.dma_coherent;
        const Picoseconds t = cpu.now();
        const std::uint32_t status = device_run_job(cpu, dev, job);
        device_ps_ += cpu.now() - t;
        if ((status & devices::dma_reg::STATUS_ERROR) != 0) errors_.push_back("script: the device reported an error");
        break;
      }
      case ScriptOp::CpuRead:
      case ScriptOp::CpuWrite: {
        if (kernel_.debug != nullptr && kernel_.profile().dma_debug && b->phys() != 0)
          kernel_.debug->cpu_access("script", b->phys(), bytes, s.op == ScriptOp::CpuWrite);
        const Picoseconds t = cpu.now();
        if (s.op == ScriptOp::CpuRead)
          cpu.read_range(b->cpu_va(), bytes, access);
        else
          cpu.write_range(b->cpu_va(), bytes, access);
        cpu_ps_ += cpu.now() - t;
        break;
      }
      case ScriptOp::Compute: cpu.compute(s.cycles); break;
    }
  }

  Kernel& kernel_;
  Strategy strategy_;
  ScriptConfig c_;
  std::uint64_t steps_done_ = 0;
  Picoseconds device_ps_ = 0, cpu_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_script_driver(Kernel& kernel, Strategy strategy, const ScriptConfig& config) {
  return std::make_unique<ScriptDriver>(kernel, strategy, config);
}

}  // namespace dmasim::sw

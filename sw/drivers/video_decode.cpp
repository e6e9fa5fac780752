#include "sw/drivers/video_decode.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"

namespace dmasim::sw {

void VideoDecodeConfig::describe(cfg::Fields<VideoDecodeConfig>& f) {
  f("device", &VideoDecodeConfig::device, "the video decoder: a platform device");
  f("core", &VideoDecodeConfig::core, "the core running the driver and the CPU's reads");
  f("width", &VideoDecodeConfig::width, "pixels per line").range(16, 16384);
  f("height", &VideoDecodeConfig::height, "lines per frame").range(16, 16384);
  f("fps", &VideoDecodeConfig::fps, "frames per second; 0: back to back").range(0, 1000);
  f("frames", &VideoDecodeConfig::frames, "frames decoded").range(1, 100000);
  f("buffers", &VideoDecodeConfig::buffers, "decoded-frame buffers in the output queue").range(1, 64);
  f("bitstream", &VideoDecodeConfig::bitstream, "compressed bytes per frame (the CPU writes, the decoder reads)").min(1);
  f("cpu_reads", &VideoDecodeConfig::cpu_reads, "fraction of each decoded frame the CPU reads").range(0, 1);
  f("burst", &VideoDecodeConfig::burst, "the decoder's burst");
}

namespace {

class VideoDecode final : public Driver {
 public:
  VideoDecode(Kernel& kernel, Strategy strategy, const VideoDecodeConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override { kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { run(cpu); }, "video decode driver"); }

  void summarise(Columns& col) const override {
    col.emplace_back("decode_frames", fmt::format("{}", frames_));
    col.emplace_back("decode_cpu_read_ns", fmt::format("{:.0f}", static_cast<double>(read_ps_) / 1000.0));
    col.emplace_back("decode_device_ns", fmt::format("{:.0f}", static_cast<double>(device_ps_) / 1000.0));
  }

 private:
  void fail(const std::string& why) { errors_.push_back(fmt::format("video decode ({}): {}", c_.device, why)); }

  void run(cpu::Core& cpu) {
    std::string why;
    auto dev = probe_device(cpu, kernel_, c_.device, strategy_, why);
    if (!dev) return fail(why);
    const std::uint64_t frame = c_.frame_bytes(), bits = c_.bitstream.bytes;
    DmaBuffer bitstream(cpu, *dev, strategy_, bits, DmaDirection::ToDevice);
    if (!bitstream.ok()) return fail(bitstream.error());
    std::vector<std::unique_ptr<DmaBuffer>> out;
    for (unsigned i = 0; i < c_.buffers; ++i) {
      out.push_back(std::make_unique<DmaBuffer>(cpu, *dev, strategy_, frame, DmaDirection::FromDevice));
      if (!out.back()->ok()) {
        fail(out.back()->error());
        out.pop_back();
        break;
      }
    }
    const Picoseconds period = c_.fps > 0 ? static_cast<Picoseconds>(1e12 / c_.fps) : 0;
    const Picoseconds t0 = cpu.now();
    const std::uint64_t read_bytes = std::min<std::uint64_t>(frame, static_cast<std::uint64_t>(static_cast<double>(frame) * c_.cpu_reads));
    for (unsigned f = 0; f < c_.frames && out.size() == c_.buffers; ++f) {
      if (period != 0) sleep_until(cpu, t0 + f * period);
      DmaBuffer& dst = *out[f % out.size()];
      cpu.write_range(bitstream.cpu_va(), bits);  // the demuxer's copy of the frame's bitstream
      bitstream.for_device(cpu);
      dst.for_device(cpu);
      if (!bitstream.ok() || !dst.ok()) {
        fail(!bitstream.ok() ? bitstream.error() : dst.error());
        break;
      }
      Picoseconds t = cpu.now();
      devices::DmaJob read;
      read.op = devices::DmaOp::Read;
      read.src = bitstream.dma();
      read.width = bits;
      read.burst = static_cast<unsigned>(c_.burst.bytes);
      read.coherent = dev->dma_coherent;
      devices::DmaJob write = read;
      write.op = devices::DmaOp::Write;
      write.src = 0;
      write.dst = dst.dma();
      write.width = frame;
      const std::uint32_t s1 = device_run_job(cpu, *dev, read);
      const std::uint32_t s2 = device_run_job(cpu, *dev, write);
      device_ps_ += cpu.now() - t;
      if (((s1 | s2) & devices::dma_reg::STATUS_ERROR) != 0) fail(fmt::format("frame {}: the device reported an error", f));
      bitstream.for_cpu(cpu, false);
      dst.for_cpu(cpu, false);  // DQBUF: the frame is the CPU's
      if (kernel_.debug != nullptr && kernel_.profile().dma_debug && dst.phys() != 0 && read_bytes != 0)
        kernel_.debug->cpu_access("decode reader", dst.phys(), read_bytes, false);
      t = cpu.now();
      if (read_bytes != 0) cpu.read_range(dst.cpu_va(), read_bytes);
      read_ps_ += cpu.now() - t;
      ++frames_;
    }
    for (auto& b : out) b->release(cpu);
    bitstream.release(cpu);
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug) kernel_.debug->dma_debug_device_release(*dev);
  }

  Kernel& kernel_;
  Strategy strategy_;
  VideoDecodeConfig c_;
  std::uint64_t frames_ = 0;
  Picoseconds read_ps_ = 0, device_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_video_decode(Kernel& kernel, Strategy strategy, const VideoDecodeConfig& config) {
  return std::make_unique<VideoDecode>(kernel, strategy, config);
}

}  // namespace dmasim::sw

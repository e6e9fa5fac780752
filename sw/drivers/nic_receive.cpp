#include "sw/drivers/nic_receive.h"

#include <fmt/format.h>

#include <vector>

#include "models/devices/dma_registers.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/drivers/device_jobs.h"
#include "sw/drivers/dma_buffer.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

void NicReceiveConfig::describe(cfg::Fields<NicReceiveConfig>& f) {
  f("device", &NicReceiveConfig::device, "the network controller: a platform device");
  f("core", &NicReceiveConfig::core, "the core running the receive path");
  f("ring", &NicReceiveConfig::ring, "receive ring entries").range(1, 4096);
  f("packet", &NicReceiveConfig::packet, "bytes per packet").min(1);
  f("buffer", &NicReceiveConfig::buffer, "bytes of each receive buffer (at least the packet)");
  f("headroom", &NicReceiveConfig::headroom, "bytes before the packet in its page (NET_SKB_PAD)");
  f("header", &NicReceiveConfig::header, "bytes of headers the stack reads");
  f("packets", &NicReceiveConfig::packets, "packets received").range(1, 10000000);
  f("gbit_per_s", &NicReceiveConfig::gbit_per_s, "line rate in Gbit/s; 0: packets back to back").range(0, 400);
  f("copy_payload", &NicReceiveConfig::copy_payload, "the stack copies each payload to a socket buffer");
}

namespace {

class NicReceive final : public Driver {
 public:
  NicReceive(Kernel& kernel, Strategy strategy, const NicReceiveConfig& config)
      : kernel_(kernel), strategy_(strategy), c_(config) {}

  void start() override { kernel_.machine().start(c_.core, [this](cpu::Core& cpu) { run(cpu); }, "nic driver"); }

  void summarise(Columns& col) const override {
    col.emplace_back("nic_packets", fmt::format("{}", packets_));
    const double per = packets_ ? static_cast<double>(cpu_ps_) / 1000.0 / static_cast<double>(packets_) : 0.0;
    col.emplace_back("nic_cpu_ns_per_packet", fmt::format("{:.1f}", per));
    const double map = packets_ ? static_cast<double>(map_ps_) / 1000.0 / static_cast<double>(packets_) : 0.0;
    col.emplace_back("nic_map_unmap_ns_per_packet", fmt::format("{:.1f}", map));
  }

 private:
  void run(cpu::Core& cpu) {
    std::string why;
    auto dev = probe_device(cpu, kernel_, c_.device, strategy_, why);
    if (!dev) {
      errors_.push_back(fmt::format("nic receive ({}): {}", c_.device, why));
      return;
    }
    std::vector<std::unique_ptr<DmaBuffer>> ring;
    for (unsigned i = 0; i < c_.ring; ++i) {
      auto b = std::make_unique<DmaBuffer>(cpu, *dev, strategy_, c_.buffer.bytes, DmaDirection::FromDevice, false,
                                           c_.headroom.bytes);
      if (!b->ok()) {
        errors_.push_back(fmt::format("nic receive: {}", b->error()));
        return;
      }
      b->for_device(cpu);
      if (!b->ok()) {
        errors_.push_back(fmt::format("nic receive: {}", b->error()));
        break;
      }
      ring.push_back(std::move(b));
    }
    std::unique_ptr<DmaBuffer> socket;
    if (c_.copy_payload) socket = std::make_unique<DmaBuffer>(cpu, *dev, Strategy::Streaming, 64 * 1024, DmaDirection::ToDevice);
    const std::uint64_t bytes = c_.packet.bytes;
    const Picoseconds gap = c_.gbit_per_s > 0 ? static_cast<Picoseconds>(static_cast<double>(bytes) * 8.0 / c_.gbit_per_s * 1000.0) : 0;
    const Picoseconds t0 = cpu.now();
    for (unsigned p = 0; p < c_.packets && ring.size() == c_.ring; ++p) {
      DmaBuffer& b = *ring[p % c_.ring];
      if (!b.ok()) {  // its refill mapping failed: the slot is gone, receive stops
        errors_.push_back(fmt::format("nic receive: {}", b.error()));
        break;
      }
      if (gap != 0) sleep_until(cpu, t0 + p * gap);
      devices::DmaJob job;
      job.op = devices::DmaOp::Write;
      job.dst = b.dma();
      job.width = bytes;
      job.coherent = dev->dma_coherent;
      const std::uint32_t status = device_run_job(cpu, *dev, job);
      if ((status & devices::dma_reg::STATUS_ERROR) != 0) errors_.push_back("nic receive: the device reported an error");
      // The receive path proper: what the CPU spends per packet.
      const Picoseconds start = cpu.now();
      const Picoseconds map0 = kernel_.cost(CostKind::DmaApi);
      b.for_cpu(cpu, false);  // dma_unmap_single
      if (kernel_.debug != nullptr && kernel_.profile().dma_debug && b.phys() != 0)
        kernel_.debug->cpu_access("nic stack", b.phys(), bytes, false);
      cpu.read_range(b.cpu_va(), std::min<std::uint64_t>(c_.header.bytes, bytes), 4);
      if (socket && socket->ok())
        cpu.copy(socket->cpu_va() + (p % 32) * 2048, b.cpu_va() + c_.header.bytes, bytes - std::min(bytes, c_.header.bytes));
      b.for_device(cpu);  // refill: dma_map_single for the ring slot
      map_ps_ += kernel_.cost(CostKind::DmaApi) - map0;
      cpu_ps_ += cpu.now() - start;
      ++packets_;
    }
    for (auto& b : ring) b->release(cpu);
    if (socket) socket->release(cpu);
    if (kernel_.debug != nullptr && kernel_.profile().dma_debug) kernel_.debug->dma_debug_device_release(*dev);
  }

  Kernel& kernel_;
  Strategy strategy_;
  NicReceiveConfig c_;
  std::uint64_t packets_ = 0;
  Picoseconds cpu_ps_ = 0, map_ps_ = 0;
};

}  // namespace

std::unique_ptr<Driver> make_nic_receive(Kernel& kernel, Strategy strategy, const NicReceiveConfig& config) {
  return std::make_unique<NicReceive>(kernel, strategy, config);
}

}  // namespace dmasim::sw

#include "models/devices/dma_engine_config.h"

namespace dmasim::devices {

void DmaEngineConfig::describe(cfg::Fields<DmaEngineConfig>& f) {
  f("clock", &DmaEngineConfig::clock, "clock of the engine (its latencies count in its cycles)");
  f("outstanding", &DmaEngineConfig::outstanding, "transactions issued and not yet answered").range(1, 1024);
  f("bus_width", &DmaEngineConfig::bus_width, "bytes of write data the master port moves per cycle");
  f("queue", &DmaEngineConfig::queue, "jobs the engine holds, the running one included; a START beyond is rejected")
      .range(1, 1024);
  f("register_latency", &DmaEngineConfig::register_latency, "cycles for a register read or write").range(0, 1000);
  f("irq_latency", &DmaEngineConfig::irq_latency, "cycles from a job's last response to its completion interrupt")
      .range(0, 1000000);
  f("stream_id", &DmaEngineConfig::stream_id, "the master's stream (AXI ID) as a SYSMMU sees it").range(0, 65535);
}

std::optional<cfg::Problem> DmaEngineConfig::problem() const {
  const std::uint64_t w = bus_width.bytes;
  if (w == 0 || w > 256 || (w & (w - 1)) != 0)
    return cfg::Problem{"bus_width", "the bus width must be a power of two from 1 to 256 bytes"};
  if (clock.period_ps() == 0) return cfg::Problem{"clock", "the clock period must not be zero"};
  return std::nullopt;
}

}  // namespace dmasim::devices

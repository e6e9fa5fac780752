#pragma once
// A DMA engine in front of a fixed-latency memory (tests/support/test_memory.h), with its
// register block reachable from a test thread. Clocks at 1 GHz: one cycle is 1000 ps.
#include <cstdint>
#include <functional>
#include <memory>

#include <systemc>
#include <tlm>

#include "models/common/model_context.h"
#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "models/devices/dma_engine.h"
#include "tests/support/register_access.h"
#include "tests/support/test_memory.h"

namespace dmasim::devices::test {

inline constexpr Picoseconds kCycle = 1000;
inline constexpr Picoseconds kMemoryLatency = 50 * kCycle;
inline constexpr std::uint64_t kRegs = 0x1100'0000;

inline DmaEngineConfig test_config() {
  DmaEngineConfig c;
  c.clock = ClockSpec::from_frequency(Frequency{1'000'000'000});
  c.outstanding = 4;
  c.bus_width = ByteSize{16};
  c.register_latency = 2;
  c.irq_latency = 10;
  return c;
}

// A software thread reaching the registers with blocking 32-bit accesses.
class RegisterThread : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  SC_HAS_PROCESS(RegisterThread);
  tlm::tlm_initiator_socket<> socket{"socket"};
  std::function<void(RegisterThread&)> program;

  explicit RegisterThread(const sc_core::sc_module_name& n) : sc_module(n) {
    socket.bind(*this);
    SC_THREAD(run);
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
  void write(std::uint32_t offset, std::uint32_t value) { access(offset, true, value); }
  std::uint32_t read(std::uint32_t offset) { return access(offset, false, 0); }

 private:
  void run() {
    if (program) program(*this);
  }
  std::uint32_t access(std::uint32_t offset, bool write, std::uint32_t value) {
    return dmasim::test::register_access(socket, kRegs + offset, write, value);
  }
};

struct EngineBench {
  stats::Registry stats;
  std::unique_ptr<oracle::Oracle> oracle;
  std::unique_ptr<DmaEngine> engine;
  std::unique_ptr<dmasim::test::TestMemory> memory;
  std::unique_ptr<RegisterThread> cpu;

  explicit EngineBench(const DmaEngineConfig& c = test_config(), Picoseconds latency = kMemoryLatency) {
    oracle::Config oc;
    oracle = std::make_unique<oracle::Oracle>(oc);
    oracle->attach_stats(stats::Group(stats, "oracle"));
    ModelContext ctx;
    ctx.stats = &stats;
    ctx.stats_path = "dma";
    ctx.oracle = oracle.get();
    engine = std::make_unique<DmaEngine>("dma", c, ctx, kRegs);
    memory = std::make_unique<dmasim::test::TestMemory>("memory", latency, oracle.get());
    cpu = std::make_unique<RegisterThread>("cpu");
    engine->port.bind(memory->socket);
    cpu->socket.bind(engine->registers);
  }
  double stat(const std::string& name) const { return stats.number("dma." + name); }
  const stats::Histogram& histogram(const std::string& name) const { return stats.find("dma." + name)->histogram(); }
};

}  // namespace dmasim::devices::test

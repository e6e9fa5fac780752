#pragma once
// A SYSMMU between a test master and a fixed-latency memory, with its registers reachable from
// the test thread, and page tables written with PageTableBuilder. Clocks at 1 GHz so that one
// cycle is 1000 ps.
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/memory/physical_memory.h"
#include "models/common/model_context.h"
#include "models/common/sim_now.h"
#include "models/common/stats/registry.h"
#include "models/common/tlm/mem_ext.h"
#include "models/common/tlm/payload_pool.h"
#include "models/iommu/page_table_builder.h"
#include "models/iommu/sysmmu.h"
#include "tests/support/register_access.h"

namespace dmasim::iommu::test {

inline constexpr Picoseconds kCycle = 1000;
inline constexpr Picoseconds kMemoryLatency = 50 * kCycle;
inline constexpr std::uint64_t kRegs = 0x1000'0000;
inline constexpr std::uint64_t kPageTable = 0x4000'0000;  // level-1 table
inline constexpr std::uint64_t kLv2Pool = 0x4001'0000;

inline SysmmuConfig test_config() {
  SysmmuConfig c;
  c.clock = ClockSpec::from_frequency(Frequency{1'000'000'000});
  c.tlb.hit_latency = 2;
  c.flpd_latency = 1;
  c.register_latency = 3;
  return c;
}

// Answers every request kMemoryLatency after its arrival and records what it saw.
class FixedMemory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  SC_HAS_PROCESS(FixedMemory);
  struct Seen {
    std::uint64_t address;
    unsigned length;
    bool write;
    Picoseconds arrival;
  };
  tlm::tlm_target_socket<> socket{"socket"};
  std::vector<Seen> seen;

  explicit FixedMemory(const sc_core::sc_module_name& n) : sc_module(n) {
    socket.bind(*this);
    SC_METHOD(respond);
    sensitive << due_;
    dont_initialize();
  }
  unsigned reads_in(std::uint64_t lo, std::uint64_t hi) const {
    unsigned n = 0;
    for (const Seen& s : seen) n += !s.write && s.address >= lo && s.address < hi;
    return n;
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    const Picoseconds at = sim_now() + delay.value();
    seen.push_back(Seen{gp.get_address(), gp.get_data_length(), gp.is_write(), at});
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    pending_.emplace(at + kMemoryLatency, &gp);
    due_.notify(sc_core::sc_time::from_value(pending_.begin()->first - sim_now()));
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  void b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) override {}
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 private:
  void respond() {
    while (!pending_.empty() && pending_.begin()->first <= sim_now()) {
      tlm::tlm_generic_payload* gp = pending_.begin()->second;
      pending_.erase(pending_.begin());
      tlm::tlm_phase ph = tlm::BEGIN_RESP;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      socket->nb_transport_bw(*gp, ph, d);
    }
    if (!pending_.empty()) due_.notify(sc_core::sc_time::from_value(pending_.begin()->first - sim_now()));
  }
  std::multimap<Picoseconds, tlm::tlm_generic_payload*> pending_;
  sc_core::sc_event due_;
};

// Issues transactions to the SYSMMU and accesses its registers, from a test thread.
class Master : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  SC_HAS_PROCESS(Master);
  struct Done {
    std::uint64_t address;
    bool ok;
    Picoseconds at;
  };
  tlm::tlm_initiator_socket<> socket{"socket"};
  tlm::tlm_initiator_socket<> regs{"regs"};
  std::vector<Done> done;
  std::function<void(Master&)> program;

  explicit Master(const sc_core::sc_module_name& n) : sc_module(n) {
    socket.bind(*this);
    regs.bind(*this);
    SC_THREAD(run);
  }
  // Sends without waiting for the response.
  void issue(std::uint64_t iova, bool write = false, unsigned bytes = 64, std::uint32_t stream = 0) {
    tlm::tlm_generic_payload* gp = pool_.allocate();
    gp->acquire();
    MemExt::of(*gp).stream_id = stream;
    gp->set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp->set_address(iova);
    gp->set_data_length(bytes);
    gp->set_streaming_width(bytes);
    ++outstanding_;
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    if (socket->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED) {
      refused_ = true;
      while (refused_) wait(event_);
    }
  }
  void wait_all() {
    while (outstanding_ > 0) wait(event_);
  }
  // Issues and waits; returns the response time.
  Done access(std::uint64_t iova, bool write = false, std::uint32_t stream = 0) {
    issue(iova, write, 64, stream);
    wait_all();
    return done.back();
  }
  void reg_write(std::uint32_t offset, std::uint32_t value) { reg(offset, true, value); }
  std::uint32_t reg_read(std::uint32_t offset) { return reg(offset, false, 0); }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    if (phase == tlm::END_REQ) {
      refused_ = false;
      event_.notify();
      return tlm::TLM_ACCEPTED;
    }
    if (refused_) refused_ = false;
    done.push_back(Done{gp.get_address(), gp.is_response_ok(), sim_now() + delay.value()});
    --outstanding_;
    gp.release();
    event_.notify(delay);
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  void run() {
    if (program) program(*this);
  }
  std::uint32_t reg(std::uint32_t offset, bool write, std::uint32_t value) {
    return dmasim::test::register_access(regs, kRegs + offset, write, value);
  }
  PayloadPool pool_;
  unsigned outstanding_ = 0;
  bool refused_ = false;
  sc_core::sc_event event_;
};

struct Bench {
  stats::Registry stats;
  PhysicalMemory memory;
  std::unique_ptr<PageTableBuilder> tables;
  std::unique_ptr<Sysmmu> mmu;
  std::unique_ptr<Master> master;
  std::unique_ptr<FixedMemory> dram;

  explicit Bench(const SysmmuConfig& c = test_config(), bool enable = true) {
    ModelContext ctx;
    ctx.stats = &stats;
    ctx.stats_path = "sysmmu";
    tables = std::make_unique<PageTableBuilder>(memory, c.version, kPageTable, kLv2Pool, 1 << 20);
    mmu = std::make_unique<Sysmmu>("sysmmu", c, ctx, memory, kRegs);
    master = std::make_unique<Master>("master");
    dram = std::make_unique<FixedMemory>("memory");
    master->socket.bind(mmu->upstream);
    master->regs.bind(mmu->registers);
    mmu->downstream.bind(dram->socket);
    if (enable) mmu->enable_at_reset(kPageTable);
  }
  std::uint64_t count(const char* name) const { return stats.find(std::string("sysmmu.") + name)->counter().value(); }
  void run(std::function<void(Master&)> program) {
    master->program = std::move(program);
    sc_core::sc_start();
  }
};

}  // namespace dmasim::iommu::test

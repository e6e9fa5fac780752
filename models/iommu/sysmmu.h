#pragma once
// An Exynos-style SYSMMU (REFERENCE.md section 4; docs/iommu.md): sits between one bus master
// port and the interconnect and translates every transaction's IO virtual address through its
// TLBs and, on a miss, a walk of the page table in simulated memory.
//
// Sockets: `upstream` (target) faces the master; `downstream` (initiator) goes to the
// interconnect, carrying the translated transactions and the walker's reads; `registers`
// (target) is the register block, reached by MMIO through the interconnect (sysmmu_registers.h).
//
// Timing (cycles of config.clock, added as cycles x period):
// - L1 TLB hit: l1 hit_latency; main TLB hit: (l1 +) tlb hit_latency; a translated request goes
//   down at arrival + that.
// - Miss: a walk starts after the TLB lookup and the FLPD lookup: a 4-byte level-1 read (unless
//   the FLPD cache has the descriptor), then for a page a walk_burst-byte level-2 read. The reads
//   are real transactions (ReadNoSnoop, IO-coherent when coherent_walks), so they queue in the
//   interconnect and DRAM like any other and show in their statistics; the oracle checks them
//   (a walker reading an entry the CPU wrote and did not clean is a DeviceReadStale violation).
//   Requests missing in a page a walk in progress will cover wait for it (merged); at most
//   outstanding_walks walks run at once, further misses queue.
// - Entries are inserted when the walk's last read arrives, with the time their data is there
//   (ready_at); a hit before that waits for it.
// Prefetch buffers (optional, config.prefetch_buffers): a transaction bound to one is looked up
// in it in the same cycles as the main TLB; a hit translates without a walk. When the
// translation of its page is known, the page after it is walked in the background (a prefetch
// walk: real reads, a walk slot, counted apart from demand walks) and its descriptor kept in the
// buffer. A prefetch that faults fills nothing and raises nothing.
// Faults (page, permission, multi-hit, walk bus error) set the interrupt status and fault
// address registers and raise `irq()`. Under on_fault: stall the SYSMMU blocks and holds the
// faulting transactions (and every later one) until software writes CTRL to unblock (they are
// translated again) or FAULT_ABORT (they end with a slave error); under abort they end with a
// slave error at once. Faults are counted, never thrown.
//
// Values: the walker decodes the entries PhysicalMemory holds (the newest write), since DRAM
// models timing only; staleness is the oracle's to report.
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/clock_domain.h"
#include "models/common/interrupt_line.h"
#include "models/common/memory/physical_memory.h"
#include "models/common/model_context.h"
#include "models/common/stats/registry.h"
#include "models/common/tlm/link_table.h"
#include "models/common/tlm/payload_pool.h"
#include "models/common/tlm/socket_adapters.h"
#include "models/iommu/flpd_cache.h"
#include "models/iommu/page_table_format.h"
#include "models/iommu/prefetch_buffer.h"
#include "models/iommu/sysmmu_config.h"
#include "models/iommu/sysmmu_registers.h"
#include "models/iommu/tlb.h"

namespace dmasim::iommu {

class Sysmmu : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Sysmmu);

  tlm::tlm_target_socket<> upstream;
  tlm::tlm_initiator_socket<> downstream;
  tlm::tlm_target_socket<> registers;

  // `register_base`: the physical address of the register block (accesses carry full addresses).
  // Checks the configuration (UserError). ctx.stats is required; ctx.oracle may be null.
  Sysmmu(const sc_core::sc_module_name& name, const SysmmuConfig& config, const ModelContext& ctx,
         const PhysicalMemory& memory, std::uint64_t register_base);
  ~Sysmmu() override;

  InterruptLine& irq() { return irq_; }
  const SysmmuRegisters& register_file() const { return regs_; }
  const SysmmuConfig& config() const { return config_; }
  const ClockDomain& clock() const { return clock_; }

  // The oracle agent of the master behind this SYSMMU: the SYSMMU takes the versions of its
  // writes and checks its reads, since only the SYSMMU knows their physical addresses
  // (docs/protocol.md). Without one (kNoAgent) master traffic is not tracked here.
  void set_master_agent(oracle::AgentId agent) { master_agent_ = agent; }

  // What the driver's enable sequence leaves (page table set, TLB flushed, translation on),
  // applied at elaboration without simulated cost: for scenarios that do not model the driver.
  void enable_at_reset(std::uint64_t page_table_pa);

  // STATUS bit 0: a requested block has taken effect (no walk in progress), or a fault blocks.
  bool blocked() const;
  unsigned walks_in_progress() const { return active_walks_; }
  std::size_t held() const { return held_.size(); }

 private:
  struct UpstreamIf;

  // A master transaction the SYSMMU has accepted.
  struct Request {
    tlm::tlm_generic_payload* gp = nullptr;
    std::uint64_t iova = 0;
    bool write = false;
    Picoseconds arrival = 0;
    bool faulted = false;  // held by a fault (FAULT_ABORT ends it)
  };
  struct Walk {
    std::uint64_t iova = 0;        // the address that missed
    std::uint64_t cover_base = 0;  // IO virtual range the walk is known to resolve (grows with
    std::uint64_t cover_size = 0;  // what it reads: the 4 KiB page, then the section)
    Picoseconds started = 0;
    std::uint32_t lv1 = 0;
    bool lv1_known = false;
    std::vector<Request> waiting;
    int fill_pb = -1;  // a prefetch walk: the buffer its result fills (-1: a demand walk)
    int next_pb = -1;  // once the result is known, prefetch the page after it into this buffer
    std::uint64_t pb_epoch = 0;  // a prefetch walk fills nothing if a flush came after its start
  };
  struct Outgoing {  // a request to send down, at a time
    tlm::tlm_generic_payload* gp = nullptr;
    Picoseconds at = 0;
  };
  struct Reply {  // a response to a master (or a walker read) to hand on from step()
    tlm::tlm_generic_payload* gp = nullptr;
    Picoseconds at = 0;
  };
  struct Stats {
    explicit Stats(stats::Group g);
    stats::Counter& requests;
    stats::Counter& bypassed;
    stats::Counter& l1_lookups;
    stats::Counter& l1_misses;
    stats::Counter& tlb_lookups;
    stats::Counter& tlb_misses;
    stats::Counter& hits_before_ready;
    stats::Counter& flpd_lookups;
    stats::Counter& flpd_misses;
    stats::Counter& walks;
    stats::Counter& walk_reads;
    stats::Counter& merged;
    stats::Counter& walk_queue_waits;
    stats::Counter& burst_fills;
    stats::Histogram& walk_latency;
    stats::Histogram& translation_latency;
    stats::Counter& stall_cycles;
    std::array<stats::Counter*, kFaultKinds> faults{};
    stats::Counter& flushes;
    stats::Counter& register_accesses;
  };
  struct PrefetchStats {  // registered only when there are prefetch buffers
    explicit PrefetchStats(stats::Group g);
    stats::Counter& lookups;
    stats::Counter& misses;
    stats::Counter& issued;
    stats::Counter& walk_reads;
    stats::Counter& useful;
    stats::Counter& late;
    stats::Counter& dropped;
    stats::Counter& faults;
  };

  // Master side.
  tlm::tlm_sync_enum upstream_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void accept(tlm::tlm_generic_payload& gp, Picoseconds at);
  void admit(const Request& r, Picoseconds at);  // bypass, hold or translate
  void translate(Request r, Picoseconds at);
  void forward(const Request& r, std::uint64_t pa, Picoseconds at);
  void fault(Request r, FaultKind kind, Picoseconds at);
  void release_held(Picoseconds at);
  void abort_faulted(Picoseconds at);

  // Walker.
  // prefetch_into: the buffer to prefetch the page after r's into once the walk ends (-1: none).
  void miss(Request r, Picoseconds at, int prefetch_into);
  void start_walk(Walk w, Picoseconds at);
  void read_descriptor(unsigned walk, std::uint64_t pa, unsigned bytes, Picoseconds at);
  void walk_read_done(unsigned walk, tlm::tlm_generic_payload& gp, Picoseconds at);
  void level1_known(unsigned walk, Picoseconds at);
  void finish_walk(unsigned walk, std::optional<Translation> t, std::optional<FaultKind> f, Picoseconds at);
  void fill_burst(const Walk& w, std::uint64_t burst_pa, unsigned bytes, Picoseconds at);
  Walk* covering_walk(std::uint64_t iova);

  // Prefetch buffers.
  std::optional<unsigned> bound_buffer(const Request& r) const;  // the first buffer that binds r
  std::optional<PrefetchBuffer::Hit> lookup_buffer(unsigned pb, std::uint64_t iova);
  void prefetch_after(unsigned pb, const Translation& t, Picoseconds at);
  void prefetch(unsigned pb, std::uint64_t iova, Picoseconds at);
  void fill_buffer(const Walk& w, const Translation& t);
  void forget_prefetches();  // a flush: buffer contents and walks in flight are out of date

  // Interconnect side.
  tlm::tlm_sync_enum downstream_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void send(tlm::tlm_generic_payload* gp, Picoseconds at);
  void send_now(tlm::tlm_generic_payload* gp, Picoseconds at);
  void handle_response(tlm::tlm_generic_payload& gp, Picoseconds at);
  void respond(tlm::tlm_generic_payload& gp, Picoseconds at);  // to the master; frees its slot
  bool may_call_down() const { return in_step_ || (in_upstream_ && !in_bw_); }
  void drain_outbox();
  void step();  // the scheduler: sends, error replies, acceptance of a refused master request

  // Registers.
  tlm::tlm_sync_enum register_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void register_access(tlm::tlm_generic_payload& gp, Picoseconds at);
  void flush(std::uint64_t start, std::uint64_t end, bool all);
  void drop_all_translations();  // every TLB, the FLPD cache and the prefetch buffers

  using DownstreamIf = BackwardAdapter<Sysmmu, &Sysmmu::downstream_bw>;
  using RegistersIf = RegisterTargetAdapter<Sysmmu, &Sysmmu::register_fw>;

  Picoseconds cycles(std::uint64_t n) const { return n * clock_.period; }

  SysmmuConfig config_;
  ModelContext ctx_;
  ClockDomain clock_;
  const PhysicalMemory& memory_;
  std::uint64_t register_base_;
  PteFormat format_;
  SysmmuRegisters regs_;
  Tlb tlb_;
  std::optional<Tlb> l1_;
  FlpdCache flpd_;
  InterruptLine irq_;
  Stats stats_;
  std::optional<PrefetchStats> pb_stats_;
  std::vector<PrefetchBuffer> pbs_;  // one per config_.prefetch_buffers entry
  std::uint64_t pb_epoch_ = 0;       // counts flushes (Walk::pb_epoch)
  std::vector<std::uint64_t> last_prefetch_;  // per buffer: the page last prefetched (not again)
  PayloadPool pool_;
  oracle::Oracle* oracle_;
  oracle::AgentId agent_ = oracle::kNoAgent;         // the walker
  oracle::AgentId master_agent_ = oracle::kNoAgent;  // the master behind us
  std::uint64_t txn_seq_ = 0;

  std::unique_ptr<UpstreamIf> upstream_if_;
  std::unique_ptr<DownstreamIf> downstream_if_;
  std::unique_ptr<RegistersIf> registers_if_;

  unsigned in_flight_ = 0;  // master transactions accepted and not answered
  tlm::tlm_generic_payload* refused_ = nullptr;  // master request waiting for a slot
  Picoseconds refused_at_ = 0;
  LinkTable<tlm::tlm_generic_payload, std::uint64_t> forwarded_;  // master payload -> its iova
  LinkTable<tlm::tlm_generic_payload, unsigned> walk_reads_;      // walker payload -> walk slot
  std::vector<Walk> walks_;         // outstanding_walks slots; walk_used_ marks those in progress
  std::vector<bool> walk_used_;
  unsigned active_walks_ = 0;
  std::deque<Walk> walk_queue_;     // misses waiting for a walk slot
  std::deque<Request> held_;        // blocked (software block or fault)
  bool fault_blocked_ = false;
  std::deque<Outgoing> outbox_;
  const tlm::tlm_generic_payload* refused_down_ = nullptr;  // refused by downstream: its END_REQ awaited
  std::deque<Reply> replies_;       // master responses to relay from step()
  std::deque<Reply> late_;          // responses that came back inside our own call down
  bool in_upstream_ = false, in_bw_ = false, in_step_ = false;  // call context (may_call_down)
  sc_core::sc_event wake_;
};

}  // namespace dmasim::iommu

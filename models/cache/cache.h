#pragma once
// The SystemC/TLM-2.0 cache model: an L1D, a cluster L2 or a PL310-style outer cache, built on the
// SystemC-free engine (CacheArray, MshrTable, WriteBuffer). It follows docs/protocol.md: AT base
// protocol on both sockets, latencies in cycles of its clock domain added as cycles x period, line
// versions carried in MemExt, snoops as direct calls (SnoopTarget). docs/cache.md, "The SystemC
// cache", describes the timing and the choices the protocol leaves open.
//
// No SC_THREAD: one SC_METHOD (the scheduler) does everything that happens later (fills that are
// due, queued sends below, write-buffer drains, PL310 background operations); it is woken through
// one event at the earliest time it has work.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/cache/cache_array.h"
#include "models/cache/cache_config.h"
#include "models/cache/mshr.h"
#include "models/cache/prefetcher.h"
#include "models/cache/write_buffer.h"
#include "models/common/sim_now.h"
#include "models/common/clock_domain.h"
#include "models/common/model_context.h"
#include "models/common/tlm/payload_pool.h"
#include "models/common/tlm/snoop.h"

namespace dmasim::cache {

// PL310 (L2C-310) register offsets the outer cache decodes (TRM r3p3, "Register summary").
namespace pl310 {
inline constexpr std::uint64_t kCacheId = 0x000;
inline constexpr std::uint64_t kCtrl = 0x100;
inline constexpr std::uint64_t kCacheSync = 0x730;
inline constexpr std::uint64_t kInvLinePa = 0x770;
inline constexpr std::uint64_t kInvWay = 0x77C;
inline constexpr std::uint64_t kCleanLinePa = 0x7B0;
inline constexpr std::uint64_t kCleanLineIdx = 0x7B8;
inline constexpr std::uint64_t kCleanWay = 0x7BC;
inline constexpr std::uint64_t kCleanInvLinePa = 0x7F0;
inline constexpr std::uint64_t kCleanInvLineIdx = 0x7F8;
inline constexpr std::uint64_t kCleanInvWay = 0x7FC;
inline constexpr std::uint32_t kCacheIdValue = 0x410000C9;  // ARM, L2C-310, RTL r3p3
}  // namespace pl310

class Cache : public sc_core::sc_module,
              public tlm::tlm_fw_transport_if<>,
              public tlm::tlm_bw_transport_if<>,
              public SnoopTarget {
 public:
  SC_HAS_PROCESS(Cache);

  tlm::tlm_target_socket<> upstream;  // from a core (its L1) or from a crossbar above
  tlm::tlm_initiator_socket<> downstream;

  Cache(const sc_core::sc_module_name& name, const CacheConfig& config, const ClockDomain& clock,
        const ModelContext& ctx);
  ~Cache() override;

  // The caches above (through the crossbar above): snooped on back-invalidation (inclusive) and
  // when a snoop from below must reach them. Optional.
  void set_upstream_snooper(SnoopTarget* s) { upstream_snooper_ = s; }
  // Outer (PL310) mode only: Device accesses inside [base, base + size) are register accesses.
  void set_register_window(std::uint64_t base, std::uint64_t size);

  SnoopResponse snoop(const SnoopRequest& r) override;  // from the crossbar below
  // Held in the array or its write buffer, or (not inclusive) possibly above: what snoop() acts on.
  bool may_hold(std::uint64_t line, std::uint32_t line_bytes) const override;

  CacheArray& array() { return array_; }
  const CacheArray& array() const { return array_; }
  const CacheConfig& config() const { return config_; }
  const ClockDomain& clock() const { return clock_; }
  // No MSHR, write-buffer entry, outstanding writeback, queued request or background op.
  bool idle() const;

  // ---- inspection (tests)
  const MshrTable& mshrs() const { return mshr_; }
  const WriteBuffer& write_buffer() const { return wb_; }
  unsigned outstanding_writebacks() const { return outstanding_wb_; }
  // The way mask of the background by-way operation still in progress (0: none).
  std::uint32_t way_op_in_progress() const { return way_op_.active ? way_op_.remaining : 0; }
  bool prefetched(std::uint64_t addr) const;

  // tlm_fw_transport_if (upstream)
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
  // tlm_bw_transport_if (downstream)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  // What processing an upstream request came to.
  enum class Outcome {
    Completed,  // answered: `done` is when the response is complete (TLM_COMPLETED)
    Accepted,   // END_REQ now, BEGIN_RESP later
    Forwarded,  // forwarded below synchronously and completed there: `done` as for Completed
    Stall,      // a resource is missing: hold the request (TLM_ACCEPTED), retry later
  };
  struct Result {
    Outcome outcome = Outcome::Stall;
    Picoseconds done = 0;
  };

  // A request from above waiting in an MSHR.
  struct Target {
    tlm::tlm_generic_payload* gp = nullptr;
    BusOp op = BusOp::Load;
    bool need_unique = false;
    bool used = false;
    Picoseconds earliest = 0;  // its start plus the hit latency: no answer before that
  };
  enum class MissKind : std::uint8_t { Fill, Upgrade };
  struct Miss {
    bool valid = false;
    std::uint64_t line = 0;
    MissKind kind = MissKind::Fill;
    bool unique = false;    // ReadUnique / CleanUnique
    bool prefetch = false;  // allocated by the prefetcher
    bool demand = false;    // a demand request joined (late prefetch when prefetch)
  };
  enum class OutKind : std::uint8_t { Miss, WriteBack, Forward };
  struct Outstanding {
    tlm::tlm_generic_payload* gp = nullptr;
    OutKind kind = OutKind::Miss;
    std::uint64_t line = 0;
    std::uint64_t version = 0;
    bool sent = false;
  };
  struct Due {  // a response from below, handled at `ready`
    Picoseconds ready = 0;
    tlm::tlm_generic_payload* gp = nullptr;
  };
  struct QueuedSend {
    tlm::tlm_generic_payload* gp = nullptr;
    Picoseconds due = 0;
  };
  // An atomic PL310 operation (line op or sync) in progress: the ports stall.
  struct AtomicOp {
    bool active = false;
    bool sync = false;
    tlm::tlm_generic_payload* gp = nullptr;  // the register write, answered when done (null: answered)
    Picoseconds ready = 0;                   // hit_latency after the start
    bool wb_pending = false;                 // a dirty line still waits for the write buffer
    std::uint64_t wb_line = 0, wb_version = 0;
  };
  struct WayOp {
    bool active = false;
    Maint op = Maint::Clean;
    std::uint32_t mask = 0;
    std::uint32_t remaining = 0;  // ways not finished yet (what the register reads)
    unsigned set = 0, way = 0;    // cursor: next slot
    Picoseconds next_step = 0;
  };

  Picoseconds now() const { return sim_now(); }
  Picoseconds cycles(std::uint64_t n) const { return n * clock_.period; }
  sc_core::sc_time after(Picoseconds t) const {
    const Picoseconds n = now();
    return sc_core::sc_time::from_value(t > n ? t - n : 0);
  }
  void wake(Picoseconds at);
  void scheduler();

  // Upstream requests.
  Result process(tlm::tlm_generic_payload& gp, Picoseconds start);
  Result access(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start);
  Result absorb(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start);
  Result maintenance(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start);
  Result set_way(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start);
  Result register_access(tlm::tlm_generic_payload& gp, Picoseconds start);
  Result forward(tlm::tlm_generic_payload& gp, Picoseconds due);
  void retry_blocked();
  void respond_up(tlm::tlm_generic_payload& gp, Picoseconds at);

  // Hits and fills.
  void answer_read(tlm::tlm_generic_payload& gp, const LineInfo& line, bool passed_up);
  bool serve(const Target& t, Picoseconds at);
  std::size_t alloc_target();
  void count_access(std::uint64_t addr, bool is_write, std::uint64_t version);
  bool handle_due(tlm::tlm_generic_payload* gp, Picoseconds at);
  bool allocate(std::uint64_t line, LineState state, std::uint64_t version, bool prefetched = false,
                Picoseconds ready = 0);
  bool can_allocate(std::uint64_t line) const;
  bool may_write_back(const LineInfo& victim) const;
  bool complete_miss(tlm::tlm_generic_payload& gp, Picoseconds at);
  bool completes_at_once(const Outstanding& o) const;
  Miss* find_miss(std::uint64_t line);
  bool start_miss(std::uint64_t line, MissKind kind, bool unique, bool prefetch, const MemExt* from,
                  Picoseconds due);
  void mshr_changed();

  // Downstream.
  tlm::tlm_generic_payload* new_payload(BusOp op, tlm::tlm_command cmd, std::uint64_t line, const MemExt* from);
  void send_or_queue(tlm::tlm_generic_payload* gp, Picoseconds due);
  void pump();
  bool send(tlm::tlm_generic_payload* gp, Picoseconds due);
  void drain_write_buffer();
  Outstanding* find_outstanding(const tlm::tlm_generic_payload* gp);
  void response_from_below(tlm::tlm_generic_payload& gp, Picoseconds at);
  bool push_writeback(std::uint64_t line, std::uint64_t version, Picoseconds not_before = 0);

  // Snoops, back-invalidation, PL310.
  SnoopResponse snoop_above(BusOp op, std::uint64_t line, Picoseconds at);
  void back_invalidate(const LineInfo& victim, std::uint64_t& wb_version, bool& wb);
  void erase_outstanding(const tlm::tlm_generic_payload* gp);
  // An operation answered in its call (no register write to answer, nothing to write back) is
  // over at its ready time without a wake-up: atomic_active_at(t) is false from then, and
  // atomic_busy(t) clears it.
  bool atomic_answered() const;
  bool atomic_active_at(Picoseconds t) const;
  bool atomic_busy(Picoseconds t);
  void atomic_progress();
  void way_op_step();
  void prefetch_after(std::uint64_t addr, Picoseconds due);

  CacheConfig config_;
  ClockDomain clock_;
  ModelContext ctx_;
  stats::Group group_;
  CacheArray array_;
  MshrTable mshr_;
  WriteBuffer wb_;
  Prefetcher prefetcher_;
  PayloadPool pool_;
  SnoopTarget* upstream_snooper_ = nullptr;
  std::uint64_t reg_base_ = 0, reg_size_ = 0;
  std::uint32_t ctrl_ = 1;

  Picoseconds port_free_ = 0;
  tlm::tlm_generic_payload* blocked_ = nullptr;  // answered TLM_ACCEPTED, END_REQ owed
  Picoseconds blocked_since_ = 0;
  std::vector<Miss> misses_;        // one per MSHR entry, by line
  std::vector<Target> targets_;     // MSHR target ids index this; free slots have gp == nullptr
  std::vector<Outstanding> out_;    // our transactions below (and forwarded ones)
  std::deque<Due> due_;             // responses from below, by ready time
  std::deque<QueuedSend> sends_;    // waiting for the downstream socket
  std::deque<tlm::tlm_generic_payload*> stalled_fills_;  // fills due, waiting for write-buffer space
  bool down_busy_ = false;          // a BEGIN_REQ below was answered TLM_ACCEPTED
  tlm::tlm_generic_payload* down_wait_ = nullptr;  // ... this one
  unsigned outstanding_wb_ = 0;
  AtomicOp atomic_;
  WayOp way_op_;
  std::vector<bool> prefetched_;    // per slot (set * ways + way): filled by a prefetch, unused
  // Per slot: when the line's data arrived (or arrives). A fill is applied when its response
  // comes from below, which may be ahead of its annotated time; a hit before then waits for it.
  std::vector<Picoseconds> ready_at_;
  std::vector<std::uint64_t> pf_scratch_;
  std::vector<MshrTarget> fill_targets_;
  bool completing_ = false;  // inside complete_miss
  sc_core::sc_event wake_event_;

  // Wrapper statistics.
  stats::Counter& pf_issued_;
  stats::Counter& pf_useful_;
  stats::Counter& pf_late_;
  stats::Counter& hits_before_ready_;
  stats::Counter& port_stall_cycles_;
  stats::Counter& backpressure_cycles_;
  stats::Counter& passed_through_;
  stats::Counter& snoops_forwarded_up_;
  stats::Counter& back_invalidations_;
  stats::Counter& reg_reads_;
  stats::Counter& reg_writes_;
  stats::Counter& reg_syncs_;
  stats::Counter& wb_hits_;
  stats::Scalar& mshr_avg_;
  stats::Scalar& mshr_peak_;
  double mshr_area_ = 0;
  unsigned mshr_level_ = 0;
  Picoseconds mshr_last_ = 0;
};

}  // namespace dmasim::cache

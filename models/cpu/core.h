#pragma once
// The core model: runs software threads (C++ functions calling load/store/barrier/maintenance
// instructions on it) and turns their accesses into transactions on its socket to the L1 data
// cache, following docs/protocol.md. docs/cpu.md ("Core model") describes the timing rules.
//
// - Loosely timed: the core keeps a local time offset over the SystemC time and annotates its
//   requests with it. It synchronises (sc wait) only before it must block (waiting for data, a
//   credit, acceptance of a request) and when the offset exceeds quantum_cycles.
// - Every memory instruction (one piece of an access: see docs/cpu.md) issues in one cycle; a
//   blocking load resumes when its data is there, so it costs max(1 cycle, latency).
// - Loads and writes in flight are limited by credits (max_outstanding_loads / _writes). A
//   transaction holds its credit until its response is complete (now + the response's annotation),
//   whether it came back as TLM_COMPLETED (an L1 hit) or as BEGIN_RESP later.
// - Translation faults are simulated outcomes (data_aborts, aborts()), never exceptions.
// - No allocation per access once warm: payloads from a PayloadPool, reused vectors, one
//   sc_event per core notified by responses, waited on only when the thread must block.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/sim_now.h"
#include "models/common/clock_domain.h"
#include "models/common/model_context.h"
#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "models/common/tlm/payload_pool.h"
#include "models/cpu/address_space.h"
#include "models/cpu/core_config.h"
#include "models/cpu/store_buffer.h"

namespace dmasim::cpu {

class Core : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<> socket;  // to the L1 data cache
  using Program = std::function<void(Core&)>;

  Core(const sc_core::sc_module_name& name, const CoreConfig& config, AddressSpace& kernel, const ModelContext& ctx);
  ~Core() override;
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Spawns a SystemC thread running program(*this) (normally before sc_start). When the program
  // returns, the thread drains the store buffer, waits for everything this core has in flight
  // and brings the SystemC time up to the core's local time.
  void start(Program program, std::string thread_name = "main");
  // Every started program returned and everything it issued completed.
  bool finished() const;
  // Notified when the last running program of this core has finished.
  const sc_core::sc_event& finished_event() const { return finished_event_; }

  // ---- the software interface (only from this core's software threads) ----------------------
  void load(std::uint64_t va, unsigned size);  // 1..64 bytes, may cross lines; blocks until data
  std::uint64_t load_version(std::uint64_t va);  // one-byte load returning the oracle version seen
  void store(std::uint64_t va, unsigned size);   // store buffer (Normal) or straight out (Device/SO)
  void read_range(std::uint64_t va, std::uint64_t bytes, unsigned access_size = 0);  // 0 = line_size
  void write_range(std::uint64_t va, std::uint64_t bytes, unsigned access_size = 0);
  void copy(std::uint64_t dst, std::uint64_t src, std::uint64_t bytes, unsigned access_size = 0);
  void memset(std::uint64_t va, std::uint64_t bytes) { write_range(va, bytes); }
  void compute(std::uint64_t cycles);
  void dmb();
  void dsb();
  void dc_cvac(std::uint64_t va);
  void dc_ivac(std::uint64_t va);
  void dc_civac(std::uint64_t va);
  void dc_csw(std::uint64_t setway);
  void dc_isw(std::uint64_t setway);
  void dc_cisw(std::uint64_t setway);
  std::uint32_t mmio_read(std::uint64_t va);               // 32-bit register read, blocking
  void mmio_write(std::uint64_t va, std::uint32_t value);  // 32-bit register write
  void sync();                         // bring the SystemC time up to the core's local time
  void wait(sc_core::sc_event& e);     // sync, then wait for e
  // Sync, then wait for e until ready() holds (checked with no time passing between the check
  // and the wait, so a notification from another thread cannot be missed).
  void wait_until(sc_core::sc_event& e, const std::function<bool()>& ready);
  // Sleeps until the simulated time t (ps); returns at once when t has passed.
  void sleep_until(Picoseconds t);
  std::uint64_t cycle() const;         // the core's current cycle (local time included)
  Picoseconds now() const;             // the core's local time in ps

  const ClockDomain& clock() const { return clock_; }
  const CoreConfig& config() const { return config_; }
  oracle::AgentId agent() const { return agent_; }  // oracle::kNoAgent without an oracle
  AddressSpace& kernel() { return kernel_; }

  // Translation faults: the first kMaxAbortMessages messages; data_aborts() counts them all.
  static constexpr std::size_t kMaxAbortMessages = 16;
  const std::vector<std::string>& aborts() const { return abort_messages_; }
  std::uint64_t data_aborts() const { return stats_.data_aborts.value(); }
  // Transactions in flight (sent, response not yet complete at the core's local time).
  unsigned loads_in_flight() const;
  unsigned writes_in_flight() const;

  // ---- tlm_bw_transport_if ------------------------------------------------------------------
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  enum class Kind : std::uint8_t { Load, Write };
  enum class Stall : std::uint8_t {
    LoadCredits, WriteCredits, StoreBufferFull, DeviceSo, Dsb, LoadData, Backpressure, Count, None = Count
  };
  struct Slot {
    tlm::tlm_generic_payload* gp = nullptr;
    Picoseconds issued = 0;
    Picoseconds done_at = 0;  // response complete (valid when done)
    Kind kind = Kind::Load;
    bool used = false;
    bool done = false;
    bool owned = false;  // a thread waits for it, reads it and frees it
    bool uncached = false;  // a non-cacheable read (its own credit limit)
  };
  struct Stats {
    explicit Stats(stats::Group g);
    stats::Counter& loads;
    stats::Counter& stores;
    stats::Counter& bytes_loaded;
    stats::Counter& bytes_stored;
    stats::Histogram& load_latency;
    stats::Counter& bus_reads;
    stats::Counter& bus_writes;
    stats::Counter& bus_maintenance;
    stats::Counter& bus_errors;
    stats::Counter& dmb;
    stats::Counter& dsb;
    std::array<stats::Counter*, 6> maintenance{};  // dc_cvac, dc_ivac, dc_civac, dc_csw, dc_isw, dc_cisw
    std::array<stats::Counter*, static_cast<std::size_t>(Stall::Count)> stall_cycles{};
    stats::Counter& compute_cycles;
    stats::Counter& data_aborts;
    stats::Counter& run_ps;    // programs' time from start to end (drained), summed
    stats::Counter& sleep_ps;  // of which asleep in wait / wait_until / sleep_until
  };
  class Lsu;  // holds the load/store unit for one instruction (threads of one core share it)

  // Time.
  Picoseconds sc_now() const { return sim_now(); }
  Picoseconds core_time() const { return sc_now() + local_; }
  void advance(Picoseconds ps);              // the core's own work (issue cycles, compute)
  void stall_to(Picoseconds t, Stall cause);  // waiting for something until t
  void block(Stall cause);                   // wait for a response or acceptance
  void add_stall(Stall cause, Picoseconds ps);

  // Slots and credits.
  unsigned alloc_slot();
  void free_slot(unsigned i);
  void acquire_credit(Kind kind, Stall cause, bool uncached = false);
  void prepare(Kind kind, Stall cause);  // credit + a free request channel
  tlm::tlm_generic_payload* make(tlm::tlm_command cmd, BusOp op, std::uint64_t addr, unsigned len, MemAttr attr);
  unsigned send(tlm::tlm_generic_payload* gp, Kind kind, bool owned);
  void complete(unsigned i, Picoseconds at);
  void wait_slot(unsigned i, Stall cause);
  void finish_slot(unsigned i);
  void wait_all(unsigned mask, Stall cause);  // every load (mask 1) / write (mask 2) of this core complete

  // Store buffer.
  void go_idle();            // before a wait: the store buffer drains in the background, time synced
  void begin_instruction();  // idle drains
  void drain_idle(Picoseconds until);
  void note_drained(std::size_t before);  // forget allocation times of drained entries
  void note_allocated(StoreOutcome o);
  void issue_drained();
  void issue_entry(const DrainedStore& d);

  // Accesses.
  struct PieceRead {
    int slot = -1;              // owned slot (complete when returned for Device / SO)
    std::uint64_t version = 0;  // forwarded from the store buffer: its version
  };
  bool translate(std::uint64_t va, unsigned size, const char* what, Translation& out);
  PieceRead read_piece(std::uint64_t pa, unsigned n, MemAttr attr, bool owned);
  // A load of [va, va+size): pieces in flight (owned when `slots` is given, else streaming).
  void load_access(std::uint64_t va, unsigned size, std::vector<int>* slots);
  void store_access(std::uint64_t va, unsigned size);
  void store_piece(std::uint64_t pa, unsigned n, MemAttr attr, const std::uint32_t* value);
  void device_write(std::uint64_t pa, unsigned n, MemAttr attr, std::uint64_t version, const std::uint32_t* value);
  void drain_for_maintenance(unsigned stat);
  void dc_by_va(std::uint64_t va, BusOp op, unsigned stat);
  void dc_by_setway(std::uint64_t setway, BusOp op, unsigned stat);
  void run(const Program& program);
  void record_abort(const char* what, std::uint64_t va, unsigned size);

  CoreConfig config_;
  AddressSpace& kernel_;
  ModelContext ctx_;
  ClockDomain clock_;
  Picoseconds period_;
  Picoseconds quantum_ps_;
  Picoseconds idle_ps_;
  oracle::Oracle* oracle_;
  oracle::AgentId agent_ = oracle::kNoAgent;
  std::uint32_t initiator_id_ = 0;
  Stats stats_;
  StoreBuffer sb_;
  PayloadPool pool_;

  Picoseconds local_ = 0;  // the core's time ahead of sc_time_stamp()
  std::uint64_t txn_seq_ = 0;

  std::vector<Slot> slots_;
  std::vector<unsigned> free_slots_;
  tlm::tlm_generic_payload* blocked_ = nullptr;  // refused (TLM_ACCEPTED), END_REQ awaited
  Picoseconds accept_at_ = 0;                    // when the last request was accepted
  sc_core::sc_event event_;                      // a response or an END_REQ arrived

  std::vector<DrainedStore> drained_;
  std::vector<Picoseconds> alloc_times_;  // allocation time of each store-buffer entry (ring)
  std::size_t alloc_head_ = 0;
  std::size_t alloc_count_ = 0;

  std::vector<int> piece_slots_;  // scratch of load()
  struct CopyChunk {
    std::uint64_t offset;
    unsigned size;
    unsigned slots;  // entries of copy_slots_ it owns
  };
  std::vector<CopyChunk> copy_chunks_;  // scratch of copy()
  std::vector<int> copy_slots_;

  bool lsu_busy_ = false;
  unsigned lsu_waiters_ = 0;
  sc_core::sc_event lsu_free_;

  std::array<Picoseconds, static_cast<std::size_t>(Stall::Count)> stall_ps_{};
  std::array<std::uint64_t, static_cast<std::size_t>(Stall::Count)> stall_reported_{};
  std::vector<std::string> abort_messages_;
  unsigned started_ = 0;
  unsigned running_ = 0;
  sc_core::sc_event finished_event_;
};

}  // namespace dmasim::cpu

#pragma once
// The coherent crossbar after the ARM CCI-400 (with a CCI-500-like snoop filter as an option):
// a SystemC/TLM-2.0 AT shell over the SystemC-free pieces of this folder (configuration, address
// map, arbiters, delay line, snoop filter). docs/protocol.md ("Crossbars", "Snoops") is the
// contract; docs/interconnect.md describes the timing and the decisions where it is silent.
//
// One target socket per configured port, one initiator socket per address-map target. One
// SC_METHOD (the point of serialisation) wakes only when a request becomes eligible, a port slot
// or a target frees up; responses are relayed from the target's backward call at once, with the
// crossbar's latency added to the timing annotation. Time is kept in picoseconds; latencies are
// cycles of config.clock added as cycles x period without edge alignment.
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/sim_now.h"
#include "models/common/clock_domain.h"
#include "models/common/model_context.h"
#include "models/common/stats/registry.h"
#include "models/common/tlm/link_table.h"
#include "models/common/tlm/payload_pool.h"
#include "models/common/tlm/snoop.h"
#include "models/interconnect/address_map.h"
#include "models/interconnect/arbiter.h"
#include "models/interconnect/delay_line.h"
#include "models/interconnect/interconnect_config.h"
#include "models/interconnect/serialisation_point.h"
#include "models/interconnect/snoop_filter.h"

namespace dmasim::interconnect {

class Crossbar : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Crossbar);

  // Checks the configuration (UserError). ctx.stats is required; ctx.oracle may be null.
  Crossbar(const sc_core::sc_module_name& name, const InterconnectConfig& config, const ModelContext& ctx);
  ~Crossbar() override;

  tlm::tlm_target_socket<>& port(unsigned i);             // config.ports order
  tlm::tlm_target_socket<>& port(std::string_view name);  // UserError if unknown
  tlm::tlm_initiator_socket<>& target(unsigned i);        // config.address_map.targets order
  tlm::tlm_initiator_socket<>& target(std::string_view name);

  // The cache behind an ACE port (snooped by requests from the other ports). A port without one
  // is not snooped.
  void set_snoop_target(unsigned ace_port, SnoopTarget* t);
  // All ACE ports as one SnoopTarget, for the cache below this crossbar: snoops each ACE port (in
  // port order, through the snoop filter when configured), merged with merge_snoop; latency =
  // snoop + the slowest port + snoop_response (0 when no port had to be snooped).
  SnoopTarget& upward_snooper();

  const ClockDomain& clock() const { return clock_; }
  // No transaction in the crossbar (accepted, queued or waiting for a slot).
  bool idle() const;

 private:
  static constexpr unsigned kLines = 8;  // lines one transaction may cover (256 B of 32 B lines)
  static constexpr unsigned kNoTarget = ~0u;

  struct PortIf;
  struct TargetIf;
  class UpwardSnooper;

  struct TxnState {
    tlm::tlm_generic_payload* gp = nullptr;
    unsigned port = 0;
    unsigned target = kNoTarget;
    BusOp orig_op = BusOp::ReadNoSnoop;
    BusOp op = BusOp::ReadNoSnoop;  // after the ACE-Lite conversion
    std::uint64_t address = 0;      // the full physical address
    unsigned length = 0;
    Picoseconds arrival = 0;   // at the port (after any backpressure wait)
    Picoseconds ready = 0;     // the latest of the snoop path and the downstream responses
    unsigned lines = 0;
    std::uint64_t line_base = 0;
    bool snooped = false;
    bool main = false;       // the payload itself went down
    bool main_done = false;  // and its response came back
    unsigned children = 0;   // own writebacks still to answer
    bool dispatching = false;  // being set up by grant(): no completion yet
  };
  // The snoop array is apart so that reusing a transaction resets the rest only (grant() clears
  // the entries it uses): clearing all eight was a memset per request.
  struct Txn : TxnState {
    std::array<SnoopResponse, kLines> snoop{};  // merged per line
  };
  enum class Role { Main, Child, Dropped };
  struct Link {
    Txn* txn = nullptr;
    Role role = Role::Main;
  };
  struct Pending {
    tlm::tlm_generic_payload* gp;
    Picoseconds arrival;
    Picoseconds eligible;
    unsigned target;  // decoded at arrival (kNoTarget: set/way completed locally)
  };
  struct Port {
    unsigned index = 0;
    PortConfig cfg;
    unsigned outstanding = 0;
    std::deque<Pending> queue;
    tlm::tlm_generic_payload* blocked = nullptr;  // refused for the outstanding limit
    Picoseconds blocked_since = 0;
    unsigned blocked_target = kNoTarget;
    DelayLine<char> releases;  // slots freeing at a response's completion time
    Picoseconds read_free = 0, write_free = 0;  // last data beat on each data path
    SnoopTarget* snooper = nullptr;
    stats::Counter *requests, *reads, *writes, *bytes, *stall_cycles;
    stats::Histogram* latency;
  };
  struct Outgoing {
    tlm::tlm_generic_payload* gp;
    Picoseconds at;
  };
  struct Target {
    TargetConfig cfg;
    bool blocked = false;  // answered TLM_ACCEPTED; waiting for END_REQ
    tlm::tlm_generic_payload* blocked_gp = nullptr;
    std::deque<Outgoing> queue;  // requests held while blocked
    stats::Counter* requests;
  };

  // Forward path (port sockets).
  tlm::tlm_sync_enum port_fw(unsigned port, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                             sc_core::sc_time& delay);
  void accept(Port& p, tlm::tlm_generic_payload& gp, Picoseconds arrival, Picoseconds now, unsigned target);
  // Backward path (target sockets).
  tlm::tlm_sync_enum target_bw(unsigned target, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                               sc_core::sc_time& delay);

  void schedule();  // the SC_METHOD: the point of serialisation
  void wake_at(Picoseconds t);
  void release_slots(Port& p, Picoseconds now);
  void grant(Port& p, const Pending& q, Picoseconds t);
  void grant_uncontended(Port& p, const Pending& q);  // for the first free cycle from q.eligible
  bool quiet_for(unsigned port, unsigned target) const;
  bool target_busy(unsigned t) const;

  // Snoops every line of the transaction; returns the time the snoop path ends.
  Picoseconds snoop_lines(Txn& x, std::uint64_t ports, Picoseconds now);
  std::uint64_t snoop_ports(const Txn& x, const Port& p) const;
  SnoopResponse snoop_up(const SnoopRequest& request);
  // `snoop: tags`: whether the duplicate tags send the snoop to s (counts the ones they spare).
  bool needs_snoop(const SnoopTarget& s, std::uint64_t line, std::uint32_t bytes) const;
  void filter_after_snoop(std::uint64_t line, std::uint32_t bytes, unsigned port, BusOp op, const SnoopResponse& r);

  void send(unsigned target, tlm::tlm_generic_payload& gp, Picoseconds at);
  void send_now(unsigned target, tlm::tlm_generic_payload& gp, Picoseconds at);
  tlm::tlm_generic_payload& own_payload(const Txn& x, tlm::tlm_command cmd, std::uint64_t address, unsigned length,
                                        BusOp op);
  void write_back(Txn& x, std::uint64_t line, std::uint64_t version, Picoseconds at);
  void dropped_read(Txn& x, Picoseconds at);
  void on_response(tlm::tlm_generic_payload& gp, Picoseconds at);
  void maybe_finish(Txn& x);
  void finish(Txn& x);
  std::uint64_t offset_in(unsigned target, std::uint64_t address) const;

  Picoseconds now() const { return sim_now(); }
  Picoseconds cycles(std::uint64_t n) const { return n * clock_.period; }
  Txn* new_txn();
  void free_txn(Txn* x);

  PayloadPool pool_;  // first: destroyed last
  InterconnectConfig config_;
  ModelContext ctx_;
  ClockDomain clock_;
  AddressMap map_;
  std::unique_ptr<Arbiter> arbiter_;
  std::optional<SnoopFilter> filter_;
  std::uint32_t granule_;
  std::vector<Port> ports_;
  std::vector<Target> targets_;
  std::deque<tlm::tlm_target_socket<>> port_sockets_;
  std::deque<tlm::tlm_initiator_socket<>> target_sockets_;
  std::deque<PortIf> port_ifs_;
  std::deque<TargetIf> target_ifs_;
  std::unique_ptr<UpwardSnooper> upward_;
  std::deque<Txn> txn_store_;
  std::vector<Txn*> free_txns_;
  LinkTable<tlm::tlm_generic_payload, Link> links_;
  std::uint64_t ace_mask_ = 0;
  std::uint64_t in_flight_ = 0;
  SerialisationPoint pos_;
  unsigned last_port_ = kNoTarget;  // the port granted last
  sc_core::sc_event wake_;
  std::vector<Candidate> scratch_;

  stats::Counter *decode_errors_, *snoops_sent_, *snoops_filtered_, *snoop_hits_, *snoop_dirty_, *snoop_writebacks_,
      *spec_dropped_;
};

}  // namespace dmasim::interconnect

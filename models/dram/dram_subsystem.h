#pragma once
// The DRAM subsystem as a SystemC module: one TLM-2.0 target socket (base protocol, AT, four
// phases) in front of one ChannelController per channel, each run by one SC_METHOD that sleeps
// until its controller's next command, completion or refresh. A transaction larger than a
// burst is split into bursts; its response goes out when the last burst's data has moved.
//
// Responses: BEGIN_RESP is sent when the last burst's column command issues, with the delay to
// its last data beat as the timing annotation (approximately-timed style), so the initiator
// sees the response at exactly that time without the target waking up for it.
//
// Backpressure: BEGIN_REQ is answered with END_REQ at once when the target queues have room
// for all its bursts; otherwise END_REQ comes later, when room frees up, and the initiator may
// not send another request meanwhile (base protocol).
#include <deque>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/clock_domain.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/recorder.h"
#include "models/dram/address_mapping.h"
#include "models/dram/channel_controller.h"
#include "models/dram/command_checker.h"
#include "models/dram/dram_config.h"

namespace dmasim::dram {

class DramSubsystem : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<> socket;

  // stats_prefix: where this subsystem's statistics go, e.g. "soc.dram"; channel i reports
  // under "<prefix>.ch<i>". trace may be null.
  DramSubsystem(const sc_core::sc_module_name& name, const DramConfig& config, stats::Registry& stats,
                const std::string& stats_prefix, trace::Recorder* trace = nullptr);
  ~DramSubsystem() override;

  const MemSpec& spec() const { return spec_; }
  const ClockDomain& clock() const { return clock_; }
  std::uint64_t now_cycle() const;
  ChannelController& channel(unsigned i) { return *channels_[i]->controller; }
  unsigned channel_count() const { return static_cast<unsigned>(channels_.size()); }
  // Commands that broke a timing rule (only with controller.check_commands).
  std::vector<Violation> violations() const;
  // Closes the statistics at the current simulation time.
  void finish();

  // tlm_fw_transport_if
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans) override;

 private:
  struct Channel {
    std::unique_ptr<ChannelController> controller;
    std::unique_ptr<CommandChecker> checker;
    sc_core::sc_event wake;
  };
  // A transaction in flight and how many of its bursts are still outstanding.
  struct Transaction {
    tlm::tlm_generic_payload* payload = nullptr;
    unsigned bursts_left = 0;
  };
  struct Burst {
    std::uint64_t address;
    DecodedAddress where;
  };

  bool split(const tlm::tlm_generic_payload& trans, std::vector<Burst>& out) const;
  bool fits(const std::vector<Burst>& bursts, bool is_write) const;
  // Queues the bursts; with `reschedule`, steps and re-arms the channels they went to.
  void admit(tlm::tlm_generic_payload& trans, const std::vector<Burst>& bursts, std::uint64_t arrival,
             bool reschedule = true);
  void run_channel(unsigned index);
  void rearm(unsigned index, std::uint64_t now, std::uint64_t next);
  void deliver(ChannelController& ctl, std::uint64_t now);
  void respond(tlm::tlm_generic_payload& trans, Picoseconds at);
  void send_response(tlm::tlm_generic_payload& trans, Picoseconds at);
  void send_queued_responses();
  Transaction* new_transaction();

  MemSpec spec_;
  ControllerConfig controller_config_;
  AddressMapper mapper_;
  ClockDomain clock_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::deque<Transaction> transaction_store_;
  std::vector<Transaction*> free_transactions_;

  // A request refused for lack of room, admitted when room frees up.
  tlm::tlm_generic_payload* blocked_ = nullptr;
  std::vector<Burst> blocked_bursts_;
  std::vector<Burst> scratch_;

  // Response path: one BEGIN_RESP at a time until the initiator completes it. Responses go
  // out when their last data beat is known, annotated with the delay until it.
  struct PendingResponse {
    tlm::tlm_generic_payload* trans;
    Picoseconds at;  // time of the last data beat
  };
  bool response_busy_ = false;
  std::deque<PendingResponse> response_queue_;
  sc_core::sc_event response_event_;
};

}  // namespace dmasim::dram

#pragma once
// Drives a TLM-2.0 AT target from a request trace: request i is offered at its cycle, or as
// soon as the target has taken the one before it (END_REQ), whichever is later, so a target
// that applies backpressure delays every later request. Stops the simulation when the last
// response has arrived.
#include <cstdint>
#include <exception>
#include <memory>

#include <systemc>
#include <tlm>

#include "models/common/clock_domain.h"
#include "models/common/tlm/payload_pool.h"
#include "models/dram/trace_file.h"

namespace dmasim::dram {

class TracePlayer : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<> socket;

  // Trace cycles are counted in `clock`; the reader is consumed as the simulation goes.
  TracePlayer(const sc_core::sc_module_name& name, TraceReader& reader, ClockDomain clock);

  std::uint64_t issued() const { return issued_; }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t reads() const { return reads_; }
  std::uint64_t writes() const { return writes_; }
  std::uint64_t bytes() const { return bytes_; }  // moved by successful requests
  std::uint64_t errors() const { return errors_; }
  // Cycle of the last response: the DRAM cycles the trace took.
  std::uint64_t last_completion_cycle() const { return last_completion_; }
  // An error met while reading the trace mid-run (rethrown by the caller after sc_start).
  std::exception_ptr error() const { return error_; }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  void offer();
  bool fetch();
  void schedule_next();
  void maybe_finish();
  void stop();

  TraceReader& reader_;
  ClockDomain clock_;
  PayloadPool pool_;
  sc_core::sc_event offer_event_;
  sc_core::sc_event stop_event_;  // the last response's time
  TraceRequest next_;
  bool have_next_ = false;
  bool started_ = false;  // the first fetch happens in the first offer()
  bool stopped_ = false;
  bool waiting_end_req_ = false;
  const tlm::tlm_generic_payload* awaiting_end_req_ = nullptr;
  std::uint64_t issued_ = 0, completed_ = 0, reads_ = 0, writes_ = 0, bytes_ = 0, errors_ = 0;
  std::uint64_t last_completion_ = 0;
  std::exception_ptr error_;
};

}  // namespace dmasim::dram

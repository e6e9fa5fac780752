#pragma once
// A scripted initiator for the SystemC cache tests: issues a list of requests at given times from
// a PayloadPool (MemExt op, memory type, versions set), honours END_REQ backpressure, and records
// when each request was accepted and answered and what came back. A step can instead run an
// action at its time (a snoop, a check).
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/tlm/mem_ext.h"
#include "models/common/tlm/payload_pool.h"

namespace dmasim::test {

struct Step {
  Picoseconds at = 0;  // not before this time
  BusOp op = BusOp::Load;
  std::uint64_t addr = 0;
  unsigned len = 4;
  MemType type = MemType::NormalWriteBack;
  std::vector<std::uint64_t> versions;  // carried (stores, writebacks, maintenance with data)
  std::uint32_t data = 0;               // register writes
  bool wait = true;                     // wait for the response before the next step
  Picoseconds ahead = 0;                // sent with this timing annotation (an initiator running ahead)
  std::function<void()> action;         // when set: run at `at` instead of sending
};

struct Outcome {
  Picoseconds issued = 0, accepted = 0, done = 0;
  bool answered = false;
  std::vector<std::uint64_t> versions;
  bool shared = false, dirty = false;
  std::uint32_t data = 0;
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  Picoseconds latency() const { return done - issued; }
};

class ScriptedInitiator : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  SC_HAS_PROCESS(ScriptedInitiator);
  tlm::tlm_initiator_socket<> socket{"socket"};
  std::vector<Step> steps;
  std::vector<Outcome> out;

  ScriptedInitiator(const sc_core::sc_module_name& name, std::vector<Step> s) : sc_module(name), steps(std::move(s)) {
    socket.bind(*this);
    out.resize(steps.size());
    SC_THREAD(run);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    const std::size_t i = index_of(gp);
    if (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP) {
      if (i == waiting_accept_) {
        out[i].accepted = now();
        waiting_accept_ = kNone;
        event_.notify(sc_core::SC_ZERO_TIME);
      }
    }
    if (phase == tlm::BEGIN_RESP) {
      finish(i, gp, now() + delay.value());
      return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_ACCEPTED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

  bool all_answered() const {
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (!steps[i].action && !out[i].answered) return false;
    return true;
  }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};
  static Picoseconds now() { return sc_core::sc_time_stamp().value(); }

  std::size_t index_of(const tlm::tlm_generic_payload& gp) const {
    for (std::size_t i = 0; i < live_.size(); ++i)
      if (live_[i] == &gp) return i;
    return kNone;
  }

  void finish(std::size_t i, tlm::tlm_generic_payload& gp, Picoseconds done) {
    Outcome& o = out[i];
    const MemExt& ext = MemExt::of(gp);
    o.done = done;
    o.answered = true;
    o.versions.assign(ext.versions().begin(), ext.versions().end());
    o.shared = ext.resp_shared;
    o.dirty = ext.resp_dirty;
    o.status = gp.get_response_status();
    if (gp.is_read() && gp.get_data_length() >= 4) std::memcpy(&o.data, gp.get_data_ptr(), 4);
    live_[i] = nullptr;
    gp.release();
    event_.notify(sc_core::SC_ZERO_TIME);
  }

  static tlm::tlm_command command_of(const Step& s) {
    switch (s.op) {
      case BusOp::Load:
      case BusOp::ReadShared:
      case BusOp::ReadUnique:
      case BusOp::ReadOnce:
      case BusOp::ReadNoSnoop: return tlm::TLM_READ_COMMAND;
      case BusOp::Store:
      case BusOp::WriteNoSnoop:
      case BusOp::WriteBack:
      case BusOp::WriteClean:
      case BusOp::WriteUnique: return tlm::TLM_WRITE_COMMAND;
      default: return s.versions.empty() ? tlm::TLM_IGNORE_COMMAND : tlm::TLM_WRITE_COMMAND;
    }
  }

  void run() {
    live_.assign(steps.size(), nullptr);
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const Step& s = steps[i];
      if (s.at > now()) wait(sc_core::sc_time::from_value(s.at - now()));
      if (s.action) {
        s.action();
        continue;
      }
      tlm::tlm_generic_payload* gp = pool_.allocate();
      gp->acquire();
      gp->set_command(command_of(s));
      gp->set_address(s.addr);
      gp->set_data_length(s.len);
      gp->set_streaming_width(s.len);
      std::memcpy(gp->get_data_ptr(), &s.data, 4);
      MemExt& ext = MemExt::of(*gp);
      ext.op = s.op;
      ext.mem_type = s.type;
      ext.coherence = Coherence::FullyCoherent;
      ext.created_at = now();
      ext.txn_id = i;
      for (std::uint64_t v : s.versions) ext.add_version(v);
      live_[i] = gp;
      out[i].issued = now() + s.ahead;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::sc_time::from_value(s.ahead);
      waiting_accept_ = i;
      const tlm::tlm_sync_enum r = socket->nb_transport_fw(*gp, phase, delay);
      if (r == tlm::TLM_COMPLETED) {
        out[i].accepted = now();
        waiting_accept_ = kNone;
        finish(i, *gp, now() + delay.value());
      } else if (r == tlm::TLM_UPDATED) {
        out[i].accepted = now();
        waiting_accept_ = kNone;
      }
      while (waiting_accept_ == i) wait(event_);
      if (s.wait)
        while (!out[i].answered) wait(event_);
      // A completed access is usable at done: the next one issues no earlier.
      if (s.wait && out[i].done > now()) wait(sc_core::sc_time::from_value(out[i].done - now()));
    }
  }

  PayloadPool pool_;
  std::vector<tlm::tlm_generic_payload*> live_;
  std::size_t waiting_accept_ = kNone;
  sc_core::sc_event event_;
};

}  // namespace dmasim::test

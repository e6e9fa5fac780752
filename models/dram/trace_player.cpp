#include "models/dram/trace_player.h"

#include <sysc/kernel/sc_dynamic_processes.h>

namespace dmasim::dram {

TracePlayer::TracePlayer(const sc_core::sc_module_name& name, TraceReader& reader, ClockDomain clock)
    : sc_core::sc_module(name), socket("socket"), reader_(reader), clock_(std::move(clock)), pool_(4096, 64) {
  socket.bind(*this);
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  opts.set_sensitivity(&offer_event_);
  opts.dont_initialize();
  sc_core::sc_spawn([this] { offer(); }, "offer", &opts);
  sc_core::sc_spawn_options stop_opts;
  stop_opts.spawn_method();
  stop_opts.set_sensitivity(&stop_event_);
  stop_opts.dont_initialize();
  sc_core::sc_spawn([this] { stop(); }, "stop", &stop_opts);
  // The first line is read once the simulation runs: a malformed first line or an empty trace
  // must stop it through sc_stop, which is illegal during elaboration.
  offer_event_.notify(sc_core::SC_ZERO_TIME);
}

bool TracePlayer::fetch() {
  try {
    have_next_ = reader_.next(next_);
  } catch (...) {
    error_ = std::current_exception();
    have_next_ = false;
    stop();
  }
  return have_next_;
}

void TracePlayer::schedule_next() {
  const Picoseconds now = sc_core::sc_time_stamp().value();
  const Picoseconds at = clock_.cycle_start(next_.cycle);
  offer_event_.notify(at > now ? sc_core::sc_time::from_value(at - now) : sc_core::SC_ZERO_TIME);
}

void TracePlayer::offer() {
  if (!started_) {
    started_ = true;
    fetch();
  }
  const std::uint64_t now = clock_.cycles_at(sc_core::sc_time_stamp().value());
  while (have_next_ && !waiting_end_req_ && next_.cycle <= now) {
    tlm::tlm_generic_payload* trans = pool_.allocate();
    trans->acquire();
    trans->set_command(next_.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans->set_address(next_.address);
    trans->set_data_length(next_.size);
    trans->set_streaming_width(next_.size);
    ++issued_;
    (next_.is_write ? writes_ : reads_)++;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const tlm::tlm_sync_enum status = socket->nb_transport_fw(*trans, phase, delay);
    if (status == tlm::TLM_COMPLETED) {  // refused at once (address or command error)
      ++completed_;
      ++errors_;
      trans->release();
    } else if (status == tlm::TLM_ACCEPTED || phase == tlm::BEGIN_REQ) {
      waiting_end_req_ = true;
      awaiting_end_req_ = trans;
    }
    fetch();
  }
  if (have_next_ && !waiting_end_req_) schedule_next();
  maybe_finish();
}

tlm::tlm_sync_enum TracePlayer::nb_transport_bw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                                sc_core::sc_time& delay) {
  if (phase == tlm::END_REQ) {
    waiting_end_req_ = false;
    if (have_next_) schedule_next();
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::BEGIN_RESP) {
    ++completed_;
    if (trans.is_response_ok()) bytes_ += trans.get_data_length();
    else ++errors_;
    // Responses of different channels may come out of time order.
    last_completion_ = std::max(last_completion_, clock_.cycles_at((sc_core::sc_time_stamp() + delay).value()));
    // BEGIN_RESP implies END_REQ for a request still waiting for it (base protocol).
    if (waiting_end_req_ && awaiting_end_req_ == &trans) {
      waiting_end_req_ = false;
      if (have_next_) schedule_next();
    }
    trans.release();
    maybe_finish();
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

void TracePlayer::maybe_finish() {
  if (have_next_ || waiting_end_req_ || completed_ != issued_) return;
  // Responses may arrive annotated ahead of their time: stop when the last one's time has come.
  const Picoseconds now = sc_core::sc_time_stamp().value();
  const Picoseconds end = clock_.cycle_start(last_completion_);
  if (end <= now) stop();
  else stop_event_.notify(sc_core::sc_time::from_value(end - now));
}

void TracePlayer::stop() {
  if (stopped_) return;  // a second sc_stop is a SystemC warning
  stopped_ = true;
  sc_core::sc_stop();
}

}  // namespace dmasim::dram

#include "models/dram/dram_subsystem.h"

#include <fmt/format.h>

#include <sysc/kernel/sc_dynamic_processes.h>

#include "models/common/sim_now.h"

namespace dmasim::dram {

DramSubsystem::DramSubsystem(const sc_core::sc_module_name& name, const DramConfig& config,
                             stats::Registry& stats, const std::string& stats_prefix, trace::Recorder* trace)
    : sc_core::sc_module(name),
      socket("socket"),
      spec_(resolve(config.memspec)),
      controller_config_(config.controller),
      mapper_(config.address_mapping, spec_.org),
      clock_{std::string(basename()), spec_.t.tCK} {
  socket.bind(*this);
  for (unsigned i = 0; i < spec_.org.channels; ++i) {
    auto ch = std::make_unique<Channel>();
    ch->controller = std::make_unique<ChannelController>(
        spec_, controller_config_, i, stats::Group(stats, fmt::format("{}.ch{}", stats_prefix, i)), trace);
    if (controller_config_.check_commands) {
      ch->checker = std::make_unique<CommandChecker>(spec_);
      ch->controller->add_observer(ch->checker.get());
    }
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.set_sensitivity(&ch->wake);
    opts.dont_initialize();
    sc_core::sc_spawn([this, i] { run_channel(i); }, sc_core::sc_gen_unique_name("channel"), &opts);
    channels_.push_back(std::move(ch));
  }
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  opts.set_sensitivity(&response_event_);
  opts.dont_initialize();
  sc_core::sc_spawn([this] { send_queued_responses(); }, "responses", &opts);
  // Refresh runs from time zero whether or not requests come.
  for (unsigned i = 0; i < channels_.size(); ++i) channels_[i]->wake.notify(sc_core::SC_ZERO_TIME);
}

DramSubsystem::~DramSubsystem() = default;

std::uint64_t DramSubsystem::now_cycle() const {
  return clock_.cycles_at(sim_now());
}

std::vector<Violation> DramSubsystem::violations() const {
  std::vector<Violation> out;
  for (const auto& ch : channels_)
    if (ch->checker) out.insert(out.end(), ch->checker->violations().begin(), ch->checker->violations().end());
  return out;
}

void DramSubsystem::finish() {
  const std::uint64_t now = now_cycle();
  for (auto& ch : channels_) ch->controller->finish(now);
}

bool DramSubsystem::split(const tlm::tlm_generic_payload& trans, std::vector<Burst>& out) const {
  out.clear();
  const std::uint64_t burst = spec_.org.bytes_per_burst();
  const std::uint64_t start = trans.get_address();
  const std::uint64_t length = std::max<std::uint64_t>(trans.get_data_length(), 1);
  if (start >= mapper_.size() || length > mapper_.size() - start) return false;
  for (std::uint64_t a = start / burst * burst; a < start + length; a += burst) out.push_back({a, mapper_.decode(a)});
  return true;
}

bool DramSubsystem::fits(const std::vector<Burst>& bursts, bool is_write) const {
  // Bursts of one transaction usually share a channel; count per channel only when they do not.
  if (bursts.size() == 1) return channels_[bursts[0].where.channel]->controller->has_room(is_write);
  std::vector<std::size_t> need(channels_.size(), 0);
  for (const Burst& b : bursts) ++need[b.where.channel];
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    if (need[c] == 0) continue;
    const ChannelController& ctl = *channels_[c]->controller;
    const std::size_t depth = is_write ? controller_config_.write_queue : controller_config_.read_queue;
    const std::size_t used = is_write ? ctl.queued_writes() : ctl.queued_reads();
    // A transaction larger than a whole queue is admitted into an empty one, burst by burst.
    if (used + std::min(need[c], depth) > depth) return false;
  }
  return true;
}

DramSubsystem::Transaction* DramSubsystem::new_transaction() {
  if (!free_transactions_.empty()) {
    Transaction* t = free_transactions_.back();
    free_transactions_.pop_back();
    return t;
  }
  transaction_store_.emplace_back();
  return &transaction_store_.back();
}

void DramSubsystem::admit(tlm::tlm_generic_payload& trans, const std::vector<Burst>& bursts, std::uint64_t arrival,
                          bool reschedule) {
  if (trans.has_mm()) trans.acquire();
  Transaction* t = new_transaction();
  t->payload = &trans;
  t->bursts_left = static_cast<unsigned>(bursts.size());
  const bool is_write = trans.is_write();
  std::uint64_t touched = 0;  // channels are at most 64 (organisation.channels range)
  for (const Burst& b : bursts) {
    channels_[b.where.channel]->controller->enqueue(b.address, b.where, is_write, arrival, t);
    touched |= std::uint64_t{1} << b.where.channel;
  }
  if (!reschedule) return;
  const std::uint64_t now = now_cycle();
  for (; touched != 0; touched &= touched - 1) {
    const unsigned c = static_cast<unsigned>(__builtin_ctzll(touched));
    ChannelController& ctl = *channels_[c]->controller;
    ctl.step(now);
    deliver(ctl, now);  // a read served from the write queue
    rearm(c, now, ctl.next_event());
  }
}

void DramSubsystem::rearm(unsigned index, std::uint64_t now, std::uint64_t next) {
  if (next == kNever) return;
  // sc_event keeps the earlier of a pending and a new notification.
  channels_[index]->wake.notify(clock_.time_of(next - now));
}

tlm::tlm_sync_enum DramSubsystem::nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                                  sc_core::sc_time& delay) {
  if (phase == tlm::END_RESP) {
    response_busy_ = false;
    if (!response_queue_.empty()) response_event_.notify(sc_core::SC_ZERO_TIME);
    return tlm::TLM_COMPLETED;
  }
  if (phase != tlm::BEGIN_REQ) {
    SC_REPORT_ERROR(name(), "nb_transport_fw: unexpected phase (base protocol: BEGIN_REQ or END_RESP)");
    return tlm::TLM_COMPLETED;
  }
  if (trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  if (!trans.is_read() && !trans.is_write()) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  if (!split(trans, scratch_)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  const Picoseconds arrival_ps = sim_now() + delay.value();
  const std::uint64_t arrival = clock_.cycles_at(clock_.next_edge(arrival_ps));
  if (!fits(scratch_, trans.is_write())) {
    blocked_ = &trans;
    blocked_bursts_.swap(scratch_);
    return tlm::TLM_ACCEPTED;
  }
  admit(trans, scratch_, arrival);
  phase = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

void DramSubsystem::run_channel(unsigned index) {
  ChannelController& ctl = *channels_[index]->controller;
  const std::uint64_t now = now_cycle();
  // With a request blocked at the socket nothing new can arrive until room frees up.
  ctl.step(now, blocked_ != nullptr ? kNever : 0);
  if (blocked_ != nullptr && fits(blocked_bursts_, blocked_->is_write())) {
    tlm::tlm_generic_payload* trans = blocked_;
    blocked_ = nullptr;
    // Other channels the request touches are rescheduled by admit; this one just below.
    const bool only_here = blocked_bursts_.size() == 1 && blocked_bursts_[0].where.channel == index;
    admit(*trans, blocked_bursts_, now, !only_here);
    tlm::tlm_phase phase = tlm::END_REQ;
    sc_core::sc_time zero = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(*trans, phase, zero);
    ctl.step(now);
  }
  deliver(ctl, now);
  rearm(index, now, ctl.next_event());
}

void DramSubsystem::deliver(ChannelController& ctl, std::uint64_t now) {
  // A burst's last data beat is known when its column command issues, so the response goes out
  // then, annotated with the time still to run (AT timing annotation): no wake-up of its own.
  Completion done;
  while (ctl.pop_completion(kNever, done)) {
    auto* t = static_cast<Transaction*>(done.tag);
    if (--t->bursts_left == 0) {
      tlm::tlm_generic_payload* trans = t->payload;
      free_transactions_.push_back(t);
      trans->set_response_status(tlm::TLM_OK_RESPONSE);
      respond(*trans, clock_.cycle_start(std::max(done.done, now)));
    }
  }
}

void DramSubsystem::respond(tlm::tlm_generic_payload& trans, Picoseconds at) {
  if (response_busy_ || !response_queue_.empty()) {
    response_queue_.push_back({&trans, at});
    return;
  }
  send_response(trans, at);
}

void DramSubsystem::send_response(tlm::tlm_generic_payload& trans, Picoseconds at) {
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  const Picoseconds now = sim_now();
  sc_core::sc_time delay = sc_core::sc_time::from_value(at > now ? at - now : 0);
  const tlm::tlm_sync_enum status = socket->nb_transport_bw(trans, phase, delay);
  if (status == tlm::TLM_ACCEPTED || (status == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP))
    response_busy_ = true;  // END_RESP will come on the forward path
  if (trans.has_mm()) trans.release();
}

void DramSubsystem::send_queued_responses() {
  while (!response_busy_ && !response_queue_.empty()) {
    const PendingResponse r = response_queue_.front();
    response_queue_.pop_front();
    send_response(*r.trans, r.at);
  }
}

void DramSubsystem::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
  // Loosely-timed callers have no way to see queueing and bank timing; refuse rather than
  // answer with a made-up latency.
  trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
  SC_REPORT_ERROR(name(), "b_transport is not supported: connect an approximately-timed initiator (nb_transport)");
}

bool DramSubsystem::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) { return false; }

unsigned int DramSubsystem::transport_dbg(tlm::tlm_generic_payload&) { return 0; }

}  // namespace dmasim::dram

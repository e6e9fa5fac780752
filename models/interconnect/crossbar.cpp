#include "models/interconnect/crossbar.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cassert>

#include "models/common/error.h"

namespace dmasim::interconnect {

namespace {
constexpr Picoseconds kNever = DelayLine<char>::kNever;

std::uint64_t bit(unsigned i) { return std::uint64_t{1} << i; }
}  // namespace

// ---- socket interfaces -----------------------------------------------------------------------

struct Crossbar::PortIf final : tlm::tlm_fw_transport_if<> {
  PortIf(Crossbar& x, unsigned i) : owner(x), index(i) {}
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    return owner.port_fw(index, gp, phase, delay);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) override {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    SC_REPORT_ERROR(owner.name(), "b_transport is not supported: the crossbar is approximately timed (nb_transport)");
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
  Crossbar& owner;
  unsigned index;
};

struct Crossbar::TargetIf final : tlm::tlm_bw_transport_if<> {
  TargetIf(Crossbar& x, unsigned i) : owner(x), index(i) {}
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    return owner.target_bw(index, gp, phase, delay);
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
  Crossbar& owner;
  unsigned index;
};

class Crossbar::UpwardSnooper final : public SnoopTarget {
 public:
  explicit UpwardSnooper(Crossbar& x) : owner_(x) {}
  SnoopResponse snoop(const SnoopRequest& request) override { return owner_.snoop_up(request); }
  bool may_hold(std::uint64_t line, std::uint32_t line_bytes) const override {
    for (const Port& p : owner_.ports_)
      if (p.snooper != nullptr && p.snooper->may_hold(line, line_bytes)) return true;
    return false;
  }

 private:
  Crossbar& owner_;
};

// ---- construction ----------------------------------------------------------------------------

namespace {
const InterconnectConfig& checked(const InterconnectConfig& c) {
  c.check();
  return c;
}
}  // namespace

Crossbar::Crossbar(const sc_core::sc_module_name& name, const InterconnectConfig& config, const ModelContext& ctx)
    : sc_module(name),
      config_(checked(config)),
      ctx_(ctx),
      clock_(config.clock.domain(std::string(this->name()) + ".clock")),
      map_(config.address_map),
      arbiter_(make_arbiter(config.arbitration, config.port_qos(), config.starvation_limit)),
      granule_(ctx.oracle != nullptr ? ctx.oracle->line_bytes() : 64),
      pos_(clock_.period) {
  if (ctx_.stats == nullptr) throw UserError(fmt::format("{}: a crossbar needs a statistics registry", this->name()));
  if (config_.snoop == SnoopMode::Filter) filter_.emplace(granule_);
  stats::Group g = ctx_.group();
  ports_.resize(config_.ports.size());
  for (unsigned i = 0; i < ports_.size(); ++i) {
    Port& p = ports_[i];
    p.index = i;
    p.cfg = config_.ports[i];
    if (p.cfg.kind == PortKind::Ace) ace_mask_ |= bit(i);
    stats::Group pg = g.group("ports").group(p.cfg.name);
    p.requests = &pg.counter("requests", "transactions", "requests accepted at the port");
    p.reads = &pg.counter("reads", "transactions", "READ requests");
    p.writes = &pg.counter("writes", "transactions", "WRITE requests");
    p.bytes = &pg.counter("bytes", "bytes", "bytes requested (reads and writes)");
    p.stall_cycles = &pg.counter("stall_cycles", "cycles",
                                 "interconnect cycles requests waited at the port for an outstanding slot");
    p.latency = &pg.histogram("latency", "ps", "arrival at the port to the end of the response (last data beat)");
    port_sockets_.emplace_back(fmt::format("port_{}", p.cfg.name).c_str());
    port_ifs_.emplace_back(*this, i);
    port_sockets_.back().bind(port_ifs_.back());
  }
  targets_.resize(config_.address_map.targets.size());
  for (unsigned i = 0; i < targets_.size(); ++i) {
    Target& t = targets_[i];
    t.cfg = config_.address_map.targets[i];
    t.requests = &g.group("targets").group(t.cfg.name).counter("requests", "transactions",
                                                               "requests sent to the target (own writebacks included)");
    target_sockets_.emplace_back(fmt::format("target_{}", t.cfg.name).c_str());
    target_ifs_.emplace_back(*this, i);
    target_sockets_.back().bind(target_ifs_.back());
  }
  decode_errors_ = &g.counter("decode_errors", "transactions", "requests to no target (TLM_ADDRESS_ERROR_RESPONSE)");
  snoops_sent_ = &g.counter("snoops.sent", "snoops", "snoops sent to ACE ports (one per port and line)");
  snoops_filtered_ = &g.counter("snoops.filtered", "snoops", "snoops the snoop filter or the duplicate tags spared");
  snoop_hits_ = &g.counter("snoops.hits", "snoops", "snoops that found a copy");
  snoop_dirty_ = &g.counter("snoops.dirty", "snoops", "snoops that returned dirty data");
  snoop_writebacks_ = &g.counter("snoops.writebacks", "transactions",
                                 "dirty snoop data written below by the crossbar (WriteBack)");
  spec_dropped_ = &g.counter("speculative_reads_dropped", "transactions",
                             "speculative memory reads whose data a snoop supplied instead");
  upward_ = std::make_unique<UpwardSnooper>(*this);

  SC_METHOD(schedule);
  sensitive << wake_;
  dont_initialize();
}

Crossbar::~Crossbar() = default;

tlm::tlm_target_socket<>& Crossbar::port(unsigned i) {
  if (i >= port_sockets_.size()) throw UserError(fmt::format("{}: no port {}", name(), i));
  return port_sockets_[i];
}

tlm::tlm_target_socket<>& Crossbar::port(std::string_view n) {
  const auto i = config_.find_port(n);
  if (!i) throw UserError(fmt::format("{}: no port named '{}'", name(), n));
  return port_sockets_[*i];
}

tlm::tlm_initiator_socket<>& Crossbar::target(unsigned i) {
  if (i >= target_sockets_.size()) throw UserError(fmt::format("{}: no target {}", name(), i));
  return target_sockets_[i];
}

tlm::tlm_initiator_socket<>& Crossbar::target(std::string_view n) {
  const auto i = map_.find(n);
  if (!i) throw UserError(fmt::format("{}: no target named '{}' in the address map", name(), n));
  return target_sockets_[*i];
}

void Crossbar::set_snoop_target(unsigned ace_port, SnoopTarget* t) {
  if (ace_port >= ports_.size() || ports_[ace_port].cfg.kind != PortKind::Ace)
    throw UserError(fmt::format("{}: port {} is not an ACE port; only ACE ports are snooped", name(), ace_port));
  ports_[ace_port].snooper = t;
}

SnoopTarget& Crossbar::upward_snooper() { return *upward_; }

bool Crossbar::idle() const {
  if (in_flight_ != 0 || links_.size() != 0) return false;
  for (const Port& p : ports_)
    if (p.blocked != nullptr) return false;
  return true;
}

Crossbar::Txn* Crossbar::new_txn() {
  if (free_txns_.empty()) {
    txn_store_.emplace_back();
    return &txn_store_.back();
  }
  Txn* x = free_txns_.back();
  free_txns_.pop_back();
  static_cast<TxnState&>(*x) = TxnState{};
  return x;
}

void Crossbar::free_txn(Txn* x) { free_txns_.push_back(x); }

void Crossbar::wake_at(Picoseconds t) {
  if (t == kNever) return;  // nothing to wait for (a slot frees when a response is relayed)
  const Picoseconds n = now();
  wake_.notify(sc_core::sc_time::from_value(t > n ? t - n : 0));  // the earlier notification wins
}

std::uint64_t Crossbar::offset_in(unsigned target, std::uint64_t address) const {
  const TargetConfig& t = targets_[target].cfg;
  return t.kind == TargetKind::Next ? address : address - t.base.value;
}

// ---- the forward path: ports -----------------------------------------------------------------

tlm::tlm_sync_enum Crossbar::port_fw(unsigned index, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
  if (phase == tlm::END_RESP) return tlm::TLM_COMPLETED;
  if (phase != tlm::BEGIN_REQ) {
    SC_REPORT_ERROR(name(), "nb_transport_fw: unexpected phase (base protocol: BEGIN_REQ or END_RESP)");
    return tlm::TLM_COMPLETED;
  }
  Port& p = ports_[index];
  const Picoseconds n = now();
  const Picoseconds arrival = n + delay.value();
  const MemExt& ext = MemExt::of(gp);
  unsigned target = kNoTarget;
  if (is_set_way(ext.op)) {
    // The operand is no address: it goes to the cache below, if any, else completes here.
    for (unsigned i = 0; i < targets_.size(); ++i)
      if (targets_[i].cfg.kind == TargetKind::Next) {
        target = i;
        break;
      }
  } else {
    const Decode d = map_.lookup(gp.get_address(), gp.get_data_length());
    if (!d.ok()) {
      decode_errors_->inc();
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      delay += clock_.time_of(config_.latency.request + config_.latency.response);
      return tlm::TLM_COMPLETED;
    }
    target = d.target;
  }
  gp.acquire();
  // Slots are counted at the request's own time: one whose response completes by its arrival is
  // free for it, although simulated time has not reached that yet (the initiator runs ahead).
  // Holding it until the scheduler frees the slot at that time would accept it at its arrival all
  // the same, one wake-up and one held socket later.
  release_slots(p, arrival);
  if (p.blocked != nullptr || p.outstanding >= p.cfg.outstanding) {
    // Base protocol: the initiator sends nothing more on this socket until END_REQ.
    p.blocked = &gp;
    p.blocked_since = arrival;
    p.blocked_target = target;
    wake_at(p.releases.next_ready());
    return tlm::TLM_ACCEPTED;
  }
  accept(p, gp, arrival, arrival, target);
  phase = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

bool Crossbar::quiet_for(unsigned port, unsigned target) const {
  // A port streaming alone: it had the last grant, and nothing else competes for the point of
  // serialisation (every queue is empty, no port waits for a slot, the target takes requests). A
  // request from another port goes through arbitration, which a simultaneous one may win.
  // The port's own queued requests do not compete: they go first, in order (see accept).
  if (port != last_port_ || target_busy(target)) return false;
  for (const Port& q : ports_)
    if ((q.index != port && !q.queue.empty()) || q.blocked != nullptr) return false;
  return true;
}

void Crossbar::grant_uncontended(Port& p, const Pending& q) {
  pos_.forget_before(now());
  const Picoseconds at = pos_.first_free(q.eligible);
  const Candidate c{p.index, p.cfg.qos, q.eligible / clock_.period};
  arbiter_->pick(std::span<const Candidate>(&c, 1), at / clock_.period);
  pos_.grant(at);
  grant(p, q, at);
}

void Crossbar::accept(Port& p, tlm::tlm_generic_payload& gp, Picoseconds arrival, Picoseconds now_ps,
                      unsigned target) {
  ++p.outstanding;
  ++in_flight_;
  p.requests->inc();
  if (gp.is_read()) p.reads->inc();
  if (gp.is_write()) p.writes->inc();
  if (gp.is_read() || gp.is_write()) p.bytes->inc(gp.get_data_length());
  const Picoseconds eligible = now_ps + cycles(config_.latency.request);
  if (quiet_for(p.index, target)) {
    // Uncontended: granted now for the first free cycle from `eligible`, as the SC_METHOD would
    // grant it then, without waking it (the common case, and much of the simulator's speed).
    // Requests this port queued while others competed are granted first, in order, as long as
    // their targets take them: without this, a core that runs ahead of simulated time would keep
    // finding its own previous request queued and never leave the scheduled path.
    while (!p.queue.empty() && !target_busy(p.queue.front().target)) {
      const Pending q = p.queue.front();
      p.queue.pop_front();
      grant_uncontended(p, q);
    }
    if (p.queue.empty() && !target_busy(target)) {
      grant_uncontended(p, Pending{&gp, arrival, eligible, target});
      return;
    }
  }
  p.queue.push_back(Pending{&gp, arrival, eligible, target});
  wake_at(eligible);
}

void Crossbar::release_slots(Port& p, Picoseconds n) {
  p.releases.pop_ready(n, [&](char) { --p.outstanding; });
}

bool Crossbar::target_busy(unsigned t) const {
  return t != kNoTarget && (targets_[t].blocked || !targets_[t].queue.empty());
}

// ---- the point of serialisation ----------------------------------------------------------------

void Crossbar::schedule() {
  const Picoseconds t = now();
  const Picoseconds period = clock_.period;
  // Requests held for a target that has since sent END_REQ.
  for (unsigned i = 0; i < targets_.size(); ++i) {
    Target& tg = targets_[i];
    while (!tg.blocked && !tg.queue.empty()) {
      const Outgoing o = tg.queue.front();
      tg.queue.pop_front();
      send_now(i, *o.gp, o.at);
    }
  }
  // Ports waiting for an outstanding slot.
  for (Port& p : ports_) {
    release_slots(p, t);
    if (p.blocked != nullptr && p.outstanding < p.cfg.outstanding) {
      tlm::tlm_generic_payload* gp = p.blocked;
      p.blocked = nullptr;
      const Picoseconds since = std::max(p.blocked_since, t);
      p.stall_cycles->inc((t - std::min(p.blocked_since, t)) / period);
      accept(p, *gp, p.blocked_since, since, p.blocked_target);
      tlm::tlm_phase phase = tlm::END_REQ;
      sc_core::sc_time delay = sc_core::sc_time::from_value(since - t);
      port_sockets_[p.index]->nb_transport_bw(*gp, phase, delay);
    }
  }
  // One grant per cycle among the ports with an eligible request whose target can take it.
  pos_.forget_before(t);
  if (pos_.first_free(t) == t) {
    scratch_.clear();
    for (const Port& p : ports_) {
      if (p.queue.empty()) continue;
      const Pending& q = p.queue.front();
      if (q.eligible <= t && !target_busy(q.target)) scratch_.push_back(Candidate{p.index, p.cfg.qos, q.eligible / period});
    }
    if (!scratch_.empty()) {
      const unsigned w = arbiter_->pick(scratch_, t / period);
      pos_.grant(t);
      Port& winner = ports_[w];
      const Pending q = winner.queue.front();
      winner.queue.pop_front();
      grant(winner, q, t);
    }
  }
  Picoseconds next = kNever;
  for (const Port& p : ports_) {
    if (!p.queue.empty() && !target_busy(p.queue.front().target))
      next = std::min(next, pos_.first_free(std::max(p.queue.front().eligible, t)));
    if (p.blocked != nullptr) next = std::min(next, p.releases.next_ready());
  }
  if (next != kNever) wake_at(next);
}

std::uint64_t Crossbar::snoop_ports(const Txn& x, const Port& p) const {
  const std::uint64_t others = ace_mask_ & ~bit(p.index);
  if (is_maintenance(x.op)) return others;
  if (!is_snooping(x.op)) return 0;
  if (p.cfg.kind == PortKind::Ace) return others;
  if (p.cfg.kind == PortKind::AceLite && MemExt::of(*x.gp).coherence == Coherence::IoCoherent) return others;
  return 0;
}

void Crossbar::grant(Port& p, const Pending& q, Picoseconds t) {
  last_port_ = p.index;
  Txn& x = *new_txn();
  tlm::tlm_generic_payload& gp = *q.gp;
  MemExt& ext = MemExt::of(gp);
  x.gp = &gp;
  x.port = p.index;
  x.target = q.target;
  x.orig_op = ext.op;
  x.op = ext.op;
  x.address = gp.get_address();
  x.length = gp.get_data_length();
  x.arrival = q.arrival;
  x.ready = t;
  x.dispatching = true;
  if (p.cfg.kind == PortKind::AceLite && ext.coherence == Coherence::IoCoherent) {
    if (gp.is_read() && (x.op == BusOp::ReadNoSnoop || x.op == BusOp::Load)) x.op = BusOp::ReadOnce;
    if (gp.is_write() && (x.op == BusOp::WriteNoSnoop || x.op == BusOp::Store)) x.op = BusOp::WriteUnique;
    ext.op = x.op;
  }
  x.line_base = x.address & ~std::uint64_t{granule_ - 1};
  const std::uint64_t end = x.address + std::max(1u, x.length);
  x.lines = static_cast<unsigned>(std::min<std::uint64_t>(kLines, (end - x.line_base + granule_ - 1) / granule_));
  for (unsigned i = 0; i < x.lines; ++i) x.snoop[i] = SnoopResponse{};

  if (x.target == kNoTarget) {  // set/way operation with no cache below: nothing to do here
    x.dispatching = false;
    finish(x);
    return;
  }
  const Target& tg = targets_[x.target];
  const LatencyConfig& lat = config_.latency;

  // Snoops (immediate calls; their latency is charged here).
  const std::uint64_t mask = snoop_ports(x, p);
  const Picoseconds snoop_done = mask != 0 ? snoop_lines(x, mask, t) : t;
  x.ready = snoop_done;
  if (filter_ && p.cfg.kind == PortKind::Ace) {
    if (x.op == BusOp::ReadShared || x.op == BusOp::ReadUnique || x.op == BusOp::CleanUnique)
      filter_->set(x.address, x.length, p.index);
    if (x.op == BusOp::WriteBack || x.op == BusOp::CleanInvalid || x.op == BusOp::MakeInvalid)
      filter_->clear(x.address, x.length, bit(p.index));  // evicted, or invalidated on the way
  }

  // Dirty snoop data the requester does not take goes below first.
  const bool takes_dirty = x.op == BusOp::ReadUnique;
  const bool can_write_back = tg.cfg.kind != TargetKind::Registers;
  if (x.snooped && !takes_dirty && can_write_back)
    for (unsigned i = 0; i < x.lines; ++i)
      if (x.snoop[i].hit && x.snoop[i].dirty)
        write_back(x, x.line_base + i * std::uint64_t{granule_}, x.snoop[i].version, snoop_done + cycles(lat.forward));

  bool main = true;
  Picoseconds send_at = snoop_done + cycles(lat.forward);
  if (gp.is_read()) {
    bool all = x.snooped;
    for (unsigned i = 0; i < x.lines && all; ++i) all = x.snoop[i].hit;
    // Below a `next` target a ReadUnique still goes down: the cache there secures ownership.
    if (all && !(tg.cfg.kind == TargetKind::Next && x.op == BusOp::ReadUnique)) {
      main = false;
      if (config_.speculative_read && tg.cfg.kind != TargetKind::Registers) dropped_read(x, t + cycles(lat.forward));
    } else if (config_.speculative_read && x.snooped) {
      send_at = t + cycles(lat.forward);
    }
  } else if (!gp.is_write()) {
    main = tg.cfg.kind != TargetKind::Memory;  // memory has nothing to do for a dataless op
  }
  if (main) {
    x.main = true;
    gp.set_address(offset_in(x.target, x.address));
    links_.add(&gp, Link{&x, Role::Main});
    send(x.target, gp, send_at);
  }
  x.dispatching = false;
  maybe_finish(x);
}

// ---- snoops ----------------------------------------------------------------------------------

void Crossbar::filter_after_snoop(std::uint64_t line, std::uint32_t bytes, unsigned port, BusOp op,
                                  const SnoopResponse& r) {
  if (filter_ && (!r.kept || snoop_invalidates(op))) filter_->clear(line, bytes, bit(port));
}

Picoseconds Crossbar::snoop_lines(Txn& x, std::uint64_t mask, Picoseconds t) {
  SnoopRequest req;
  req.op = x.op;
  req.line_bytes = granule_;
  req.at = t + cycles(config_.latency.snoop);
  Picoseconds worst = 0;
  bool any = false;
  for (unsigned i = 0; i < x.lines; ++i) {
    req.line = x.line_base + i * std::uint64_t{granule_};
    req.full_line = x.address <= req.line && x.address + x.length >= req.line + granule_;
    std::uint64_t m = mask;
    if (filter_) {
      const std::uint64_t keep = filter_->mask(req.line, granule_);
      for (std::uint64_t f = m & ~keep; f != 0; f &= f - 1)
        if (ports_[static_cast<unsigned>(std::countr_zero(f))].snooper != nullptr) snoops_filtered_->inc();
      m &= keep;
    }
    for (; m != 0; m &= m - 1) {
      const unsigned q = static_cast<unsigned>(std::countr_zero(m));
      SnoopTarget* s = ports_[q].snooper;
      if (s == nullptr) continue;
      if (!needs_snoop(*s, req.line, granule_)) continue;
      const SnoopResponse r = s->snoop(req);
      snoops_sent_->inc();
      if (r.hit) snoop_hits_->inc();
      if (r.dirty) snoop_dirty_->inc();
      merge_snoop(x.snoop[i], r);
      worst = std::max(worst, r.latency);
      any = true;
      filter_after_snoop(req.line, granule_, q, req.op, r);
    }
  }
  x.snooped = any;
  if (!any) return t;
  return t + cycles(config_.latency.snoop + config_.latency.snoop_response) + worst;
}

bool Crossbar::needs_snoop(const SnoopTarget& s, std::uint64_t line, std::uint32_t bytes) const {
  if (config_.snoop != SnoopMode::Tags || s.may_hold(line, bytes)) return true;
  snoops_filtered_->inc();
  return false;
}

SnoopResponse Crossbar::snoop_up(const SnoopRequest& request) {
  SnoopRequest sub = request;
  sub.at = request.at + cycles(config_.latency.snoop);
  std::uint64_t m = ace_mask_;
  if (filter_) {
    const std::uint64_t keep = filter_->mask(request.line, request.line_bytes);
    for (std::uint64_t f = m & ~keep; f != 0; f &= f - 1)
      if (ports_[static_cast<unsigned>(std::countr_zero(f))].snooper != nullptr) snoops_filtered_->inc();
    m &= keep;
  }
  SnoopResponse out;
  Picoseconds worst = 0;
  bool any = false;
  for (; m != 0; m &= m - 1) {
    const unsigned q = static_cast<unsigned>(std::countr_zero(m));
    SnoopTarget* s = ports_[q].snooper;
    if (s == nullptr) continue;
    if (!needs_snoop(*s, request.line, request.line_bytes)) continue;
    const SnoopResponse r = s->snoop(sub);
    snoops_sent_->inc();
    if (r.hit) snoop_hits_->inc();
    if (r.dirty) snoop_dirty_->inc();
    merge_snoop(out, r);
    worst = std::max(worst, r.latency);
    any = true;
    filter_after_snoop(request.line, request.line_bytes, q, request.op, r);
  }
  out.latency = any ? cycles(config_.latency.snoop + config_.latency.snoop_response) + worst : 0;
  return out;
}

// ---- towards the targets ---------------------------------------------------------------------

tlm::tlm_generic_payload& Crossbar::own_payload(const Txn& x, tlm::tlm_command cmd, std::uint64_t address,
                                                unsigned length, BusOp op) {
  tlm::tlm_generic_payload& gp = *pool_.allocate();
  gp.acquire();
  gp.set_command(cmd);
  gp.set_address(offset_in(x.target, address));
  gp.set_data_length(length);
  gp.set_streaming_width(length);
  gp.set_byte_enable_ptr(nullptr);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const MemExt& orig = MemExt::of(*x.gp);
  MemExt& ext = MemExt::of(gp);
  ext.initiator_id = orig.initiator_id;
  ext.stream_id = orig.stream_id;
  ext.txn_id = orig.txn_id;
  ext.created_at = now();
  ext.mem_type = MemType::NormalWriteBack;
  ext.coherence = Coherence::NonCoherent;
  ext.op = op;
  return gp;
}

void Crossbar::write_back(Txn& x, std::uint64_t line, std::uint64_t version, Picoseconds at) {
  tlm::tlm_generic_payload& gp = own_payload(x, tlm::TLM_WRITE_COMMAND, line, granule_, BusOp::WriteBack);
  MemExt::of(gp).add_version(version);
  links_.add(&gp, Link{&x, Role::Child});
  ++x.children;
  snoop_writebacks_->inc();
  send(x.target, gp, at);
}

void Crossbar::dropped_read(Txn& x, Picoseconds at) {
  tlm::tlm_generic_payload& gp =
      own_payload(x, tlm::TLM_READ_COMMAND, x.address, std::max(1u, x.length), BusOp::ReadNoSnoop);
  links_.add(&gp, Link{nullptr, Role::Dropped});
  spec_dropped_->inc();
  send(x.target, gp, at);
}

void Crossbar::send(unsigned target, tlm::tlm_generic_payload& gp, Picoseconds at) {
  targets_[target].requests->inc();
  if (target_busy(target)) {
    targets_[target].queue.push_back(Outgoing{&gp, at});
    return;
  }
  send_now(target, gp, at);
}

void Crossbar::send_now(unsigned target, tlm::tlm_generic_payload& gp, Picoseconds at) {
  Target& tg = targets_[target];
  const Picoseconds n = now();
  if (tg.cfg.kind == TargetKind::Memory && gp.is_write() && ctx_.oracle != nullptr) {
    const MemExt& ext = MemExt::of(gp);
    if (ext.version_count() > 0)
      ctx_.oracle->publish_range(tg.cfg.base.value + gp.get_address(), std::max(1u, gp.get_data_length()),
                                 ext.versions(), n);
  }
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::sc_time::from_value(at > n ? at - n : 0);
  const tlm::tlm_sync_enum status = target_sockets_[target]->nb_transport_fw(gp, phase, delay);
  if (status == tlm::TLM_ACCEPTED) {
    tg.blocked = true;
    tg.blocked_gp = &gp;
  } else if (status == tlm::TLM_COMPLETED || (status == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP)) {
    on_response(gp, n + delay.value());
  }
}

tlm::tlm_sync_enum Crossbar::target_bw(unsigned target, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                       sc_core::sc_time& delay) {
  Target& tg = targets_[target];
  if (tg.blocked && tg.blocked_gp == &gp && (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP)) {
    tg.blocked = false;
    tg.blocked_gp = nullptr;
    wake_at(now());  // send what was held for it
  }
  if (phase == tlm::END_REQ) return tlm::TLM_ACCEPTED;
  if (phase != tlm::BEGIN_RESP) {
    SC_REPORT_ERROR(name(), "nb_transport_bw: unexpected phase (base protocol: END_REQ or BEGIN_RESP)");
    return tlm::TLM_COMPLETED;
  }
  on_response(gp, now() + delay.value());
  return tlm::TLM_COMPLETED;
}

void Crossbar::on_response(tlm::tlm_generic_payload& gp, Picoseconds at) {
  Link link;
  const bool known = links_.take(&gp, link);
  assert(known && "a response to a payload the crossbar did not send");
  if (!known) return;
  if (link.role == Role::Dropped) {
    gp.release();
    return;
  }
  Txn& x = *link.txn;
  x.ready = std::max(x.ready, at);
  if (link.role == Role::Child) {
    gp.release();
    --x.children;
    maybe_finish(x);
    return;
  }
  x.main_done = true;
  gp.set_address(x.address);
  if (targets_[x.target].cfg.kind == TargetKind::Memory && gp.is_read() && gp.is_response_ok()) {
    // The point of coherency: the data is what memory holds now.
    MemExt& ext = MemExt::of(gp);
    ext.clear_versions();
    for (unsigned i = 0; i < x.lines && i < MemExt::kMaxLines; ++i) {
      const std::uint64_t line = x.line_base + i * std::uint64_t{granule_};
      ext.add_version(ctx_.oracle != nullptr ? ctx_.oracle->memory_version(line) : oracle::kInitialVersion);
    }
  }
  maybe_finish(x);
}

void Crossbar::maybe_finish(Txn& x) {
  if (x.dispatching || (x.main && !x.main_done) || x.children != 0) return;
  finish(x);
}

// ---- responses ---------------------------------------------------------------------------------

void Crossbar::finish(Txn& x) {
  tlm::tlm_generic_payload& gp = *x.gp;
  MemExt& ext = MemExt::of(gp);
  Port& p = ports_[x.port];
  const LatencyConfig& lat = config_.latency;
  gp.set_address(x.address);
  if (!x.main) gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (gp.is_read() && gp.is_response_ok()) {
    if (!x.main) {
      ext.clear_versions();
      for (unsigned i = 0; i < x.lines && i < MemExt::kMaxLines; ++i) ext.add_version(x.snoop[i].version);
    } else if (x.snooped) {
      for (unsigned i = 0; i < x.lines && i < ext.version_count(); ++i)
        if (x.snoop[i].hit) ext.set_version(i, x.snoop[i].version);
    }
  }
  if (x.op == BusOp::ReadShared || x.op == BusOp::ReadUnique) {
    bool kept = false, dirty = false;
    for (unsigned i = 0; i < x.lines; ++i) {
      kept |= x.snoop[i].kept;
      dirty |= x.snoop[i].dirty;
    }
    const bool from_below = x.main && x.target != kNoTarget && targets_[x.target].cfg.kind == TargetKind::Next;
    if (from_below) {  // the cache below answered; add what the snoops found
      ext.resp_shared = ext.resp_shared || kept;
      ext.resp_dirty = ext.resp_dirty || (x.op == BusOp::ReadUnique && dirty);
    } else {
      ext.resp_shared = kept;
      ext.resp_dirty = x.op == BusOp::ReadUnique && dirty;
    }
  }
  ext.op = x.orig_op;

  // The response path: response latency, then the data beats on the port's data path.
  const bool data = gp.is_read() || gp.is_write();
  const std::uint64_t dc = data ? config_.data_cycles(x.length) : 1;
  Picoseconds done = x.ready + cycles(lat.response + dc - 1);
  if (data) {
    Picoseconds& last = gp.is_read() ? p.read_free : p.write_free;
    done = std::max(done, last + cycles(dc));
    last = done;
  }
  p.latency->sample(done - std::min(done, x.arrival));
  p.releases.push(done, 0);
  if (p.blocked != nullptr) wake_at(done);
  --in_flight_;
  const unsigned port = x.port;
  free_txn(&x);

  const Picoseconds n = now();
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  sc_core::sc_time delay = sc_core::sc_time::from_value(done > n ? done - n : 0);
  port_sockets_[port]->nb_transport_bw(gp, phase, delay);
  gp.release();
}

}  // namespace dmasim::interconnect

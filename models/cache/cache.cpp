#include "models/cache/cache.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>

namespace dmasim::cache {
namespace {

constexpr std::uint64_t kPrefetchId = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();

Maint maint_of(BusOp op) {
  switch (op) {
    case BusOp::CleanShared:
    case BusOp::CleanSetWay: return Maint::Clean;
    case BusOp::MakeInvalid:
    case BusOp::InvalidateSetWay: return Maint::Invalidate;
    default: return Maint::CleanInvalidate;
  }
}

bool is_read_op(BusOp op) {
  return op == BusOp::Load || op == BusOp::ReadShared || op == BusOp::ReadUnique || op == BusOp::ReadOnce;
}

}  // namespace

Cache::Cache(const sc_core::sc_module_name& name, const CacheConfig& config, const ClockDomain& clock,
             const ModelContext& ctx)
    : sc_module(name),
      upstream("upstream"),
      downstream("downstream"),
      config_(config),
      clock_(clock),
      ctx_(ctx),
      group_(ctx.group()),
      array_(config_, group_, ctx.seed),
      mshr_(config_.mshrs, config_.mshr_targets, static_cast<unsigned>(config_.line_size.bytes), group_.group("mshr")),
      wb_(config_.write_buffer, static_cast<unsigned>(config_.line_size.bytes), group_.group("write_buffer")),
      prefetcher_(config_.prefetch, static_cast<unsigned>(config_.line_size.bytes)),
      pool_(PayloadPool::kDefaultMaxDataBytes, 0),
      misses_(config_.mshrs),
      targets_(static_cast<std::size_t>(config_.mshrs) * config_.mshr_targets),
      prefetched_(static_cast<std::size_t>(array_.sets()) * array_.ways(), false),
      ready_at_(static_cast<std::size_t>(array_.sets()) * array_.ways(), 0),
      pf_issued_(group_.group("prefetch").counter("issued", "lines", "prefetches sent below")),
      pf_useful_(group_.group("prefetch").counter("useful", "lines", "prefetched lines used by a demand access")),
      pf_late_(group_.group("prefetch").counter("late", "lines",
                                                "demand accesses that found their line's prefetch still in flight")),
      hits_before_ready_(group_.counter("hits_before_ready", "accesses",
                                        "hits on a filled line whose data arrives after the request's time "
                                        "(answered then, like a merged miss)")),
      port_stall_cycles_(group_.counter("port_stall_cycles", "cycles",
                                        "cycles requests waited for the upstream port (one request per cycle)")),
      backpressure_cycles_(group_.counter("backpressure_cycles", "cycles",
                                          "cycles a request was held (no MSHR, write-buffer space, PL310 stall)")),
      passed_through_(group_.counter("passed_through", "requests", "non-cacheable and device accesses forwarded")),
      snoops_forwarded_up_(group_.counter("snoops_forwarded_up", "snoops", "snoops passed to the caches above")),
      back_invalidations_(group_.counter("back_invalidations", "lines", "inclusive evictions snooped above")),
      reg_reads_(group_.group("registers").counter("reads", "accesses", "PL310 register reads")),
      reg_writes_(group_.group("registers").counter("writes", "accesses", "PL310 register writes")),
      reg_syncs_(group_.group("registers").counter("cache_sync", "operations", "PL310 CACHE_SYNC operations")),
      wb_hits_(group_.counter("write_buffer_hits", "accesses", "misses served from the write buffer")),
      mshr_avg_(group_.group("mshr").scalar("avg_occupancy", "entries", "time-weighted mean MSHRs in use")),
      mshr_peak_(group_.group("mshr").scalar("max_occupancy", "entries", "most MSHRs in use at once")) {
  upstream.bind(*this);
  downstream.bind(*this);
  out_.reserve(static_cast<std::size_t>(config_.mshrs) + config_.write_buffer + 8);
  mshr_peak_.set(0);
  SC_METHOD(scheduler);
  sensitive << wake_event_;
  dont_initialize();
}

Cache::~Cache() = default;

void Cache::set_register_window(std::uint64_t base, std::uint64_t size) {
  reg_base_ = base;
  reg_size_ = size;
}

bool Cache::idle() const {
  return mshr_.in_use() == 0 && wb_.empty() && outstanding_wb_ == 0 && sends_.empty() && blocked_ == nullptr &&
         due_.empty() && stalled_fills_.empty() && !atomic_active_at(now()) && !way_op_.active && out_.empty();
}

bool Cache::prefetched(std::uint64_t addr) const {
  const Probe p = array_.lookup(addr);
  return p.hit && prefetched_[static_cast<std::size_t>(p.set) * array_.ways() + p.way];
}

void Cache::wake(Picoseconds at) { wake_event_.notify(after(at)); }

// ------------------------------------------------------------------------------------------------
// Upstream

tlm::tlm_sync_enum Cache::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                          sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;  // END_RESP: nothing to do
  const Picoseconds arrival = now() + delay.value();
  Picoseconds start = std::max(arrival, port_free_);
  port_free_ = start + clock_.period;
  port_stall_cycles_.inc((start - arrival) / clock_.period);
  Picoseconds held_until = 0;
  if (atomic_answered() && start < atomic_.ready && blocked_ == nullptr) {
    // A line operation answered in its call is still under way: the request is taken when it
    // ends (END_REQ annotated with that time), as a held request would be, without holding the
    // socket and waking up to retry it.
    backpressure_cycles_.inc((atomic_.ready - start) / clock_.period);
    start = held_until = atomic_.ready;
    port_free_ = std::max(port_free_, start + clock_.period);
  }
  Result r;
  if (!atomic_busy(start) && blocked_ == nullptr) r = process(gp, start);
  switch (r.outcome) {
    case Outcome::Completed:
    case Outcome::Forwarded:
      delay = after(r.done);
      return tlm::TLM_COMPLETED;
    case Outcome::Accepted:
      phase = tlm::END_REQ;
      delay = held_until > 0 ? after(held_until) : sc_core::SC_ZERO_TIME;
      return tlm::TLM_UPDATED;
    case Outcome::Stall:
      break;
  }
  gp.acquire();
  blocked_ = &gp;
  blocked_since_ = start;
  if (atomic_.active && !atomic_.wb_pending) wake(atomic_.ready);  // retried when the operation ends
  return tlm::TLM_ACCEPTED;
}

void Cache::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
  gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);  // dmasim is approximately timed only
}

void Cache::retry_blocked() {
  if (blocked_ == nullptr || atomic_busy(now())) return;
  tlm::tlm_generic_payload* gp = blocked_;
  const Picoseconds start = std::max(blocked_since_, now());
  const Result r = process(*gp, start);
  if (r.outcome == Outcome::Stall) return;
  blocked_ = nullptr;
  port_free_ = std::max(port_free_, start + clock_.period);
  backpressure_cycles_.inc((start - blocked_since_) / clock_.period);
  tlm::tlm_phase phase = tlm::END_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  if (r.outcome != Outcome::Accepted) {
    phase = tlm::BEGIN_RESP;  // implies END_REQ
    delay = after(r.done);
  }
  upstream->nb_transport_bw(*gp, phase, delay);
  gp->release();
}

void Cache::respond_up(tlm::tlm_generic_payload& gp, Picoseconds at) {
  if (gp.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE) gp.set_response_status(tlm::TLM_OK_RESPONSE);
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  sc_core::sc_time delay = after(at);
  upstream->nb_transport_bw(gp, phase, delay);
  gp.release();
}

Cache::Result Cache::process(tlm::tlm_generic_payload& gp, Picoseconds start) {
  MemExt& ext = MemExt::of(gp);
  const std::uint64_t addr = gp.get_address();
  if (config_.outer && reg_size_ > 0 && addr >= reg_base_ && addr - reg_base_ < reg_size_ &&
      ext.mem_type == MemType::Device)
    return register_access(gp, start);
  // Non-coherent, non-cacheable and device accesses pass through in zero cycles.
  if (is_no_snoop(ext.op) || ext.mem_type != MemType::NormalWriteBack) {
    passed_through_.inc();
    return forward(gp, start);
  }
  switch (ext.op) {
    case BusOp::WriteBack:
    case BusOp::WriteClean:
      return absorb(gp, ext, start);
    case BusOp::WriteUnique:
      if (gp.get_data_length() >= config_.line_size.bytes) return absorb(gp, ext, start);
      return access(gp, ext, start);
    case BusOp::CleanShared:
    case BusOp::CleanInvalid:
    case BusOp::MakeInvalid:
      return maintenance(gp, ext, start);
    case BusOp::CleanSetWay:
    case BusOp::InvalidateSetWay:
    case BusOp::CleanInvalidateSetWay:
      return set_way(gp, ext, start);
    default:
      return access(gp, ext, start);
  }
}

std::size_t Cache::alloc_target() {
  for (std::size_t i = 0; i < targets_.size(); ++i)
    if (targets_[i].gp == nullptr) return i;
  return kNoSlot;
}

void Cache::count_access(std::uint64_t addr, bool is_write, std::uint64_t version) {
  // Only for lines that miss or need an upgrade: neither call changes the line then.
  if (is_write) array_.write(addr, version);
  else array_.read(addr);
}

void Cache::answer_read(tlm::tlm_generic_payload& gp, const LineInfo& line, bool passed_up) {
  MemExt& ext = MemExt::of(gp);
  ext.clear_versions();
  const std::uint64_t first = array_.line_address(gp.get_address());
  const std::uint64_t end = gp.get_address() + std::max(1u, gp.get_data_length());
  for (std::uint64_t l = first; l < end && ext.version_count() < MemExt::kMaxLines; l += array_.line_size())
    ext.add_version(line.version);
  // A cache below others passes no unique permission it does not hold.
  ext.resp_shared = line.state == LineState::Shared || line.state == LineState::Owned;
  ext.resp_dirty = passed_up && line.dirty();
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

Cache::Result Cache::access(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start) {
  const std::uint64_t addr = gp.get_address();
  const std::uint64_t line = array_.line_address(addr);
  const BusOp op = ext.op;
  const bool is_write = op == BusOp::Store || op == BusOp::WriteUnique;
  const bool need_unique = is_write || op == BusOp::ReadUnique || op == BusOp::CleanUnique;
  const std::uint64_t version = ext.version_count() > 0 ? ext.versions()[0] : 0;
  const Picoseconds done = start + cycles(config_.hit_latency);
  const bool exclusive_up =
      config_.inclusion == Inclusion::Exclusive && (op == BusOp::ReadShared || op == BusOp::ReadUnique);

  Probe p = array_.lookup(addr);
  if (!p.hit && !mshr_.pending(line)) {
    // A line waiting in the write buffer (or on its way below) is taken back from there.
    std::optional<std::uint64_t> queued = wb_.find(line);
    const bool in_wb = queued.has_value();
    if (!in_wb)
      for (const Outstanding& o : out_)
        if (o.kind == OutKind::WriteBack && o.line == line) queued = o.version;
    if (queued) {
      if (in_wb) wb_.remove(line);  // frees the slot a dirty victim may need
      if (!can_allocate(line)) return {Outcome::Stall, 0};  // (not queued here: nothing to put back)
      wb_hits_.inc();
      allocate(line, LineState::Modified, *queued);
      p = array_.lookup(addr);
    }
  }

  if (p.hit && (!need_unique || is_unique(p.state))) {
    const std::size_t slot = static_cast<std::size_t>(p.set) * array_.ways() + p.way;
    // A fill that is in but whose data arrives after this request's time: answered when it
    // does, as a request merged into the pending miss would be.
    const bool before_ready = ready_at_[slot] > done;
    if (before_ready) hits_before_ready_.inc();
    if (is_write) {
      array_.write(addr, version);
      if (op == BusOp::Store && config_.level == 1 && ctx_.oracle != nullptr && ext.version_count() > 0)
        ctx_.oracle->publish(line, version, before_ready ? ready_at_[slot] : start, oracle::Scope::Domain);
    } else {
      array_.read(addr);
    }
    const LineInfo li = array_.find(addr);
    if (is_read_op(op)) answer_read(gp, li, exclusive_up && is_unique(li.state));
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (exclusive_up && is_unique(li.state)) array_.set_state(line, LineState::Invalid);  // moves up
    if (prefetched_[slot]) {
      prefetched_[slot] = false;
      if (before_ready) {
        pf_late_.inc();
      } else {
        pf_useful_.inc();
        prefetch_after(addr, done);
      }
    }
    return {Outcome::Completed, before_ready ? ready_at_[slot] : done};
  }

  // A CleanUnique from above for a line not held here: it goes below as it is.
  if (!p.hit && op == BusOp::CleanUnique && !mshr_.pending(line)) return forward(gp, done);

  const std::size_t id = alloc_target();
  if (id == kNoSlot) return {Outcome::Stall, 0};
  const MshrAdd added = mshr_.add(addr, is_write, id);
  if (added == MshrAdd::NoEntry || added == MshrAdd::NoTarget) return {Outcome::Stall, 0};
  gp.acquire();
  targets_[id] = Target{&gp, op, need_unique, true, done};
  // A miss is counted once: requests merged into a pending miss count as MSHR merges only.
  if (added == MshrAdd::Allocated) count_access(addr, is_write, version);
  if (added == MshrAdd::Merged) {
    Miss* m = find_miss(line);
    if (m != nullptr && m->prefetch && !m->demand) pf_late_.inc();
    if (m != nullptr) m->demand = true;
    return {Outcome::Accepted, 0};
  }
  if (p.hit) {
    start_miss(line, MissKind::Upgrade, true, false, &ext, done);
  } else {
    start_miss(line, MissKind::Fill, need_unique, false, &ext, done);
    if (op != BusOp::CleanUnique) prefetch_after(addr, done);
  }
  return {Outcome::Accepted, 0};
}

Cache::Result Cache::absorb(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start) {
  const std::uint64_t line = array_.line_address(gp.get_address());
  if (!can_allocate(line)) return {Outcome::Stall, 0};
  const std::uint64_t version = ext.version_count() > 0 ? ext.versions()[0] : 0;
  wb_.remove(line);  // an older queued copy
  allocate(line, LineState::Modified, version);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return {Outcome::Completed, start + cycles(config_.hit_latency)};
}

Cache::Result Cache::maintenance(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start) {
  const std::uint64_t line = array_.line_address(gp.get_address());
  const Picoseconds done = start + cycles(config_.hit_latency);
  const bool carries = gp.is_write() && ext.version_count() > 0;
  if (config_.outer) {
    // Not on the CP15 maintenance path: absorb the data it carries as a write, answer.
    if (carries) {
      if (!can_allocate(line)) return {Outcome::Stall, 0};
      wb_.remove(line);
      allocate(line, LineState::Modified, ext.versions()[0]);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return {Outcome::Completed, done};
  }
  // A fill in progress for the line (a store that missed just before the DC CVAC that cleans it):
  // the operation waits for it, as same-address ordering requires; otherwise it would find no
  // line, and the data arriving after it would stay dirty here.
  if (mshr_.pending(line)) return {Outcome::Stall, 0};
  const Maint op = maint_of(ext.op);
  const LineOutcome o = array_.maintain(op, line);
  const std::optional<std::uint64_t> queued = wb_.find(line);
  if (queued) wb_.remove(line);
  std::optional<std::uint64_t> carry;
  if (op == Maint::Invalidate) {
    if (queued) array_.stats().lost_dirty.inc();
  } else if (!carries) {
    if (o.writeback) carry = o.line.version;
    else if (queued) carry = *queued;
  } else if (op == Maint::Clean && o.present()) {
    array_.set_version(line, ext.versions()[0]);  // the newer data from above, now clean here too
  }
  if (carry) {
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    if (gp.get_data_length() < config_.line_size.bytes) {
      gp.set_data_length(static_cast<unsigned>(config_.line_size.bytes));
      gp.set_streaming_width(static_cast<unsigned>(config_.line_size.bytes));
    }
    ext.clear_versions();
    ext.add_version(*carry);
  }
  return forward(gp, done);
}

Cache::Result Cache::set_way(tlm::tlm_generic_payload& gp, MemExt& ext, Picoseconds start) {
  const std::uint64_t operand = gp.get_address();
  const unsigned level = static_cast<unsigned>((operand >> 1) & 7u);
  if (config_.outer) {  // never takes set/way operations
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return {Outcome::Completed, start};
  }
  if (level != config_.level - 1) return forward(gp, start);
  const Maint op = maint_of(ext.op);
  const SetWay sw = array_.decode_set_way_operand(operand);
  const LineInfo li = array_.line_at(sw.set, sw.way);
  if (op != Maint::Invalidate && li.dirty() && wb_.full()) return {Outcome::Stall, 0};
  const LineOutcome o = array_.maintain_set_way(op, sw.set, sw.way);
  if (o.writeback) push_writeback(o.line.addr, o.line.version);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return {Outcome::Completed, start + cycles(config_.hit_latency)};
}

Cache::Result Cache::forward(tlm::tlm_generic_payload& gp, Picoseconds due) {
  gp.acquire();
  out_.push_back(Outstanding{&gp, OutKind::Forward, 0, 0, false});
  if (down_busy_ || !sends_.empty()) {
    sends_.push_back(QueuedSend{&gp, due});
    return {Outcome::Accepted, 0};
  }
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = after(due);
  const tlm::tlm_sync_enum s = downstream->nb_transport_fw(gp, phase, delay);
  if (s == tlm::TLM_COMPLETED || (s == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP)) {
    erase_outstanding(&gp);
    gp.release();
    return {Outcome::Forwarded, now() + delay.value()};
  }
  Outstanding* o = find_outstanding(&gp);
  if (o == nullptr) return {Outcome::Accepted, 0};  // answered inside the call (and relayed up)
  o->sent = true;
  if (s == tlm::TLM_ACCEPTED) {
    down_busy_ = true;
    down_wait_ = &gp;
  }
  return {Outcome::Accepted, 0};
}

// ------------------------------------------------------------------------------------------------
// Misses and fills

Cache::Miss* Cache::find_miss(std::uint64_t line) {
  for (Miss& m : misses_)
    if (m.valid && m.line == line) return &m;
  return nullptr;
}

bool Cache::start_miss(std::uint64_t line, MissKind kind, bool unique, bool prefetch, const MemExt* from,
                       Picoseconds due) {
  Miss* slot = nullptr;
  for (Miss& m : misses_)
    if (!m.valid) {
      slot = &m;
      break;
    }
  assert(slot != nullptr && "miss records out of step with the MSHR table");
  if (slot == nullptr) return false;
  *slot = Miss{true, line, kind, unique, prefetch, !prefetch};
  const BusOp op = kind == MissKind::Upgrade ? BusOp::CleanUnique : unique ? BusOp::ReadUnique : BusOp::ReadShared;
  tlm::tlm_generic_payload* gp =
      new_payload(op, kind == MissKind::Upgrade ? tlm::TLM_IGNORE_COMMAND : tlm::TLM_READ_COMMAND, line, from);
  mshr_.mark_issued(line, unique);
  out_.push_back(Outstanding{gp, OutKind::Miss, line, 0, false});
  mshr_changed();
  send_or_queue(gp, due);
  return true;
}

bool Cache::may_write_back(const LineInfo& victim) const {
  return victim.dirty() || (config_.inclusion == Inclusion::Inclusive && upstream_snooper_ != nullptr);
}

bool Cache::can_allocate(std::uint64_t line) const {
  if (array_.contains(line)) return true;
  const LineInfo victim = array_.line_at(array_.set_of(line), array_.victim_way(line));
  return !victim.valid() || !may_write_back(victim) || !wb_.full();
}

bool Cache::allocate(std::uint64_t line, LineState state, std::uint64_t version, bool prefetched, Picoseconds ready) {
  bool above_dirty = false;
  std::uint64_t above_version = 0;
  Probe p = array_.lookup(line);
  if (!p.hit) {
    // fill() takes the way victim_way() names (the lowest invalid one, else the policy's).
    const unsigned set = array_.set_of(line);
    const unsigned way = array_.victim_way(line);
    const LineInfo victim = array_.line_at(set, way);
    if (victim.valid()) {
      if (may_write_back(victim) && wb_.full()) return false;
      back_invalidate(victim, above_version, above_dirty);
    }
    p = Probe{true, set, way, state};
  }
  const LineOutcome o = array_.fill(line, state, version);
  if (above_dirty) {
    if (!o.writeback) array_.stats().writebacks.inc();
    push_writeback(o.line.addr, above_version, ready);
  } else if (o.writeback) {
    push_writeback(o.line.addr, o.line.version, ready);
  }
  const std::size_t slot = static_cast<std::size_t>(p.set) * array_.ways() + p.way;
  prefetched_[slot] = prefetched;
  ready_at_[slot] = ready;
  return true;
}

void Cache::back_invalidate(const LineInfo& victim, std::uint64_t& wb_version, bool& wb) {
  if (config_.inclusion != Inclusion::Inclusive || upstream_snooper_ == nullptr) return;
  SnoopRequest req;
  req.op = BusOp::CleanInvalid;
  req.line = victim.addr;
  req.line_bytes = array_.line_size();
  req.at = now();
  const SnoopResponse r = upstream_snooper_->snoop(req);
  back_invalidations_.inc();
  if (r.hit && r.dirty) {
    wb = true;
    wb_version = r.version;
  }
}

bool Cache::push_writeback(std::uint64_t line, std::uint64_t version, Picoseconds not_before) {
  const WbPush r = wb_.push(line, version, not_before);
  assert(r != WbPush::Full && "callers check for write-buffer space");
  wake(now());
  return r != WbPush::Full;
}

bool Cache::serve(const Target& t, Picoseconds at) {
  tlm::tlm_generic_payload& gp = *t.gp;
  MemExt& ext = MemExt::of(gp);
  const std::uint64_t addr = gp.get_address();
  const std::uint64_t line = array_.line_address(addr);
  const LineInfo li = array_.find(addr);
  if (!li.valid() || (t.need_unique && !is_unique(li.state))) return false;
  switch (t.op) {
    case BusOp::Store:
    case BusOp::WriteUnique: {
      const std::uint64_t v = ext.version_count() > 0 ? ext.versions()[0] : 0;
      array_.set_state(line, LineState::Modified);
      array_.set_version(line, v);
      if (t.op == BusOp::Store && config_.level == 1 && ctx_.oracle != nullptr && ext.version_count() > 0)
        ctx_.oracle->publish(line, v, at, oracle::Scope::Domain);
      break;
    }
    case BusOp::CleanUnique:
      break;
    default:
      answer_read(gp, li, false);
      break;
  }
  respond_up(gp, std::max(at, t.earliest));
  return true;
}

bool Cache::handle_due(tlm::tlm_generic_payload* gp, Picoseconds at) {
  Outstanding* o = find_outstanding(gp);
  if (o == nullptr) return true;
  if (o->kind == OutKind::WriteBack) {
    --outstanding_wb_;
    erase_outstanding(gp);
    gp->release();
    return true;
  }
  return complete_miss(*gp, at);
}

bool Cache::complete_miss(tlm::tlm_generic_payload& gp, Picoseconds t) {
  Outstanding* o = find_outstanding(&gp);
  const std::uint64_t line = o->line;
  Miss* m = find_miss(line);
  assert(m != nullptr);
  MemExt& ext = MemExt::of(gp);
  const std::uint64_t version = ext.version_count() > 0 ? ext.versions()[0] : 0;
  // An exclusive cache below others hands demand fills up without allocating them.
  const bool pass_up =
      config_.inclusion == Inclusion::Exclusive && config_.level > 1 && !(m->prefetch && !m->demand);
  if (m->kind == MissKind::Fill) {
    if (!array_.contains(line) && !pass_up) {
      LineState state = LineState::Exclusive;
      if (ext.resp_dirty) state = ext.resp_shared && config_.protocol == Protocol::Moesi ? LineState::Owned
                                                                                       : LineState::Modified;
      else if (ext.resp_shared) state = LineState::Shared;
      if (!allocate(line, state, version, m->prefetch && !m->demand, t)) return false;  // waits for write-buffer space
    }
  } else {
    const LineInfo li = array_.find(line);
    if (li.valid()) array_.set_state(line, li.state == LineState::Owned ? LineState::Modified
                                           : li.state == LineState::Shared ? LineState::Exclusive
                                                                          : li.state);
  }
  // fill_targets_ is a member (no allocation per fill); completing_ keeps a fill that the
  // answers below cause from completing inside this one (it goes through the scheduler).
  struct Guard {
    bool& flag;
    explicit Guard(bool& f) : flag(f) { flag = true; }
    ~Guard() { flag = false; }
  } guard(completing_);
  std::vector<MshrTarget>& list = fill_targets_;
  list.clear();
  mshr_.complete(line, list);
  *m = Miss{};
  const bool resp_shared = ext.resp_shared, resp_dirty = ext.resp_dirty;
  erase_outstanding(&gp);
  gp.release();
  mshr_changed();

  std::vector<MshrTarget> again;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const MshrTarget mt = list[k];  // (by value: serve() may start a miss, which reuses nothing here)
    if (mt.id == kPrefetchId) continue;
    Target target = targets_[mt.id];
    if (pass_up) {
      // Exclusive cache: the fill goes up without being allocated here.
      tlm::tlm_generic_payload& up = *target.gp;
      MemExt& e = MemExt::of(up);
      if (target.op != BusOp::CleanUnique) {
        e.clear_versions();
        e.add_version(version);
      }
      e.resp_shared = resp_shared;
      e.resp_dirty = resp_dirty;
      const Picoseconds earliest = target.earliest;
      targets_[mt.id] = Target{};
      respond_up(up, std::max(t, earliest));
      continue;
    }
    if (serve(target, t)) {
      targets_[mt.id] = Target{};
    } else {
      again.push_back(mt);
    }
  }
  // Requests that needed ownership the fill did not bring: an upgrade (or a new fill) now.
  for (const MshrTarget& mt : again) {
    const MshrAdd r = mshr_.add(mt.addr, mt.is_write, mt.id);
    assert(r == MshrAdd::Allocated || r == MshrAdd::Merged);
    if (r == MshrAdd::Allocated) {
      const bool present = array_.contains(line);
      start_miss(line, present ? MissKind::Upgrade : MissKind::Fill, true, false,
                 &MemExt::of(*targets_[mt.id].gp), t);
    }
  }
  return true;
}

void Cache::prefetch_after(std::uint64_t addr, Picoseconds due) {
  if (!prefetcher_.enabled()) return;
  prefetcher_.candidates(addr, pf_scratch_);
  for (const std::uint64_t a : pf_scratch_) {
    if (mshr_.capacity() - mshr_.in_use() < 2) break;
    if (array_.contains(a) || mshr_.pending(a) || wb_.find(a)) continue;
    if (mshr_.add(a, false, kPrefetchId) != MshrAdd::Allocated) break;
    pf_issued_.inc();
    start_miss(array_.line_address(a), MissKind::Fill, false, true, nullptr, due);
  }
}

void Cache::mshr_changed() {
  const Picoseconds t = now();
  mshr_area_ += static_cast<double>(mshr_level_) * static_cast<double>(t - mshr_last_);
  mshr_last_ = t;
  mshr_level_ = mshr_.in_use();
  if (t > 0) mshr_avg_.set(mshr_area_ / static_cast<double>(t));
  if (static_cast<double>(mshr_level_) > mshr_peak_.value()) mshr_peak_.set(mshr_level_);
}

// ------------------------------------------------------------------------------------------------
// Downstream

tlm::tlm_generic_payload* Cache::new_payload(BusOp op, tlm::tlm_command cmd, std::uint64_t line,
                                             const MemExt* from) {
  tlm::tlm_generic_payload* gp = pool_.allocate();
  gp->acquire();
  gp->set_command(cmd);
  gp->set_address(line);
  gp->set_data_length(static_cast<unsigned>(config_.line_size.bytes));
  gp->set_streaming_width(static_cast<unsigned>(config_.line_size.bytes));
  gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  MemExt& ext = MemExt::of(*gp);
  ext.op = op;
  ext.mem_type = MemType::NormalWriteBack;
  ext.coherence = Coherence::FullyCoherent;
  if (from != nullptr) {
    ext.initiator_id = from->initiator_id;
    ext.stream_id = from->stream_id;
    ext.txn_id = from->txn_id;
    ext.created_at = from->created_at;
  } else {
    ext.created_at = now();
  }
  return gp;
}

void Cache::send_or_queue(tlm::tlm_generic_payload* gp, Picoseconds due) {
  if (down_busy_ || !sends_.empty()) {
    sends_.push_back(QueuedSend{gp, due});
    wake(now());
    return;
  }
  send(gp, due);
}

bool Cache::send(tlm::tlm_generic_payload* gp, Picoseconds due) {
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = after(due);
  if (Outstanding* o = find_outstanding(gp)) o->sent = true;
  const tlm::tlm_sync_enum s = downstream->nb_transport_fw(*gp, phase, delay);
  if (s == tlm::TLM_COMPLETED || (s == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP)) {
    response_from_below(*gp, now() + delay.value());
  } else if (s == tlm::TLM_ACCEPTED) {
    down_busy_ = true;
    down_wait_ = gp;
  }
  return true;
}

void Cache::pump() {
  while (!down_busy_ && !sends_.empty()) {
    const QueuedSend q = sends_.front();
    sends_.pop_front();
    send(q.gp, q.due);
  }
  drain_write_buffer();
}

void Cache::drain_write_buffer() {
  bool popped = false;
  while (!down_busy_ && sends_.empty() && !wb_.empty()) {
    const WriteBufferEntry e = wb_.front();
    wb_.pop_front();
    popped = true;
    // Still held (a clean that kept the line): WriteClean; gone: WriteBack.
    const BusOp op = array_.contains(e.line) ? BusOp::WriteClean : BusOp::WriteBack;
    tlm::tlm_generic_payload* gp = new_payload(op, tlm::TLM_WRITE_COMMAND, e.line, nullptr);
    MemExt::of(*gp).add_version(e.version);
    out_.push_back(Outstanding{gp, OutKind::WriteBack, e.line, e.version, false});
    ++outstanding_wb_;
    send(gp, std::max(now(), e.not_before));
  }
  if (popped) wake(now());  // whatever waited for write-buffer space
}

Cache::Outstanding* Cache::find_outstanding(const tlm::tlm_generic_payload* gp) {
  for (Outstanding& o : out_)
    if (o.gp == gp) return &o;
  return nullptr;
}

void Cache::erase_outstanding(const tlm::tlm_generic_payload* gp) {
  for (auto it = out_.begin(); it != out_.end(); ++it)
    if (it->gp == gp) {
      out_.erase(it);
      return;
    }
}

void Cache::response_from_below(tlm::tlm_generic_payload& gp, Picoseconds at) {
  Outstanding* o = find_outstanding(&gp);
  if (o == nullptr) return;
  if (o->kind == OutKind::Forward) {
    // Relayed at once: the response changes nothing here.
    erase_outstanding(&gp);
    respond_up(gp, at);
    return;
  }
  if (completes_at_once(*o)) {
    // Applied now for its time `at` (the fill and its answers carry the annotation), instead of
    // waking the scheduler then. What the scheduler would still do at `at` waits for it.
    if (handle_due(&gp, at)) {
      if (blocked_ != nullptr || !sends_.empty() || !wb_.empty()) wake(at);
      return;
    }
  }
  auto it = due_.end();
  while (it != due_.begin() && std::prev(it)->ready > at) --it;
  if (it == due_.end()) due_.push_back(Due{at, &gp});  // (insert at begin() of an empty deque allocates)
  else due_.insert(it, Due{at, &gp});
  wake(at);
}

bool Cache::completes_at_once(const Outstanding& o) const {
  // Fills only: a writeback stays outstanding until its time (a miss may take its line back
  // meanwhile, CACHE_SYNC waits for it). And only when nothing handled by the scheduler could
  // come first or depends on the order: no earlier response waiting, no fill waiting for
  // write-buffer space, no atomic operation or by-way operation under way.
  if (completing_ || !due_.empty() || !stalled_fills_.empty() || atomic_active_at(now()) || way_op_.active) return false;
  return o.kind == OutKind::Miss;
}

tlm::tlm_sync_enum Cache::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                          sc_core::sc_time& delay) {
  if (&gp == down_wait_ && (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP)) {
    down_busy_ = false;
    down_wait_ = nullptr;
    wake(now());
  }
  if (phase == tlm::BEGIN_RESP) {
    response_from_below(gp, now() + delay.value());
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

// ------------------------------------------------------------------------------------------------
// The scheduler

void Cache::scheduler() {
  const Picoseconds t = now();
  // Fills that waited for write-buffer space go first, in order.
  while (!stalled_fills_.empty() && complete_miss(*stalled_fills_.front(), t)) stalled_fills_.pop_front();
  while (!due_.empty() && due_.front().ready <= t) {
    tlm::tlm_generic_payload* gp = due_.front().gp;
    due_.pop_front();
    if (!stalled_fills_.empty()) {
      Outstanding* o = find_outstanding(gp);
      if (o != nullptr && o->kind == OutKind::Miss) {
        stalled_fills_.push_back(gp);
        continue;
      }
    }
    if (!handle_due(gp, t)) stalled_fills_.push_back(gp);
  }
  atomic_progress();
  way_op_step();
  retry_blocked();
  pump();
  Picoseconds next = std::numeric_limits<Picoseconds>::max();
  if (!due_.empty()) next = due_.front().ready;
  if (atomic_.active && !atomic_.wb_pending && atomic_.ready > t) next = std::min(next, atomic_.ready);
  if (way_op_.active) next = std::min(next, std::max(way_op_.next_step, t + 1));
  if (next != std::numeric_limits<Picoseconds>::max()) wake(next);
}

// ------------------------------------------------------------------------------------------------
// Snoops

bool Cache::may_hold(std::uint64_t line, std::uint32_t line_bytes) const {
  if (config_.outer) return false;  // never snooped
  const std::uint64_t l = array_.line_address(line);
  if (array_.contains(l) || wb_.find(l)) return true;
  // Not inclusive: the caches above may hold it without this one (an inclusive cache holds all
  // they hold, and snoop() only passes a snoop up for a line it holds).
  return upstream_snooper_ != nullptr && config_.inclusion != Inclusion::Inclusive &&
         upstream_snooper_->may_hold(line, line_bytes);
}

SnoopResponse Cache::snoop(const SnoopRequest& req) {
  SnoopResponse r;
  if (config_.outer) return r;  // below the point of coherency: never snooped
  array_.stats().snoops_received.inc();
  const std::uint64_t line = array_.line_address(req.line);
  const LineInfo li = array_.find(line);
  const bool up = upstream_snooper_ != nullptr && (config_.inclusion != Inclusion::Inclusive || li.valid());
  SnoopResponse above;
  if (up) {
    snoops_forwarded_up_.inc();
    above = upstream_snooper_->snoop(req);
  }
  SnoopResponse own;
  if (li.valid()) {
    const LineState s = li.state;
    own.hit = true;
    own.version = li.version;
    switch (req.op) {
      case BusOp::ReadShared:
        own.kept = true;
        if (s == LineState::Modified) {
          if (config_.protocol == Protocol::Moesi) {
            array_.set_state(line, LineState::Owned);
          } else {
            array_.set_state(line, LineState::Shared);
            own.dirty = true;
          }
        } else if (s == LineState::Exclusive) {
          array_.set_state(line, LineState::Shared);
        }
        break;
      case BusOp::ReadOnce:
        own.kept = true;
        break;
      case BusOp::ReadUnique:
      case BusOp::CleanUnique:
      case BusOp::CleanInvalid:
        own.dirty = is_dirty(s);
        array_.set_state(line, LineState::Invalid);
        break;
      case BusOp::WriteUnique:
        own.dirty = is_dirty(s) && !req.full_line;
        array_.set_state(line, LineState::Invalid);
        break;
      case BusOp::CleanShared:
        own.dirty = is_dirty(s);
        own.kept = true;
        array_.set_state(line, cleaned(s));
        break;
      case BusOp::MakeInvalid:
        own.lost = is_dirty(s);
        if (own.lost) array_.stats().lost_dirty.inc();
        array_.set_state(line, LineState::Invalid);
        break;
      default:
        own.kept = true;
        break;
    }
  } else if (const auto queued = wb_.find(line)) {
    own.hit = true;
    own.version = *queued;
    switch (req.op) {
      case BusOp::ReadShared:
      case BusOp::ReadOnce:
        break;  // stays queued; not dirty (the buffer still writes it)
      case BusOp::MakeInvalid:
        wb_.remove(line);
        own.lost = true;
        array_.stats().lost_dirty.inc();
        break;
      case BusOp::WriteUnique:
        wb_.remove(line);
        own.dirty = !req.full_line;
        break;
      default:  // ReadUnique, CleanUnique, CleanShared, CleanInvalid
        wb_.remove(line);
        own.dirty = true;
        break;
    }
  }
  r = own;
  if (up) merge_snoop(r, above);
  r.latency = cycles(config_.snoop_latency) + (up ? above.latency : 0);
  return r;
}

// ------------------------------------------------------------------------------------------------
// PL310 registers and operations

Cache::Result Cache::register_access(tlm::tlm_generic_payload& gp, Picoseconds start) {
  const std::uint64_t offset = gp.get_address() - reg_base_;
  const Picoseconds done = start + cycles(config_.hit_latency);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (gp.is_read()) {
    reg_reads_.inc();
    std::uint32_t value = 0;
    switch (offset) {
      case pl310::kCacheId: value = pl310::kCacheIdValue; break;
      case pl310::kCtrl: value = ctrl_; break;
      case pl310::kInvWay:
      case pl310::kCleanWay:
      case pl310::kCleanInvWay: value = way_op_in_progress(); break;
      default: break;
    }
    if (gp.get_data_length() >= 4) std::memcpy(gp.get_data_ptr(), &value, 4);
    return {Outcome::Completed, done};
  }
  if (!gp.is_write()) return {Outcome::Completed, done};
  std::uint32_t value = 0;
  if (gp.get_data_length() >= 4) std::memcpy(&value, gp.get_data_ptr(), 4);
  const bool way_register = offset == pl310::kInvWay || offset == pl310::kCleanWay || offset == pl310::kCleanInvWay;
  if (way_register && way_op_.active) return {Outcome::Stall, 0};  // one background operation at a time
  reg_writes_.inc();
  auto line_op = [&](bool wb, const LineInfo& l) {
    if (!wb) {
      // Nothing to write back: the end of the operation is known now, so the register write is
      // answered in the call, and the operation ends by itself then (atomic_busy): no response
      // later and no wake-up, for the writer or for this cache. The ports still stall until then.
      atomic_ = AtomicOp{true, false, nullptr, done, false, 0, 0};
      return Result{Outcome::Completed, done};
    }
    gp.acquire();
    atomic_ = AtomicOp{true, false, &gp, done, wb, l.addr, l.version};
    wake(done);
    return Result{Outcome::Accepted, 0};
  };
  auto way_op = [&](Maint op, MaintStat stat) {
    const std::uint32_t mask = value & static_cast<std::uint32_t>((std::uint64_t{1} << array_.ways()) - 1);
    array_.stats().maint(stat).inc();
    if (mask != 0) {
      way_op_ = WayOp{true, op, mask, mask, 0, 0, start};
      wake(start);
    }
    return Result{Outcome::Completed, done};
  };
  switch (offset) {
    case pl310::kCtrl:
      ctrl_ = value & 1u;
      return {Outcome::Completed, done};
    case pl310::kCacheSync:
      reg_syncs_.inc();
      gp.acquire();
      atomic_ = AtomicOp{true, true, &gp, done, false, 0, 0};
      wake(done);
      return {Outcome::Accepted, 0};
    case pl310::kInvLinePa:
    case pl310::kCleanLinePa:
    case pl310::kCleanInvLinePa: {
      const Maint op = offset == pl310::kInvLinePa     ? Maint::Invalidate
                       : offset == pl310::kCleanLinePa ? Maint::Clean
                                                       : Maint::CleanInvalidate;
      const LineOutcome o = array_.maintain(op, value);
      return line_op(o.writeback, o.line);
    }
    case pl310::kCleanLineIdx:
    case pl310::kCleanInvLineIdx: {
      const unsigned way = value >> 28;
      const unsigned set = static_cast<unsigned>((value >> std::countr_zero(array_.line_size())) & (array_.sets() - 1));
      if (way >= array_.ways()) return {Outcome::Completed, done};
      const Maint op = offset == pl310::kCleanLineIdx ? Maint::Clean : Maint::CleanInvalidate;
      const LineOutcome o = array_.maintain_set_way(op, set, way);
      return line_op(o.writeback, o.line);
    }
    case pl310::kInvWay: return way_op(Maint::Invalidate, MaintStat::InvWay);
    case pl310::kCleanWay: return way_op(Maint::Clean, MaintStat::CleanWay);
    case pl310::kCleanInvWay: return way_op(Maint::CleanInvalidate, MaintStat::CleanInvWay);
    default:
      return {Outcome::Completed, done};
  }
}

bool Cache::atomic_answered() const {
  return atomic_.active && atomic_.gp == nullptr && !atomic_.sync && !atomic_.wb_pending;
}

bool Cache::atomic_active_at(Picoseconds t) const {
  return atomic_.active && !(atomic_answered() && atomic_.ready <= t);
}

bool Cache::atomic_busy(Picoseconds t) {
  if (!atomic_active_at(t)) atomic_ = AtomicOp{};
  return atomic_.active;
}

void Cache::atomic_progress() {
  if (!atomic_busy(now())) return;
  const Picoseconds t = now();
  if (atomic_.wb_pending) {
    if (wb_.full()) return;  // woken again when the buffer drains
    push_writeback(atomic_.wb_line, atomic_.wb_version);
    atomic_.wb_pending = false;
    atomic_.ready = std::max(atomic_.ready, t);
  }
  if (atomic_.sync) {
    if (!wb_.empty() || outstanding_wb_ > 0) return;  // woken by the last writeback response
    atomic_.ready = std::max(atomic_.ready, t);
  }
  if (t < atomic_.ready) return;
  tlm::tlm_generic_payload* gp = atomic_.gp;
  atomic_ = AtomicOp{};
  if (gp != nullptr) respond_up(*gp, t);
}

void Cache::way_op_step() {
  if (!way_op_.active || now() < way_op_.next_step) return;
  if (way_op_.set >= array_.sets()) {  // the last set's cycle is over
    way_op_ = WayOp{};
    return;
  }
  const unsigned set = way_op_.set;
  for (unsigned w = way_op_.way; w < array_.ways(); ++w) {
    if ((way_op_.mask >> w & 1u) == 0) continue;
    const LineInfo li = array_.line_at(set, w);
    if (!li.valid()) continue;
    const bool writeback = li.dirty() && way_op_.op != Maint::Invalidate;
    if (writeback && wb_.full()) {  // resume here once the buffer drains
      way_op_.way = w;
      way_op_.next_step = now() + clock_.period;
      return;
    }
    if (writeback) {
      push_writeback(li.addr, li.version);
      array_.stats().writebacks.inc();
    }
    if (way_op_.op == Maint::Invalidate && li.dirty()) array_.stats().lost_dirty.inc();
    array_.set_state(li.addr, way_op_.op == Maint::Clean ? cleaned(li.state) : LineState::Invalid);
  }
  way_op_.way = 0;
  way_op_.next_step = now() + clock_.period;
  ++way_op_.set;
}

}  // namespace dmasim::cache

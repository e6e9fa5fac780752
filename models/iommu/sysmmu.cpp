#include "models/iommu/sysmmu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "models/common/error.h"
#include "models/common/sim_now.h"
#include "models/common/tlm/mem_ext.h"

namespace dmasim::iommu {

namespace {
constexpr std::uint64_t kNoPage = ~std::uint64_t{0};
}  // namespace

struct Sysmmu::UpstreamIf final : tlm::tlm_fw_transport_if<> {
  explicit UpstreamIf(Sysmmu& s) : owner(s) {}
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    return owner.upstream_fw(gp, phase, delay);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) override {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    SC_REPORT_ERROR(owner.name(), "b_transport is not supported: the SYSMMU is approximately timed (nb_transport)");
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
  Sysmmu& owner;
};

Sysmmu::Stats::Stats(stats::Group g)
    : requests(g.counter("requests", "transactions", "master transactions accepted")),
      bypassed(g.counter("bypassed", "transactions", "passed untranslated (translation disabled)")),
      l1_lookups(g.counter("l1_tlb.lookups", "lookups", "L1 TLB lookups")),
      l1_misses(g.counter("l1_tlb.misses", "lookups", "L1 TLB misses")),
      tlb_lookups(g.counter("tlb.lookups", "lookups", "main (v5+: L2) TLB lookups, retries included")),
      tlb_misses(g.counter("tlb.misses", "lookups", "main TLB misses")),
      hits_before_ready(g.counter("tlb.hits_before_ready", "lookups", "hits on an entry whose walk data was still on its way")),
      flpd_lookups(g.counter("flpd.lookups", "lookups", "FLPD cache lookups (one per walk)")),
      flpd_misses(g.counter("flpd.misses", "lookups", "FLPD cache misses (a level-1 read follows)")),
      walks(g.counter("walks", "walks", "page-table walks started")),
      walk_reads(g.counter("walk_reads", "transactions", "page-table reads sent to memory")),
      merged(g.counter("merged", "transactions", "misses that waited for a walk already covering their page")),
      walk_queue_waits(g.counter("walk_queue_waits", "walks", "walks that waited for a free walk slot")),
      burst_fills(g.counter("burst_fills", "entries", "extra TLB entries filled from a walk burst")),
      walk_latency(g.histogram("walk_latency", "cycles", "walk start to translation known")),
      translation_latency(g.histogram("translation_latency", "cycles", "arrival to translated request sent")),
      stall_cycles(g.counter("stall_cycles", "cycles", "translation time beyond a TLB hit, summed over requests (walks, blocks)")),
      flushes(g.counter("flushes", "operations", "TLB flushes (all, entry, range, page-table base)")),
      register_accesses(g.counter("register_accesses", "accesses", "register reads and writes")) {
  for (std::size_t k = 0; k < kFaultKinds; ++k) {
    const auto kind = static_cast<FaultKind>(k);
    faults[k] = &g.counter(fmt::format("faults.{}", to_string(kind)), "transactions",
                           fmt::format("transactions that took a {} fault", to_string(kind)));
  }
}

Sysmmu::PrefetchStats::PrefetchStats(stats::Group g)
    : lookups(g.counter("prefetch.lookups", "lookups", "prefetch-buffer lookups (beside the main TLB), retries included")),
      misses(g.counter("prefetch.misses", "lookups", "prefetch-buffer lookups that missed")),
      issued(g.counter("prefetch.issued", "walks", "prefetch walks started (not counted in walks)")),
      walk_reads(g.counter("prefetch.walk_reads", "transactions",
                           "page-table reads of prefetch walks (not counted in walk_reads)")),
      useful(g.counter("prefetch.useful", "entries", "prefetched entries that served at least one hit")),
      late(g.counter("prefetch.late", "transactions",
                     "misses that waited for a prefetch walk of their page (also counted in merged)")),
      dropped(g.counter("prefetch.dropped", "walks",
                        "prefetch attempts not started for want of a free walk slot (retried on the next lookup)")),
      faults(g.counter("prefetch.faults", "walks",
                       "prefetch walks that found no mapping or a bus error (nothing filled, nothing raised)")) {}

Sysmmu::Sysmmu(const sc_core::sc_module_name& name, const SysmmuConfig& config, const ModelContext& ctx,
               const PhysicalMemory& memory, std::uint64_t register_base)
    : sc_module(name),
      upstream("upstream"),
      downstream("downstream"),
      registers("registers"),
      config_((config.check(), config)),
      ctx_(ctx),
      clock_(config.clock.domain(std::string(this->name()))),
      memory_(memory),
      register_base_(register_base),
      format_(config.version),
      regs_(config.version),
      tlb_(config.main_tlb()),
      flpd_(config.flpd_entries),
      stats_(ctx.group()),
      oracle_(ctx.oracle) {
  if (const auto g = config_.first_tlb()) l1_.emplace(*g);
  if (!config_.prefetch_buffers.empty()) pb_stats_.emplace(ctx.group());
  for (const PrefetchBufferConfig& b : config_.prefetch_buffers) pbs_.emplace_back(b.entries);
  last_prefetch_.assign(pbs_.size(), kNoPage);
  if (oracle_ != nullptr)
    agent_ = oracle_->register_agent(std::string(this->name()) + ".walker", ctx.oracle_domain, oracle::AgentKind::Device);
  upstream_if_ = std::make_unique<UpstreamIf>(*this);
  downstream_if_ = std::make_unique<DownstreamIf>(*this);
  registers_if_ = std::make_unique<RegistersIf>(*this);
  upstream.bind(*upstream_if_);
  downstream.bind(*downstream_if_);
  registers.bind(*registers_if_);
  walks_.resize(config_.outstanding_walks);
  walk_used_.assign(config_.outstanding_walks, false);
  SC_METHOD(step);
  sensitive << wake_;
  dont_initialize();
}

Sysmmu::~Sysmmu() = default;

void Sysmmu::enable_at_reset(std::uint64_t page_table_pa) {
  const auto& l = regs_.layout();
  regs_.write(l.pt_base, static_cast<std::uint32_t>(config_.version == SysmmuVersion::V2 ? page_table_pa
                                                                                        : page_table_pa >> 12));
  regs_.write(SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlEnable);
  drop_all_translations();
}

void Sysmmu::drop_all_translations() {
  tlb_.flush_all();
  if (l1_) l1_->flush_all();
  flpd_.flush_all();
  for (PrefetchBuffer& b : pbs_) b.flush_all();
  forget_prefetches();
}

bool Sysmmu::blocked() const { return fault_blocked_ || (regs_.block_requested() && active_walks_ == 0); }

// ---- master side -----------------------------------------------------------------------------

tlm::tlm_sync_enum Sysmmu::upstream_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;  // END_RESP: nothing to do
  const Picoseconds at = sim_now() + delay.value();
  if (in_flight_ >= config_.outstanding || refused_ != nullptr) {
    refused_ = &gp;
    refused_at_ = at;
    return tlm::TLM_ACCEPTED;
  }
  const bool outer = in_upstream_;
  in_upstream_ = true;
  accept(gp, at);
  in_upstream_ = outer;
  phase = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

void Sysmmu::accept(tlm::tlm_generic_payload& gp, Picoseconds at) {
  ++in_flight_;
  stats_.requests.inc();
  gp.acquire();
  admit(Request{&gp, gp.get_address(), gp.is_write(), at, false}, at);
}

void Sysmmu::admit(const Request& r, Picoseconds at) {
  if (!regs_.enabled()) {
    stats_.bypassed.inc();
    forward(r, r.iova, at);
  } else if (fault_blocked_ || regs_.block_requested()) {
    held_.push_back(r);  // behind a fault or a software block: in order, until the unblock
  } else {
    translate(r, at);
  }
}

void Sysmmu::translate(Request r, Picoseconds at) {
  Picoseconds t = at;
  auto use = [&](const Translation& tr, Picoseconds when) {
    if (!allows(tr.access, r.write)) return fault(r, FaultKind::Permission, when);
    forward(r, tr.translate(r.iova), std::max(when, tr.ready_at));
  };
  if (l1_) {
    stats_.l1_lookups.inc();
    t += cycles(config_.l1_tlb.hit_latency);
    const Tlb::Result res = l1_->lookup(r.iova);
    if (res.outcome == Tlb::Outcome::Hit) return use(res.translation, t);
    if (res.outcome == Tlb::Outcome::MultiHit) return fault(r, FaultKind::MultiHit, t);
    stats_.l1_misses.inc();
  }
  stats_.tlb_lookups.inc();
  t += cycles(config_.tlb.hit_latency);
  const Tlb::Result res = tlb_.lookup(r.iova);
  if (res.outcome == Tlb::Outcome::MultiHit) return fault(r, FaultKind::MultiHit, t);
  // A prefetch buffer that binds the request is looked up in the same cycles as the main TLB.
  const std::optional<unsigned> pb = bound_buffer(r);
  const auto pb_hit = pb ? lookup_buffer(*pb, r.iova) : std::nullopt;
  if (res.outcome == Tlb::Outcome::Hit) {
    if (res.translation.ready_at > t) stats_.hits_before_ready.inc();
    if (l1_) l1_->insert(r.iova, res.translation);
    use(res.translation, t);
    if (pb) prefetch_after(*pb, res.translation, t);
    return;
  }
  stats_.tlb_misses.inc();
  if (pb_hit) {
    const Translation& tr = pb_hit->translation;
    if (config_.prefetch_buffers[*pb].tlb_update) {
      tlb_.insert(r.iova, tr);
      if (l1_) l1_->insert(r.iova, tr);
    }
    use(tr, t);
    prefetch_after(*pb, tr, t);
    return;
  }
  // Both missed: the buffer prefetches the page after this one once the walk has found its size.
  miss(r, t, pb && config_.prefetch_buffers[*pb].next_page ? static_cast<int>(*pb) : -1);
}

void Sysmmu::forward(const Request& r, std::uint64_t pa, Picoseconds at) {
  const Picoseconds hit_path =
      cycles(config_.tlb.hit_latency) + (l1_ ? cycles(config_.l1_tlb.hit_latency) : 0);
  const Picoseconds took = at - r.arrival;
  stats_.translation_latency.sample(took / clock_.period);
  if (took > hit_path) stats_.stall_cycles.inc((took - hit_path) / clock_.period);
  r.gp->set_address(pa);
  if (r.write && master_agent_ != oracle::kNoAgent && oracle_ != nullptr) {
    MemExt& e = MemExt::of(*r.gp);
    e.clear_versions();
    const std::size_t lines = oracle_->lines_covered(pa, r.gp->get_data_length());
    for (std::size_t i = 0; i < lines; ++i)
      e.add_version(oracle_->write(master_agent_, oracle_->line_of(pa) + i * oracle_->line_bytes(), at));
  }
  forwarded_.add(r.gp, r.iova);
  send(r.gp, at);
}

void Sysmmu::fault(Request r, FaultKind kind, Picoseconds at) {
  stats_.faults[static_cast<std::size_t>(kind)]->inc();
  regs_.record_fault(kind, r.write, r.iova);
  irq_.raise(sc_core::sc_time::from_value(at > sim_now() ? at - sim_now() : 0));
  if (config_.on_fault == FaultAction::Abort) {
    r.gp->set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    replies_.push_back(Reply{r.gp, at});
    wake_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  fault_blocked_ = true;
  r.faulted = true;
  held_.push_back(r);
}

void Sysmmu::release_held(Picoseconds at) {
  if (fault_blocked_ || regs_.block_requested() || held_.empty()) return;
  std::deque<Request> held;
  held.swap(held_);
  for (Request& r : held) {
    r.faulted = false;
    admit(r, std::max(at, r.arrival));  // one that faults again blocks the rest behind it
  }
}

void Sysmmu::abort_faulted(Picoseconds at) {
  std::deque<Request> keep;
  for (Request& r : held_) {
    if (!r.faulted) {
      keep.push_back(r);
      continue;
    }
    r.gp->set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    replies_.push_back(Reply{r.gp, std::max(at, r.arrival)});
  }
  held_.swap(keep);
  wake_.notify(sc_core::SC_ZERO_TIME);
}

// ---- walker ----------------------------------------------------------------------------------

Sysmmu::Walk* Sysmmu::covering_walk(std::uint64_t iova) {
  auto covers = [&](const Walk& w) { return iova >= w.cover_base && iova - w.cover_base < w.cover_size; };
  for (unsigned i = 0; i < walks_.size(); ++i)
    if (walk_used_[i] && covers(walks_[i])) return &walks_[i];
  for (Walk& w : walk_queue_)
    if (covers(w)) return &w;
  return nullptr;
}

void Sysmmu::miss(Request r, Picoseconds at, int prefetch_into) {
  if (Walk* w = covering_walk(r.iova)) {
    stats_.merged.inc();
    if (w->fill_pb >= 0) pb_stats_->late.inc();
    if (w->next_pb < 0) w->next_pb = prefetch_into;
    w->waiting.push_back(r);
    return;
  }
  Walk w;
  w.iova = r.iova;
  w.cover_base = r.iova & ~(kSmallPage - 1);
  w.cover_size = kSmallPage;
  w.started = at;
  w.next_pb = prefetch_into;
  w.waiting.push_back(r);
  if (active_walks_ >= config_.outstanding_walks) {
    stats_.walk_queue_waits.inc();
    walk_queue_.push_back(std::move(w));
    return;
  }
  start_walk(std::move(w), at);
}

void Sysmmu::start_walk(Walk w, Picoseconds at) {
  unsigned slot = 0;
  while (walk_used_[slot]) ++slot;
  walk_used_[slot] = true;
  ++active_walks_;
  if (w.fill_pb < 0) stats_.walks.inc();
  else pb_stats_->issued.inc();
  w.started = at;
  walks_[slot] = std::move(w);
  Walk& walk = walks_[slot];
  const unsigned index = lv1_index(walk.iova);
  if (flpd_.enabled()) {
    stats_.flpd_lookups.inc();
    at += cycles(config_.flpd_latency);
    if (const auto d = flpd_.lookup(index)) {
      walk.lv1 = *d;
      walk.lv1_known = true;
      return level1_known(slot, at);
    }
    stats_.flpd_misses.inc();
  }
  read_descriptor(slot, regs_.page_table() + index * 4u, 4, at);
}

void Sysmmu::read_descriptor(unsigned walk, std::uint64_t pa, unsigned bytes, Picoseconds at) {
  tlm::tlm_generic_payload* gp = pool_.allocate();
  gp->acquire();
  gp->set_command(tlm::TLM_READ_COMMAND);
  gp->set_address(pa);
  gp->set_data_length(bytes);
  gp->set_streaming_width(bytes);
  MemExt& e = MemExt::of(*gp);
  e.initiator_id = agent_ == oracle::kNoAgent ? 0 : agent_;
  e.txn_id = (std::uint64_t{e.initiator_id} << 40) | ++txn_seq_;
  e.created_at = at;
  e.op = BusOp::ReadNoSnoop;
  e.mem_type = config_.coherent_walks ? MemType::NormalWriteBack : MemType::NormalNonCacheable;
  e.coherence = config_.coherent_walks ? Coherence::IoCoherent : Coherence::NonCoherent;
  if (walks_[walk].fill_pb < 0) stats_.walk_reads.inc();
  else pb_stats_->walk_reads.inc();
  walk_reads_.add(gp, walk);
  send(gp, at);
}

void Sysmmu::walk_read_done(unsigned slot, tlm::tlm_generic_payload& gp, Picoseconds at) {
  Walk& w = walks_[slot];
  const std::uint64_t addr = gp.get_address();
  const unsigned bytes = gp.get_data_length();
  const bool ok = gp.is_response_ok();
  if (ok && oracle_ != nullptr) {
    const MemExt& e = MemExt::of(gp);
    if (e.version_count() == oracle_->lines_covered(addr, bytes))
      oracle_->read_range(agent_, addr, bytes, e.versions(), e.created_at);
  }
  gp.release();
  if (!ok) return finish_walk(slot, std::nullopt, FaultKind::BusError, at);
  if (!w.lv1_known) {
    w.lv1 = memory_.read32(addr);
    w.lv1_known = true;
    // Fault entries are not cached (as walk caches generally do not): a handler that maps the
    // page needs no flush. A link to the shared zero table is cached, as on the v3.3 hardware.
    if (format_.decode_lv1(w.lv1).kind != Descriptor::Kind::Fault) flpd_.insert(lv1_index(w.iova), w.lv1);
    return level1_known(slot, at);
  }
  const Descriptor lv1 = format_.decode_lv1(w.lv1);
  const Descriptor d = format_.decode_lv2(memory_.read32(lv1.base + lv2_index(w.iova) * 4u));
  if (!d.is_page()) return finish_walk(slot, std::nullopt, FaultKind::Page, at);
  // A v7 entry covers 4 pages and is filled from the 16 bytes read for it whatever burst_fill
  // says; burst_fill adds the other entries a longer burst brings.
  if (bytes > 4 && (config_.burst_fill || config_.pages_per_entry > 1)) fill_burst(w, addr, bytes, at);
  const std::uint64_t base = w.iova & ~(d.size - 1);
  finish_walk(slot, Translation{base, d.base, d.size, d.access, at}, std::nullopt, at);
}

void Sysmmu::level1_known(unsigned slot, Picoseconds at) {
  Walk& w = walks_[slot];
  const Descriptor d = format_.decode_lv1(w.lv1);
  switch (d.kind) {
    case Descriptor::Kind::Section:
    case Descriptor::Kind::Supersection: {
      const std::uint64_t base = w.iova & ~(d.size - 1);
      return finish_walk(slot, Translation{base, d.base, d.size, d.access, at}, std::nullopt, at);
    }
    case Descriptor::Kind::Table: {
      const std::uint64_t entry = d.base + lv2_index(w.iova) * 4u;
      const unsigned burst = static_cast<unsigned>(config_.walk_burst.bytes);
      return read_descriptor(slot, entry & ~std::uint64_t{burst - 1}, burst, at);
    }
    default:
      return finish_walk(slot, std::nullopt, FaultKind::Page, at);
  }
}

void Sysmmu::fill_burst(const Walk& w, std::uint64_t burst_pa, unsigned bytes, Picoseconds at) {
  // The level-2 entries the burst read cover consecutive 4 KiB pages of the same 1 MiB region.
  const std::uint64_t table = format_.decode_lv1(w.lv1).base;
  const std::uint64_t first_iova = (w.iova & ~(kSection - 1)) + (burst_pa - table) / 4 * kSmallPage;
  const std::uint64_t own = w.iova & ~(kSmallPage - 1);
  std::uint64_t last_large = ~std::uint64_t{0};
  for (unsigned k = 0; k < bytes / 4; ++k) {
    const std::uint64_t iova = first_iova + k * kSmallPage;
    if (!config_.burst_fill && (iova ^ own) / (kSmallPage * config_.pages_per_entry) != 0) continue;
    const Descriptor d = format_.decode_lv2(memory_.read32(burst_pa + k * 4u));
    if (!d.is_page()) continue;
    const std::uint64_t base = iova & ~(d.size - 1);
    if (base == (own & ~(d.size - 1)) || base == last_large) continue;  // the walk's own page is inserted by it
    if (d.size == kLargePage) last_large = base;
    const Translation t{base, d.base, d.size, d.access, at};
    if (w.fill_pb >= 0) {
      fill_buffer(w, t);  // a prefetch walk's burst goes to its buffer
      continue;
    }
    tlb_.insert(iova, t);
    stats_.burst_fills.inc();
  }
}

void Sysmmu::finish_walk(unsigned slot, std::optional<Translation> t, std::optional<FaultKind> f, Picoseconds at) {
  Walk w = std::move(walks_[slot]);
  walks_[slot] = Walk{};
  walk_used_[slot] = false;
  --active_walks_;
  if (w.fill_pb >= 0) {
    if (t) fill_buffer(w, *t);
    else pb_stats_->faults.inc();  // raised only for the requests that waited for it
  } else {
    stats_.walk_latency.sample((at - w.started) / clock_.period);
    if (t) {
      tlb_.insert(w.iova, *t);
      if (l1_) l1_->insert(w.iova, *t);
    }
  }
  for (const Request& r : w.waiting) {
    if (!t) {
      fault(r, *f, at);
    } else if (r.iova - t->iova >= t->size) {
      translate(r, at);  // merged while the walk covered more than its result does
    } else if (!allows(t->access, r.write)) {
      fault(r, FaultKind::Permission, at);
    } else {
      forward(r, t->translate(r.iova), at);
    }
  }
  // Queued misses take the free slot: looked up again, as the walk just finished may cover them.
  while (active_walks_ < config_.outstanding_walks && !walk_queue_.empty()) {
    Walk next = std::move(walk_queue_.front());
    walk_queue_.pop_front();
    for (const Request& r : next.waiting) translate(r, std::max(at, r.arrival));
  }
  // After the queued misses: a prefetch only takes a slot no demand walk is waiting for.
  if (t && w.next_pb >= 0) prefetch(static_cast<unsigned>(w.next_pb), t->iova + t->size, at);
}

// ---- prefetch buffers ------------------------------------------------------------------------

std::optional<unsigned> Sysmmu::bound_buffer(const Request& r) const {
  for (unsigned i = 0; i < config_.prefetch_buffers.size(); ++i) {
    const PrefetchBufferConfig& b = config_.prefetch_buffers[i];
    const std::uint32_t stream = b.stream ? MemExt::of(*r.gp).stream_id : 0;
    if (b.binds(r.write, stream, r.iova)) return i;
  }
  return std::nullopt;
}

std::optional<PrefetchBuffer::Hit> Sysmmu::lookup_buffer(unsigned pb, std::uint64_t iova) {
  pb_stats_->lookups.inc();
  auto hit = pbs_[pb].lookup(iova);
  if (!hit) pb_stats_->misses.inc();
  else if (hit->first_use) pb_stats_->useful.inc();
  return hit;
}

void Sysmmu::prefetch_after(unsigned pb, const Translation& t, Picoseconds at) {
  if (config_.prefetch_buffers[pb].next_page) prefetch(pb, t.iova + t.size, at);
}

void Sysmmu::prefetch(unsigned pb, std::uint64_t iova, Picoseconds at) {
  constexpr std::uint64_t kIovaSpace = std::uint64_t{1} << 32;
  // Not beyond the buffer's range, and not for a page the buffer holds or a walk will bring.
  if (iova >= kIovaSpace || !config_.prefetch_buffers[pb].range.contains(iova)) return;
  // Once is enough: a page that faulted (the end of a buffer) or was used is not walked again
  // on every later lookup of the page before it.
  if (iova == last_prefetch_[pb]) return;
  if (pbs_[pb].holds(iova) || covering_walk(iova) != nullptr) return;
  if (!regs_.enabled() || fault_blocked_ || regs_.block_requested()) return;  // a blocked SYSMMU starts no walk
  // A prefetch never queues: it would delay the demand walks queued behind it.
  if (active_walks_ >= config_.outstanding_walks || !walk_queue_.empty()) {
    pb_stats_->dropped.inc();
    return;
  }
  Walk w;
  w.iova = iova;
  w.cover_base = iova;
  w.cover_size = kSmallPage;
  w.fill_pb = static_cast<int>(pb);
  w.pb_epoch = pb_epoch_;
  last_prefetch_[pb] = iova;
  start_walk(std::move(w), at);
}

void Sysmmu::forget_prefetches() {
  ++pb_epoch_;  // prefetch walks in flight may have read what the flush replaces
  std::fill(last_prefetch_.begin(), last_prefetch_.end(), kNoPage);
}

void Sysmmu::fill_buffer(const Walk& w, const Translation& t) {
  const auto pb = static_cast<unsigned>(w.fill_pb);
  // Walk data from before a flush may be stale; a burst's descriptors outside the range are of
  // no use to the buffer.
  if (w.pb_epoch != pb_epoch_ || !config_.prefetch_buffers[pb].range.overlaps(t.iova, t.size)) return;
  pbs_[pb].insert(t);
}

// ---- interconnect side -----------------------------------------------------------------------

void Sysmmu::send(tlm::tlm_generic_payload* gp, Picoseconds at) {
  if (may_call_down() && refused_down_ == nullptr && outbox_.empty()) return send_now(gp, at);
  outbox_.push_back(Outgoing{gp, at});
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Sysmmu::send_now(tlm::tlm_generic_payload* gp, Picoseconds at) {
  const Picoseconds now = sim_now();
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::sc_time::from_value(at > now ? at - now : 0);
  const tlm::tlm_sync_enum s = downstream->nb_transport_fw(*gp, phase, delay);
  if (s == tlm::TLM_ACCEPTED) {
    refused_down_ = gp;
  } else if (s == tlm::TLM_COMPLETED || phase == tlm::BEGIN_RESP) {
    late_.push_back(Reply{gp, now + delay.value()});
    wake_.notify(sc_core::SC_ZERO_TIME);
  }
}

tlm::tlm_sync_enum Sysmmu::downstream_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  // END_REQ, or BEGIN_RESP for the refused request itself, lets the next request go. A response
  // to an earlier request does not: sending again then would overwrite the refused one below.
  if (&gp == refused_down_ && (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP)) {
    refused_down_ = nullptr;
    wake_.notify(sc_core::SC_ZERO_TIME);
  }
  if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  const bool outer = in_bw_;
  in_bw_ = true;
  handle_response(gp, sim_now() + delay.value());
  in_bw_ = outer;
  return tlm::TLM_COMPLETED;
}

void Sysmmu::handle_response(tlm::tlm_generic_payload& gp, Picoseconds at) {
  unsigned walk = 0;
  if (walk_reads_.take(&gp, walk)) return walk_read_done(walk, gp, at);
  std::uint64_t iova = 0;
  const bool found = forwarded_.take(&gp, iova);
  assert(found);
  (void)found;
  if (gp.is_read() && gp.is_response_ok() && master_agent_ != oracle::kNoAgent && oracle_ != nullptr) {
    const MemExt& e = MemExt::of(gp);
    if (e.version_count() == oracle_->lines_covered(gp.get_address(), gp.get_data_length()))
      oracle_->read_range(master_agent_, gp.get_address(), gp.get_data_length(), e.versions(), e.created_at);
  }
  gp.set_address(iova);
  if (in_bw_ || in_step_) return respond(gp, at);
  replies_.push_back(Reply{&gp, at});
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Sysmmu::respond(tlm::tlm_generic_payload& gp, Picoseconds at) {
  const Picoseconds now = sim_now();
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  sc_core::sc_time delay = sc_core::sc_time::from_value(at > now ? at - now : 0);
  upstream->nb_transport_bw(gp, phase, delay);
  gp.release();
  --in_flight_;
  if (refused_ != nullptr) wake_.notify(sc_core::SC_ZERO_TIME);
}

void Sysmmu::step() {
  in_step_ = true;
  while (!late_.empty()) {
    const Reply r = late_.front();
    late_.pop_front();
    handle_response(*r.gp, r.at);
  }
  while (!replies_.empty()) {
    const Reply r = replies_.front();
    replies_.pop_front();
    respond(*r.gp, r.at);
  }
  drain_outbox();
  if (refused_ != nullptr && in_flight_ < config_.outstanding) {
    tlm::tlm_generic_payload* gp = std::exchange(refused_, nullptr);
    tlm::tlm_phase phase = tlm::END_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    upstream->nb_transport_bw(*gp, phase, delay);
    accept(*gp, std::max(refused_at_, sim_now()));
    drain_outbox();
  }
  in_step_ = false;
}

void Sysmmu::drain_outbox() {
  while (refused_down_ == nullptr && !outbox_.empty()) {
    const Outgoing o = outbox_.front();
    outbox_.pop_front();
    send_now(o.gp, o.at);
  }
}

// ---- registers -------------------------------------------------------------------------------

tlm::tlm_sync_enum Sysmmu::register_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
  register_access(gp, sim_now() + delay.value());
  delay += sc_core::sc_time::from_value(cycles(config_.register_latency));
  return tlm::TLM_COMPLETED;
}

void Sysmmu::register_access(tlm::tlm_generic_payload& gp, Picoseconds at) {
  stats_.register_accesses.inc();
  const std::uint64_t a = gp.get_address();
  if (a < register_base_ || a - register_base_ >= SysmmuRegisters::kWindow || a % 4 != 0) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (gp.get_data_length() != 4) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const auto offset = static_cast<std::uint32_t>(a - register_base_);
  std::uint32_t value = 0;
  if (gp.is_read()) {
    value = regs_.read(offset, blocked());
    std::memcpy(gp.get_data_ptr(), &value, 4);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  std::memcpy(&value, gp.get_data_ptr(), 4);
  const SysmmuRegisters::Effect e = regs_.write(offset, value);
  using A = SysmmuRegisters::Action;
  switch (e.action) {
    case A::Control:
      if (!regs_.block_requested()) fault_blocked_ = false;  // the handler's unblock
      release_held(at);
      break;
    case A::SetPageTable:
    case A::FlushAll: flush(0, ~std::uint64_t{0}, true); break;
    case A::FlushEntry:
    case A::FlushRange: flush(e.start, e.end, false); break;
    case A::InterruptCleared:
      if (!regs_.interrupt_pending()) irq_.lower();
      break;
    case A::AbortFaulted: abort_faulted(at); break;
    case A::None: break;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Sysmmu::flush(std::uint64_t start, std::uint64_t end, bool all) {
  stats_.flushes.inc();
  if (all) return drop_all_translations();
  tlb_.flush_range(start, end);
  if (l1_) l1_->flush_range(start, end);
  flpd_.flush_range(start, end);  // an entry flush also drops the level-1 descriptor (v3.3+ FLPD rule)
  for (PrefetchBuffer& b : pbs_) b.flush_range(start, end);
  forget_prefetches();
}

}  // namespace dmasim::iommu

#include "models/cpu/core.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "models/common/tlm/mem_ext.h"

namespace dmasim::cpu {

namespace {
constexpr Picoseconds kNever = std::numeric_limits<Picoseconds>::max();
constexpr unsigned kLoadsMask = 1;
constexpr unsigned kWritesMask = 2;
constexpr unsigned kAllMask = kLoadsMask | kWritesMask;

constexpr std::array<const char*, static_cast<std::size_t>(7)> kStallNames = {
    "load_credits", "write_credits", "store_buffer_full", "device_so", "dsb", "load_data", "backpressure"};
constexpr std::array<const char*, 7> kStallDescriptions = {
    "waiting for a load credit (max_outstanding_loads in flight)",
    "waiting for a write credit (max_outstanding_writes in flight)",
    "a store found the store buffer full and its oldest entry waited for a write credit",
    "Device / Strongly-ordered accesses waiting for their response (or acceptance, posted writes)",
    "DSB waiting for every outstanding access to complete",
    "blocking loads waiting for their data (and streaming loops for their last data)",
    "the L1 did not accept a request yet (TLM_ACCEPTED until END_REQ)"};
constexpr std::array<const char*, 6> kMaintenanceNames = {"dc_cvac", "dc_ivac", "dc_civac", "dc_csw", "dc_isw", "dc_cisw"};
}  // namespace

// ---- statistics -------------------------------------------------------------------------------

Core::Stats::Stats(stats::Group g)
    : loads(g.counter("loads", "accesses", "load accesses (load(), each access of read_range / copy, mmio_read)")),
      stores(g.counter("stores", "accesses", "store accesses (store(), each access of write_range / copy, mmio_write)")),
      bytes_loaded(g.counter("bytes_loaded", "bytes", "bytes loaded")),
      bytes_stored(g.counter("bytes_stored", "bytes", "bytes stored")),
      load_latency(g.histogram("load_latency", "cycles",
                               "issue to data of loads that went to the L1 / bus (forwarded loads excluded)")),
      bus_reads(g.counter("bus.reads", "transactions", "read transactions sent (Load, ReadNoSnoop)")),
      bus_writes(g.counter("bus.writes", "transactions", "write transactions sent (Store, WriteNoSnoop)")),
      bus_maintenance(g.counter("bus.maintenance", "transactions", "cache maintenance transactions sent")),
      bus_errors(g.counter("bus.errors", "transactions", "responses with an error status")),
      dmb(g.counter("barriers.dmb", "instructions", "DMB barriers")),
      dsb(g.counter("barriers.dsb", "instructions", "DSB barriers")),
      compute_cycles(g.counter("compute_cycles", "cycles", "cycles spent in compute()")),

      data_aborts(g.counter("data_aborts", "accesses", "accesses skipped on a translation fault")),
      run_ps(g.counter("run_ps", "ps", "time the core's programs ran, from their start to their end, summed")),
      sleep_ps(g.counter("sleep_ps", "ps", "of which the programs slept waiting for an event or a time")) {
  for (std::size_t i = 0; i < maintenance.size(); ++i)
    maintenance[i] = &g.counter(std::string("maintenance.") + kMaintenanceNames[i], "instructions",
                                fmt::format("{} instructions", kMaintenanceNames[i]));
  for (std::size_t i = 0; i < stall_cycles.size(); ++i)
    stall_cycles[i] = &g.counter(std::string("stall_cycles.") + kStallNames[i], "cycles", kStallDescriptions[i]);
}

// ---- the load/store unit guard ----------------------------------------------------------------

// Software threads of one core share its load/store unit: an instruction that blocks keeps it,
// and another thread's instruction waits until it is free.
class Core::Lsu {
 public:
  explicit Lsu(Core& c) : c_(c) {
    while (c_.lsu_busy_) {
      c_.sync();
      ++c_.lsu_waiters_;
      sc_core::wait(c_.lsu_free_);
      --c_.lsu_waiters_;
    }
    c_.lsu_busy_ = true;
  }
  ~Lsu() {
    c_.lsu_busy_ = false;
    if (c_.lsu_waiters_ > 0) c_.lsu_free_.notify(sc_core::SC_ZERO_TIME);
  }
  Lsu(const Lsu&) = delete;
  Lsu& operator=(const Lsu&) = delete;

 private:
  Core& c_;
};

// ---- construction -----------------------------------------------------------------------------

namespace {
const CoreConfig& checked(const CoreConfig& c) {
  c.check();
  return c;
}
stats::Group group_of(const ModelContext& ctx) {
  if (ctx.stats == nullptr) throw std::logic_error("Core: ModelContext::stats is required");
  return ctx.group();
}
}  // namespace

Core::Core(const sc_core::sc_module_name& name, const CoreConfig& config, AddressSpace& kernel, const ModelContext& ctx)
    : sc_module(name),
      socket("socket"),
      config_(checked(config)),
      kernel_(kernel),
      ctx_(ctx),
      clock_(config.clock.domain(std::string(basename()) + ".clock")),
      period_(clock_.period),
      quantum_ps_(Picoseconds{config.quantum_cycles} * clock_.period),
      idle_ps_(Picoseconds{config.drain_idle_cycles} * clock_.period),
      oracle_(ctx.oracle),
      stats_(group_of(ctx)),
      sb_(config.store_buffer, group_of(ctx).group("store_buffer")),
      pool_(PayloadPool::kDefaultMaxDataBytes, config.max_outstanding_loads + config.max_outstanding_writes + 2) {
  socket.bind(*this);
  if (oracle_ != nullptr) {
    agent_ = oracle_->register_agent(std::string(this->name()), ctx.oracle_domain, oracle::AgentKind::Cpu);
    initiator_id_ = agent_;
  }
  const std::size_t slots = config.max_outstanding_loads + config.max_outstanding_writes + 8;
  slots_.reserve(slots);
  free_slots_.reserve(slots);
  drained_.reserve(config.store_buffer.entries + 1);
  alloc_times_.assign(config.store_buffer.entries, 0);
  piece_slots_.reserve(8);
  copy_chunks_.reserve(2048);
  copy_slots_.reserve(2048);
}

Core::~Core() {
  // Payloads this core still holds (a simulation stopped mid-run): give them back.
  for (Slot& s : slots_)
    if (s.used && s.gp != nullptr) s.gp->release();
}

void Core::start(Program program, std::string thread_name) {
  ++started_;
  ++running_;
  std::string n = std::string(name()) + "_" + thread_name;  // unique at the top level
  for (char& ch : n)
    if (ch == '.' || ch == ' ') ch = '_';
  sc_core::sc_spawn([this, p = std::move(program)]() { run(p); }, n.c_str());
}

void Core::run(const Program& program) {
  const Picoseconds start = core_time();
  program(*this);
  {
    Lsu lsu(*this);
    const std::size_t before = drained_.size();
    sb_.drain_all(DrainReason::Explicit, drained_);
    note_drained(before);
    issue_drained();
    wait_all(kAllMask, Stall::None);
  }
  sync();
  stats_.run_ps.inc(core_time() - start);
  if (--running_ == 0) finished_event_.notify(sc_core::SC_ZERO_TIME);
}

bool Core::finished() const {
  if (running_ != 0 || !sb_.empty()) return false;
  for (const Slot& s : slots_)
    if (s.used && !s.done) return false;
  return true;
}

// ---- time -------------------------------------------------------------------------------------

void Core::sync() {
  if (local_ == 0) return;
  const Picoseconds d = local_;
  local_ = 0;
  sc_core::wait(sc_core::sc_time::from_value(d));
}

void Core::go_idle() {
  if (!lsu_busy_ && !sb_.empty()) {
    // The thread goes idle: its store buffer drains in the background meanwhile.
    Lsu lsu(*this);
    const std::size_t before = drained_.size();
    sb_.drain_all(DrainReason::Idle, drained_);
    note_drained(before);
    issue_drained();
  }
  sync();
}

void Core::wait_until(sc_core::sc_event& e, const std::function<bool()>& ready) {
  if (ready()) return;
  go_idle();
  const Picoseconds t0 = sc_now();
  while (!ready()) sc_core::wait(e);
  stats_.sleep_ps.inc(sc_now() - t0);
}

void Core::sleep_until(Picoseconds t) {
  sync();
  const Picoseconds t0 = sc_now();
  if (t <= t0) return;
  sc_core::wait(sc_core::sc_time::from_value(t - t0));
  stats_.sleep_ps.inc(t - t0);
}

void Core::wait(sc_core::sc_event& e) {
  go_idle();
  const Picoseconds t0 = sc_now();
  sc_core::wait(e);
  stats_.sleep_ps.inc(sc_now() - t0);
}

std::uint64_t Core::cycle() const { return clock_.cycles_at(core_time()); }
Picoseconds Core::now() const { return core_time(); }

void Core::advance(Picoseconds ps) {
  local_ += ps;
  if (local_ >= quantum_ps_) sync();
}

void Core::stall_to(Picoseconds t, Stall cause) {
  const Picoseconds ct = core_time();
  if (t <= ct) return;
  add_stall(cause, t - ct);
  local_ = t - sc_now();
  if (local_ >= quantum_ps_) sync();
}

void Core::block(Stall cause) {
  // The wait starts from simulated time, not from the core's local time: whatever wakes the core
  // (a response, an acceptance) may come before the local time is reached, and the core's time
  // then stays where it was. One wait instead of a sync and a wait.
  // local_ is the core's, shared by its threads: zero while this one waits, as after a sync.
  const Picoseconds t0 = core_time();
  local_ = 0;
  sc_core::wait(event_);
  const Picoseconds n = sc_now();
  if (t0 > n) local_ = std::max(local_, t0 - n);
  if (n > t0) add_stall(cause, n - t0);
}

void Core::add_stall(Stall cause, Picoseconds ps) {
  if (cause == Stall::None || ps == 0) return;
  const auto c = static_cast<std::size_t>(cause);
  stall_ps_[c] += ps;
  const std::uint64_t cycles = stall_ps_[c] / period_;
  stats_.stall_cycles[c]->inc(cycles - stall_reported_[c]);
  stall_reported_[c] = cycles;
}

void Core::compute(std::uint64_t cycles) {
  stats_.compute_cycles.inc(cycles);
  const Picoseconds end = core_time() + cycles * period_;
  if (!lsu_busy_ && alloc_count_ > 0) {
    // Partial store-buffer entries whose idle time runs out during the computation drain then.
    Lsu lsu(*this);
    while (alloc_count_ > 0) {
      const Picoseconds due = alloc_times_[alloc_head_] + idle_ps_;
      if (due >= end) break;
      if (due > core_time()) advance(due - core_time());
      drain_idle(core_time());
    }
  }
  if (end > core_time()) advance(end - core_time());
}

// ---- slots and credits ------------------------------------------------------------------------

unsigned Core::alloc_slot() {
  if (!free_slots_.empty()) {
    const unsigned i = free_slots_.back();
    free_slots_.pop_back();
    return i;
  }
  slots_.push_back(Slot{});
  return static_cast<unsigned>(slots_.size() - 1);
}

void Core::free_slot(unsigned i) {
  slots_[i] = Slot{};
  free_slots_.push_back(i);
}

unsigned Core::loads_in_flight() const {
  const Picoseconds t = core_time();
  unsigned n = 0;
  for (const Slot& s : slots_) n += s.used && s.kind == Kind::Load && (!s.done || s.done_at > t);
  return n;
}

unsigned Core::writes_in_flight() const {
  const Picoseconds t = core_time();
  unsigned n = 0;
  for (const Slot& s : slots_) n += s.used && s.kind == Kind::Write && (!s.done || s.done_at > t);
  return n;
}

void Core::acquire_credit(Kind kind, Stall cause, bool uncached) {
  // Non-cacheable reads also count against their own, possibly smaller, limit.
  const unsigned limit = uncached ? std::min(config_.max_outstanding_loads, config_.max_outstanding_uncached_loads)
                         : kind == Kind::Load ? config_.max_outstanding_loads
                                              : config_.max_outstanding_writes;
  for (;;) {
    const Picoseconds t = core_time();
    unsigned n = 0;
    Picoseconds earliest = kNever;
    for (unsigned i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (!s.used) continue;
      const bool counts = s.kind == kind && (!uncached || s.uncached);
      if (!s.done) {
        n += counts;
      } else if (s.done_at > t) {
        if (counts) {
          ++n;
          earliest = std::min(earliest, s.done_at);
        }
      } else if (!s.owned) {
        free_slot(i);
      }
    }
    if (n < limit) return;
    if (earliest == kNever) {
      block(cause);
      continue;
    }
    stall_to(earliest, cause);
    // The slot that completes at `earliest` no longer counts: one below the limit needs no rescan.
    if (n == limit) return;
  }
}

void Core::prepare(Kind kind, Stall cause) {
  acquire_credit(kind, cause);
  while (blocked_ != nullptr) block(Stall::Backpressure);
  stall_to(accept_at_, Stall::Backpressure);
}

tlm::tlm_generic_payload* Core::make(tlm::tlm_command cmd, BusOp op, std::uint64_t addr, unsigned len, MemAttr attr) {
  tlm::tlm_generic_payload* gp = pool_.allocate();
  gp->acquire();
  gp->set_command(cmd);
  gp->set_address(addr);
  gp->set_data_length(len);
  gp->set_streaming_width(len);
  gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  MemExt& e = MemExt::of(*gp);
  e.initiator_id = initiator_id_;
  e.txn_id = (std::uint64_t{initiator_id_} << 40) | ++txn_seq_;
  e.created_at = core_time();
  e.mem_type = to_mem_type(attr);
  e.op = op;
  e.coherence = is_cacheable(attr) ? Coherence::FullyCoherent : Coherence::NonCoherent;
  return gp;
}

unsigned Core::send(tlm::tlm_generic_payload* gp, Kind kind, bool owned) {
  const unsigned i = alloc_slot();
  Slot& s = slots_[i];
  s.gp = gp;
  s.issued = core_time();
  s.kind = kind;
  s.used = true;
  s.done = false;
  s.owned = owned;
  s.uncached = kind == Kind::Load && MemExt::of(*gp).mem_type != MemType::NormalWriteBack;
  accept_at_ = core_time();
  if (kind == Kind::Load)
    stats_.bus_reads.inc();
  else if (gp->is_write())
    stats_.bus_writes.inc();
  else
    stats_.bus_maintenance.inc();

  blocked_ = gp;  // until the target accepts it (also when it does so from inside the call)
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::sc_time::from_value(local_);
  const tlm::tlm_sync_enum status = socket->nb_transport_fw(*gp, phase, delay);
  const Picoseconds t = sc_now() + delay.value();
  switch (status) {
    case tlm::TLM_COMPLETED:
      if (blocked_ == gp) blocked_ = nullptr;
      if (!slots_[i].done) complete(i, t);
      break;
    case tlm::TLM_UPDATED:
      if (blocked_ == gp) blocked_ = nullptr;
      if (phase == tlm::END_REQ) {
        accept_at_ = t;
      } else if (phase == tlm::BEGIN_RESP && !slots_[i].done) {
        complete(i, t);
      }
      break;
    case tlm::TLM_ACCEPTED:
      break;  // blocked_ stays set until END_REQ / BEGIN_RESP (unless that came already)
  }
  return i;
}

void Core::complete(unsigned i, Picoseconds at) {
  Slot& s = slots_[i];
  s.done = true;
  s.done_at = at;
  tlm::tlm_generic_payload* gp = s.gp;
  if (gp->is_response_error()) stats_.bus_errors.inc();
  if (s.kind == Kind::Load) {
    stats_.load_latency.sample((at - s.issued + period_ / 2) / period_);
    if (oracle_ != nullptr) {
      const MemExt& ext = MemExt::of(*gp);
      const std::uint64_t addr = gp->get_address();
      const std::uint64_t end = addr + std::max(1u, gp->get_data_length());
      const std::uint64_t lb = oracle_->line_bytes();
      const std::uint64_t cyc = clock_.cycles_at(ext.created_at);
      std::size_t k = 0;
      for (std::uint64_t line = addr & ~(lb - 1); line < end && k < ext.version_count(); line += lb, ++k)
        oracle_->read(agent_, std::max(line, addr), ext.versions()[k], ext.created_at, cyc);
    }
  }
  if (!s.owned) {
    gp->release();
    s.gp = nullptr;
  }
}

void Core::wait_slot(unsigned i, Stall cause) {
  for (;;) {
    if (slots_[i].done) {
      stall_to(slots_[i].done_at, cause);
      return;
    }
    block(cause);
  }
}

void Core::finish_slot(unsigned i) {
  if (slots_[i].gp != nullptr) slots_[i].gp->release();
  free_slot(i);
}

void Core::wait_all(unsigned mask, Stall cause) {
  for (;;) {
    const Picoseconds t = core_time();
    bool pending = false;
    Picoseconds last = 0;
    for (unsigned i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (!s.used) continue;
      const unsigned bit = s.kind == Kind::Load ? kLoadsMask : kWritesMask;
      if (!s.done) {
        pending = pending || (mask & bit) != 0;
      } else if (s.done_at > t) {
        if ((mask & bit) != 0) last = std::max(last, s.done_at);
      } else if (!s.owned) {
        free_slot(i);
      }
    }
    if (pending) {
      block(cause);
      continue;
    }
    stall_to(last, cause);
    return;
  }
}

// ---- responses --------------------------------------------------------------------------------

tlm::tlm_sync_enum Core::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  const Picoseconds t = sc_now() + delay.value();
  if (phase == tlm::END_REQ) {
    if (blocked_ == &gp) {
      blocked_ = nullptr;
      accept_at_ = t;
      event_.notify();
    }
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::BEGIN_RESP) {
    if (blocked_ == &gp) {
      blocked_ = nullptr;
      accept_at_ = t;
    }
    for (unsigned i = 0; i < slots_.size(); ++i) {
      if (slots_[i].used && !slots_[i].done && slots_[i].gp == &gp) {
        complete(i, t);
        break;
      }
    }
    event_.notify();
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

// ---- store buffer -----------------------------------------------------------------------------

void Core::begin_instruction() {
  if (alloc_count_ > 0) drain_idle(core_time());
}

void Core::drain_idle(Picoseconds until) {
  while (alloc_count_ > 0 && alloc_times_[alloc_head_] + idle_ps_ <= until) {
    const std::size_t before = drained_.size();
    sb_.drain_oldest(DrainReason::Idle, drained_);
    note_drained(before);
  }
  if (!drained_.empty()) issue_drained();
}

void Core::note_drained(std::size_t before) {
  for (std::size_t n = drained_.size() - before; n > 0 && alloc_count_ > 0; --n) {
    alloc_head_ = (alloc_head_ + 1) % alloc_times_.size();
    --alloc_count_;
  }
}

void Core::note_allocated(StoreOutcome o) {
  if (o != StoreOutcome::Allocated && o != StoreOutcome::AllocatedAfterFull) return;
  alloc_times_[(alloc_head_ + alloc_count_) % alloc_times_.size()] = core_time();
  ++alloc_count_;
}

void Core::issue_drained() {
  // No other thread of this core touches drained_ meanwhile: the caller holds the LSU.
  for (std::size_t i = 0; i < drained_.size(); ++i) issue_entry(drained_[i]);
  drained_.clear();
}

void Core::issue_entry(const DrainedStore& d) {
  prepare(Kind::Write, d.reason == DrainReason::Full ? Stall::StoreBufferFull : Stall::WriteCredits);
  const unsigned lo = static_cast<unsigned>(std::countr_zero(d.mask));
  const unsigned hi = 63u - static_cast<unsigned>(std::countl_zero(d.mask));
  const std::uint64_t addr = d.full_line ? d.addr : d.addr + lo;
  const unsigned len = d.full_line ? sb_.entry_size() : hi - lo + 1;
  const BusOp op = d.attr == MemAttr::NormalWriteBack ? BusOp::Store : BusOp::WriteNoSnoop;
  tlm::tlm_generic_payload* gp = make(tlm::TLM_WRITE_COMMAND, op, addr, len, d.attr);
  MemExt& ext = MemExt::of(*gp);
  const std::size_t lines = oracle_ != nullptr ? oracle_->lines_covered(addr, len) : 1;
  for (std::size_t k = 0; k < lines && k < MemExt::kMaxLines; ++k) ext.add_version(d.version);
  send(gp, Kind::Write, false);
}

// ---- accesses ---------------------------------------------------------------------------------

void Core::record_abort(const char* what, std::uint64_t va, unsigned size) {
  stats_.data_aborts.inc();
  if (abort_messages_.size() < kMaxAbortMessages)
    abort_messages_.push_back(fmt::format("{}: {} of {} bytes at VA {:#x}: translation fault (cycle {})",
                                          name(), what, size, va, cycle()));
}

bool Core::translate(std::uint64_t va, unsigned size, const char* what, Translation& out) {
  out = kernel_.translate(va);
  if (out.ok()) return true;
  record_abort(what, va, size);
  return false;
}

Core::PieceRead Core::read_piece(std::uint64_t pa, unsigned n, MemAttr attr, bool owned) {
  if (!is_normal(attr)) {
    // Device / Strongly-ordered: older stores drain first; the load completes before the next.
    const std::size_t before = drained_.size();
    sb_.load(pa, 1, attr, drained_);
    note_drained(before);
    issue_drained();
    prepare(Kind::Load, Stall::DeviceSo);
    const unsigned i = send(make(tlm::TLM_READ_COMMAND, BusOp::ReadNoSnoop, pa, n, attr), Kind::Load, true);
    advance(period_);
    wait_slot(i, Stall::DeviceSo);
    if (!owned) {
      finish_slot(i);
      return {};
    }
    return {static_cast<int>(i), 0};
  }
  // The store buffer, one slot-sized piece at a time.
  const unsigned gran = sb_.entry_size();
  const std::size_t before = drained_.size();
  bool all = true;
  bool any = false;
  std::uint64_t version = 0;
  for (std::uint64_t p = pa, end = pa + n; p < end;) {
    const unsigned m = static_cast<unsigned>(std::min<std::uint64_t>(end - p, gran - (p % gran)));
    const LoadResult r = sb_.load(p, m, attr, drained_);
    if (r.outcome == LoadOutcome::Forwarded) {
      any = true;
      version = std::max(version, r.version);
    } else {
      all = false;
      any = any || r.outcome == LoadOutcome::Stall;
    }
    p += m;
  }
  // Part forwarded, part not: the buffered bytes must reach the cache before the load.
  if (any && !all && !sb_.empty()) sb_.drain_all(DrainReason::LoadHazard, drained_);
  note_drained(before);
  if (!drained_.empty()) issue_drained();
  if (all) {
    if (oracle_ != nullptr) {
      const Picoseconds t = core_time();
      const std::uint64_t lb = oracle_->line_bytes();
      for (std::uint64_t line = pa & ~(lb - 1); line < pa + n; line += lb)
        oracle_->read(agent_, std::max(line, pa), version, t, cycle());
    }
    advance(period_);
    return {-1, version};
  }
  if (!is_cacheable(attr)) acquire_credit(Kind::Load, Stall::LoadCredits, true);
  prepare(Kind::Load, Stall::LoadCredits);
  const BusOp op = is_cacheable(attr) ? BusOp::Load : BusOp::ReadNoSnoop;
  const unsigned i = send(make(tlm::TLM_READ_COMMAND, op, pa, n, attr), Kind::Load, owned);
  advance(period_);
  return {owned ? static_cast<int>(i) : -1, 0};
}

void Core::load_access(std::uint64_t va, unsigned size, std::vector<int>* slots) {
  stats_.loads.inc();
  stats_.bytes_loaded.inc(size);
  const unsigned line = config_.line_size;
  for (unsigned off = 0; off < size;) {
    const std::uint64_t cur = va + off;
    const unsigned n = std::min<unsigned>(size - off, line - static_cast<unsigned>(cur % line));
    Translation tr;
    if (!translate(cur, size - off, "load", tr)) {
      advance(period_);
      return;
    }
    const PieceRead r = read_piece(tr.pa, n, tr.attr, slots != nullptr);
    if (slots != nullptr && r.slot >= 0) slots->push_back(r.slot);
    off += n;
  }
}

void Core::store_access(std::uint64_t va, unsigned size) {
  stats_.stores.inc();
  stats_.bytes_stored.inc(size);
  const unsigned gran = sb_.entry_size();
  for (unsigned off = 0; off < size;) {
    const std::uint64_t cur = va + off;
    const unsigned n = std::min<unsigned>(size - off, gran - static_cast<unsigned>(cur % gran));
    Translation tr;
    if (!translate(cur, size - off, "store", tr)) {
      advance(period_);
      return;
    }
    store_piece(tr.pa, n, tr.attr, nullptr);
    off += n;
  }
}

void Core::store_piece(std::uint64_t pa, unsigned n, MemAttr attr, const std::uint32_t* value) {
  const std::uint64_t version = oracle_ != nullptr ? oracle_->write(agent_, pa, core_time(), cycle()) : 0;
  std::size_t before = drained_.size();
  // A Device / SO store needs no slot of the buffer; a one-byte probe never leaves one.
  const StoreOutcome o = sb_.store(pa, is_normal(attr) ? n : 1, attr, version, drained_);
  note_drained(before);
  note_allocated(o);
  if (o == StoreOutcome::Unbuffered) {
    issue_drained();
    device_write(pa, n, attr, version, value);
    advance(period_);
    return;
  }
  before = drained_.size();
  if (sb_.drain_complete(pa, drained_)) note_drained(before);
  if (!drained_.empty()) issue_drained();
  advance(period_);
}

void Core::device_write(std::uint64_t pa, unsigned n, MemAttr attr, std::uint64_t version, const std::uint32_t* value) {
  prepare(Kind::Write, Stall::DeviceSo);
  tlm::tlm_generic_payload* gp = make(tlm::TLM_WRITE_COMMAND, BusOp::WriteNoSnoop, pa, n, attr);
  MemExt& ext = MemExt::of(*gp);
  if (oracle_ != nullptr) {
    const std::size_t lines = oracle_->lines_covered(pa, n);
    for (std::size_t k = 0; k < lines && k < MemExt::kMaxLines; ++k) ext.add_version(version);
  }
  if (value != nullptr) std::memcpy(gp->get_data_ptr(), value, std::min<unsigned>(n, 4));
  const bool strongly_ordered = attr == MemAttr::StronglyOrdered;
  const unsigned i = send(gp, Kind::Write, strongly_ordered);
  if (strongly_ordered) {
    wait_slot(i, Stall::DeviceSo);
    finish_slot(i);
  } else {
    // Posted: the core continues once the write is accepted.
    while (blocked_ == gp) block(Stall::DeviceSo);
    stall_to(accept_at_, Stall::DeviceSo);
  }
}

// ---- the software interface -------------------------------------------------------------------

void Core::load(std::uint64_t va, unsigned size) {
  if (size == 0) return;
  Lsu lsu(*this);
  begin_instruction();
  piece_slots_.clear();
  load_access(va, size, &piece_slots_);
  for (const int s : piece_slots_) {
    wait_slot(static_cast<unsigned>(s), Stall::LoadData);
    finish_slot(static_cast<unsigned>(s));
  }
}

std::uint64_t Core::load_version(std::uint64_t va) {
  Lsu lsu(*this);
  begin_instruction();
  stats_.loads.inc();
  stats_.bytes_loaded.inc(1);
  Translation tr;
  if (!translate(va, 1, "load", tr)) {
    advance(period_);
    return oracle::kInitialVersion;
  }
  const PieceRead r = read_piece(tr.pa, 1, tr.attr, true);
  if (r.slot < 0) return r.version;
  const auto i = static_cast<unsigned>(r.slot);
  wait_slot(i, Stall::LoadData);
  const MemExt& ext = MemExt::of(*slots_[i].gp);
  const std::uint64_t v = ext.version_count() > 0 ? ext.versions()[0] : oracle::kInitialVersion;
  finish_slot(i);
  return v;
}

void Core::store(std::uint64_t va, unsigned size) {
  if (size == 0) return;
  Lsu lsu(*this);
  begin_instruction();
  store_access(va, size);
}

void Core::read_range(std::uint64_t va, std::uint64_t bytes, unsigned access_size) {
  const std::uint64_t step = access_size != 0 ? access_size : config_.line_size;
  Lsu lsu(*this);
  for (std::uint64_t off = 0; off < bytes; off += step) {
    begin_instruction();
    load_access(va + off, static_cast<unsigned>(std::min(step, bytes - off)), nullptr);
  }
  wait_all(kLoadsMask, Stall::LoadData);
}

void Core::write_range(std::uint64_t va, std::uint64_t bytes, unsigned access_size) {
  const std::uint64_t step = access_size != 0 ? access_size : config_.line_size;
  Lsu lsu(*this);
  for (std::uint64_t off = 0; off < bytes; off += step) {
    begin_instruction();
    store_access(va + off, static_cast<unsigned>(std::min(step, bytes - off)));
  }
}

void Core::copy(std::uint64_t dst, std::uint64_t src, std::uint64_t bytes, unsigned access_size) {
  const std::uint64_t step = access_size != 0 ? access_size : config_.line_size;
  Lsu lsu(*this);
  // Loads run ahead of the stores by up to max_outstanding_loads chunks; each chunk is stored
  // once its data is there, in order.
  copy_chunks_.clear();
  copy_slots_.clear();
  std::size_t chunk_head = 0;
  std::size_t slot_head = 0;
  auto retire = [&]() {
    const CopyChunk c = copy_chunks_[chunk_head++];
    for (unsigned k = 0; k < c.slots; ++k) {
      const auto i = static_cast<unsigned>(copy_slots_[slot_head++]);
      wait_slot(i, Stall::LoadData);
      finish_slot(i);
    }
    begin_instruction();
    store_access(dst + c.offset, c.size);
    if (chunk_head >= 1024) {  // keep the scratch vectors short (erasing never allocates)
      copy_chunks_.erase(copy_chunks_.begin(), copy_chunks_.begin() + static_cast<std::ptrdiff_t>(chunk_head));
      copy_slots_.erase(copy_slots_.begin(), copy_slots_.begin() + static_cast<std::ptrdiff_t>(slot_head));
      chunk_head = slot_head = 0;
    }
  };
  for (std::uint64_t off = 0; off < bytes; off += step) {
    while (copy_chunks_.size() - chunk_head >= config_.max_outstanding_loads) retire();
    begin_instruction();
    const std::size_t before = copy_slots_.size();
    const auto n = static_cast<unsigned>(std::min(step, bytes - off));
    load_access(src + off, n, &copy_slots_);
    copy_chunks_.push_back(CopyChunk{off, n, static_cast<unsigned>(copy_slots_.size() - before)});
  }
  while (chunk_head < copy_chunks_.size()) retire();
}

void Core::dmb() {
  Lsu lsu(*this);
  begin_instruction();
  stats_.dmb.inc();
  const std::size_t before = drained_.size();
  sb_.dmb(drained_);
  note_drained(before);
  issue_drained();
  advance(period_);
}

void Core::dsb() {
  Lsu lsu(*this);
  begin_instruction();
  stats_.dsb.inc();
  const std::size_t before = drained_.size();
  sb_.dsb(drained_);
  note_drained(before);
  issue_drained();
  wait_all(kAllMask, Stall::Dsb);
  advance(period_);
}

// Cache maintenance drains the store buffer first (older stores reach the cache before the
// operation does).
void Core::drain_for_maintenance(unsigned stat) {
  begin_instruction();
  stats_.maintenance[stat]->inc();
  const std::size_t before = drained_.size();
  sb_.cache_maintenance(drained_);
  note_drained(before);
  issue_drained();
}

void Core::dc_by_va(std::uint64_t va, BusOp op, unsigned stat) {
  Lsu lsu(*this);
  drain_for_maintenance(stat);
  Translation tr;
  if (!translate(va, config_.line_size, kMaintenanceNames[stat], tr)) {
    advance(period_);
    return;
  }
  prepare(Kind::Write, Stall::WriteCredits);
  const std::uint64_t line = tr.pa & ~std::uint64_t{config_.line_size - 1};
  send(make(tlm::TLM_IGNORE_COMMAND, op, line, config_.line_size, tr.attr), Kind::Write, false);
  advance(period_);
}

void Core::dc_by_setway(std::uint64_t setway, BusOp op, unsigned stat) {
  Lsu lsu(*this);
  drain_for_maintenance(stat);
  prepare(Kind::Write, Stall::WriteCredits);
  send(make(tlm::TLM_IGNORE_COMMAND, op, setway, 0, MemAttr::NormalWriteBack), Kind::Write, false);
  advance(period_);
}

void Core::dc_cvac(std::uint64_t va) { dc_by_va(va, BusOp::CleanShared, 0); }
void Core::dc_ivac(std::uint64_t va) { dc_by_va(va, BusOp::MakeInvalid, 1); }
void Core::dc_civac(std::uint64_t va) { dc_by_va(va, BusOp::CleanInvalid, 2); }
void Core::dc_csw(std::uint64_t setway) { dc_by_setway(setway, BusOp::CleanSetWay, 3); }
void Core::dc_isw(std::uint64_t setway) { dc_by_setway(setway, BusOp::InvalidateSetWay, 4); }
void Core::dc_cisw(std::uint64_t setway) { dc_by_setway(setway, BusOp::CleanInvalidateSetWay, 5); }

std::uint32_t Core::mmio_read(std::uint64_t va) {
  Lsu lsu(*this);
  begin_instruction();
  stats_.loads.inc();
  stats_.bytes_loaded.inc(4);
  Translation tr;
  if (!translate(va, 4, "mmio read", tr)) {
    advance(period_);
    return 0;
  }
  const PieceRead r = read_piece(tr.pa, 4, tr.attr, true);
  if (r.slot < 0) return 0;
  const auto i = static_cast<unsigned>(r.slot);
  wait_slot(i, is_normal(tr.attr) ? Stall::LoadData : Stall::DeviceSo);
  std::uint32_t value = 0;
  const tlm::tlm_generic_payload& gp = *slots_[i].gp;
  if (gp.is_response_ok()) std::memcpy(&value, gp.get_data_ptr(), 4);
  finish_slot(i);
  return value;
}

void Core::mmio_write(std::uint64_t va, std::uint32_t value) {
  Lsu lsu(*this);
  begin_instruction();
  stats_.stores.inc();
  stats_.bytes_stored.inc(4);
  Translation tr;
  if (!translate(va, 4, "mmio write", tr)) {
    advance(period_);
    return;
  }
  store_piece(tr.pa, 4, tr.attr, &value);
}

}  // namespace dmasim::cpu

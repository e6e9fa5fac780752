#include "models/devices/dma_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstring>

#include "models/common/error.h"
#include "models/common/sim_now.h"
#include "models/common/tlm/mem_ext.h"

namespace dmasim::devices {

DmaEngine::Stats::Stats(stats::Group g)
    : jobs(g.counter("jobs", "jobs", "jobs completed")),
      rejected(g.counter("rejected", "jobs", "jobs refused: queue full or malformed")),
      errors(g.counter("errors", "transactions", "transactions answered with an error (SYSMMU fault abort, decode error)")),
      reads(g.counter("reads", "transactions", "read transactions issued")),
      writes(g.counter("writes", "transactions", "write transactions issued")),
      bytes_read(g.counter("bytes_read", "bytes", "bytes read")),
      bytes_written(g.counter("bytes_written", "bytes", "bytes written")),
      read_latency(g.histogram("read_latency", "ns", "issue to last data beat of each read")),
      write_latency(g.histogram("write_latency", "ns", "issue to write response of each write")),
      job_time(g.histogram("job_time", "ns", "start to last response of each job")),
      stall_cycles(g.counter("stall_cycles", "cycles",
                             "cycles a transaction was ready but the engine had no credit (outstanding limit) or the "
                             "port refused it")),
      busy_ns(g.counter("busy_ns", "ns", "time with a job running")),
      throughput(g.scalar("throughput", "MB/s", "bytes moved per second of busy time")),
      register_accesses(g.counter("register_accesses", "accesses", "MMIO reads and writes of the register block")) {}

DmaEngine::DmaEngine(const sc_core::sc_module_name& name, const DmaEngineConfig& config, const ModelContext& ctx,
                     std::uint64_t register_base)
    : sc_module(name),
      port("port"),
      write_port("write_port"),
      registers("registers"),
      config_((config.check(), config)),
      ctx_(ctx),
      clock_(config.clock.domain(ctx.stats_path)),
      register_base_(register_base),
      stats_(ctx.group()),
      oracle_(ctx.oracle),
      port_if_(std::make_unique<PortIf>(*this)),
      write_port_if_(std::make_unique<PortIf>(*this)),
      registers_if_(std::make_unique<RegistersIf>(*this)),
      in_flight_(config.outstanding) {
  port.bind(*port_if_);
  write_port.bind(*write_port_if_);
  registers.bind(*registers_if_);
  if (oracle_ != nullptr)
    agent_ = oracle_->register_agent(std::string(this->name()), ctx.oracle_domain, oracle::AgentKind::Device);
  SC_METHOD(step);
  sensitive << wake_;
  dont_initialize();
  SC_METHOD(raise_irq);
  sensitive << irq_due_;
  dont_initialize();
}

DmaEngine::~DmaEngine() = default;

void DmaEngine::wake_at(Picoseconds at) {
  const Picoseconds now = sim_now();
  wake_.notify(sc_core::sc_time::from_value(at > now ? at - now : 0));
}

// ---- jobs -----------------------------------------------------------------------------------

std::uint64_t DmaEngine::submit(const DmaJob& job, DmaPacing* pacing, std::optional<Picoseconds> at) {
  if (queue_.size() >= config_.queue || dma_job_problem(job) != nullptr) {
    stats_.rejected.inc();
    return 0;
  }
  const Picoseconds start = std::max(at.value_or(0), sim_now());
  queue_.push_back(Queued{job, pacing, start});
  regs_.set_busy(true);
  wake_at(start);
  return ++submitted_;
}

void DmaEngine::start_job(Picoseconds now) {
  const Queued& q = queue_.front();
  running_.emplace(Running{DmaChunker(q.job), now, 0, 0, false, std::nullopt});
  running_->next = running_->chunker.next();
  job_end_ = now;
  if (q.pacing != nullptr) q.pacing->start(now);
}

void DmaEngine::finish_job(Picoseconds at) {
  const Running& r = *running_;
  stats_.jobs.inc();
  stats_.job_time.sample((at - r.started) / 1000);
  stats_.busy_ns.inc((at - r.started) / 1000);
  const double busy_s = static_cast<double>(stats_.busy_ns.value()) * 1e-9;
  if (busy_s > 0)
    stats_.throughput.set(static_cast<double>(stats_.bytes_read.value() + stats_.bytes_written.value()) / busy_s / 1e6);
  if (ctx_.trace != nullptr && ctx_.trace->enabled()) {
    if (job_track_ == trace::kNoTrack) job_track_ = ctx_.trace->slice_track(std::string(name()) + " jobs");
    const DmaJob& job = queue_.front().job;
    ctx_.trace->complete(job_track_, r.started, at, job.op == DmaOp::Read ? "read job" : job.op == DmaOp::Write ? "write job" : "copy job",
                         {{"bytes", job.total_bytes()}, {"src", job.src}, {"dst", job.dst},
                          {"cycles", (at - r.started) / clock_.period}, {"error", r.error}});
  }
  regs_.set_status(r.error ? dma_reg::STATUS_DONE | dma_reg::STATUS_ERROR : dma_reg::STATUS_DONE);
  regs_.job_done();
  ++jobs_done_;
  last_completion_ = at;
  running_.reset();
  queue_.pop_front();
  regs_.set_busy(!queue_.empty());
  job_done_.notify(sc_core::SC_ZERO_TIME);
  update_irq(at + cycles(config_.irq_latency));
}

// ---- issue ----------------------------------------------------------------------------------

void DmaEngine::step() {
  const Picoseconds now = sim_now();
  responses_.pop_ready(now, [this](std::uint64_t ready, Done d) { complete(*d.gp, ready); });
  for (;;) {
    if (running_ && !running_->next && running_->in_flight == 0 && copy_writes_.empty()) finish_job(job_end_);
    if (!running_ && !queue_.empty()) {
      if (queue_.front().not_before > now) {
        wake_at(queue_.front().not_before);
        break;
      }
      start_job(now);
    }
    if (!running_ || !issue_one(now)) break;
  }
  if (!responses_.empty()) wake_at(responses_.next_ready());
}

bool DmaEngine::issue_one(Picoseconds now) {
  Running& r = *running_;
  const DmaJob& job = queue_.front().job;
  DmaPacing* pacing = queue_.front().pacing;
  // Candidates: a copy's write whose read data is in, then the next chunk once pacing and rate
  // allow it. Each goes out on its socket when that socket is free and a credit is left.
  const bool copy_write_ready = !copy_writes_.empty() && copy_writes_.front().first <= now;
  if (!copy_writes_.empty() && !copy_write_ready) wake_at(copy_writes_.front().first);
  bool chunk_ready = false;
  if (r.next) {
    Picoseconds earliest = r.started;
    if (job.rate != 0)
      earliest += static_cast<Picoseconds>(static_cast<long double>(r.bytes_started) * 1e12L /
                                           static_cast<long double>(job.rate));
    if (pacing != nullptr) earliest = std::max(earliest, pacing->earliest(*r.next));
    chunk_ready = earliest <= now;
    if (!chunk_ready) wake_at(earliest);
  }
  if (!copy_write_ready && !chunk_ready) return false;
  const unsigned limit = job.outstanding != 0 ? std::min(job.outstanding, config_.outstanding) : config_.outstanding;
  bool blocked = false;  // something was ready but found no credit or a refusing socket
  auto sendable = [&](bool write) {
    const unsigned s = socket_of(write);
    if (port_free_[s] > now) {
      wake_at(port_free_[s]);
      return false;
    }
    if (refused_[s] != nullptr || outstanding_ >= limit) {
      blocked = true;
      return false;  // END_REQ or a response wakes us
    }
    return true;
  };
  if (copy_write_ready && sendable(true)) {
    note_stall_end(now);
    const DmaChunk c = copy_writes_.front().second;
    copy_writes_.pop_front();
    send(c, true, true, now);
    return true;
  }
  if (chunk_ready && sendable(job.op == DmaOp::Write)) {
    note_stall_end(now);
    const DmaChunk c = *r.next;
    r.next = r.chunker.next();
    r.bytes_started += c.length;
    send(c, job.op == DmaOp::Write, job.op != DmaOp::Copy, now);
    return true;
  }
  if (blocked && !stall_since_) stall_since_ = now;
  return false;
}

void DmaEngine::note_stall_end(Picoseconds now) {
  if (!stall_since_) return;
  stats_.stall_cycles.inc((now - *stall_since_) / clock_.period);
  stall_since_.reset();
}

void DmaEngine::send(const DmaChunk& c, bool write, bool last, Picoseconds now) {
  const DmaJob& job = queue_.front().job;
  const std::uint64_t address = write ? job.dst + c.dst_offset : job.src + c.src_offset;
  tlm::tlm_generic_payload* gp = pool_.allocate();
  gp->acquire();
  gp->set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  gp->set_address(address);
  gp->set_data_length(c.length);
  gp->set_streaming_width(c.length);
  MemExt& e = MemExt::of(*gp);
  e.initiator_id = agent_ == oracle::kNoAgent ? 0 : agent_;
  e.stream_id = config_.stream_id;
  e.txn_id = (std::uint64_t{e.initiator_id} << 40) | ++txn_seq_;
  e.created_at = now;
  e.op = write ? BusOp::WriteNoSnoop : BusOp::ReadNoSnoop;
  e.mem_type = job.coherent ? MemType::NormalWriteBack : MemType::NormalNonCacheable;
  e.coherence = job.coherent ? Coherence::IoCoherent : Coherence::NonCoherent;
  if (write && oracle_ != nullptr && !translated_) {
    const std::size_t lines = oracle_->lines_covered(address, c.length);
    for (std::size_t i = 0; i < lines; ++i)
      e.add_version(oracle_->write(agent_, oracle_->line_of(address) + i * oracle_->line_bytes(), now));
  }
  in_flight_.add(gp, Txn{c, write, last});
  ++outstanding_;
  ++running_->in_flight;
  if (write) {
    stats_.writes.inc();
    stats_.bytes_written.inc(c.length);
  } else {
    stats_.reads.inc();
    stats_.bytes_read.inc(c.length);
  }
  const std::uint64_t width = config_.bus_width.bytes;
  const unsigned socket = socket_of(write);
  port_free_[socket] = now + cycles(write ? std::max<std::uint64_t>(1, (c.length + width - 1) / width) : 1);

  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  const tlm::tlm_sync_enum s =
      socket == 0 ? port->nb_transport_fw(*gp, phase, delay) : write_port->nb_transport_fw(*gp, phase, delay);
  if (s == tlm::TLM_ACCEPTED) {
    refused_[socket] = gp;
  } else if (s == tlm::TLM_COMPLETED || phase == tlm::BEGIN_RESP) {
    responses_.push(now + delay.value(), Done{gp});
    wake_at(now + delay.value());
  }
}

tlm::tlm_sync_enum DmaEngine::port_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  const Picoseconds now = sim_now();
  // END_REQ, or BEGIN_RESP for the refused request itself (which implies it), frees the port; a
  // response to an earlier request does not.
  for (auto& refused : refused_) {
    if (&gp == refused && (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP)) {
      refused = nullptr;
      wake_at(now);
    }
  }
  if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  responses_.push(now + delay.value(), Done{&gp});
  wake_at(now + delay.value());
  return tlm::TLM_COMPLETED;
}

void DmaEngine::complete(tlm::tlm_generic_payload& gp, Picoseconds at) {
  Txn t;
  const bool found = in_flight_.take(&gp, t);
  assert(found);
  (void)found;
  --outstanding_;
  Running& r = *running_;
  --r.in_flight;
  job_end_ = std::max(job_end_, at);
  const MemExt& e = MemExt::of(gp);
  const bool ok = gp.is_response_ok();
  if (!ok) {
    r.error = true;
    stats_.errors.inc();
  }
  (t.write ? stats_.write_latency : stats_.read_latency).sample((at - e.created_at) / 1000);
  if (!t.write && ok && oracle_ != nullptr && !translated_ &&
      e.version_count() == oracle_->lines_covered(gp.get_address(), gp.get_data_length()))
    oracle_->read_range(agent_, gp.get_address(), gp.get_data_length(), e.versions(), e.created_at);
  gp.release();
  if (!t.last) {  // a copy's read: its data is here, the write may go
    copy_writes_.emplace_back(at, t.chunk);
    return;
  }
  if (DmaPacing* p = queue_.front().pacing) p->completed(t.chunk, at);
}

// ---- registers ------------------------------------------------------------------------------

tlm::tlm_sync_enum DmaEngine::register_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                          sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
  stats_.register_accesses.inc();
  const Picoseconds at = sim_now() + delay.value() + cycles(config_.register_latency);
  delay += sc_core::sc_time::from_value(cycles(config_.register_latency));
  const std::uint64_t a = gp.get_address();
  if (a < register_base_ || a - register_base_ >= dma_reg::kBlockBytes || a % 4 != 0) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  if (gp.get_data_length() != 4) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  const auto offset = static_cast<std::uint32_t>(a - register_base_);
  std::uint32_t value = 0;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (gp.is_read()) {
    value = regs_.read(offset);
    std::memcpy(gp.get_data_ptr(), &value, 4);
    return tlm::TLM_COMPLETED;
  }
  std::memcpy(&value, gp.get_data_ptr(), 4);
  if (regs_.write(offset, value) && submit(regs_.job(), register_pacing_, at) == 0) regs_.set_status(dma_reg::STATUS_REJECTED);
  update_irq(at);
  return tlm::TLM_COMPLETED;
}

void DmaEngine::update_irq(Picoseconds at) {
  if (!regs_.interrupt_pending()) {
    irq_.lower();
    return;
  }
  const Picoseconds now = sim_now();
  irq_due_.notify(sc_core::sc_time::from_value(at > now ? at - now : 0));
}

void DmaEngine::raise_irq() {
  if (regs_.interrupt_pending()) irq_.raise();
}

}  // namespace dmasim::devices

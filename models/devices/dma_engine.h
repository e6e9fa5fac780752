#pragma once
// A DMA engine (docs/devices.md): one channel working through a queue of jobs (dma_job.h), each
// cut into bus transactions of at most `burst` bytes, issued in order on the master socket, one
// per cycle, with at most `outstanding` unanswered. Writes also hold the master port for
// length / bus_width cycles of write data. A copy job writes each chunk when its read data has
// arrived. A job may be paced (dma_pacing.h: display, camera) or rate-limited; a job ends when
// its last response is complete, and the interrupt follows irq_latency cycles later when
// CTRL.IRQ_ENABLE is set.
//
// Programmed through its register block (dma_registers.h), reached by MMIO through the
// interconnect, or by a driver helper calling submit() (no register cost).
//
// Oracle: the engine takes a version per line it writes and checks the versions it reads, as a
// CPU does; behind a SYSMMU (set_translated) it leaves that to the SYSMMU, which alone knows the
// physical address (docs/protocol.md).
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/clock_domain.h"
#include "models/common/interrupt_line.h"
#include "models/common/model_context.h"
#include "models/common/stats/registry.h"
#include "models/common/tlm/link_table.h"
#include "models/common/tlm/payload_pool.h"
#include "models/common/tlm/socket_adapters.h"
#include "models/devices/dma_engine_config.h"
#include "models/devices/dma_job.h"
#include "models/devices/dma_pacing.h"
#include "models/devices/dma_registers.h"
#include "models/interconnect/delay_line.h"

namespace dmasim::devices {

class DmaEngine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(DmaEngine);

  tlm::tlm_initiator_socket<> port;     // the master port (to a SYSMMU or the interconnect)
  // An optional second master port: when bound, writes leave through it (a master with separate
  // read and write ports, each behind its own SYSMMU); otherwise everything uses `port`.
  tlm::tlm_initiator_socket<32, tlm::tlm_base_protocol_types, 1, sc_core::SC_ZERO_OR_MORE_BOUND> write_port;
  tlm::tlm_target_socket<> registers;   // the register block

  // `register_base`: the physical address of the register block. Checks the configuration
  // (UserError). ctx.stats is required; ctx.oracle may be null.
  DmaEngine(const sc_core::sc_module_name& name, const DmaEngineConfig& config, const ModelContext& ctx,
            std::uint64_t register_base);
  ~DmaEngine() override;

  InterruptLine& irq() { return irq_; }
  const DmaEngineConfig& config() const { return config_; }
  const ClockDomain& clock() const { return clock_; }
  const DmaRegisters& register_file() const { return regs_; }
  void set_translated(bool translated) { translated_ = translated; }
  oracle::AgentId agent() const { return agent_; }  // kNoAgent without an oracle

  // Queues `job` as a driver helper would (no register cost), starting no earlier than `at`
  // (default: now); `pacing` (may be null) must outlive the job. Returns the job's number
  // (1, 2, ... in submission order), or 0 when the queue is full or the job is malformed
  // (counted as rejected).
  std::uint64_t submit(const DmaJob& job, DmaPacing* pacing = nullptr, std::optional<Picoseconds> at = {});
  // The pacing of jobs started through the registers (a display or camera interface whose
  // timing is wired to the engine); null: none. Must outlive those jobs.
  void set_register_pacing(DmaPacing* pacing) { register_pacing_ = pacing; }
  std::uint64_t jobs_done() const { return jobs_done_; }
  bool idle() const { return queue_.empty(); }
  // Notified when a job completes (at its completion time, before the interrupt).
  sc_core::sc_event& job_done_event() { return job_done_; }
  Picoseconds last_completion() const { return last_completion_; }

 private:

  struct Queued {
    DmaJob job;
    DmaPacing* pacing = nullptr;
    Picoseconds not_before = 0;
  };
  struct Running {  // the job at the head of the queue, once started
    DmaChunker chunker;
    Picoseconds started = 0;
    std::uint64_t bytes_started = 0;  // bytes of chunks begun (rate limit)
    std::uint64_t in_flight = 0;      // transactions not yet complete
    bool error = false;
    std::optional<DmaChunk> next;     // the chunk to issue next (peeked)
  };
  struct Txn {  // a transaction in flight
    DmaChunk chunk;
    bool write = false;
    bool last = false;  // completing it completes the chunk
  };
  struct Done {  // a response, handled when complete
    tlm::tlm_generic_payload* gp = nullptr;
  };
  struct Stats {
    explicit Stats(stats::Group g);
    stats::Counter& jobs;
    stats::Counter& rejected;
    stats::Counter& errors;
    stats::Counter& reads;
    stats::Counter& writes;
    stats::Counter& bytes_read;
    stats::Counter& bytes_written;
    stats::Histogram& read_latency;
    stats::Histogram& write_latency;
    stats::Histogram& job_time;
    stats::Counter& stall_cycles;
    stats::Counter& busy_ns;
    stats::Scalar& throughput;
    stats::Counter& register_accesses;
  };

  void start_job(Picoseconds at);
  void step();
  bool issue_one(Picoseconds now);  // false: cannot issue now (wake_ set when it makes sense)
  void send(const DmaChunk& chunk, bool write, bool last, Picoseconds now);
  void complete(tlm::tlm_generic_payload& gp, Picoseconds at);
  void finish_job(Picoseconds at);
  void note_stall_end(Picoseconds now);

  tlm::tlm_sync_enum port_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  tlm::tlm_sync_enum register_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void update_irq(Picoseconds at);
  void raise_irq();  // SC_METHOD on irq_due_

  using PortIf = BackwardAdapter<DmaEngine, &DmaEngine::port_bw>;
  using RegistersIf = RegisterTargetAdapter<DmaEngine, &DmaEngine::register_fw>;

  Picoseconds cycles(std::uint64_t n) const { return n * clock_.period; }
  unsigned socket_of(bool write) const { return write && write_port.size() > 0 ? 1 : 0; }
  void wake_at(Picoseconds at);

  DmaEngineConfig config_;
  ModelContext ctx_;
  trace::TrackId job_track_ = trace::kNoTrack;  // "<name> jobs": a slice per job
  ClockDomain clock_;
  std::uint64_t register_base_;
  DmaRegisters regs_;
  InterruptLine irq_;
  Stats stats_;
  PayloadPool pool_;
  oracle::Oracle* oracle_;
  oracle::AgentId agent_ = oracle::kNoAgent;
  bool translated_ = false;
  DmaPacing* register_pacing_ = nullptr;
  std::uint64_t txn_seq_ = 0;

  std::unique_ptr<PortIf> port_if_, write_port_if_;
  std::unique_ptr<RegistersIf> registers_if_;

  std::deque<Queued> queue_;          // head: the running job (when running_ is set)
  std::optional<Running> running_;
  std::deque<std::pair<Picoseconds, DmaChunk>> copy_writes_;  // read data in, write to issue (ready time)
  LinkTable<tlm::tlm_generic_payload, Txn> in_flight_;
  unsigned outstanding_ = 0;
  // Per socket (port, write_port): the request it refused (its END_REQ awaited), and when it can
  // take the next request.
  std::array<const tlm::tlm_generic_payload*, 2> refused_{};
  std::array<Picoseconds, 2> port_free_{};
  std::optional<Picoseconds> stall_since_;  // issue blocked by credits or backpressure since
  interconnect::DelayLine<Done> responses_;
  std::uint64_t submitted_ = 0, jobs_done_ = 0;
  Picoseconds last_completion_ = 0;
  Picoseconds job_end_ = 0;           // latest response completion of the running job
  sc_core::sc_event wake_;
  sc_core::sc_event job_done_;
  sc_core::sc_event irq_due_;
};

}  // namespace dmasim::devices

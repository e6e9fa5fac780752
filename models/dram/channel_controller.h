#pragma once
// The scheduling engine of one DRAM channel, free of SystemC: requests go in with their arrival
// cycle, step(now) issues the command that is legal and chosen at `now` and says when there is
// next something to do, and finished requests come out with the cycle of their last data beat.
// DramSubsystem wraps it in one SC_METHOD per channel; unit tests drive it directly.
//
// Timing state is kept as "earliest legal cycle" per command kind at bank, bank-group, rank and
// channel scope, updated when a command issues (so finding the next legal time is a handful of
// max() operations), in the manner of a JEDEC timing table.
#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "models/common/stats/registry.h"
#include "models/common/trace/recorder.h"
#include "models/dram/address_mapping.h"
#include "models/dram/command.h"
#include "models/dram/controller_config.h"
#include "models/dram/derived_timings.h"
#include "models/dram/energy.h"
#include "models/dram/memspec.h"
#include "models/dram/policies.h"

namespace dmasim::dram {

struct Completion {
  std::uint64_t done = 0;     // cycle of the last data beat
  std::uint64_t arrival = 0;  // cycle the request entered the controller
  std::uint64_t address = 0;
  bool is_write = false;
  void* tag = nullptr;
};

class ChannelController {
 public:
  ChannelController(const MemSpec& spec, const ControllerConfig& config, unsigned channel, stats::Group stats,
                    trace::Recorder* trace = nullptr);
  ~ChannelController();
  ChannelController(const ChannelController&) = delete;
  ChannelController& operator=(const ChannelController&) = delete;

  // Every issued command is shown to each observer (checker, tests).
  void add_observer(CommandObserver* observer) { observers_.push_back(observer); }

  bool has_room(bool is_write) const;
  // The caller checked has_room. A read of an address with a queued write is served from the
  // write queue and never reaches the DRAM.
  void enqueue(std::uint64_t address, const DecodedAddress& where, bool is_write, std::uint64_t arrival, void* tag);

  // Issues every command chosen for cycle `now` (at most one per command-bus slot) and returns
  // the next cycle at which a command, a completion or a refresh is due (kNever when idle).
  // `quiet_until`: the caller guarantees no request arrives before that cycle (its socket is
  // blocked on a full queue), so row commands due earlier are issued in this call.
  std::uint64_t step(std::uint64_t now, std::uint64_t quiet_until = 0);
  // Hands out requests whose last data beat is at or before `now` (kNever: every request whose
  // timing is settled), in completion order.
  bool pop_completion(std::uint64_t now, Completion& out);
  // The next cycle at which step() has something to do, as of the last step().
  std::uint64_t next_event() const {
    return std::min({planned_valid_ ? planned_.time : kNever, next_completion(), next_refresh_due_});
  }
  std::uint64_t next_completion() const;

  std::size_t queued_reads() const { return queue_count_[0]; }
  std::size_t queued_writes() const { return queue_count_[1]; }
  bool idle() const;
  // Closes the books at `now`: residency, energy, utilisation and queue occupancy stats.
  void finish(std::uint64_t now);

  const DerivedTimings& derived() const { return d_; }

 private:
  struct Request {
    std::uint64_t id = 0;
    std::uint64_t address = 0;
    DecodedAddress at;
    unsigned bank = 0;  // flat bank index in the channel: rank * banks + bank
    bool is_write = false;
    bool queued = false;
    bool activated = false;   // an ACT was issued for it
    bool conflicted = false;  // a PRE closed another row for it
    std::uint64_t arrival = 0;
    std::uint64_t ready = 0;
    void* tag = nullptr;
    std::uint32_t prev = kNone, next = kNone;
    std::uint32_t hazard_slot = kNone;  // an older queued read of the same address
    std::uint64_t hazard_id = 0;
  };
  struct Bank {
    std::uint32_t open_row = kNone;
    std::uint64_t act = 0, pre = 0, rd = 0, wr = 0;
    // Write recovery alone: an auto-precharge waits for tRAS but not for tWR, so a read may
    // only close the row itself once this has passed.
    std::uint64_t write_recovery = 0;
    std::array<std::uint32_t, 2> head{kNone, kNone}, tail{kNone, kNone};
    std::array<unsigned, 2> count{0, 0};
    std::uint64_t opened_at = 0;
    std::uint64_t open_cycles = 0;
    trace::TrackId track = 0;
    std::uint64_t row_slice_start = 0;
  };
  struct Group {
    std::uint64_t act = 0, rd = 0, wr = 0;
  };
  // A bank's next command for one queue, with the part of its earliest time that depends on
  // this bank alone. Recomputed only when the bank's queue or state changes; the rank-, group-
  // and bus-wide constraints are added at each evaluation.
  struct BankChoice {
    std::uint32_t slot = kNone;
    Command command = Command::ACT;
    unsigned kind = 0;  // index into the shared-constraint row: 0 RD, 1 WR, 2 ACT, 3 PRE
    unsigned shared_index = 0;  // group * 4 + kind: this choice's entry in shared_
    std::uint64_t local_time = 0;
    std::uint64_t age = 0;  // the request's arrival order, for ties
  };
  // Every timing field holds the earliest reference edge (last bus cycle) of the next command of
  // that kind; offset() turns it into an issue cycle.
  struct Rank {
    std::uint64_t act = 0, rd = 0, wr = 0, pre = 0, refpb = 0;
    std::array<std::uint64_t, 4> faw{};
    std::uint64_t acts = 0;
    unsigned open_banks = 0;
    std::uint64_t active_since = 0;
    std::uint64_t active_cycles = 0;
    bool refresh_pending = false;
    trace::TrackId track = 0;
  };
  struct Candidate {
    Command command = Command::ACT;
    unsigned bank = 0;  // flat
    std::uint32_t slot = kNone;
    std::uint64_t time = kNever;
    std::uint64_t age = ~std::uint64_t{0};
    int priority = 0;  // lower wins on equal time: refresh, column, row commands
  };

  bool better(const Candidate& a, const Candidate& b) const;
  bool eligible(const Request& r) const;
  std::uint32_t pick_request(const Bank& bank, int queue) const;
  // Earliest issue cycles of RD, WR, ACT and PRE (out[0..3]) in a bank group from the group-,
  // rank- and bus-wide rules (the same for every bank of the group), at least `floor`. Inline:
  // it runs for every group at every evaluation.
  void shared_row(unsigned group_index, std::uint64_t floor, std::uint64_t* out) const {
    const Rank& rank = ranks_[group_rank_[group_index]];
    const Group& group = groups_[group_index];
    out[0] = std::max(issue_cycle(std::max(group.rd, rank.rd), Command::RD), floor);
    out[1] = std::max(issue_cycle(std::max(group.wr, rank.wr), Command::WR), floor);
    out[2] = std::max(issue_cycle(std::max({group.act, rank.act, faw_edge(rank)}), Command::ACT), floor);
    out[3] = std::max(issue_cycle(rank.pre, Command::PRE), floor);
  }
  Candidate from_choice(unsigned flat_bank, int queue, std::uint64_t time) const;
  Candidate request_candidate(unsigned flat_bank, int queue) const;
  Candidate refresh_candidate(unsigned rank) const;
  // The best command over every bank and refresh, times clamped to `now`.
  Candidate evaluate(std::uint64_t now);
  bool refresh_blocks(unsigned flat_bank) const { return (blocked_mask_ >> flat_bank) & 1u; }
  void update_blocked();
  // Earliest issue cycle of `cmd` given the earliest reference edge.
  std::uint64_t issue_cycle(std::uint64_t edge, Command cmd) const {
    const unsigned off = d_.edge_offset(cmd);
    return edge > off ? edge - off : 0;
  }
  std::uint64_t faw_edge(const Rank& rank) const {
    return rank.acts >= 4 ? rank.faw[rank.acts % 4] + spec_.t.tFAW : 0;
  }
  void update_refresh_due();
  void refresh_done(unsigned rank);
  unsigned pick_refresh_bank(unsigned rank) const;
  void update_mode();
  void issue(const Candidate& c, std::uint64_t now);
  void issue_column(Request& r, Command cmd, std::uint64_t now);
  void open_row(unsigned flat_bank, unsigned row, std::uint64_t now);
  void close_row(unsigned flat_bank, std::uint64_t at);
  void unlink(std::uint32_t slot);
  void touch(unsigned flat_bank) {
    dirty_mask_[0] |= std::uint64_t{1} << flat_bank;
    dirty_mask_[1] |= std::uint64_t{1} << flat_bank;
  }
  void refresh_choice(unsigned flat_bank, int queue);
  std::uint32_t allocate_slot();
  void notify(Command cmd, unsigned flat_bank, unsigned row, unsigned column, std::uint64_t now);
  void sample_queues(std::uint64_t now);
  void push_completion(std::deque<Completion>& q, const Completion& c);

  const MemSpec spec_;
  const ControllerConfig config_;
  const DerivedTimings d_;
  const unsigned channel_;
  const unsigned banks_per_rank_;
  const unsigned banks_per_group_;
  std::unique_ptr<Scheduler> scheduler_;
  bool hits_first_;
  std::unique_ptr<PagePolicy> page_policy_;
  std::unique_ptr<RefreshPolicy> refresh_;
  std::vector<CommandObserver*> observers_;
  trace::Recorder* trace_;
  trace::TrackId channel_track_ = 0, read_queue_track_ = 0, write_queue_track_ = 0;

  std::vector<Request> slab_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<Bank> banks_;
  std::array<std::vector<BankChoice>, 2> choices_;  // [queue][flat bank]
  std::array<std::uint64_t, 2> dirty_mask_{~0ull, ~0ull};  // choices to recompute
  std::vector<unsigned> bank_group_index_;  // flat bank -> index into groups_
  std::vector<unsigned> group_rank_;        // group index -> rank (no division on the hot path)
  // Per group, the earliest RD, WR and ACT allowed by group-, rank- and bus-wide rules, built
  // at each evaluation so each bank costs one max().
  std::vector<std::uint64_t> shared_;  // [group * 4 + kind]
  std::uint64_t blocked_mask_ = 0;  // banks held back by a pending refresh
  std::uint64_t next_refresh_due_ = kNever;  // earliest due refresh of a rank not yet pending
  std::vector<Group> groups_;
  std::vector<Rank> ranks_;
  std::array<std::uint64_t, 2> pending_mask_{0, 0};  // banks with queued reads / writes
  std::array<std::size_t, 2> queue_count_{0, 0};
  std::uint64_t cmd_free_ = 0;  // the command bus is free from this cycle
  std::uint64_t next_id_ = 0;
  // The last evaluation's winner stays valid until the state changes (a command issues, the
  // mode flips, a refresh falls due); arrivals only compare their own bank against it.
  Candidate planned_;
  bool planned_valid_ = false;
  // Banks whose open row was activated for a still-unserved request of each queue.
  std::array<std::uint64_t, 2> committed_mask_{0, 0};
  bool write_mode_ = false;
  bool draining_ = false;  // write mode entered at the high watermark
  std::deque<Completion> dram_done_, forwarded_done_;

  // Queue occupancy integrated over time.
  std::uint64_t occupancy_since_ = 0;
  std::array<std::uint64_t, 2> occupancy_area_{0, 0};
  std::array<std::size_t, 2> occupancy_max_{0, 0};

  struct Stats {
    std::array<stats::Counter*, kCommandCount> commands{};
    stats::Counter *reads, *writes, *reads_forwarded, *row_hits, *row_misses, *row_conflicts, *refreshes;
    stats::Counter *bytes_read, *bytes_written, *write_drains;
    stats::Histogram *read_latency, *write_latency;
    stats::Scalar *row_hit_rate, *bandwidth, *avg_read_queue, *avg_write_queue, *max_read_queue, *max_write_queue;
    stats::Scalar *energy_total, *energy_act, *energy_rd, *energy_wr, *energy_ref, *energy_bg;
    stats::Scalar *elapsed_cycles;
    std::vector<stats::Scalar*> bank_utilisation;
  } s_;
};

}  // namespace dmasim::dram

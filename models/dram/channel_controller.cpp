#include "models/dram/channel_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace dmasim::dram {
namespace {

constexpr int kReads = 0;
constexpr int kWrites = 1;

void raise(std::uint64_t& slot, std::uint64_t value) { slot = std::max(slot, value); }

}  // namespace

ChannelController::ChannelController(const MemSpec& spec, const ControllerConfig& config, unsigned channel,
                                     stats::Group stats, trace::Recorder* trace)
    : spec_(spec),
      config_(config),
      d_(DerivedTimings::from(spec)),
      channel_(channel),
      banks_per_rank_(spec.org.banks),
      banks_per_group_(spec.org.banks_per_group()),
      scheduler_(make_scheduler(config.scheduler)),
      hits_first_(scheduler_->hits_first()),
      page_policy_(make_page_policy(config.page_policy)),
      refresh_(make_refresh_policy(config.refresh, spec)),
      trace_(trace != nullptr && trace->enabled() ? trace : nullptr) {
  banks_.resize(std::size_t{spec.org.ranks} * spec.org.banks);
  choices_[0].resize(banks_.size());
  choices_[1].resize(banks_.size());
  for (unsigned f = 0; f < banks_.size(); ++f)
    bank_group_index_.push_back((f / banks_per_rank_) * spec.org.bank_groups + (f % banks_per_rank_) / banks_per_group_);
  shared_.resize(std::size_t{spec.org.ranks} * spec.org.bank_groups * 4);
  groups_.resize(std::size_t{spec.org.ranks} * spec.org.bank_groups);
  for (unsigned g = 0; g < groups_.size(); ++g) group_rank_.push_back(g / spec.org.bank_groups);
  ranks_.resize(spec.org.ranks);
  update_refresh_due();
  slab_.reserve(config.read_queue + config.write_queue);

  for (std::size_t c = 0; c < kCommandCount; ++c) {
    const auto name = command_name(static_cast<Command>(c));
    s_.commands[c] = &stats.counter(fmt::format("commands.{}", name), "commands", fmt::format("{} commands issued", name));
  }
  s_.reads = &stats.counter("reads", "requests", "read requests completed (including forwarded)");
  s_.writes = &stats.counter("writes", "requests", "write requests completed");
  s_.reads_forwarded = &stats.counter("reads_forwarded", "requests", "reads served from the write queue");
  s_.row_hits = &stats.counter("row_hits", "requests", "requests whose row was already open");
  s_.row_misses = &stats.counter("row_misses", "requests", "requests that found the bank closed (ACT)");
  s_.row_conflicts = &stats.counter("row_conflicts", "requests", "requests that closed another row (PRE + ACT)");
  s_.refreshes = &stats.counter("refreshes", "commands", "refresh commands (all-bank and per-bank)");
  s_.bytes_read = &stats.counter("bytes_read", "bytes", "bytes read from the DRAM");
  s_.bytes_written = &stats.counter("bytes_written", "bytes", "bytes written to the DRAM");
  s_.write_drains = &stats.counter("write_drains", "drains", "write drains started at the high watermark");
  s_.read_latency = &stats.histogram("read_latency", "cycles", "arrival at the controller to last data beat");
  s_.write_latency = &stats.histogram("write_latency", "cycles", "arrival at the controller to last data beat");
  s_.row_hit_rate = &stats.scalar("row_hit_rate", "ratio", "row hits / (hits + misses + conflicts)");
  s_.bandwidth = &stats.scalar("bandwidth_gbps", "GB/s", "bytes transferred / elapsed time (1 GB = 1e9 B)");
  s_.avg_read_queue = &stats.scalar("read_queue.average", "entries", "time-averaged read queue occupancy");
  s_.max_read_queue = &stats.scalar("read_queue.max", "entries", "largest read queue occupancy");
  s_.avg_write_queue = &stats.scalar("write_queue.average", "entries", "time-averaged write queue occupancy");
  s_.max_write_queue = &stats.scalar("write_queue.max", "entries", "largest write queue occupancy");
  s_.energy_total = &stats.scalar("energy.total_nj", "nJ", "DRAM energy, all ranks and rails");
  s_.energy_act = &stats.scalar("energy.activate_nj", "nJ", "ACT/PRE energy above standby");
  s_.energy_rd = &stats.scalar("energy.read_nj", "nJ", "read burst energy above standby");
  s_.energy_wr = &stats.scalar("energy.write_nj", "nJ", "write burst energy above standby");
  s_.energy_ref = &stats.scalar("energy.refresh_nj", "nJ", "refresh energy above standby");
  s_.energy_bg = &stats.scalar("energy.background_nj", "nJ", "active and precharge standby energy");
  s_.elapsed_cycles = &stats.scalar("elapsed_cycles", "cycles", "cycles from start to the end of the run");
  for (unsigned r = 0; r < spec.org.ranks; ++r)
    for (unsigned b = 0; b < spec.org.banks; ++b)
      s_.bank_utilisation.push_back(&stats.scalar(fmt::format("bank_utilisation.rank{}.bank{}", r, b), "ratio",
                                                  "fraction of time the bank had a row open"));

  if (trace_ != nullptr) {
    channel_track_ = trace_->slice_track(fmt::format("dram channel {}", channel));
    read_queue_track_ = trace_->counter_track("read queue", "entries", channel_track_);
    write_queue_track_ = trace_->counter_track("write queue", "entries", channel_track_);
    for (unsigned r = 0; r < spec.org.ranks; ++r) {
      ranks_[r].track = trace_->slice_track(fmt::format("rank {}", r), channel_track_);
      for (unsigned b = 0; b < spec.org.banks; ++b)
        banks_[r * banks_per_rank_ + b].track = trace_->slice_track(fmt::format("bank {}", b), ranks_[r].track);
    }
  }
}

ChannelController::~ChannelController() = default;

bool ChannelController::has_room(bool is_write) const {
  return is_write ? queue_count_[kWrites] < config_.write_queue : queue_count_[kReads] < config_.read_queue;
}

std::uint32_t ChannelController::allocate_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  slab_.emplace_back();
  return static_cast<std::uint32_t>(slab_.size() - 1);
}

void ChannelController::push_completion(std::deque<Completion>& q, const Completion& c) {
  // The data bus serialises bursts, so DRAM completions come in order; keep the queue sorted
  // regardless, which costs nothing when they do.
  auto it = q.end();
  while (it != q.begin() && std::prev(it)->done > c.done) --it;
  if (it == q.end()) q.push_back(c);  // (insert at begin() of an empty deque allocates)
  else q.insert(it, c);
}

void ChannelController::sample_queues(std::uint64_t now) {
  if (now > occupancy_since_) {
    for (int q = 0; q < 2; ++q) occupancy_area_[q] += queue_count_[q] * (now - occupancy_since_);
    occupancy_since_ = now;
  }
}

void ChannelController::enqueue(std::uint64_t address, const DecodedAddress& where, bool is_write,
                                std::uint64_t arrival, void* tag) {
  const unsigned flat = where.rank * banks_per_rank_ + where.bank;
  Bank& bank = banks_[flat];
  if (!is_write) {
    for (std::uint32_t s = bank.tail[kWrites]; s != kNone; s = slab_[s].prev) {
      if (slab_[s].address == address) {
        const std::uint64_t done = arrival + config_.frontend_latency;
        push_completion(forwarded_done_, Completion{done, arrival, address, false, tag});
        s_.reads_forwarded->inc();
        return;
      }
    }
  }
  sample_queues(arrival);
  const std::uint32_t slot = allocate_slot();
  Request& r = slab_[slot];
  r = Request{};
  r.id = next_id_++;
  r.address = address;
  r.at = where;
  r.bank = flat;
  r.is_write = is_write;
  r.queued = true;
  r.arrival = arrival;
  r.ready = arrival + config_.frontend_latency;
  r.tag = tag;
  const int q = is_write ? kWrites : kReads;
  if (is_write) {
    // A write may not overtake an older read of the same address.
    for (std::uint32_t s = bank.tail[kReads]; s != kNone; s = slab_[s].prev) {
      if (slab_[s].address == address) {
        r.hazard_slot = s;
        r.hazard_id = slab_[s].id;
        break;
      }
    }
  }
  dirty_mask_[q] |= std::uint64_t{1} << flat;
  r.prev = bank.tail[q];
  if (bank.tail[q] != kNone) slab_[bank.tail[q]].next = slot;
  else bank.head[q] = slot;
  bank.tail[q] = slot;
  ++bank.count[q];
  pending_mask_[q] |= std::uint64_t{1} << flat;
  ++queue_count_[q];
  occupancy_max_[q] = std::max(occupancy_max_[q], queue_count_[q]);
  if (planned_valid_) {
    // Only this bank's choice changed. A mode flip is caught by the next step.
    const bool in_mode = !config_.rw_grouping || (q == kWrites) == write_mode_;
    if (planned_.slot != kNone && planned_.bank == flat) {
      planned_valid_ = false;
    } else if (in_mode && !refresh_blocks(flat)) {
      refresh_choice(flat, q);
      Candidate c = request_candidate(flat, q);
      if (c.slot != kNone) {
        c.time = std::max(c.time, arrival);
        Candidate p = planned_;
        p.time = std::max(p.time, arrival);
        if (better(c, p)) planned_ = c;
      }
    }
  }
  if (trace_ != nullptr)
    trace_->counter(q == kReads ? read_queue_track_ : write_queue_track_, arrival * spec_.t.tCK,
                    static_cast<double>(queue_count_[q]));
}

void ChannelController::unlink(std::uint32_t slot) {
  Request& r = slab_[slot];
  Bank& bank = banks_[r.bank];
  const int q = r.is_write ? kWrites : kReads;
  touch(r.bank);  // also frees writes that waited for this read
  if (r.prev != kNone) slab_[r.prev].next = r.next;
  else bank.head[q] = r.next;
  if (r.next != kNone) slab_[r.next].prev = r.prev;
  else bank.tail[q] = r.prev;
  if (--bank.count[q] == 0) pending_mask_[q] &= ~(std::uint64_t{1} << r.bank);
  --queue_count_[q];
  r.queued = false;
  free_slots_.push_back(slot);
}

bool ChannelController::eligible(const Request& r) const {
  if (r.hazard_slot == kNone) return true;
  const Request& older = slab_[r.hazard_slot];
  return !(older.queued && older.id == r.hazard_id);
}

std::uint32_t ChannelController::pick_request(const Bank& bank, int queue) const {
  if (hits_first_ && bank.open_row != kNone) {
    for (std::uint32_t s = bank.head[queue]; s != kNone; s = slab_[s].next)
      if (slab_[s].at.row == bank.open_row && eligible(slab_[s])) return s;
  }
  for (std::uint32_t s = bank.head[queue]; s != kNone; s = slab_[s].next)
    if (eligible(slab_[s])) return s;
  return kNone;
}

void ChannelController::refresh_choice(unsigned flat, int queue) {
  BankChoice& choice = choices_[queue][flat];
  dirty_mask_[queue] &= ~(std::uint64_t{1} << flat);
  const Bank& bank = banks_[flat];
  choice.slot = pick_request(bank, queue);
  if (choice.slot == kNone) return;
  const Request& r = slab_[choice.slot];
  choice.age = r.id;
  if (bank.open_row == r.at.row) {
    choice.command = queue == kWrites ? Command::WR : Command::RD;
    choice.kind = queue == kWrites ? 1 : 0;
    choice.local_time = std::max(issue_cycle(queue == kWrites ? bank.wr : bank.rd, choice.command), r.ready);
  } else if (bank.open_row != kNone) {
    choice.command = Command::PRE;
    choice.kind = 3;
    choice.local_time = std::max(issue_cycle(bank.pre, Command::PRE), r.ready);
  } else {
    choice.command = Command::ACT;
    choice.kind = 2;
    choice.local_time = std::max(issue_cycle(bank.act, Command::ACT), r.ready);
  }
  choice.shared_index = bank_group_index_[flat] * 4 + choice.kind;
}

ChannelController::Candidate ChannelController::from_choice(unsigned flat, int queue, std::uint64_t time) const {
  const BankChoice& choice = choices_[queue][flat];
  Candidate c;
  c.command = choice.command;
  c.bank = flat;
  c.slot = choice.slot;
  c.time = time;
  c.age = choice.age;
  c.priority = choice.kind < 2 ? 1 : 2;  // column commands before row commands
  return c;
}

ChannelController::Candidate ChannelController::request_candidate(unsigned flat, int queue) const {
  const BankChoice& choice = choices_[queue][flat];
  if (choice.slot == kNone) return {};
  std::uint64_t row[4];
  shared_row(bank_group_index_[flat], cmd_free_, row);
  return from_choice(flat, queue, std::max(choice.local_time, row[choice.kind]));
}

ChannelController::Candidate ChannelController::refresh_candidate(unsigned rank_index) const {
  Candidate c;
  c.priority = 0;
  c.age = 0;
  const unsigned first = rank_index * banks_per_rank_;
  if (refresh_->all_bank()) {
    c.bank = first;
    std::uint64_t edge = 0;
    if (ranks_[rank_index].open_banks > 0) {
      // PREA applies to every bank, including one whose auto-precharge has not started yet.
      c.command = Command::PREA;
      edge = ranks_[rank_index].pre;
      for (unsigned b = first; b < first + banks_per_rank_; ++b) edge = std::max(edge, banks_[b].pre);
    } else {
      // REF waits for tRP after the precharges and tRFC after the last refresh, both of which
      // the banks' ACT edges hold.
      c.command = Command::REF;
      edge = ranks_[rank_index].refpb;
      for (unsigned b = first; b < first + banks_per_rank_; ++b) edge = std::max(edge, banks_[b].act);
    }
    c.time = issue_cycle(edge, c.command);
  } else {
    c.bank = first + refresh_->bank(rank_index);
    const Bank& bank = banks_[c.bank];
    const Rank& rank = ranks_[rank_index];
    if (bank.open_row != kNone) {
      c.command = Command::PRE;
      c.time = issue_cycle(std::max(bank.pre, rank.pre), Command::PRE);
    } else {
      c.command = Command::REFpb;
      const std::uint64_t faw = d_.refpb_in_faw ? faw_edge(rank) : 0;
      c.time = issue_cycle(std::max({bank.act, rank.act, rank.refpb, faw}), Command::REFpb);
    }
  }
  c.time = std::max(c.time, cmd_free_);
  return c;
}

bool ChannelController::better(const Candidate& a, const Candidate& b) const {
  if (a.time != b.time) return a.time < b.time;
  if (a.priority != b.priority) return a.priority < b.priority;
  return a.age < b.age;
}

void ChannelController::update_mode() {
  if (!config_.rw_grouping) return;
  const std::size_t reads = queue_count_[kReads], writes = queue_count_[kWrites];
  if (!write_mode_) {
    if (writes == 0 || (reads > 0 && writes < config_.write_high_watermark)) return;
    write_mode_ = true;  // a drain at the high watermark, or opportunistic writes with no read
    draining_ = false;
  }
  if (!draining_ && writes >= config_.write_high_watermark) {
    draining_ = true;
    s_.write_drains->inc();
  }
  // A drain runs down to the low watermark; opportunistic writes yield to the first read.
  if (writes == 0 || (reads > 0 && (!draining_ || writes <= config_.write_low_watermark))) write_mode_ = false;
}

void ChannelController::update_blocked() {
  blocked_mask_ = 0;
  for (unsigned r = 0; r < ranks_.size(); ++r) {
    if (!ranks_[r].refresh_pending) continue;
    if (refresh_->all_bank()) {
      const std::uint64_t rank_bits = banks_per_rank_ >= 64 ? ~0ull : (std::uint64_t{1} << banks_per_rank_) - 1;
      blocked_mask_ |= rank_bits << (r * banks_per_rank_);
    } else {
      blocked_mask_ |= std::uint64_t{1} << (r * banks_per_rank_ + refresh_->bank(r));
    }
  }
}

ChannelController::Candidate ChannelController::evaluate(std::uint64_t now) {
  Candidate best;
  for (unsigned r = 0; r < ranks_.size(); ++r) {
    if (!ranks_[r].refresh_pending) continue;
    Candidate c = refresh_candidate(r);
    c.time = std::max(c.time, now);
    if (better(c, best)) best = c;
  }
  const std::uint64_t floor = std::max(now, cmd_free_);
  for (unsigned g = 0; g < groups_.size(); ++g) shared_row(g, floor, &shared_[g * 4]);
  // The hot loop of the simulator, kept free of unpredictable branches (many banks tie, all
  // waiting on the same tFAW window): each bank's candidate becomes one key (time << 2 |
  // priority) and the best (key, age) is kept with conditional moves.
  const std::uint64_t refresh_key = best.slot == kNone && best.time != kNever
                                        ? (best.time << 2) | static_cast<std::uint64_t>(best.priority)
                                        : kNever;
  std::uint64_t best_key = refresh_key;
  std::uint64_t best_age = 0;  // a refresh wins ties
  unsigned best_flat = 0;
  int best_queue = -1;
  for (int q = kReads; q <= kWrites; ++q) {
    // With grouping, the other queue may only finish requests whose row was opened for them:
    // closing it unserved would waste the ACT when the mode flips back.
    const bool other = config_.rw_grouping && (q == kWrites) != write_mode_;
    std::uint64_t banks = (other ? pending_mask_[q] & committed_mask_[q] : pending_mask_[q]) & ~blocked_mask_;
    for (std::uint64_t mask = banks & dirty_mask_[q]; mask != 0; mask &= mask - 1)
      refresh_choice(static_cast<unsigned>(__builtin_ctzll(mask)), q);
    const BankChoice* choices = choices_[q].data();
    const std::uint64_t* shared = shared_.data();
    if (other) {
      for (std::uint64_t mask = banks; mask != 0; mask &= mask - 1) {
        const unsigned flat = static_cast<unsigned>(__builtin_ctzll(mask));
        const BankChoice& c = choices[flat];
        if (c.slot == kNone || c.kind >= 2 || !slab_[c.slot].activated) banks &= ~(std::uint64_t{1} << flat);
      }
    }
    for (std::uint64_t mask = banks; mask != 0; mask &= mask - 1) {
      const unsigned flat = static_cast<unsigned>(__builtin_ctzll(mask));
      const BankChoice& c = choices[flat];
      const std::uint64_t t = std::max(c.local_time, shared[c.shared_index]);
      const std::uint64_t key = (t << 2) | (c.kind < 2 ? 1u : 2u);
      const bool take = ((key < best_key) | ((key == best_key) & (c.age < best_age))) & (c.slot != kNone);
      best_key = take ? key : best_key;
      best_age = take ? c.age : best_age;
      best_flat = take ? flat : best_flat;
      best_queue = take ? q : best_queue;
    }
  }
  if (best_queue < 0) return best;
  return from_choice(best_flat, best_queue, best_key >> 2);
}

unsigned ChannelController::pick_refresh_bank(unsigned rank) const {
  // Prefer a closed bank with nothing queued, then a closed one, then one with nothing queued.
  unsigned best = 0;
  int best_cost = 4;
  for (std::uint64_t m = refresh_->eligible_banks(rank); m != 0; m &= m - 1) {
    const unsigned b = static_cast<unsigned>(__builtin_ctzll(m));
    const unsigned flat = rank * banks_per_rank_ + b;
    const bool queued = ((pending_mask_[0] | pending_mask_[1]) >> flat) & 1u;
    const int cost = (banks_[flat].open_row != kNone ? 2 : 0) + (queued ? 1 : 0);
    if (cost < best_cost) {
      best_cost = cost;
      best = b;
    }
  }
  return best;
}

void ChannelController::refresh_done(unsigned rank) {
  refresh_->refreshed(rank);
  ranks_[rank].refresh_pending = false;
  update_blocked();
  update_refresh_due();
  s_.refreshes->inc();
}

void ChannelController::update_refresh_due() {
  next_refresh_due_ = kNever;
  for (unsigned r = 0; r < ranks_.size(); ++r)
    if (!ranks_[r].refresh_pending) next_refresh_due_ = std::min(next_refresh_due_, refresh_->due(r));
}

std::uint64_t ChannelController::step(std::uint64_t now, std::uint64_t quiet_until) {
  std::uint64_t t = now;
  while (true) {
    if (next_refresh_due_ <= t) {
      for (unsigned r = 0; r < ranks_.size(); ++r) {
        if (ranks_[r].refresh_pending || refresh_->due(r) > t) continue;
        ranks_[r].refresh_pending = true;
        if (!refresh_->all_bank()) refresh_->choose(r, pick_refresh_bank(r));
      }
      planned_valid_ = false;
      update_blocked();
      update_refresh_due();
    }
    const bool mode = write_mode_;
    update_mode();
    if (mode != write_mode_) planned_valid_ = false;
    if (!planned_valid_) {
      planned_ = evaluate(t);
      planned_valid_ = true;
    }
    if (planned_.time <= t) {
      const Candidate c = planned_;
      planned_valid_ = false;
      issue(c, t);
      if (is_column(c.command)) quiet_until = std::min(quiet_until, t);  // a slot is free now
      continue;
    }
    // Nothing can arrive before `quiet_until`, so a row command due by then would be issued
    // exactly as if we slept until it: issue it now, at its own cycle. A column command frees
    // a queue slot (which lets a request in) and a due refresh changes the choice, so the
    // look-ahead stops at either.
    if (planned_.time <= quiet_until && !is_column(planned_.command) && planned_.time < next_refresh_due_ &&
        planned_.time < next_completion()) {
      t = planned_.time;
      continue;
    }
    return std::min({planned_.time, next_completion(), next_refresh_due_});
  }
}

void ChannelController::open_row(unsigned flat, unsigned row, std::uint64_t now) {
  Bank& bank = banks_[flat];
  const unsigned rank_index = flat / banks_per_rank_;
  Rank& rank = ranks_[rank_index];
  Group& group = groups_[rank_index * spec_.org.bank_groups + (flat % banks_per_rank_) / banks_per_group_];
  const Timings& t = spec_.t;
  touch(flat);
  const std::uint64_t edge = now + d_.edge_offset(Command::ACT);
  bank.open_row = row;
  bank.opened_at = now;
  raise(bank.act, edge + t.tRC);
  raise(bank.pre, edge + t.tRAS);
  raise(bank.rd, edge + t.tRCD);
  raise(bank.wr, edge + t.tRCD);
  raise(group.act, edge + t.tRRD_L);
  raise(rank.act, edge + t.tRRD_S);
  rank.faw[rank.acts % 4] = edge;
  ++rank.acts;
  if (rank.open_banks++ == 0) {
    // A row closed by auto-precharge in the future may overlap this one: count that time once.
    if (rank.active_since > now) rank.active_cycles -= rank.active_since - now;
    rank.active_since = now;
  }
  if (trace_ != nullptr)
    trace_->begin(bank.track, now * t.tCK, "row open", {{"row", std::uint64_t{row}}, {"cycle", now}});
}

void ChannelController::close_row(unsigned flat, std::uint64_t at) {
  Bank& bank = banks_[flat];
  Rank& rank = ranks_[flat / banks_per_rank_];
  touch(flat);
  committed_mask_[kReads] &= ~(std::uint64_t{1} << flat);
  committed_mask_[kWrites] &= ~(std::uint64_t{1} << flat);
  bank.open_cycles += at - bank.opened_at;
  bank.open_row = kNone;
  raise(bank.act, at + spec_.t.tRP);
  if (--rank.open_banks == 0) {
    rank.active_cycles += at - rank.active_since;
    rank.active_since = at;  // marks when the rank went idle, for the overlap check in open_row
  }
  if (trace_ != nullptr) trace_->end(bank.track, at * spec_.t.tCK);
}

void ChannelController::notify(Command cmd, unsigned flat, unsigned row, unsigned column, std::uint64_t now) {
  s_.commands[static_cast<std::size_t>(cmd)]->inc();
  if (observers_.empty()) return;
  IssuedCommand ic;
  ic.command = cmd;
  ic.cycle = now;
  ic.channel = channel_;
  ic.rank = flat / banks_per_rank_;
  ic.bank = flat % banks_per_rank_;
  ic.row = row;
  ic.column = column;
  for (CommandObserver* o : observers_) o->on_command(ic);
}

void ChannelController::issue(const Candidate& c, std::uint64_t now) {
  cmd_free_ = now + d_.command_cycles[static_cast<std::size_t>(c.command)];
  const std::uint64_t edge = now + d_.edge_offset(c.command);
  const Timings& t = spec_.t;
  const unsigned rank_index = c.bank / banks_per_rank_;
  Rank& rank = ranks_[rank_index];
  switch (c.command) {
    case Command::ACT: {
      Request& r = slab_[c.slot];
      r.activated = true;
      committed_mask_[r.is_write ? kWrites : kReads] |= std::uint64_t{1} << c.bank;
      notify(Command::ACT, c.bank, r.at.row, 0, now);
      open_row(c.bank, r.at.row, now);
      break;
    }
    case Command::PRE: {
      if (c.slot != kNone) slab_[c.slot].conflicted = true;
      notify(Command::PRE, c.bank, 0, 0, now);
      close_row(c.bank, edge);
      raise(rank.pre, edge + d_.tPPD);
      break;
    }
    case Command::PREA: {
      notify(Command::PREA, c.bank, 0, 0, now);
      const unsigned first = rank_index * banks_per_rank_;
      for (unsigned b = first; b < first + banks_per_rank_; ++b) {
        if (banks_[b].open_row != kNone) close_row(b, edge);
        raise(banks_[b].act, edge + t.tRPab);
        touch(b);
      }
      raise(rank.pre, edge + d_.tPPD);
      break;
    }
    case Command::REF: {
      notify(Command::REF, c.bank, 0, 0, now);
      const unsigned first = rank_index * banks_per_rank_;
      for (unsigned b = first; b < first + banks_per_rank_; ++b) {
        raise(banks_[b].act, edge + t.tRFC);
        touch(b);
      }
      refresh_done(rank_index);
      if (trace_ != nullptr)
        trace_->complete(rank.track, now * t.tCK, (now + t.tRFC) * t.tCK, "REF", {{"cycle", now}});
      break;
    }
    case Command::REFpb: {
      notify(Command::REFpb, c.bank, 0, 0, now);
      raise(banks_[c.bank].act, edge + t.tRFCpb);
      touch(c.bank);
      raise(rank.act, edge + t.tRRD_S);
      raise(rank.refpb, edge + t.tRFCpb);
      if (d_.refpb_in_faw) rank.faw[rank.acts++ % 4] = edge;
      refresh_done(rank_index);
      if (trace_ != nullptr)
        trace_->complete(banks_[c.bank].track, now * t.tCK, (now + t.tRFCpb) * t.tCK, "REFpb", {{"cycle", now}});
      break;
    }
    case Command::RD:
    case Command::WR:
      issue_column(slab_[c.slot], c.command, now);
      break;
    case Command::RDA:
    case Command::WRA:
      assert(false && "auto-precharge is decided in issue_column");
      break;
  }
}

void ChannelController::issue_column(Request& r, Command cmd, std::uint64_t now) {
  const std::uint32_t slot = static_cast<std::uint32_t>(&r - slab_.data());
  Bank& bank = banks_[r.bank];
  const unsigned row = bank.open_row;
  bool hits = false, others = false;
  if (page_policy_->uses_queue_state()) {
    for (int q = kReads; q <= kWrites; ++q)
      for (std::uint32_t s = bank.head[q]; s != kNone; s = slab_[s].next) {
        if (s == slot) continue;
        (slab_[s].at.row == row ? hits : others) = true;
      }
  }
  const std::uint64_t edge = now + d_.edge_offset(cmd);
  bool auto_pre = page_policy_->auto_precharge(hits, others);
  if (auto_pre && cmd == Command::RD && bank.write_recovery > edge + d_.rd_to_pre) auto_pre = false;
  touch(r.bank);
  if (r.activated) committed_mask_[r.is_write ? kWrites : kReads] &= ~(std::uint64_t{1} << r.bank);
  const bool read = cmd == Command::RD;
  if (auto_pre) cmd = read ? Command::RDA : Command::WRA;
  notify(cmd, r.bank, row, r.at.column, now);

  const unsigned rank_index = r.at.rank;
  Group& group = groups_[rank_index * spec_.org.bank_groups + r.at.bank_group];
  Rank& rank = ranks_[rank_index];
  if (read) {
    raise(bank.pre, edge + d_.rd_to_pre);
    raise(group.rd, edge + d_.rd_to_rd_L);
    raise(rank.rd, edge + d_.rd_to_rd_S);
    raise(rank.wr, edge + d_.rd_to_wr);
  } else {
    raise(bank.pre, edge + d_.wr_to_pre);
    raise(bank.write_recovery, edge + d_.wr_to_pre);
    raise(group.wr, edge + d_.wr_to_wr_L);
    raise(rank.wr, edge + d_.wr_to_wr_S);
    raise(group.rd, edge + d_.wr_to_rd_L);
    raise(rank.rd, edge + d_.wr_to_rd_S);
  }
  for (unsigned k = 0; k < ranks_.size(); ++k) {
    if (k == rank_index) continue;
    raise(ranks_[k].rd, edge + (read ? d_.rd_to_rd_rank : d_.wr_to_rd_rank));
    raise(ranks_[k].wr, edge + (read ? d_.rd_to_wr_rank : d_.wr_to_wr_rank));
  }
  if (trace_ != nullptr)
    trace_->complete(bank.track, now * spec_.t.tCK, (now + d_.burst) * spec_.t.tCK, command_name(cmd),
                     {{"column", std::uint64_t{r.at.column}}, {"cycle", now}});
  if (auto_pre) {
    close_row(r.bank, bank.pre);
    raise(rank.pre, bank.pre + d_.tPPD);  // the implied precharge counts for tPPD too
  }

  if (r.conflicted) s_.row_conflicts->inc();
  else if (r.activated) s_.row_misses->inc();
  else s_.row_hits->inc();

  const std::uint64_t done = edge + (read ? d_.read_data_end : d_.write_data_end);
  push_completion(dram_done_, Completion{done, r.arrival, r.address, !read, r.tag});
  (read ? s_.bytes_read : s_.bytes_written)->inc(spec_.org.bytes_per_burst());
  sample_queues(now);
  unlink(slot);
  if (trace_ != nullptr)
    trace_->counter(read ? read_queue_track_ : write_queue_track_, now * spec_.t.tCK,
                    static_cast<double>(queue_count_[read ? kReads : kWrites]));
}

std::uint64_t ChannelController::next_completion() const {
  std::uint64_t next = kNever;
  if (!dram_done_.empty()) next = dram_done_.front().done;
  if (!forwarded_done_.empty()) next = std::min(next, forwarded_done_.front().done);
  return next;
}

bool ChannelController::pop_completion(std::uint64_t now, Completion& out) {
  const bool dram_ready = !dram_done_.empty() && dram_done_.front().done <= now;
  const bool fwd_ready = !forwarded_done_.empty() && forwarded_done_.front().done <= now;
  if (!dram_ready && !fwd_ready) return false;
  const bool take_dram = dram_ready && (!fwd_ready || dram_done_.front().done <= forwarded_done_.front().done);
  auto& q = take_dram ? dram_done_ : forwarded_done_;
  out = q.front();
  q.pop_front();
  if (out.is_write) {
    s_.writes->inc();
    s_.write_latency->sample(out.done - out.arrival);
  } else {
    s_.reads->inc();
    s_.read_latency->sample(out.done - out.arrival);
  }
  return true;
}

bool ChannelController::idle() const {
  return queue_count_[kReads] == 0 && queue_count_[kWrites] == 0 && dram_done_.empty() && forwarded_done_.empty();
}

void ChannelController::finish(std::uint64_t now) {
  sample_queues(now);
  EnergyInputs in;
  in.activates = s_.commands[static_cast<std::size_t>(Command::ACT)]->value();
  in.reads = s_.commands[static_cast<std::size_t>(Command::RD)]->value() +
             s_.commands[static_cast<std::size_t>(Command::RDA)]->value();
  in.writes = s_.commands[static_cast<std::size_t>(Command::WR)]->value() +
              s_.commands[static_cast<std::size_t>(Command::WRA)]->value();
  in.refreshes_all_bank = s_.commands[static_cast<std::size_t>(Command::REF)]->value();
  in.refreshes_per_bank = s_.commands[static_cast<std::size_t>(Command::REFpb)]->value();
  for (const Rank& rank : ranks_) {
    std::uint64_t active = rank.active_cycles;
    if (rank.open_banks > 0 && now > rank.active_since) active += now - rank.active_since;
    active = std::min(active, now);
    in.active_cycles += active;
    in.precharged_cycles += now - active;
  }
  const EnergyBreakdown e = estimate_energy(spec_, in);
  s_.energy_total->set(e.total());
  s_.energy_act->set(e.activate);
  s_.energy_rd->set(e.read);
  s_.energy_wr->set(e.write);
  s_.energy_ref->set(e.refresh);
  s_.energy_bg->set(e.background);

  const double served = static_cast<double>(s_.row_hits->value() + s_.row_misses->value() + s_.row_conflicts->value());
  s_.row_hit_rate->set(served > 0 ? static_cast<double>(s_.row_hits->value()) / served : 0.0);
  const double seconds_ps = static_cast<double>(now) * static_cast<double>(spec_.t.tCK);
  const double bytes = static_cast<double>(s_.bytes_read->value() + s_.bytes_written->value());
  s_.bandwidth->set(now > 0 ? bytes / seconds_ps * 1e3 : 0.0);  // bytes/ps * 1e12 / 1e9
  s_.elapsed_cycles->set(static_cast<double>(now));
  const double span = now > 0 ? static_cast<double>(now) : 1.0;
  s_.avg_read_queue->set(static_cast<double>(occupancy_area_[kReads]) / span);
  s_.avg_write_queue->set(static_cast<double>(occupancy_area_[kWrites]) / span);
  s_.max_read_queue->set(static_cast<double>(occupancy_max_[kReads]));
  s_.max_write_queue->set(static_cast<double>(occupancy_max_[kWrites]));
  for (std::size_t b = 0; b < banks_.size(); ++b) {
    std::uint64_t open = banks_[b].open_cycles;
    if (banks_[b].open_row != kNone && now > banks_[b].opened_at) open += now - banks_[b].opened_at;
    s_.bank_utilisation[b]->set(static_cast<double>(std::min(open, now)) / span);
  }
}

}  // namespace dmasim::dram

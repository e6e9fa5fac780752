#pragma once
// The controller's policies, each an interface chosen by configuration: which request a bank
// serves next (Scheduler), when a row is closed (PagePolicy), and when a rank or bank must be
// refreshed (RefreshPolicy).
#include <cstdint>
#include <memory>
#include <vector>

#include "models/dram/controller_config.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {

inline constexpr std::uint32_t kNone = ~std::uint32_t{0};
inline constexpr std::uint64_t kNever = ~std::uint64_t{0};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Serve row hits ahead of older requests to other rows of the same bank (FR-FCFS), or
  // each bank's requests strictly in arrival order (FCFS). Across banks both arbitrate the
  // same way: the command that can issue earliest, then column commands, then the oldest.
  virtual bool hits_first() const = 0;
};

class PagePolicy {
 public:
  virtual ~PagePolicy() = default;
  // After a column access: close the row with auto-precharge? `hits_pending`: more queued
  // requests to the same row; `others_pending`: queued requests to other rows of the bank.
  virtual bool auto_precharge(bool hits_pending, bool others_pending) const = 0;
  // False when the answer never depends on the queue (open page), which spares the scan.
  virtual bool uses_queue_state() const { return true; }
};

class RefreshPolicy {
 public:
  virtual ~RefreshPolicy() = default;
  // Cycle at which the rank next needs a refresh command (kNever: never).
  virtual std::uint64_t due(unsigned rank) const = 0;
  // Whether the due refresh is all-bank, and which bank a per-bank refresh targets.
  virtual bool all_bank() const = 0;
  virtual unsigned bank(unsigned rank) const = 0;
  // Per-bank refresh: the banks the next REFpb may target (each bank once per round of
  // `banks` refreshes), and the controller's pick among them.
  virtual std::uint64_t eligible_banks(unsigned) const { return 0; }
  virtual void choose(unsigned, unsigned) {}
  // A refresh was issued for the rank.
  virtual void refreshed(unsigned rank) = 0;
};

std::unique_ptr<Scheduler> make_scheduler(SchedulerKind kind);
std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind kind);
std::unique_ptr<RefreshPolicy> make_refresh_policy(RefreshKind kind, const MemSpec& spec);

}  // namespace dmasim::dram

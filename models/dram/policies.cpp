#include "models/dram/policies.h"

#include <stdexcept>

#include "models/common/error.h"

namespace dmasim::dram {
namespace {

class FcfsScheduler final : public Scheduler {
 public:
  bool hits_first() const override { return false; }
};

class FrFcfsScheduler final : public Scheduler {
 public:
  bool hits_first() const override { return true; }
};

class OpenPage final : public PagePolicy {
 public:
  bool auto_precharge(bool, bool) const override { return false; }
  bool uses_queue_state() const override { return false; }
};

class ClosedPage final : public PagePolicy {
 public:
  bool auto_precharge(bool, bool) const override { return true; }
  bool uses_queue_state() const override { return false; }
};

// Keeps the row open unless nothing more will hit it and another row is already waiting.
class OpenAdaptivePage final : public PagePolicy {
 public:
  bool auto_precharge(bool hits_pending, bool others_pending) const override {
    return !hits_pending && others_pending;
  }
};

// Closes the row unless another queued request will hit it.
class ClosedAdaptivePage final : public PagePolicy {
 public:
  bool auto_precharge(bool hits_pending, bool) const override { return !hits_pending; }
};

// One REF per rank every tREFI; ranks are staggered so they do not refresh together.
class AllBankRefresh final : public RefreshPolicy {
 public:
  explicit AllBankRefresh(const MemSpec& spec) : interval_(spec.t.tREFI) {
    for (unsigned r = 0; r < spec.org.ranks; ++r) due_.push_back(interval_ + r * interval_ / spec.org.ranks);
  }
  std::uint64_t due(unsigned rank) const override { return due_[rank]; }
  bool all_bank() const override { return true; }
  unsigned bank(unsigned) const override { return 0; }
  void refreshed(unsigned rank) override { due_[rank] += interval_; }

 private:
  std::uint64_t interval_;
  std::vector<std::uint64_t> due_;
};

// One REFpb every tREFIpb. LPDDR REFpb names its bank, so the controller picks one (an idle
// one, to spare the banks in use) among those not yet refreshed in the current round; a round
// refreshes every bank once, which keeps each bank's refresh interval within banks x tREFIpb.
class PerBankRefresh final : public RefreshPolicy {
 public:
  explicit PerBankRefresh(const MemSpec& spec)
      : interval_(spec.t.tREFIpb),
        all_(spec.org.banks >= 64 ? ~0ull : (std::uint64_t{1} << spec.org.banks) - 1) {
    for (unsigned r = 0; r < spec.org.ranks; ++r) {
      due_.push_back(interval_ + r * interval_ / spec.org.ranks);
      remaining_.push_back(all_);
      chosen_.push_back(0);
    }
  }
  std::uint64_t due(unsigned rank) const override { return due_[rank]; }
  bool all_bank() const override { return false; }
  unsigned bank(unsigned rank) const override { return chosen_[rank]; }
  std::uint64_t eligible_banks(unsigned rank) const override { return remaining_[rank]; }
  void choose(unsigned rank, unsigned bank) override { chosen_[rank] = bank; }
  void refreshed(unsigned rank) override {
    due_[rank] += interval_;
    remaining_[rank] &= ~(std::uint64_t{1} << chosen_[rank]);
    if (remaining_[rank] == 0) remaining_[rank] = all_;
  }

 private:
  std::uint64_t interval_;
  std::uint64_t all_;
  std::vector<std::uint64_t> due_;
  std::vector<std::uint64_t> remaining_;
  std::vector<unsigned> chosen_;
};

class NoRefresh final : public RefreshPolicy {
 public:
  std::uint64_t due(unsigned) const override { return kNever; }
  bool all_bank() const override { return true; }
  unsigned bank(unsigned) const override { return 0; }
  void refreshed(unsigned) override {}
};

}  // namespace

std::unique_ptr<Scheduler> make_scheduler(SchedulerKind kind) {
  if (kind == SchedulerKind::Fcfs) return std::make_unique<FcfsScheduler>();
  return std::make_unique<FrFcfsScheduler>();
}

std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind kind) {
  switch (kind) {
    case PagePolicyKind::Open: return std::make_unique<OpenPage>();
    case PagePolicyKind::Closed: return std::make_unique<ClosedPage>();
    case PagePolicyKind::OpenAdaptive: return std::make_unique<OpenAdaptivePage>();
    case PagePolicyKind::ClosedAdaptive: return std::make_unique<ClosedAdaptivePage>();
  }
  throw std::logic_error("unknown page policy");
}

std::unique_ptr<RefreshPolicy> make_refresh_policy(RefreshKind kind, const MemSpec& spec) {
  switch (kind) {
    case RefreshKind::AllBank: return std::make_unique<AllBankRefresh>(spec);
    case RefreshKind::PerBank:
      if (!spec.has_per_bank_refresh())
        throw UserError("controller.refresh: per-bank refresh needs a memspec with tRFCpb and tREFIpb (" + spec.name +
                        " has none)");
      return std::make_unique<PerBankRefresh>(spec);
    case RefreshKind::None: return std::make_unique<NoRefresh>();
  }
  throw std::logic_error("unknown refresh policy");
}

}  // namespace dmasim::dram

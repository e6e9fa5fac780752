#pragma once
// Controller policies and sizes. Each policy is an interface chosen here by name
// (scheduler.h, page_policy.h, refresh_policy.h).
#include <array>
#include <string_view>
#include <utility>

#include "models/common/config/schema.h"

namespace dmasim::dram {

enum class SchedulerKind { Fcfs, FrFcfs };
enum class PagePolicyKind { Open, Closed, OpenAdaptive, ClosedAdaptive };
enum class RefreshKind { AllBank, PerBank, None };

struct ControllerConfig {
  SchedulerKind scheduler = SchedulerKind::FrFcfs;
  PagePolicyKind page_policy = PagePolicyKind::Open;
  unsigned read_queue = 32;
  unsigned write_queue = 32;
  // Read/write grouping: serve reads until the write queue reaches the high watermark (or no
  // read is pending), then drain writes down to the low watermark.
  bool rw_grouping = true;
  unsigned write_high_watermark = 24;
  unsigned write_low_watermark = 8;
  RefreshKind refresh = RefreshKind::AllBank;
  // Cycles from a request's arrival until the scheduler can issue its first command (decode and
  // queue insertion); also the latency of a read served from the write queue.
  unsigned frontend_latency = 2;
  // Validate every issued command against the memspec with the independent checker.
  bool check_commands = false;

  static void describe(cfg::Fields<ControllerConfig>& f);
  void validate(cfg::Validator& v) const;
};

}  // namespace dmasim::dram

namespace dmasim::cfg {

template <>
struct EnumNames<dram::SchedulerKind> {
  static constexpr std::array<std::pair<dram::SchedulerKind, std::string_view>, 2> names{{
      {dram::SchedulerKind::Fcfs, "fcfs"},
      {dram::SchedulerKind::FrFcfs, "frfcfs"},
  }};
};

template <>
struct EnumNames<dram::PagePolicyKind> {
  static constexpr std::array<std::pair<dram::PagePolicyKind, std::string_view>, 4> names{{
      {dram::PagePolicyKind::Open, "open"},
      {dram::PagePolicyKind::Closed, "closed"},
      {dram::PagePolicyKind::OpenAdaptive, "open-adaptive"},
      {dram::PagePolicyKind::ClosedAdaptive, "closed-adaptive"},
  }};
};

template <>
struct EnumNames<dram::RefreshKind> {
  static constexpr std::array<std::pair<dram::RefreshKind, std::string_view>, 3> names{{
      {dram::RefreshKind::AllBank, "all-bank"},
      {dram::RefreshKind::PerBank, "per-bank"},
      {dram::RefreshKind::None, "none"},
  }};
};

}  // namespace dmasim::cfg

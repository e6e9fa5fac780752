#pragma once
// The statistics of a run, under hierarchical dotted names ("soc.dram0.ctrl.row_hits"). Models
// register their statistics once at elaboration and keep the returned reference; updating a
// statistic is then a plain member access, with no lookup on the hot path. At the end of the run
// write_json() turns the dotted names into nested JSON objects for stats.json.
//
// Rules, enforced at registration with std::logic_error (they are programming errors):
//  - a name is one or more non-empty segments separated by dots;
//  - a name is registered once;
//  - a name is either a statistic (a leaf) or a group of statistics (an inner node), never both:
//    "a.b" and "a.b.c" cannot coexist, because "a.b" could not be both a value and an object.
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "models/common/stats/histogram.h"

namespace dmasim::stats {

// An event count (commands issued, row hits, bytes transferred).
class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_ += n; }
  std::uint64_t value() const { return value_; }
  void reset() { value_ = 0; }

 private:
  std::uint64_t value_ = 0;
};

// The running mean of samples that are not integers or need no distribution (e.g. utilisation).
class Average {
 public:
  void sample(double x) {
    sum_ += x;
    ++count_;
  }
  double mean() const;  // NaN (null in JSON) without samples
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  void reset() { *this = Average{}; }

 private:
  double sum_ = 0.0;
  std::uint64_t count_ = 0;
};

// A figure derived at the end of the run (bandwidth, energy). Unset, it is NaN and written as
// null, so that a figure nobody computed cannot pass for a measured zero.
class Scalar {
 public:
  void set(double v) { value_ = v; }
  double value() const { return value_; }
  void reset() { value_ = kUnset; }

 private:
  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  double value_ = kUnset;
};

// A string-valued result, e.g. the name of the policy or strategy a model ran with.
class Text {
 public:
  void set(std::string v) { value_ = std::move(v); }
  const std::string& value() const { return value_; }
  void reset() { value_.clear(); }

 private:
  std::string value_;
};

enum class Kind { Counter, Average, Histogram, Scalar, Text };
std::string_view kind_name(Kind kind);  // "counter", "average", ...

// One registered statistic: its metadata and its value.
class Stat {
 public:
  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  const std::string& unit() const { return unit_; }
  const std::string& description() const { return description_; }

  // The value, by kind; asking for the wrong kind is a programming error and throws
  // std::logic_error (so a test reading the wrong kind fails loudly).
  const Counter& counter() const;
  const Average& average() const;
  const Histogram& histogram() const;
  const Scalar& scalar() const;
  const Text& text() const;

 private:
  friend class Registry;
  Stat(std::string name, Kind kind, std::string unit, std::string description, void* value)
      : name_(std::move(name)), kind_(kind), unit_(std::move(unit)),
        description_(std::move(description)), value_(value) {}
  const void* checked(Kind wanted) const;

  std::string name_;
  Kind kind_;
  std::string unit_;
  std::string description_;
  void* value_;  // points into the registry's storage for kind_
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;  // stats hand out references into the registry
  Registry& operator=(const Registry&) = delete;

  // Each returns a reference valid for the registry's lifetime.
  Counter& counter(std::string_view name, std::string_view unit, std::string_view description);
  Average& average(std::string_view name, std::string_view unit, std::string_view description);
  Histogram& histogram(std::string_view name, std::string_view unit, std::string_view description);
  Scalar& scalar(std::string_view name, std::string_view unit, std::string_view description);
  Text& text(std::string_view name, std::string_view unit, std::string_view description);

  // nullptr when no statistic has that exact name (group names are not statistics).
  const Stat* find(std::string_view name) const;
  // The value of a counter or scalar by name; 0 when there is none (for summaries).
  double number(std::string_view name) const;
  std::size_t size() const { return stats_.size(); }

  // Visits every statistic in registration order: visit(const Stat&).
  template <typename Visitor>
  void for_each(Visitor&& visit) const {
    for (const Stat& s : stats_) visit(s);
  }

  // Zeroes every value (e.g. at the end of a warm-up phase); registrations stay.
  void reset_values();

  // Nested objects following the dots; keys in order of first registration; counters as
  // integers, averages (their mean) and scalars as numbers or null, texts as strings, histograms
  // as {"count","mean","min","p50","p90","p99","max"} (all but count null when empty).
  void write_json(std::ostream& out) const;

 private:
  Stat& add(std::string_view name, Kind kind, std::string_view unit, std::string_view description,
            void* value);
  void check_name(std::string_view name) const;

  std::deque<Counter> counters_;  // deques: push_back never moves existing elements
  std::deque<Average> averages_;
  std::deque<Histogram> histograms_;
  std::deque<Scalar> scalars_;
  std::deque<Text> texts_;
  std::deque<Stat> stats_;                                 // registration order
  std::map<std::string, const Stat*, std::less<>> by_name_;  // leaves
  std::set<std::string, std::less<>> groups_;              // inner nodes: every proper prefix
};

// Registers statistics under a common prefix, so a model names its statistics relative to its
// own place in the hierarchy:
//   stats::Group g(registry, "soc.dram0.ctrl");
//   Counter& hits = g.counter("row_hits", "commands", "ACT-free column commands");
//   stats::Group bank = g.group("bank0");
class Group {
 public:
  Group(Registry& registry, std::string prefix) : registry_(&registry), prefix_(std::move(prefix)) {}

  Counter& counter(std::string_view name, std::string_view unit, std::string_view description) {
    return registry_->counter(full(name), unit, description);
  }
  Average& average(std::string_view name, std::string_view unit, std::string_view description) {
    return registry_->average(full(name), unit, description);
  }
  Histogram& histogram(std::string_view name, std::string_view unit, std::string_view description) {
    return registry_->histogram(full(name), unit, description);
  }
  Scalar& scalar(std::string_view name, std::string_view unit, std::string_view description) {
    return registry_->scalar(full(name), unit, description);
  }
  Text& text(std::string_view name, std::string_view unit, std::string_view description) {
    return registry_->text(full(name), unit, description);
  }

  Group group(std::string_view name) const { return Group(*registry_, full(name)); }
  const std::string& prefix() const { return prefix_; }
  Registry& registry() const { return *registry_; }

 private:
  std::string full(std::string_view name) const;

  Registry* registry_;
  std::string prefix_;  // empty for the root
};

}  // namespace dmasim::stats

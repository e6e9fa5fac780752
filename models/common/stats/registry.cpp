#include "models/common/stats/registry.h"

#include <cmath>
#include <ostream>
#include <stdexcept>
#include <vector>

#include "models/common/stats/json_writer.h"

namespace dmasim::stats {

double Average::mean() const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum_ / static_cast<double>(count_);
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::Counter: return "counter";
    case Kind::Average: return "average";
    case Kind::Histogram: return "histogram";
    case Kind::Scalar: return "scalar";
    case Kind::Text: return "text";
  }
  return "unknown";
}

const void* Stat::checked(Kind wanted) const {
  if (kind_ != wanted) {
    throw std::logic_error("statistic '" + name_ + "' is a " + std::string(kind_name(kind_)) +
                           ", not a " + std::string(kind_name(wanted)));
  }
  return value_;
}

const Counter& Stat::counter() const { return *static_cast<const Counter*>(checked(Kind::Counter)); }
const Average& Stat::average() const { return *static_cast<const Average*>(checked(Kind::Average)); }
const Histogram& Stat::histogram() const {
  return *static_cast<const Histogram*>(checked(Kind::Histogram));
}
const Scalar& Stat::scalar() const { return *static_cast<const Scalar*>(checked(Kind::Scalar)); }
const Text& Stat::text() const { return *static_cast<const Text*>(checked(Kind::Text)); }

void Registry::check_name(std::string_view name) const {
  const auto fail = [&](const std::string& why) {
    throw std::logic_error("statistic '" + std::string(name) + "': " + why);
  };
  if (name.empty() || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string_view::npos) {
    fail("a name is non-empty segments separated by single dots");
  }
  if (by_name_.find(name) != by_name_.end()) fail("registered twice");
  if (groups_.find(name) != groups_.end()) fail("already a group of other statistics");
  for (std::size_t dot = name.find('.'); dot != std::string_view::npos;
       dot = name.find('.', dot + 1)) {
    const std::string_view prefix = name.substr(0, dot);
    if (by_name_.find(prefix) != by_name_.end()) {
      fail("its prefix '" + std::string(prefix) + "' is already a statistic");
    }
  }
}

Stat& Registry::add(std::string_view name, Kind kind, std::string_view unit,
                    std::string_view description, void* value) {
  // Validation happens before the value's storage is allocated (see the callers), so a failed
  // registration leaves the registry unchanged.
  stats_.push_back(
      Stat(std::string(name), kind, std::string(unit), std::string(description), value));
  Stat& stat = stats_.back();
  by_name_.emplace(stat.name(), &stat);
  for (std::size_t dot = name.find('.'); dot != std::string_view::npos;
       dot = name.find('.', dot + 1)) {
    groups_.emplace(name.substr(0, dot));
  }
  return stat;
}

Counter& Registry::counter(std::string_view name, std::string_view unit,
                           std::string_view description) {
  check_name(name);
  Counter& c = counters_.emplace_back();
  add(name, Kind::Counter, unit, description, &c);
  return c;
}

Average& Registry::average(std::string_view name, std::string_view unit,
                           std::string_view description) {
  check_name(name);
  Average& a = averages_.emplace_back();
  add(name, Kind::Average, unit, description, &a);
  return a;
}

Histogram& Registry::histogram(std::string_view name, std::string_view unit,
                               std::string_view description) {
  check_name(name);
  Histogram& h = histograms_.emplace_back();
  add(name, Kind::Histogram, unit, description, &h);
  return h;
}

Scalar& Registry::scalar(std::string_view name, std::string_view unit,
                         std::string_view description) {
  check_name(name);
  Scalar& s = scalars_.emplace_back();
  add(name, Kind::Scalar, unit, description, &s);
  return s;
}

Text& Registry::text(std::string_view name, std::string_view unit, std::string_view description) {
  check_name(name);
  Text& t = texts_.emplace_back();
  add(name, Kind::Text, unit, description, &t);
  return t;
}

const Stat* Registry::find(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

double Registry::number(std::string_view name) const {
  const Stat* s = find(name);
  if (s == nullptr) return 0;
  if (s->kind() == Kind::Counter) return static_cast<double>(s->counter().value());
  if (s->kind() == Kind::Scalar) return s->scalar().value();
  return 0;
}

void Registry::reset_values() {
  for (Counter& c : counters_) c.reset();
  for (Average& a : averages_) a.reset();
  for (Histogram& h : histograms_) h.reset();
  for (Scalar& s : scalars_) s.reset();
  for (Text& t : texts_) t.reset();
}

namespace {

// The dotted names as a tree whose children keep the order in which they were first seen.
struct TreeNode {
  const Stat* stat = nullptr;  // set on leaves
  std::vector<std::pair<std::string_view, std::size_t>> children;  // segment, node index
};

std::vector<TreeNode> build_tree(const std::deque<Stat>& stats) {
  std::vector<TreeNode> nodes(1);  // nodes[0] is the root
  for (const Stat& stat : stats) {
    std::size_t node = 0;
    std::string_view rest = stat.name();
    while (true) {
      const std::size_t dot = rest.find('.');
      const std::string_view segment = rest.substr(0, dot);
      std::size_t child = 0;
      for (const auto& [name, index] : nodes[node].children) {
        if (name == segment) child = index;
      }
      if (child == 0) {
        child = nodes.size();
        nodes[node].children.emplace_back(segment, child);
        nodes.emplace_back();
      }
      node = child;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    nodes[node].stat = &stat;
  }
  return nodes;
}

void write_histogram(JsonWriter& w, const Histogram& h) {
  w.begin_object();
  w.key("count");
  w.value(h.count());
  const bool empty = h.count() == 0;  // a latency of 0 for "no samples" would mislead
  const auto number = [&](std::string_view key, std::uint64_t v) {
    w.key(key);
    if (empty) {
      w.null();
    } else {
      w.value(v);
    }
  };
  w.key("mean");
  w.value(h.mean());  // NaN when empty, written as null
  number("min", h.min());
  number("p50", h.percentile(50));
  number("p90", h.percentile(90));
  number("p99", h.percentile(99));
  number("max", h.max());
  w.end_object();
}

void write_value(JsonWriter& w, const Stat& stat) {
  switch (stat.kind()) {
    case Kind::Counter: w.value(stat.counter().value()); break;
    case Kind::Average: w.value(stat.average().mean()); break;
    case Kind::Histogram: write_histogram(w, stat.histogram()); break;
    case Kind::Scalar: w.value(stat.scalar().value()); break;
    case Kind::Text: w.value(std::string_view(stat.text().value())); break;
  }
}

void write_node(JsonWriter& w, const std::vector<TreeNode>& nodes, std::size_t node) {
  if (nodes[node].stat != nullptr) {
    write_value(w, *nodes[node].stat);
    return;
  }
  w.begin_object();
  for (const auto& [segment, child] : nodes[node].children) {
    w.key(segment);
    write_node(w, nodes, child);
  }
  w.end_object();
}

}  // namespace

void Registry::write_json(std::ostream& out) const {
  JsonWriter w(out);
  write_node(w, build_tree(stats_), 0);
  out << '\n';
}

std::string Group::full(std::string_view name) const {
  if (prefix_.empty()) return std::string(name);
  std::string result;
  result.reserve(prefix_.size() + 1 + name.size());
  result.append(prefix_).append(1, '.').append(name);
  return result;
}

}  // namespace dmasim::stats

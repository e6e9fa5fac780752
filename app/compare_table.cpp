#include "app/compare_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace dmasim::app {

namespace {

const std::vector<std::string> kColumns = {
    "total_ns",          "cpu_busy_ns",          "cpu_maintenance_ns", "cpu_stall_ns",       "map_unmap_ns",
    "device_throughput_mbps", "dma_latency_p50_ns", "dma_latency_p99_ns", "dram_bandwidth_gbps", "dram_row_hit_rate",
    "dram_energy_nj",    "iotlb_misses",         "snoops",             "coherence_violations", "debug_violations",
    "underruns"};

// The parts of the CPUs' time a strategy changes, and how the sentence names them.
const std::vector<std::pair<std::string, std::string>> kComponents = {
    {"cpu_stall_ns", "CPU stalls (waiting for memory: uncached or missing loads, write credits)"},
    {"cpu_maintenance_ns", "cache maintenance and barriers"},
    {"cpu_copy_ns", "CPU copies (bounce buffers, zeroing)"},
    {"iommu_ns", "IOMMU mapping and TLB invalidation"},
    {"allocator_ns", "allocators"},
};

std::string ms(double ns) { return fmt::format("{:.2f} ms", ns / 1e6); }

}  // namespace

std::string StrategyRun::value(const std::string& column) const {
  for (const auto& [k, v] : columns)
    if (k == column) return v;
  return {};
}

double StrategyRun::number(const std::string& column) const {
  const std::string v = value(column);
  return v.empty() ? 0.0 : std::strtod(v.c_str(), nullptr);
}

std::vector<std::string> compare_columns(const std::vector<StrategyRun>& runs) {
  std::vector<std::string> cols = kColumns;
  for (const StrategyRun& r : runs)
    for (const auto& [k, v] : r.columns)
      if (std::find(cols.begin(), cols.end(), k) == cols.end() && k != "strategy") cols.push_back(k);
  return cols;
}

std::string compare_csv(const std::vector<StrategyRun>& runs) {
  const std::vector<std::string> cols = compare_columns(runs);
  std::string out = "strategy,status";
  for (const std::string& c : cols) out += fmt::format(",{}", c);
  out += "\n";
  for (const StrategyRun& r : runs) {
    out += fmt::format("{},{}", r.strategy, r.status);
    for (const std::string& c : cols) out += fmt::format(",{}", r.value(c));
    out += "\n";
  }
  return out;
}

std::string compare_markdown(const std::vector<StrategyRun>& runs, const std::string& scenario) {
  std::string out = fmt::format("# dmasim compare: {}\n\n| column |", scenario);
  for (const StrategyRun& r : runs) out += fmt::format(" {} |", r.strategy);
  out += "\n|---|";
  for (std::size_t i = 0; i < runs.size(); ++i) out += "---:|";
  out += "\n| status |";
  for (const StrategyRun& r : runs) out += fmt::format(" {} |", r.status);
  out += "\n";
  for (const std::string& c : compare_columns(runs)) {
    out += fmt::format("| {} |", c);
    for (const StrategyRun& r : runs) out += fmt::format(" {} |", r.value(c));
    out += "\n";
  }
  out += fmt::format("\n{}\n", winner_sentence(runs));
  return out;
}

std::string compare_text(const std::vector<StrategyRun>& runs) {
  std::size_t w = 8;
  for (const StrategyRun& r : runs) w = std::max({w, r.strategy.size() + 1, r.status.size() > 24 ? 0 : r.status.size() + 1});
  std::string out = fmt::format("{:<24}", "");
  for (const StrategyRun& r : runs) out += fmt::format("{:>{}}", r.strategy, w + 1);
  out += "\n";
  auto line = [&](const std::string& name, auto get) {
    out += fmt::format("{:<24}", name);
    for (const StrategyRun& r : runs) out += fmt::format("{:>{}}", get(r), w + 1);
    out += "\n";
  };
  line("status", [](const StrategyRun& r) { return r.status.rfind("ok", 0) == 0 ? std::string("ok") : r.status.substr(0, r.status.find(':')); });
  for (const std::string& c : kColumns) line(c, [&](const StrategyRun& r) { return r.value(c); });
  for (const StrategyRun& r : runs)
    if (r.status != "ok") out += fmt::format("  {}: {}\n", r.strategy, r.status);
  return out;
}

std::string winner_sentence(const std::vector<StrategyRun>& runs) {
  std::vector<const StrategyRun*> clean;
  std::vector<std::string> dirty;
  for (const StrategyRun& r : runs) {
    if (r.status != "ok" && r.status.rfind("errors", 0) != 0) continue;  // not run
    if (r.number("coherence_violations") > 0 || r.number("debug_violations") > 0 || r.number("driver_errors") > 0)
      dirty.push_back(r.strategy);
    else
      clean.push_back(&r);
  }
  std::string note;
  if (!dirty.empty()) {
    note = " (";
    for (std::size_t i = 0; i < dirty.size(); ++i) note += fmt::format("{}{}", i ? ", " : "", dirty[i]);
    note += dirty.size() == 1 ? " cannot win: it has violations or driver errors)" : " cannot win: they have violations or driver errors)";
  }
  if (clean.empty()) return fmt::format("No strategy ran cleanly{}.", note);
  std::sort(clean.begin(), clean.end(), [](const StrategyRun* a, const StrategyRun* b) {
    return a->number("total_ns") < b->number("total_ns");
  });
  const StrategyRun& win = *clean[0];
  if (clean.size() == 1) return fmt::format("{} is the only strategy that ran cleanly ({}){}.", win.strategy, ms(win.number("total_ns")), note);
  const StrategyRun& next = *clean[1];
  const double t0 = win.number("total_ns"), t1 = next.number("total_ns");
  // The component whose difference between a loser and the winner is largest.
  auto deciding = [&](const StrategyRun& other, double& most) {
    std::string why = "the CPUs' other work";
    most = 0;
    for (const auto& [col, words] : kComponents) {
      const double d = other.number(col) - win.number(col);
      if (std::fabs(d) > std::fabs(most)) {
        most = d;
        why = words;
      }
    }
    return why;
  };
  auto ratio = [&](double t) { return t0 > 0 ? fmt::format("{:.2f}x", t / t0) : std::string("-"); };
  if (t1 == t0) return fmt::format("{} and {} tie ({}){}.", win.strategy, next.strategy, ms(t0), note);
  double most = 0;
  const std::string why = deciding(next, most);
  std::string out = fmt::format("{} wins ({}, {} faster than the runner-up {} at {}): {} spends {} {} in {}", win.strategy,
                                ms(t0), ratio(t1), next.strategy, ms(t1), next.strategy, ms(std::fabs(most)),
                                most >= 0 ? "more" : "less", why);
  // The slowest clean strategy too, when it is not the runner-up: usually the answer's point.
  const StrategyRun& last = *clean.back();
  if (clean.size() > 2 && last.number("total_ns") > t1) {
    double most_last = 0;
    const std::string why_last = deciding(last, most_last);
    out += fmt::format("; the slowest, {} ({}, {}), spends {} {} in {}", last.strategy, ms(last.number("total_ns")),
                       ratio(last.number("total_ns")), ms(std::fabs(most_last)), most_last >= 0 ? "more" : "less", why_last);
  }
  return out + note + ".";
}

}  // namespace dmasim::app

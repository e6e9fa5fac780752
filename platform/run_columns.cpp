#include "platform/run_columns.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/common/stats/histogram.h"

namespace dmasim::platform {

namespace {
bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
}  // namespace

void append_run_columns(const stats::Registry& stats, const PlatformConfig& platform, double total_ns,
                        std::vector<std::pair<std::string, std::string>>& columns) {
  auto col = [&](std::string name, std::string value) { columns.emplace_back(std::move(name), std::move(value)); };
  auto num = [&](const std::string& name) { return stats.number(name); };

  // CPUs: busy = running and not asleep; stalls = stall cycles at the core's clock.
  double busy_ps = 0, stall_ps = 0;
  for (const ClusterConfig& c : platform.clusters) {
    const double period = static_cast<double>(c.core.clock.period_ps());
    for (unsigned i = 0; i < c.cores; ++i) {
      const std::string core = fmt::format("soc.{}.cpu{}.", c.name, i);
      busy_ps += num(core + "run_ps") - num(core + "sleep_ps");
      stats.for_each([&](const stats::Stat& s) {
        if (starts_with(s.name(), core + "stall_cycles.")) stall_ps += static_cast<double>(s.counter().value()) * period;
      });
    }
  }

  // Devices: bytes moved, latency of every transaction (read and write histograms merged).
  double device_bytes = 0, underruns = 0, iotlb_misses = 0, snoops = 0;
  stats::Histogram latency;
  for (const DeviceConfig& d : platform.devices) {
    const std::string dev = "soc." + d.name + ".";
    device_bytes += num(dev + "bytes_read") + num(dev + "bytes_written");
    for (const char* h : {"read_latency", "write_latency"})
      if (const stats::Stat* s = stats.find(dev + h)) latency.merge(s->histogram());
  }
  stats.for_each([&](const stats::Stat& s) {
    const std::string& n = s.name();
    if (s.kind() != stats::Kind::Counter) return;
    if (ends_with(n, ".display.underruns") || ends_with(n, ".display.underrun_lines")) underruns += static_cast<double>(s.counter().value());
    if (n.find("sysmmu") != std::string::npos && ends_with(n, "tlb.misses") && n.find("l1_tlb") == std::string::npos)
      iotlb_misses += static_cast<double>(s.counter().value());
    if (ends_with(n, ".snoops_received")) snoops += static_cast<double>(s.counter().value());
  });

  double dram_bytes = 0, row_hits = 0, accesses = 0, energy = 0;
  for (unsigned ch = 0;; ++ch) {
    const std::string p = fmt::format("soc.dram.ch{}.", ch);
    if (stats.find(p + "reads") == nullptr) break;
    dram_bytes += num(p + "bytes_read") + num(p + "bytes_written");
    row_hits += num(p + "row_hits");
    accesses += num(p + "reads") + num(p + "writes");
    energy += num(p + "energy.total_nj");
  }

  col("cpu_busy_ns", fmt::format("{:.0f}", busy_ps / 1000.0));
  col("cpu_stall_ns", fmt::format("{:.0f}", stall_ps / 1000.0));
  col("device_throughput_mbps", fmt::format("{:.1f}", total_ns > 0 ? device_bytes / total_ns * 1000.0 : 0.0));
  const bool any = latency.count() != 0;
  col("dma_latency_p50_ns", any ? fmt::format("{}", latency.percentile(50)) : "");
  col("dma_latency_p99_ns", any ? fmt::format("{}", latency.percentile(99)) : "");
  col("dram_bandwidth_gbps", fmt::format("{:.3f}", total_ns > 0 ? dram_bytes / total_ns : 0.0));
  col("dram_row_hit_rate", fmt::format("{:.4f}", accesses > 0 ? row_hits / accesses : 0.0));
  col("dram_energy_nj", fmt::format("{:.0f}", energy));
  col("iotlb_misses", fmt::format("{:.0f}", iotlb_misses));
  col("snoops", fmt::format("{:.0f}", snoops));
  col("underruns", fmt::format("{:.0f}", underruns));
}

}  // namespace dmasim::platform

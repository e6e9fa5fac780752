// dmasim dram: the DRAM subsystem on a request trace.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "models/common/config/schema.h"
#include "models/common/error.h"
#include "models/common/stats/json_writer.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/perfetto_recorder.h"
#include "models/dram/dram_config.h"
#include "models/dram/dram_subsystem.h"
#include "models/dram/trace_player.h"

namespace po = boost::program_options;

namespace dmasim::app {
namespace {

struct Figures {
  std::uint64_t cycles = 0, requests = 0, reads = 0, writes = 0, errors = 0, refreshes = 0;
  std::uint64_t row_hits = 0, row_served = 0, violations = 0;
  double bandwidth_gbps = 0, peak_gbps = 0, row_hit_rate = 0, energy_nj = 0;
  stats::Histogram read_latency, write_latency;
  double wall_seconds = 0;
};

void write_figures_json(const std::string& path, const Figures& f) {
  std::ostringstream out;
  stats::JsonWriter j(out);
  j.begin_object();
  j.key("cycles"), j.value(f.cycles);
  j.key("requests"), j.value(f.requests);
  j.key("reads"), j.value(f.reads);
  j.key("writes"), j.value(f.writes);
  j.key("error_responses"), j.value(f.errors);
  j.key("bandwidth_gbps"), j.value(f.bandwidth_gbps);
  j.key("peak_bandwidth_gbps"), j.value(f.peak_gbps);
  j.key("row_hit_rate"), j.value(f.row_hit_rate);
  j.key("avg_read_latency_cycles"), j.value(f.read_latency.mean());
  j.key("p50_read_latency_cycles"), j.value(f.read_latency.percentile(50));
  j.key("p99_read_latency_cycles"), j.value(f.read_latency.percentile(99));
  j.key("max_read_latency_cycles"), j.value(f.read_latency.max());
  j.key("avg_write_latency_cycles"), j.value(f.write_latency.mean());
  j.key("p99_write_latency_cycles"), j.value(f.write_latency.percentile(99));
  j.key("refreshes"), j.value(f.refreshes);
  j.key("energy_nj"), j.value(f.energy_nj);
  j.key("timing_violations"), j.value(f.violations);
  // Host figures last: the only ones that differ between two runs of the same input.
  j.key("wall_seconds"), j.value(f.wall_seconds);
  j.key("requests_per_second"), j.value(f.wall_seconds > 0 ? static_cast<double>(f.requests) / f.wall_seconds : 0.0);
  j.end_object();
  out << "\n";
  write_text_file(path, out.str());
}

void print_summary(const Figures& f, const std::string& config, const std::string& trace) {
  const auto mean = [](const stats::Histogram& h) { return h.count() ? h.mean() : 0.0; };
  fmt::print("dmasim dram: {} on {}\n", config, trace);
  fmt::print("  cycles             {}\n", f.cycles);
  fmt::print("  requests           {} ({} reads, {} writes{})\n", f.requests, f.reads, f.writes,
             f.errors ? fmt::format(", {} error responses", f.errors) : "");
  fmt::print("  bandwidth          {:.2f} GB/s ({:.1f}% of {:.2f} GB/s peak)\n", f.bandwidth_gbps,
             f.peak_gbps > 0 ? 100.0 * f.bandwidth_gbps / f.peak_gbps : 0.0, f.peak_gbps);
  fmt::print("  row hit rate       {:.3f}\n", f.row_hit_rate);
  fmt::print("  read latency       mean {:.1f}, p50 {}, p99 {}, max {} cycles\n", mean(f.read_latency),
             f.read_latency.percentile(50), f.read_latency.percentile(99), f.read_latency.max());
  fmt::print("  write latency      mean {:.1f}, p99 {} cycles\n", mean(f.write_latency), f.write_latency.percentile(99));
  fmt::print("  refreshes          {}\n", f.refreshes);
  fmt::print("  energy             {:.1f} nJ\n", f.energy_nj);
  fmt::print("  host               {:.2f} s, {:.0f} requests/s\n", f.wall_seconds,
             f.wall_seconds > 0 ? static_cast<double>(f.requests) / f.wall_seconds : 0.0);
}

}  // namespace

int cmd_dram(const std::vector<std::string>& args) {
  std::string config_path, trace_path, format, json_path, out_dir, perfetto_path;
  std::vector<std::string> overrides;
  bool check = false, quiet = false;
  po::options_description opts(
      "usage: dmasim dram --config CONFIG.yaml --trace FILE [options]\n\n"
      "Runs the DRAM subsystem on a request trace: request i enters when its cycle has come and the\n"
      "controller has room; later requests wait behind it. Prints a summary; --json writes the figures.\n\n"
      "options");
  opts.add_options()("help,h", "show this help")(
      "config,c", po::value(&config_path)->value_name("FILE"), "DRAM configuration (scenarios/dram/*.yaml)")(
      "trace,t", po::value(&trace_path)->value_name("FILE"), "request trace")(
      "format,f", po::value(&format)->value_name("trace|stl"), "trace format (default: from the file name)")(
      "json,j", po::value(&json_path)->value_name("FILE"), "write the figures as JSON")(
      "out,o", po::value(&out_dir)->value_name("DIR"),
      "results directory for resolved.yaml and stats.json (default: results/runs/dram/<config>)")(
      "set,s", po::value(&overrides)->value_name("KEY=VALUE")->composing(), "override a configuration key")(
      "check", po::bool_switch(&check), "check every DRAM command against the memspec's timing rules")(
      "perfetto", po::value(&perfetto_path)->value_name("FILE"), "write a Perfetto trace of commands and queues")(
      "quiet,q", po::bool_switch(&quiet), "print nothing but errors");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UserError(fmt::format("{} (see 'dmasim dram --help')", e.what()));
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (config_path.empty()) throw UserError("--config is required (see 'dmasim dram --help')");
  if (trace_path.empty()) throw UserError("--trace is required (see 'dmasim dram --help')");
  if (check) overrides.push_back("controller.check_commands=true");

  const cfg::Node tree = load_config(config_path, overrides);
  const auto config = cfg::read<dram::DramConfig>(tree);
  const dram::TraceFormat trace_format =
      format.empty() ? dram::format_from_path(trace_path) : dram::parse_trace_format(format);
  dram::TraceReader reader(trace_path, trace_format);
  if (out_dir.empty())
    out_dir = (std::filesystem::path("results/runs/dram") / std::filesystem::path(config_path).stem()).string();
  ensure_directory(out_dir);
  write_text_file(out_dir + "/resolved.yaml", cfg::to_yaml(cfg::write(config)));

  const std::unique_ptr<trace::PerfettoRecorder> recorder = open_perfetto(perfetto_path);

  stats::Registry registry;
  dram::DramSubsystem dram("dram", config, registry, "dram", recorder.get());
  dram::TracePlayer player("player", reader, dram.clock());
  player.socket.bind(dram.socket);

  const auto start = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const auto stop = std::chrono::steady_clock::now();
  if (player.error()) std::rethrow_exception(player.error());
  dram.finish();
  if (recorder) recorder->flush();

  Figures f;
  f.wall_seconds = std::chrono::duration<double>(stop - start).count();
  f.cycles = player.last_completion_cycle();
  f.requests = player.completed();
  f.reads = player.reads();
  f.writes = player.writes();
  f.errors = player.errors();
  const dram::MemSpec& spec = dram.spec();
  const double tck_ns = static_cast<double>(spec.t.tCK) / 1000.0;
  f.bandwidth_gbps = f.cycles ? static_cast<double>(player.bytes()) / (static_cast<double>(f.cycles) * tck_ns) : 0.0;
  f.peak_gbps = spec.org.channels * (spec.org.bus_width / 8.0) * 2.0 / tck_ns;
  for (unsigned c = 0; c < dram.channel_count(); ++c) {
    const std::string p = fmt::format("dram.ch{}.", c);
    f.row_hits += static_cast<std::uint64_t>(registry.number(p + "row_hits"));
    f.row_served += static_cast<std::uint64_t>(registry.number(p + "row_hits") + registry.number(p + "row_misses") +
                                               registry.number(p + "row_conflicts"));
    f.refreshes += static_cast<std::uint64_t>(registry.number(p + "refreshes"));
    f.energy_nj += registry.number(p + "energy.total_nj");
    f.read_latency.merge(registry.find(p + "read_latency")->histogram());
    f.write_latency.merge(registry.find(p + "write_latency")->histogram());
  }
  f.row_hit_rate = f.row_served ? static_cast<double>(f.row_hits) / static_cast<double>(f.row_served) : 0.0;
  const auto violations = dram.violations();
  f.violations = violations.size();

  write_stats_json(out_dir, registry);
  if (!json_path.empty()) write_figures_json(json_path, f);
  if (!quiet) print_summary(f, config_path, trace_path);
  if (!violations.empty()) {
    for (std::size_t i = 0; i < std::min<std::size_t>(violations.size(), 10); ++i)
      fmt::print(stderr, "timing violation: {}\n", violations[i].message);
    fmt::print(stderr, "dmasim dram: {} DRAM timing violations: the controller broke the memspec's rules\n",
               violations.size());
    return 3;
  }
  return 0;
}

}  // namespace dmasim::app

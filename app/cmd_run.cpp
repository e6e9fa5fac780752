// dmasim run: a scenario on its platform, with results under results/runs/<scenario>/.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <functional>
#include <sstream>

#include <unistd.h>

#include "app/cli.h"
#include "models/common/config/schema.h"
#include "models/common/error.h"
#include "models/common/stats/json_writer.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/perfetto_recorder.h"
#include "platform/scenario.h"

namespace po = boost::program_options;

namespace dmasim::app {

int cmd_run(const std::vector<std::string>& args) {
  std::string scenario_path, out_dir, perfetto_path, trace_path, json_path;
  std::vector<std::string> overrides;
  bool quiet = false;
  po::options_description opts(
      "usage: dmasim run SCENARIO.yaml [options]\n\n"
      "Runs a scenario on its platform and writes resolved.yaml, stats.json, summary.csv and\n"
      "violations.txt (the data-version oracle's report) to the results directory.\n\n"
      "options");
  opts.add_options()("help,h", "show this help")(
      "out,o", po::value(&out_dir)->value_name("DIR"), "results directory (default: results/runs/<scenario>)")(
      "set,s", po::value(&overrides)->value_name("KEY=VALUE")->composing(),
      "override a configuration key, e.g. --set buffer.type=noncacheable")(
      "trace,t", po::value(&trace_path)->value_name("FILE"),
      "write a Perfetto trace (open it at ui.perfetto.dev): per core a slice per DMA-API call with its "
      "maintenance, per device its jobs, per component its transactions")(
      "perfetto", po::value(&perfetto_path)->value_name("FILE"), "the same as --trace")(
      "json,j", po::value(&json_path)->value_name("FILE"),
      "write the summary and the host time (wall_seconds) as JSON, for benchmarks")(
      "quiet,q", po::bool_switch(&quiet), "print nothing but errors");
  if (!parse_subcommand_args(args, opts, "run", scenario_path)) return 0;

  const cfg::Node tree = load_config(scenario_path, overrides);
  const auto config = cfg::read<platform::ScenarioConfig>(tree);
  const std::string name = config.name.empty() ? std::filesystem::path(scenario_path).stem().string() : config.name;
  if (out_dir.empty()) out_dir = (std::filesystem::path("results/runs") / name).string();
  ensure_directory(out_dir);
  write_text_file(out_dir + "/resolved.yaml", cfg::to_yaml(cfg::write(config)));

  if (!trace_path.empty() && !perfetto_path.empty() && trace_path != perfetto_path)
    throw UserError("--trace and --perfetto name different files; give one");
  const std::unique_ptr<trace::PerfettoRecorder> recorder = open_perfetto(trace_path.empty() ? perfetto_path : trace_path);

  stats::Registry registry;
  const auto start = std::chrono::steady_clock::now();
  // A progress line on a terminal: simulated time and how fast it goes against the wall clock.
  std::function<void(Picoseconds)> progress;
  auto last = start;
  bool printed = false;
  if (!quiet && isatty(2) != 0) {
    progress = [&](Picoseconds now) {
      const auto t = std::chrono::steady_clock::now();
      if (t - last < std::chrono::milliseconds(200)) return;
      last = t;
      const double wall_s = std::chrono::duration<double>(t - start).count();
      const double sim_s = static_cast<double>(now) * 1e-12;
      fmt::print(stderr, "\r{}: simulated {:.3f} ms in {:.1f} s host ({:.2e} simulated/wall)   ", name, sim_s * 1e3,
                 wall_s, wall_s > 0 ? sim_s / wall_s : 0.0);
      printed = true;
    };
  }
  const platform::RunSummary summary = platform::run_scenario(config, name, registry, recorder.get(), progress);
  if (printed) fmt::print(stderr, "\n");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (recorder) recorder->flush();

  write_stats_json(out_dir, registry);
  write_text_file(out_dir + "/summary.csv", platform::summary_csv(summary));
  write_text_file(out_dir + "/violations.txt", summary.violations_report);
  if (!summary.aliases_report.empty()) write_text_file(out_dir + "/aliases.txt", summary.aliases_report);

  if (!json_path.empty()) {
    std::ostringstream out;
    stats::JsonWriter j(out);
    j.begin_object();
    for (const auto& [k, v] : summary.columns) j.key(k), j.value(v);
    j.key("wall_seconds"), j.value(wall);
    j.end_object();
    write_text_file(json_path, out.str() + "\n");
  }
  if (!quiet) {
    fmt::print("dmasim run: {}\n", name);
    for (const auto& [k, v] : summary.columns) fmt::print("  {:<18} {}\n", k, v);
    if (!summary.aliases_report.empty())
      fmt::print("  memory-type aliases (see aliases.txt):\n{}", summary.aliases_report);
    fmt::print("  host               {:.2f} s\n", wall);
    fmt::print("  results            {}/\n", out_dir);
  }
  return 0;
}

}  // namespace dmasim::app

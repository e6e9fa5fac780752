// dmasim compare: one scenario under several mapping strategies, side by side.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "app/compare_table.h"
#include "app/run_pool.h"
#include "models/common/config/schema.h"
#include "models/common/error.h"
#include "platform/scenario.h"

namespace po = boost::program_options;

namespace dmasim::app {


int cmd_compare(const std::vector<std::string>& args) {
  std::string scenario_path, out_dir, strategies_arg;
  std::vector<std::string> overrides;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool quiet = false;
  po::options_description opts(
      "usage: dmasim compare SCENARIO.yaml [options]\n\n"
      "Runs the scenario once per mapping strategy (same seed, each run its own process), prints the\n"
      "figures side by side with a sentence naming the winner and what decided it, and writes\n"
      "compare.md and compare.csv beside the runs' results (DIR/<strategy>/).\n\n"
      "options");
  opts.add_options()("help,h", "show this help")(
      "strategies", po::value(&strategies_arg)->value_name("A,B,..."),
      "strategies to compare (default: coherent,writecombine,streaming,iommu,io-coherent,bounce)")(
      "set,s", po::value(&overrides)->value_name("KEY=VALUE")->composing(), "override a configuration key")(
      "out,o", po::value(&out_dir)->value_name("DIR"), "results directory (default: results/runs/<scenario>)")(
      "jobs,j", po::value(&jobs)->value_name("N"), "runs at once (default: the number of cores)")(
      "quiet,q", po::bool_switch(&quiet), "print nothing but errors");
  if (!parse_subcommand_args(args, opts, "compare", scenario_path)) return 0;
  if (jobs == 0) throw UserError("--jobs must be at least 1");

  std::vector<std::string> strategies;
  if (strategies_arg.empty()) {
    for (const auto& [s, name] : cfg::EnumNames<sw::Strategy>::names) strategies.emplace_back(name);
  } else {
    std::stringstream ss(strategies_arg);
    std::string s;
    while (std::getline(ss, s, ',')) {
      bool known = false;
      for (const auto& [e, name] : cfg::EnumNames<sw::Strategy>::names) known |= name == s;
      if (!known)
        throw UserError(fmt::format("--strategies: unknown strategy '{}' (one of coherent, writecombine, streaming, "
                                    "iommu, io-coherent, bounce)", s));
      strategies.push_back(s);
    }
  }

  // Validate once per strategy here: an inapplicable strategy is a row, any other problem an error.
  const cfg::Node base = load_config(scenario_path, overrides);
  const auto config = cfg::read<platform::ScenarioConfig>(base);
  const std::string name = config.name.empty() ? std::filesystem::path(scenario_path).stem().string() : config.name;
  if (out_dir.empty()) out_dir = (std::filesystem::path("results/runs") / name).string();
  ensure_directory(out_dir);
  std::vector<StrategyRun> runs;
  for (const std::string& s : strategies) {
    StrategyRun r;
    r.strategy = s;
    std::vector<std::string> with = overrides;
    with.push_back("strategy=" + s);
    try {
      (void)cfg::read<platform::ScenarioConfig>(load_config(scenario_path, with));
      r.status = "ok";
    } catch (const UserError& e) {
      const std::string what = e.what();
      const auto at = what.find("is not applicable");
      if (at == std::string::npos) throw;
      const auto start = what.rfind(s, at);
      r.status = "n/a: " + what.substr(start == std::string::npos ? at : start);
      while (!r.status.empty() && (r.status.back() == '\n' || r.status.back() == ' ')) r.status.pop_back();
    }
    runs.push_back(std::move(r));
  }

  // The runs, up to `jobs` processes at once, each logging to DIR/<strategy>/run.log.
  std::vector<PoolJob> pool;
  std::vector<std::size_t> run_of;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].status != "ok") continue;
    const std::string dir = out_dir + "/" + runs[i].strategy;
    ensure_directory(dir);
    PoolJob j{{"run", scenario_path, "--out", dir, "--quiet"}, dir + "/run.log"};
    for (const std::string& o : overrides) j.args.insert(j.args.end(), {"--set", o});
    j.args.insert(j.args.end(), {"--set", "strategy=" + runs[i].strategy});
    pool.push_back(std::move(j));
    run_of.push_back(i);
  }
  const bool progress = !quiet && isatty(2) != 0;
  std::size_t done = 0;
  int failed = 0, user_error = 0;
  run_pool(pool, jobs, [&](std::size_t j, int code) {
    StrategyRun& r = runs[run_of[j]];
    const std::string dir = out_dir + "/" + r.strategy;
    ++done;
    if (code == 0) {
      r.columns = read_summary(dir + "/summary.csv");
      // The run finished but its drivers could not do their work (a mapping or an allocation
      // failed as the kernel would fail it): say so where the table says "ok".
      if (r.number("driver_errors") > 0) r.status = fmt::format("errors: {} (violations.txt)", r.value("driver_errors"));
    } else {
      r.status = fmt::format("failed: exit {}: {}", code, last_line(dir + "/run.log"));
      ++failed;
      if (code == 2) user_error = 2;
    }
    if (progress) fmt::print(stderr, "\rcompare: {}/{} runs done", done, pool.size());
  });
  if (progress) fmt::print(stderr, "\n");

  write_text_file(out_dir + "/compare.csv", compare_csv(runs));
  write_text_file(out_dir + "/compare.md", compare_markdown(runs, name));
  if (!quiet) {
    fmt::print("dmasim compare: {}\n\n{}\n{}\n\n  results  {}/ (compare.md, compare.csv)\n", name, compare_text(runs),
               winner_sentence(runs), out_dir);
  }
  if (user_error != 0) return 2;
  return failed != 0 ? 1 : 0;
}

}  // namespace dmasim::app

// dmasim sweep: a scenario over the Cartesian product of configuration values, each point its
// own `dmasim run` process and results directory, collected into sweep.csv.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "app/run_pool.h"
#include "app/sweep_backend.h"
#include "app/sweep_file.h"
#include "app/sweep_points.h"
#include "models/common/config/schema.h"
#include "models/common/error.h"
#include "platform/scenario.h"

namespace po = boost::program_options;

namespace dmasim::app {

namespace {

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string eta(double seconds) {
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  return fmt::format("{:.0f} min", seconds / 60);
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  std::string scenario_path, out_dir, backend, sweep_file;
  std::vector<std::string> varies, overrides, sbatch_options;
  constexpr unsigned kUnset = ~0u;
  unsigned jobs = kUnset;
  double poll = -1;  // unset
  bool quiet = false, dry_run = false;
  po::options_description opts(
      "usage: dmasim sweep SCENARIO.yaml --vary KEY=V1,V2,... [--vary ...] [options]\n"
      "       dmasim sweep --file SWEEP.yaml [SCENARIO.yaml] [options]\n\n"
      "Runs the scenario at every point of the Cartesian product of the --vary values, each point a\n"
      "separate `dmasim run` with its results in DIR/points/<n>-<key=value...>/, and writes DIR/sweep.csv:\n"
      "one row per point with the varied keys, the status (ok / failed and its error) and the summary\n"
      "figures. A failing point does not stop the others; the exit code is 1 when any failed. Running\n"
      "the same sweep again skips the points already complete (resume after an interruption).\n\n"
      "options");
  opts.add_options()("help,h", "show this help")(
      "file,f", po::value(&sweep_file)->value_name("SWEEP.yaml"),
      "a sweep file: scenario, axes (vary), fixed overrides (set) and the options below; the command line adds "
      "axes and --set overrides to it and overrides its options (see docs/sweep.md)")(
      "vary,v", po::value(&varies)->value_name("KEY=VALUES")->composing(),
      "a key and its values: KEY=V1,V2,... or KEY=range(START,STOP,STEP) (STOP excluded)")(
      "set,s", po::value(&overrides)->value_name("KEY=VALUE")->composing(), "override a key at every point")(
      "jobs,j", po::value(&jobs)->value_name("N"),
      "points run at once (local default: the number of cores; slurm: the array's %N limit, default none)")(
      "backend", po::value(&backend)->value_name("NAME"),
      "where the points run: local (a process pool, the default) or slurm (one job array submitted with\n"
      "sbatch; the results directory must be on a file system the compute nodes share)")(
      "sbatch-option", po::value(&sbatch_options)->value_name("OPT")->composing(),
      "slurm: an extra #SBATCH line, e.g. --sbatch-option=--partition=sim --sbatch-option=--time=30")(
      "poll", po::value(&poll)->value_name("SECONDS"),
      "slurm: how often squeue and the results are looked at (default 2)")(
      "out,o", po::value(&out_dir)->value_name("DIR"), "results directory (default: results/sweeps/<scenario>)")(
      "dry-run,n", po::bool_switch(&dry_run), "print the points and their command lines; run and write nothing")(
      "quiet,q", po::bool_switch(&quiet), "print nothing but errors");
  if (!parse_subcommand_args(args, opts, "sweep", scenario_path, false)) return 0;
  if (jobs == 0) throw UserError("--jobs must be at least 1");
  if (!backend.empty() && backend != "local" && backend != "slurm")
    throw UserError(fmt::format("--backend: unknown backend '{}' (local or slurm)", backend));
  if (poll != -1 && !(poll > 0)) throw UserError("--poll must be more than 0 seconds");

  // The sweep file first; the command line adds to it and overrides it.
  std::vector<SweepAxis> axes;
  if (!sweep_file.empty()) {
    SweepFileConfig file = read_sweep_file(sweep_file);
    if (scenario_path.empty()) scenario_path = file.scenario;
    axes = sweep_axes(file);
    overrides.insert(overrides.begin(), file.set.begin(), file.set.end());
    sbatch_options.insert(sbatch_options.begin(), file.sbatch_options.begin(), file.sbatch_options.end());
    if (jobs == kUnset && file.jobs != 0) jobs = file.jobs;
    if (backend.empty()) backend = file.backend == SweepBackendKind::Slurm ? "slurm" : "local";
    if (poll == -1) poll = file.poll;
    if (out_dir.empty()) out_dir = file.out;
  }
  if (scenario_path.empty())
    throw UserError("a scenario file is required, on the command line or as the sweep file's 'scenario' (see 'dmasim sweep --help')");
  for (const std::string& v : varies) {
    SweepAxis a = parse_vary(v);
    const auto same = std::find_if(axes.begin(), axes.end(), [&](const SweepAxis& x) { return x.key == a.key; });
    if (same != axes.end())
      same->values = std::move(a.values);
    else
      axes.push_back(std::move(a));
  }
  if (axes.empty()) throw UserError("at least one --vary KEY=VALUES (or a sweep file's 'vary') is required (see 'dmasim sweep --help')");
  if (backend.empty()) backend = "local";
  if (poll == -1) poll = 2;
  const std::vector<SweepPoint> points = sweep_points(axes);

  // The scenario itself must be valid (exit 2 otherwise); a point whose values make it invalid is
  // a failed point, recorded with the error, and the others run.
  const auto config = cfg::read<platform::ScenarioConfig>(load_config(scenario_path, overrides));
  const std::string name = config.name.empty() ? std::filesystem::path(scenario_path).stem().string() : config.name;
  if (out_dir.empty()) out_dir = (std::filesystem::path("results/sweeps") / name).string();
  if (!dry_run) ensure_directory(out_dir + "/points");

  struct Row {
    std::string status = "ok", error;
    std::vector<std::pair<std::string, std::string>> columns;
  };
  std::vector<Row> rows(points.size());
  std::vector<SweepTask> tasks;
  std::vector<std::size_t> point_of;
  std::size_t skipped = 0, invalid = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    try {
      std::vector<std::string> with = overrides;
      for (const auto& [k, v] : points[i].values) with.push_back(fmt::format("{}={}", k, v));
      (void)cfg::read<platform::ScenarioConfig>(load_config(scenario_path, with));
    } catch (const UserError& e) {
      const std::string what = e.what();
      rows[i].status = "failed";
      rows[i].error = what.substr(0, what.find('\n'));
      ++invalid;
      continue;
    }
    const std::string dir = out_dir + "/points/" + points[i].directory;
    if (std::filesystem::exists(dir + "/complete")) {  // an earlier sweep finished it
      rows[i].columns = read_summary(dir + "/summary.csv");
      ++skipped;
      continue;
    }
    if (!dry_run) ensure_directory(dir);
    SweepTask t{{"run", scenario_path, "--out", dir, "--quiet"}, dir};
    for (const std::string& o : overrides) t.args.insert(t.args.end(), {"--set", o});
    for (const auto& [k, v] : points[i].values) t.args.insert(t.args.end(), {"--set", k + "=" + v});
    tasks.push_back(std::move(t));
    point_of.push_back(i);
  }

  if (dry_run) {
    fmt::print("dmasim sweep: {}: {} points, {} to run, {} already complete, {} invalid ({} backend, results in {})\n",
               name, points.size(), tasks.size(), skipped, invalid, backend, out_dir);
    for (std::size_t i = 0, t = 0; i < points.size(); ++i) {
      if (t < tasks.size() && point_of[t] == i) {
        std::string line = "dmasim";
        for (const std::string& a : tasks[t++].args) line += fmt::format(" {}", a);
        fmt::print("  {:<4} {}\n", i, line);
      } else {
        fmt::print("  {:<4} {}: {}\n", i, points[i].directory, rows[i].status == "ok" ? "complete" : rows[i].error);
      }
    }
    return invalid != 0 ? 1 : 0;
  }

  std::unique_ptr<SweepBackend> runner;
  if (backend == "slurm") {
    SlurmOptions so;
    so.work_dir = out_dir;
    so.job_name = "dmasim-sweep-" + name;
    so.max_running = jobs == kUnset ? 0 : jobs;
    so.sbatch_options = sbatch_options;
    so.poll_seconds = poll;
    so.quiet = quiet;
    runner = make_slurm_backend(so);
  } else {
    runner = make_local_backend(jobs == kUnset ? std::max(1u, std::thread::hardware_concurrency()) : jobs);
  }

  const bool progress = !quiet && isatty(2) != 0;
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0, failed = invalid, running = 0;
  auto show = [&] {
    if (!progress) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string left = done == 0 ? "-" : eta(wall / static_cast<double>(done) * static_cast<double>(tasks.size() - done));
    fmt::print(stderr, "\rsweep: {}/{} done, {} running, {} failed, ETA {}   ", done, tasks.size(), running, failed, left);
  };
  runner->run(
      tasks,
      [&](std::size_t j, const TaskOutcome& outcome) {
        const std::size_t i = point_of[j];
        ++done;
        if (outcome.code == 0) {
          rows[i].columns = read_summary(tasks[j].dir + "/summary.csv");
          write_text_file(tasks[j].dir + "/complete", "ok\n");
        } else {
          rows[i].status = "failed";
          rows[i].error = outcome.error;
          ++failed;
        }
        show();
      },
      [&](std::size_t now_running) {
        running = now_running;
        show();
      });
  if (progress) fmt::print(stderr, "\n");

  // sweep.csv: point, the varied keys, status, error, then every summary column seen, in order;
  // a summary column named like a varied key (strategy) repeats that key's value, so it is left
  // out: every column name appears once (pandas and csv.DictReader would lose or rename one).
  std::vector<std::string> metrics;
  auto varied = [&](const std::string& k) {
    return std::any_of(axes.begin(), axes.end(), [&](const SweepAxis& a) { return a.key == k; });
  };
  for (const Row& r : rows)
    for (const auto& [k, v] : r.columns)
      if (!varied(k) && std::find(metrics.begin(), metrics.end(), k) == metrics.end()) metrics.push_back(k);
  std::string csv = "point";
  for (const SweepAxis& a : axes) csv += "," + csv_field(a.key);
  csv += ",status,error";
  for (const std::string& m : metrics) csv += "," + csv_field(m);
  csv += "\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    csv += fmt::format("{}", i);
    for (const auto& [k, v] : points[i].values) csv += "," + csv_field(v);
    csv += "," + rows[i].status + "," + csv_field(rows[i].error);
    std::map<std::string, std::string> by(rows[i].columns.begin(), rows[i].columns.end());
    for (const std::string& m : metrics) csv += "," + csv_field(by.count(m) ? by[m] : "");
    csv += "\n";
  }
  write_text_file(out_dir + "/sweep.csv", csv);
  if (!quiet) {
    fmt::print("dmasim sweep: {}: {} points, {} run, {} already complete, {} failed\n", name, points.size(), tasks.size(),
               skipped, failed);
    for (std::size_t i = 0; i < points.size(); ++i)
      if (rows[i].status != "ok") fmt::print("  point {} ({}): {}\n", i, points[i].directory, rows[i].error);
    fmt::print("  results  {}/sweep.csv\n", out_dir);
  }
  return failed != 0 ? 1 : 0;
}

}  // namespace dmasim::app

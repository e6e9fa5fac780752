#include "app/sweep_file.h"

#include <fmt/format.h>

#include <filesystem>

#include "models/common/config/node.h"

namespace dmasim::app {

void SweepAxisConfig::describe(cfg::Fields<SweepAxisConfig>& f) {
  f("key", &SweepAxisConfig::key, "the configuration key to vary, as --set names it (e.g. kernel.iommu.flush)")
      .required();
  f("values", &SweepAxisConfig::values, "its values, in order (a value may hold commas)");
  f("range", &SweepAxisConfig::range, "or [START, STOP, STEP]: START, START+STEP, ... up to STOP excluded");
}

void SweepAxisConfig::validate(cfg::Validator& v) const {
  if (values.empty() == range.empty()) v.fail("values", "give either values or range");
  if (!range.empty() && range.size() != 3) v.fail("range", "expected [START, STOP, STEP]");
}

void SweepFileConfig::describe(cfg::Fields<SweepFileConfig>& f) {
  f("scenario", &SweepFileConfig::scenario,
    "the scenario file, relative to the sweep file (a SCENARIO on the command line takes precedence)");
  f("vary", &SweepFileConfig::vary, "the axes, the first varying slowest (--vary on the command line adds axes or "
                                    "replaces the values of an axis with the same key)");
  f("set", &SweepFileConfig::set, "KEY=VALUE overrides applied at every point, before the command line's --set");
  f("jobs", &SweepFileConfig::jobs, "points run at once (0: the number of cores, or no limit on SLURM)");
  f("backend", &SweepFileConfig::backend, "where the points run: local or slurm");
  f("sbatch_options", &SweepFileConfig::sbatch_options, "slurm: extra #SBATCH lines, e.g. --partition=sim");
  f("poll", &SweepFileConfig::poll, "slurm: seconds between looks at squeue and the results").range(0.01, 3600);
  f("out", &SweepFileConfig::out, "results directory, relative to the working directory (as --out)");
}

SweepFileConfig read_sweep_file(const std::string& path) {
  SweepFileConfig c = cfg::read<SweepFileConfig>(cfg::load_yaml_file(path));
  if (!c.scenario.empty() && std::filesystem::path(c.scenario).is_relative())
    c.scenario = (std::filesystem::path(path).parent_path() / c.scenario).lexically_normal().string();
  return c;
}

std::vector<SweepAxis> sweep_axes(const SweepFileConfig& file) {
  std::vector<SweepAxis> axes;
  for (const SweepAxisConfig& a : file.vary) {
    if (!a.values.empty()) {
      axes.push_back(SweepAxis{a.key, a.values});
    } else {
      axes.push_back(SweepAxis{a.key, range_values(a.range[0], a.range[1], a.range[2],
                                                   fmt::format("vary '{}': range", a.key))});
    }
  }
  return axes;
}

}  // namespace dmasim::app

#pragma once
// A YAML sweep file: the scenario, the axes and the settings of a sweep, so that a design-space
// exploration can be kept in the repository and rerun with `dmasim sweep --file F.yaml`.
//
//   scenario: ../usecases/camera-1080p30.yaml        # relative to this file
//   vary:                                              # the first axis varies slowest
//     - {key: strategy, values: [coherent, writecombine, streaming]}
//     - {key: seed, range: [1, 4, 1]}                  # START, STOP (excluded), STEP
//   set: [kernel.arch=arm64]                           # fixed overrides at every point
//   jobs: 2
//   backend: slurm
//   sbatch_options: [--partition=sim, --time=30]
//   out: results/sweeps/camera-strategies             # relative to the working directory, as --out
#include <string>
#include <vector>

#include "app/sweep_points.h"
#include "models/common/config/schema.h"

namespace dmasim::app {

enum class SweepBackendKind { Local, Slurm };

struct SweepAxisConfig {
  std::string key;
  std::vector<std::string> values;
  std::vector<double> range;

  static void describe(cfg::Fields<SweepAxisConfig>& f);
  void validate(cfg::Validator& v) const;
};

struct SweepFileConfig {
  std::string scenario;
  std::vector<SweepAxisConfig> vary;
  std::vector<std::string> set;
  unsigned jobs = 0;
  SweepBackendKind backend = SweepBackendKind::Local;
  std::vector<std::string> sbatch_options;
  double poll = 2;
  std::string out;

  static void describe(cfg::Fields<SweepFileConfig>& f);
};

// Reads a sweep file (errors name its file, line and key). `scenario` comes back resolved
// against the file's directory.
SweepFileConfig read_sweep_file(const std::string& path);

// The axes of a file's `vary`, in order.
std::vector<SweepAxis> sweep_axes(const SweepFileConfig& file);

}  // namespace dmasim::app

namespace dmasim::cfg {
template <>
struct EnumNames<app::SweepBackendKind> {
  static constexpr std::array<std::pair<app::SweepBackendKind, std::string_view>, 2> names{{
      {app::SweepBackendKind::Local, "local"},
      {app::SweepBackendKind::Slurm, "slurm"},
  }};
};
}  // namespace dmasim::cfg

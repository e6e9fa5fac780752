#pragma once
// Where a sweep's points run. Every backend runs the same `dmasim run` command lines and leaves
// each point's output (run.log, summary.csv, ...) in the point's own directory; they differ only
// in who starts the processes: a local process pool, or a SLURM job array on a cluster whose
// nodes see the same file system.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dmasim::app {

struct SweepTask {
  std::vector<std::string> args;  // after the executable: {"run", SCENARIO, "--out", DIR, ...}
  std::string dir;                // the point's results directory; its run.log takes the output
};

struct TaskOutcome {
  int code = 0;       // the exit code of `dmasim run`; 0 is success
  std::string error;  // why it failed, in one line ("" on success)
};

class SweepBackend {
 public:
  using Done = std::function<void(std::size_t task, const TaskOutcome&)>;
  using Running = std::function<void(std::size_t running)>;
  virtual ~SweepBackend() = default;
  // Runs every task and returns when all have ended. on_done is called once per task as it ends;
  // on_running whenever the number of tasks running is known to have changed.
  virtual void run(const std::vector<SweepTask>& tasks, const Done& on_done, const Running& on_running) = 0;
};

std::unique_ptr<SweepBackend> make_local_backend(unsigned jobs);

struct SlurmOptions {
  std::string work_dir;                     // the sweep's directory: the batch script and SLURM's logs go under slurm/
  std::string job_name;                     // --job-name
  unsigned max_running = 0;                 // the %K of --array=0-N%K; 0: no limit
  std::vector<std::string> sbatch_options;  // extra "#SBATCH" lines (--partition=..., --time=...)
  double poll_seconds = 2;                  // how often the shared directory and squeue are looked at
  bool quiet = false;                       // no line on stderr naming the submitted job
};

// Submits one job array (one task per point) with sbatch, follows it with squeue and collects
// each point's exit code from the shared directory. A task that ends without leaving its exit
// code (node failure, time limit, cancelled) is a failed point naming its SLURM log.
std::unique_ptr<SweepBackend> make_slurm_backend(const SlurmOptions& options);

}  // namespace dmasim::app

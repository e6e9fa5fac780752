// The SLURM sweep backend: one job array, one array task per point. The batch script runs the
// same `dmasim run` command line a local sweep would, in the point's directory on the shared file
// system, and leaves the exit code there; this process only submits, follows and collects.
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "app/run_pool.h"
#include "app/sweep_backend.h"
#include "models/common/error.h"

namespace dmasim::app {

namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int sig) { g_interrupted = sig; }

// While a job is being followed, Ctrl-C (or a TERM) cancels the job before this process ends:
// a sweep interrupted on the command line must not leave its array running on the cluster.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    old_int_ = std::signal(SIGINT, on_interrupt);
    old_term_ = std::signal(SIGTERM, on_interrupt);
  }
  ~InterruptGuard() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out.append("'\\''");
    else
      out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string absolute(const std::string& p) { return fs::absolute(p).lexically_normal().string(); }

class SlurmBackend : public SweepBackend {
 public:
  explicit SlurmBackend(SlurmOptions options) : o_(std::move(options)) {}

  void run(const std::vector<SweepTask>& tasks, const Done& on_done, const Running& on_running) override {
    if (tasks.empty()) return;
    const std::string slurm_dir = absolute(o_.work_dir) + "/slurm";
    ensure_directory(slurm_dir);
    // An exit code left by an earlier, failed submission would read as this one's result.
    for (const SweepTask& t : tasks) {
      std::error_code ec;
      fs::remove(t.dir + "/exit_code", ec);
      if (ec) throw UserError(fmt::format("{}/exit_code: cannot remove an earlier result: {}", t.dir, ec.message()));
    }
    const std::string script_path = slurm_dir + "/sweep.sbatch";
    write_text_file(script_path, batch_script(tasks, slurm_dir));

    std::string out;
    const int code = run_capture({"sbatch", "--parsable", script_path}, out);
    if (code < 0)
      throw UserError("--backend slurm: cannot run sbatch (the SLURM client commands are not on PATH; Debian: slurm-client)");
    if (code != 0) throw UserError(fmt::format("sbatch {} failed: {}", script_path, trim(out)));
    const std::string job = trim(out.substr(0, out.find(';')));
    if (job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
      throw UserError(fmt::format("sbatch {}: unexpected reply '{}'", script_path, trim(out)));
    if (!o_.quiet)
      fmt::print(stderr, "dmasim sweep: SLURM job {}: {} array task{}, script {}\n", job, tasks.size(),
                 tasks.size() == 1 ? "" : "s", script_path);
    follow(job, tasks, slurm_dir, on_done, on_running);
  }

 private:
  std::string batch_script(const std::vector<SweepTask>& tasks, const std::string& slurm_dir) const {
    std::string s = "#!/bin/bash\n";
    s += "# Written by `dmasim sweep --backend slurm`: array task i runs point i and leaves its exit code\n";
    s += "# in the point's directory, where the sweep collects it. Submitting it again reruns every point.\n";
    std::string job_name = o_.job_name;  // one word: #SBATCH lines split at spaces
    for (char& c : job_name)
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') c = '_';
    s += fmt::format("#SBATCH --job-name={}\n", job_name);
    s += fmt::format("#SBATCH --array=0-{}", tasks.size() - 1);
    if (o_.max_running != 0) s += fmt::format("%{}", o_.max_running);
    s += "\n";
    s += fmt::format("#SBATCH --output={}/%A_%a.out\n", slurm_dir);
    s += fmt::format("#SBATCH --chdir={}\n", absolute("."));
    s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
    for (const std::string& opt : o_.sbatch_options) {
      if (opt.find_first_of("\n\r") != std::string::npos || opt.rfind('-', 0) != 0)
        throw UserError(fmt::format("--sbatch-option '{}': expected one sbatch option such as --partition=NAME", opt));
      s += fmt::format("#SBATCH {}\n", opt);
    }
    s += "set -u\n";
    s += "case \"$SLURM_ARRAY_TASK_ID\" in\n";
    const std::string exe = sh_quote(self_exe());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      s += fmt::format("  {}) dir={}; set -- {}", i, sh_quote(tasks[i].dir), exe);
      for (const std::string& a : tasks[i].args) s += fmt::format(" {}", sh_quote(a));
      s += " ;;\n";
    }
    s += "  *) echo \"no sweep point for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\n";
    s += "esac\n";
    s += "echo \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} $(hostname)\" > \"$dir/slurm_task\"\n";
    s += "\"$@\" > \"$dir/run.log\" 2>&1\n";
    s += "code=$?\n";
    s += "echo \"$code\" > \"$dir/exit_code.tmp\" && mv \"$dir/exit_code.tmp\" \"$dir/exit_code\"\n";
    s += "exit \"$code\"\n";
    return s;
  }

  void follow(const std::string& job, const std::vector<SweepTask>& tasks, const std::string& slurm_dir,
              const Done& on_done, const Running& on_running) const {
    InterruptGuard guard;
    std::vector<bool> ended(tasks.size(), false);
    std::size_t left = tasks.size(), running = 0;
    int gone_polls = 0, squeue_failures = 0;
    auto collect = [&] {
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        if (ended[i]) continue;
        std::ifstream in(tasks[i].dir + "/exit_code");
        int code = 0;
        if (!(in >> code)) continue;
        ended[i] = true;
        --left;
        TaskOutcome outcome{code, ""};
        if (code != 0) outcome.error = fmt::format("exit {}: {}", code, last_line(tasks[i].dir + "/run.log"));
        on_done(i, outcome);
      }
    };
    while (true) {
      collect();
      if (left == 0) return;
      if (g_interrupted != 0) {
        std::string ignored;
        (void)run_capture({"scancel", job}, ignored);
        fmt::print(stderr, "\ndmasim sweep: interrupted; cancelled SLURM job {}\n", job);
        const int sig = g_interrupted;
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
      }
      std::string out;
      const int code = run_capture({"squeue", "--noheader", "--array", "--jobs", job, "--format=%t"}, out);
      bool gone = false;
      if (code == 0) {
        squeue_failures = 0;
        std::size_t lines = 0, now_running = 0;
        std::istringstream states(out);
        for (std::string state; std::getline(states, state);) {
          state = trim(state);
          if (state.empty()) continue;
          ++lines;
          if (state == "R" || state == "CG") ++now_running;
        }
        gone = lines == 0;
        if (now_running != running) on_running(running = now_running);
      } else if (out.find("Invalid job id") != std::string::npos) {
        gone = true;  // the controller has already forgotten the finished job
      } else if (++squeue_failures > 30) {
        throw UserError(fmt::format("squeue keeps failing ({}); SLURM job {} may still be running: run the sweep again "
                                    "to collect the points it completes",
                                    trim(out), job));
      }
      // The job has left the queue: give the shared file system a few polls to show the last
      // exit codes, then every point still without one ended without a result.
      if (gone && ++gone_polls > 3) {
        for (std::size_t i = 0; i < tasks.size(); ++i) {
          if (ended[i]) continue;
          const std::string log = fmt::format("{}/{}_{}.out", slurm_dir, job, i);
          const std::string last = last_line(log);
          on_done(i, TaskOutcome{-1, fmt::format("SLURM task {}_{} ended without a result{} (see {})", job, i,
                                                  last.empty() ? std::string() : fmt::format(": {}", last), log)});
        }
        return;
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(gone ? std::min(o_.poll_seconds, 0.5) : o_.poll_seconds));
    }
  }

  SlurmOptions o_;
};

}  // namespace

std::unique_ptr<SweepBackend> make_slurm_backend(const SlurmOptions& options) {
  return std::make_unique<SlurmBackend>(options);
}

}  // namespace dmasim::app

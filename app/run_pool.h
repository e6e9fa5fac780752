#pragma once
// Runs `dmasim run` processes, up to N at once, for the subcommands that run a scenario many
// times (compare, sweep). Each child's stdout and stderr go to a log file so that a failure can
// be reported with its message; the caller learns each child's exit code as it ends.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dmasim::app {

struct PoolJob {
  std::vector<std::string> args;  // after the executable: {"run", SCENARIO, ...}
  std::string log;                // stdout and stderr of the child ("" : inherited)
};

// The path of this dmasim executable (children run the same binary).
std::string self_exe();

// Runs every job, `parallel` at a time, in order of the list. on_done(index, exit code) is called
// as each ends (a child killed by a signal reports 128 + the signal).
void run_pool(const std::vector<PoolJob>& jobs, unsigned parallel,
              const std::function<void(std::size_t, int)>& on_done);

// Runs a command found on PATH (argv[0]) to its end and returns its exit code, with its stdout
// and stderr in `output`; -1 when it cannot be started (not installed).
int run_capture(const std::vector<std::string>& argv, std::string& output);

// The run's summary.csv as (column, value) pairs in column order; empty when unreadable.
std::vector<std::pair<std::string, std::string>> read_summary(const std::string& path);

// The last non-empty line of a file (a failed child's error message); "" when none.
std::string last_line(const std::string& path);

}  // namespace dmasim::app

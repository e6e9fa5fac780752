// The local sweep backend: the points as child processes of this one, `jobs` at a time.
#include <algorithm>

#include "app/run_pool.h"
#include "app/sweep_backend.h"
#include "fmt/format.h"

namespace dmasim::app {

namespace {

class LocalBackend : public SweepBackend {
 public:
  explicit LocalBackend(unsigned jobs) : jobs_(std::max(1u, jobs)) {}

  void run(const std::vector<SweepTask>& tasks, const Done& on_done, const Running& on_running) override {
    std::vector<PoolJob> pool;
    for (const SweepTask& t : tasks) pool.push_back(PoolJob{t.args, t.dir + "/run.log"});
    std::size_t ended = 0;
    on_running(std::min<std::size_t>(jobs_, tasks.size()));
    run_pool(pool, jobs_, [&](std::size_t i, int code) {
      ++ended;
      TaskOutcome outcome{code, ""};
      if (code != 0) outcome.error = fmt::format("exit {}: {}", code, last_line(tasks[i].dir + "/run.log"));
      on_done(i, outcome);
      on_running(std::min<std::size_t>(jobs_, tasks.size() - ended));
    });
  }

 private:
  unsigned jobs_;
};

}  // namespace

std::unique_ptr<SweepBackend> make_local_backend(unsigned jobs) { return std::make_unique<LocalBackend>(jobs); }

}  // namespace dmasim::app

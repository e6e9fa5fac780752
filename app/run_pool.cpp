#include "app/run_pool.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/common/error.h"

extern char** environ;

namespace dmasim::app {

std::string self_exe() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("dmasim") : p.string();
}

namespace {

pid_t spawn(const std::string& exe, const PoolJob& job) {
  std::vector<std::string> argv = {exe};
  argv.insert(argv.end(), job.args.begin(), job.args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!job.log.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  }
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw UserError(fmt::format("cannot start {}", exe));
  return pid;
}

}  // namespace

void run_pool(const std::vector<PoolJob>& jobs, unsigned parallel, const std::function<void(std::size_t, int)>& on_done) {
  const std::string exe = self_exe();
  std::vector<std::pair<pid_t, std::size_t>> children;
  std::size_t next = 0;
  while (next < jobs.size() || !children.empty()) {
    while (children.size() < std::max(1u, parallel) && next < jobs.size()) {
      children.emplace_back(spawn(exe, jobs[next]), next);
      ++next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    const auto it = std::find_if(children.begin(), children.end(), [&](const auto& c) { return c.first == pid; });
    if (it == children.end()) continue;
    const std::size_t index = it->second;
    children.erase(it);
    on_done(index, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
  }
}

int run_capture(const std::vector<std::string>& argv, std::string& output) {
  output.clear();
  int fds[2];
  if (pipe(fds) != 0) return -1;
  std::vector<std::string> copy = argv;
  std::vector<char*> cargv;
  for (std::string& a : copy) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, copy[0].c_str(), &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc == 0) {
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      output.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fds[0]);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::vector<std::pair<std::string, std::string>> read_summary(const std::string& path) {
  std::ifstream in(path);
  std::string head, row;
  std::getline(in, head);
  std::getline(in, row);
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream h(head), r(row);
  std::string k, v;
  while (std::getline(h, k, ',')) {
    if (!std::getline(r, v, ',')) v.clear();
    out.emplace_back(k, v);
  }
  return out;
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

}  // namespace dmasim::app

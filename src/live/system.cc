#include "live/system.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "common/error_codes.h"

extern char** environ;

namespace minivpc::live {
namespace {

std::string Join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Starts argv with stdout -> out_fd (or /dev/null), stderr -> err_fd.
StatusOr<pid_t> Start(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  }
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  // The server blocks SIGINT/SIGTERM in all its threads (shutdown_signals.h);
  // a child starts with no signal blocked (the mask survives exec).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status(err::kInternalError, "cannot start " + argv[0] + ": " + strerror(rc));
  }
  return pid;
}

std::string Drain(int fd) {
  std::string out;
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = read(fd, buf.data(), buf.size())) > 0) out.append(buf.data(), static_cast<size_t>(n));
  return out;
}

}  // namespace

StatusOr<std::string> RunCapture(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return Status(err::kInternalError, "pipe failed");
  }
  StatusOr<pid_t> pid = Start(argv, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  std::string stdout_text = pid.ok() ? Drain(out[0]) : "";
  std::string stderr_text = pid.ok() ? Drain(err[0]) : "";
  close(out[0]);
  close(err[0]);
  if (!pid.ok()) return pid.status();
  int status = 0;
  waitpid(*pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status(err::kInternalError, Join(argv) + " failed: " + stderr_text);
  }
  return stdout_text;
}

Status Run(const std::vector<std::string>& argv) {
  StatusOr<std::string> r = RunCapture(argv);
  return r.ok() ? Status::Ok() : r.status();
}

StatusOr<int> Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  int fd = -1;
  if (!log_path.empty())
    fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  StatusOr<pid_t> pid = Start(argv, fd, fd);
  if (fd >= 0) close(fd);
  if (!pid.ok()) return pid.status();
  return static_cast<int>(*pid);
}

bool IsRoot() { return geteuid() == 0; }

}  // namespace minivpc::live

// `scgrad launch --nproc N -- train FILE …`: N local ranks of one data-parallel run, as
// `torchrun --standalone --nproc-per-node N` starts them: each is this program with WORLD_SIZE,
// RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT set.
//
// The launcher owns its ranks: they share one process group; SIGINT, SIGTERM and SIGHUP sent
// to the launcher go to every rank and the launcher waits for them; a rank that fails, or a
// fork that fails, stops the others (they would otherwise wait for it until --dist-timeout);
// a rank still alive 5 s after being told to stop is killed; and a launcher that dies anyhow
// takes its ranks with it (PR_SET_PDEATHSIG).

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "number_checks.hpp"
#include "scgrad/error.hpp"
#include "scgrad/util/threads.hpp"

namespace scgrad::app {

namespace {

struct LaunchArgs {
  int nproc = 2;
  int master_port = 29500;
  bool oversubscribe = false;
  std::vector<std::string> command;
};

/// The signals the launcher forwards; blocked in the launcher, taken with sigtimedwait.
sigset_t launcher_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, s);
  return set;
}

/// Starts one rank: this program with `args`, the rank's variables set in the child only, in
/// the process group `group` (0: a new one, led by this rank).
pid_t start_rank(const LaunchArgs& args, int rank, pid_t group, const sigset_t& previous_mask) {
  const pid_t launcher = getpid();
  const pid_t pid = fork();
  if (pid != 0) {
    if (pid > 0) setpgid(pid, group == 0 ? pid : group);  // also in the parent: no race
    return pid;
  }
  setpgid(0, group);
  prctl(PR_SET_PDEATHSIG, SIGTERM);       // the launcher killed (even by SIGKILL): stop
  if (getppid() != launcher) _exit(143);  // it died before prctl took effect
  for (const int s : {SIGINT, SIGTERM, SIGHUP}) signal(s, SIG_DFL);
  sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
  setenv("WORLD_SIZE", std::to_string(args.nproc).c_str(), 1);
  setenv("RANK", std::to_string(rank).c_str(), 1);
  setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  setenv("LOCAL_WORLD_SIZE", std::to_string(args.nproc).c_str(), 1);
  setenv("MASTER_ADDR", "127.0.0.1", 1);  // one machine: loopback
  setenv("MASTER_PORT", std::to_string(args.master_port).c_str(), 1);
  std::vector<char*> argv{const_cast<char*>("scgrad")};
  for (const auto& a : args.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  _exit(127);
}

/// The ranks started, and how they ended.
class Ranks {
 public:
  explicit Ranks(std::size_t n) : pids_(n, -1) {}
  void started(std::size_t rank, pid_t pid) { pids_[rank] = pid; }
  pid_t group() const { return pids_[0]; }
  bool any_alive() const {
    for (const auto pid : pids_) {
      if (pid > 0) return true;
    }
    return false;
  }
  /// Reaps every rank that has ended; returns the first failure seen ("" when none).
  std::string reap() {
    std::string failure;
    for (;;) {
      int status = 0;
      const pid_t done = waitpid(-1, &status, WNOHANG);
      if (done <= 0) return failure;
      for (std::size_t r = 0; r < pids_.size(); ++r) {
        if (pids_[r] != done) continue;
        pids_[r] = -1;
        if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) || !failure.empty()) break;
        failure = "rank " + std::to_string(r) +
                  (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status))
                                     : " was killed by signal " + std::to_string(WTERMSIG(status)) +
                                           " (" + strsignal(WTERMSIG(status)) + ")");
      }
    }
  }
  void signal_all(int signal_number) const {
    for (const auto pid : pids_) {
      if (pid > 0) kill(pid, signal_number);
    }
  }

 private:
  std::vector<pid_t> pids_;
};

/// Waits for the ranks; a failure or a signal stops the rest (SIGKILL after 5 s). Returns the
/// launcher's exit status: 0, 1 when a rank failed, 128 + the signal that stopped the run.
int wait_for(Ranks& ranks, const sigset_t& signals, bool stopping) {
  using Clock = std::chrono::steady_clock;
  int status_of_run = stopping ? 1 : 0;
  auto kill_at = Clock::now() + std::chrono::seconds(5);
  while (ranks.any_alive()) {
    const timespec tick{0, 200'000'000};
    siginfo_t info{};
    const int received = sigtimedwait(&signals, &info, &tick);
    if (const auto failure = ranks.reap(); !failure.empty() && status_of_run == 0) {
      std::cerr << "scgrad launch: " << failure << "; stopping the other ranks\n";
      status_of_run = 1;
      ranks.signal_all(SIGTERM);
      kill_at = Clock::now() + std::chrono::seconds(5);
    }
    if (received == SIGINT || received == SIGTERM || received == SIGHUP) {
      if (status_of_run == 0) {
        std::cerr << "scgrad launch: " << strsignal(received)
                  << " received; passing it to every rank\n";
        kill_at = Clock::now() + std::chrono::seconds(5);
      }
      status_of_run = 128 + received;
      ranks.signal_all(received);
    }
    if (status_of_run != 0 && ranks.any_alive() && Clock::now() > kill_at) {
      std::cerr << "scgrad launch: ranks still running 5 s after being stopped; killing them\n";
      ranks.signal_all(SIGKILL);
      kill_at = Clock::time_point::max();
    }
  }
  return status_of_run;
}

/// --nproc beyond the machine: a warning above its cores, a refusal above 4x unless asked for.
void check_rank_count(const LaunchArgs& args) {
  const int cores = available_cores();
  if (args.nproc > 4 * cores && !args.oversubscribe) {
    throw Error("--nproc " + std::to_string(args.nproc) + " is more than 4 ranks per core on " +
                "this machine's " + std::to_string(cores) +
                " cores: each rank holds the model and its share of the data, and they would "
                "wait on each other; use fewer, or add --oversubscribe");
  }
  if (args.nproc > cores) {
    std::cerr << "scgrad launch: warning: " << args.nproc << " ranks on " << cores
              << " cores; each rank gets one thread and they take turns\n";
  }
}

int run_launch(const LaunchArgs& args) {
  check_rank_count(args);
  const auto signals = launcher_signals();
  sigset_t previous{};
  sigprocmask(SIG_BLOCK, &signals, &previous);  // from now on signals wait for sigtimedwait
  Ranks ranks(static_cast<std::size_t>(args.nproc));
  bool stopping = false;
  for (int r = 0; r < args.nproc; ++r) {
    const pid_t pid = start_rank(args, r, ranks.group() > 0 ? ranks.group() : 0, previous);
    if (pid < 0) {
      std::cerr << "scgrad launch: cannot start rank " << r << ": " << std::strerror(errno)
                << "; stopping the ranks already started\n";
      ranks.signal_all(SIGTERM);
      stopping = true;
      break;
    }
    ranks.started(static_cast<std::size_t>(r), pid);
  }
  const int status = wait_for(ranks, signals, stopping);
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

}  // namespace

void add_launch_command(CLI::App& app) {
  auto args = std::make_shared<LaunchArgs>();
  auto* command = app.add_subcommand(
      "launch",
      "Run a command as N data-parallel ranks on this machine (as torchrun --standalone "
      "--nproc-per-node N): each rank is `scgrad COMMAND…` with WORLD_SIZE, RANK, LOCAL_RANK, "
      "LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and MASTER_PORT set. On several machines, set "
      "those variables yourself (docs/distributed.md).");
  command->add_option("--nproc", args->nproc, "ranks to start")
      ->capture_default_str()
      ->check(within(1, 1024));
  command->add_option("--master-port", args->master_port, "port of rank 0's rendezvous (TCP)")
      ->capture_default_str()
      ->check(within(1, 65535));
  command->add_flag("--oversubscribe", args->oversubscribe,
                    "allow more than 4 ranks per core (--nproc above the cores only warns)");
  command->add_option("command", args->command, "the scgrad command and its options, after --")
      ->required();
  command->footer(
      "Example:\n  scgrad launch --nproc 2 -- train cells.h5ad --classes all --out model.h5");
  command->callback([args] {
    if (const int status = run_launch(*args); status != 0) std::exit(status);
  });
}

}  // namespace scgrad::app

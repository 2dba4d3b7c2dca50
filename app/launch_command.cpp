// `scgrad launch --nproc N -- train FILE …`: N local ranks of one data-parallel run, as
// `torchrun --standalone --nproc-per-node N` starts them: each is this program with WORLD_SIZE,
// RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT set. When a rank fails the
// others are stopped at once (they would otherwise wait for it until --dist-timeout).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "number_checks.hpp"
#include "commands.hpp"
#include "scgrad/error.hpp"

namespace scgrad::app {

namespace {

struct LaunchArgs {
  int nproc = 2;
  int master_port = 29500;
  std::vector<std::string> command;
};

/// Starts one rank: this program with `args`, the rank's variables set in the child only.
pid_t start_rank(const LaunchArgs& args, int rank) {
  const pid_t pid = fork();
  if (pid < 0) throw Error("scgrad launch: cannot start a process: fork failed");
  if (pid > 0) return pid;
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

int run_launch(const LaunchArgs& args) {
  std::vector<pid_t> ranks;
  for (int r = 0; r < args.nproc; ++r) ranks.push_back(start_rank(args, r));
  int status_of_run = 0;
  for (std::size_t left = ranks.size(); left > 0; --left) {
    int status = 0;
    const pid_t done = waitpid(-1, &status, 0);
    if (done < 0) break;
    const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (!failed || status_of_run != 0) continue;
    int rank = 0;
    while (ranks[static_cast<std::size_t>(rank)] != done) ++rank;
    std::cerr << "scgrad launch: rank " << rank
              << (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status))
                                    : " was killed by signal " + std::to_string(WTERMSIG(status)))
              << "; stopping the other ranks\n";
    status_of_run = 1;
    for (const auto pid : ranks) {
      if (pid != done) kill(pid, SIGTERM);
    }
  }
  return status_of_run;
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
  command->add_option("command", args->command, "the scgrad command and its options, after --")
      ->required();
  command->footer(
      "Example:\n  scgrad launch --nproc 2 -- train cells.h5ad --classes all --out model.h5");
  command->callback([args] {
    if (const int status = run_launch(*args); status != 0) std::exit(status);
  });
}

}  // namespace scgrad::app

#pragma once
/// @file environment.hpp
/// Where a process stands among data-parallel ranks, as torchrun, SLURM wrappers and Kubernetes
/// operators say it: WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT. No torch.

#include <cstdint>
#include <functional>
#include <string>

namespace scgrad {

struct DistributedEnvironment {
  int world_size = 1;
  int rank = 0;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;  ///< torchrun's default

  bool distributed() const { return world_size > 1; }
};

/// Reads the five variables through `getenv` (unset: one process; MASTER_ADDR and MASTER_PORT
/// default to 127.0.0.1 and 29500). A malformed value — not a number, RANK outside
/// [0, WORLD_SIZE), a port outside 1..65535 — is an OptionError naming the variable.
DistributedEnvironment distributed_environment(
    const std::function<const char*(const char*)>& getenv);

}  // namespace scgrad

#pragma once
/// @file process_group.hpp
/// The ranks of a data-parallel run, on LibTorch's own engine: rendezvous through c10d's
/// TCPStore on rank 0 (MASTER_ADDR:MASTER_PORT), collectives through a Gloo process group.
/// Every failure — a rank that cannot reach the master, dies, or stops answering — ends in an
/// scgrad::Error naming this rank and the cause within the timeout; no call waits forever.
/// Torch types are only declared here: programs that only fit and predict do not compile c10d.

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "scgrad/distributed/environment.hpp"
#include "scgrad/util/rank_share.hpp"

namespace at {
class Tensor;
}

namespace scgrad {

class ProcessGroup {
 public:
  /// Joins the run `env` describes (world_size ≥ 1); waits at most `timeout` for the others.
  ProcessGroup(const DistributedEnvironment& env, std::chrono::seconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;

  /// In place: each tensor becomes its sum over the ranks (float32 or float64, CPU).
  void all_reduce_sum(std::vector<at::Tensor>& tensors) const;
  /// In place: each tensor becomes rank 0's.
  void broadcast_from_first(std::vector<at::Tensor>& tensors) const;
  /// Every rank's `value` (int64), in rank order.
  std::vector<std::int64_t> all_gather(std::int64_t value) const;
  /// Every rank's `values` (any length on each rank), in rank order.
  std::vector<std::vector<double>> all_gather(const std::vector<double>& values) const;
  /// Every rank's rows of `part` (1-D, or 2-D: rows × columns) concatenated in rank order: the
  /// same type and dimensions on every rank, any number of rows (each rank's share of some
  /// cells' outputs; a rank without rows may pass an empty tensor of any width).
  at::Tensor all_gather_rows(const at::Tensor& part) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// This rank's contiguous_share of n items; [0, n) without a group.
std::pair<std::int64_t, std::int64_t> share_of(const ProcessGroup* group, std::int64_t n);

/// The group as the torch-free data library sees it (one process without a group).
RankShare rank_share(const ProcessGroup* group);

}  // namespace scgrad

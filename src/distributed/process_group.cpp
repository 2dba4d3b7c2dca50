#include "scgrad/distributed/process_group.hpp"

// ProcessGroupGloo's declarations are inside #ifdef USE_C10D_GLOO.
#define USE_C10D_GLOO 1
#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// The first line of a c10d/Gloo message (they append C++ stack traces).
std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace

struct ProcessGroup::Impl {
  int rank = 0;
  int size = 1;
  std::chrono::seconds timeout{300};
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  /// Runs a collective; its failure (a rank gone, a timeout) becomes one clear Error.
  template <typename Collective>
  void run(const char* what, Collective&& collective) const {
    try {
      collective()->wait();
    } catch (const std::exception& e) {
      throw Error("distributed training: rank " + std::to_string(rank) + ": " + what +
                  " failed (another rank stopped, or did not answer within " +
                  std::to_string(timeout.count()) + " s): " + first_line(e.what()));
    }
  }
};

ProcessGroup::ProcessGroup(const DistributedEnvironment& env, std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->rank = env.rank;
  impl_->size = env.world_size;
  impl_->timeout = timeout;
  if (env.world_size == 1) return;
  const auto where = env.master_addr + ":" + std::to_string(env.master_port);
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.master_port);
    options.isServer = env.rank == 0;
    options.numWorkers = env.world_size;
    options.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
    auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(env.master_addr));
    impl_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank, env.world_size, gloo);
  } catch (const std::exception& e) {
    throw Error("distributed training: rank " + std::to_string(env.rank) + " of " +
                    std::to_string(env.world_size) + " could not join the run at " + where +
                    " (MASTER_ADDR:MASTER_PORT) within " + std::to_string(timeout.count()) +
                    " s: " + first_line(e.what()),
                {"dist_timeout"});
  }
}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const { return impl_->rank; }
int ProcessGroup::size() const { return impl_->size; }

void ProcessGroup::all_reduce_sum(std::vector<at::Tensor>& tensors) const {
  if (impl_->size == 1) return;
  impl_->run("an all-reduce", [&] { return impl_->group->allreduce(tensors); });
}

void ProcessGroup::broadcast_from_first(std::vector<at::Tensor>& tensors) const {
  if (impl_->size == 1) return;
  impl_->run("a broadcast", [&] { return impl_->group->broadcast(tensors); });
}

std::vector<std::int64_t> ProcessGroup::all_gather(std::int64_t value) const {
  if (impl_->size == 1) return {value};
  std::vector<at::Tensor> input{torch::tensor({value}, torch::kInt64)};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int r = 0; r < impl_->size; ++r) output[0].push_back(torch::empty({1}, torch::kInt64));
  impl_->run("an all-gather", [&] { return impl_->group->allgather(output, input); });
  std::vector<std::int64_t> values;
  for (const auto& t : output[0]) values.push_back(t.item<std::int64_t>());
  return values;
}

at::Tensor ProcessGroup::all_gather_rows(const at::Tensor& part) const {
  if (impl_->size == 1) return part;
  const auto rows = part.size(0);
  const auto counts = all_gather(rows);
  // A rank without rows may not know the width (e.g. outputs it never computed).
  const auto widths = all_gather(rows > 0 ? part.numel() / rows : 0);
  const auto most = *std::max_element(counts.begin(), counts.end());
  const auto width = *std::max_element(widths.begin(), widths.end());
  if (most == 0) return part;
  // Gloo gathers tensors of one shape: each rank's rows padded to the longest share.
  std::vector<at::Tensor> input{torch::zeros({most, width}, part.options())};
  if (rows > 0) input[0].narrow(0, 0, rows).copy_(part.reshape({rows, width}));
  std::vector<std::vector<at::Tensor>> output(1);
  for (int r = 0; r < impl_->size; ++r) {
    output[0].push_back(torch::empty({most, width}, part.options()));
  }
  impl_->run("an all-gather", [&] { return impl_->group->allgather(output, input); });
  std::vector<at::Tensor> parts;
  for (std::size_t r = 0; r < output[0].size(); ++r) {
    parts.push_back(output[0][r].narrow(0, 0, counts[r]));
  }
  const auto all = torch::cat(parts, 0);
  return part.dim() == 1 ? all.reshape({-1}) : all;
}

std::vector<std::vector<double>> ProcessGroup::all_gather(const std::vector<double>& values) const {
  const auto rows = all_gather_rows(torch::tensor(values, torch::kFloat64));
  std::vector<std::vector<double>> out;
  const auto* p = rows.data_ptr<double>();
  for (const auto n : all_gather(static_cast<std::int64_t>(values.size()))) {
    out.emplace_back(p, p + n);
    p += n;
  }
  return out;
}

std::pair<std::int64_t, std::int64_t> share_of(const ProcessGroup* group, std::int64_t n) {
  if (group == nullptr) return {0, n};
  return contiguous_share(n, group->rank(), group->size());
}

RankShare rank_share(const ProcessGroup* group) {
  RankShare share;
  if (group == nullptr) return share;
  share.rank = group->rank();
  share.size = group->size();
  share.all_gather = [group](const std::vector<double>& values) {
    return group->all_gather(values);
  };
  return share;
}

}  // namespace scgrad

#include "scgrad/distributed/process_group.hpp"

// ProcessGroupGloo's declarations are inside #ifdef USE_C10D_GLOO.
#define USE_C10D_GLOO 1
#include <netdb.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// The first line of a c10d/Gloo message (they append C++ stack traces).
std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }
std::string text(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

/// "host pid 1234": which process a rank is, for messages that name two of them.
std::string this_process() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + " pid " + std::to_string(::getpid());
}

/// MASTER_ADDR must name a host now: an unresolvable one would otherwise be retried (with DNS
/// lookups) for the whole timeout.
void check_resolvable(const std::string& address) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(address.c_str(), nullptr, &hints, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  if (status != 0) {
    throw Error("distributed training: MASTER_ADDR '" + address +
                "' cannot be resolved to an address: " + ::gai_strerror(status) +
                " (set it to rank 0's host name or IP address)");
  }
}

constexpr const char* kDuplicateKey = "scgrad/duplicate-rank";
std::string rank_key(int rank) { return "scgrad/rank/" + std::to_string(rank); }

/// This process claims a RANK another one registered first: tells every rank (through the
/// store) and stops, naming both processes.
[[noreturn]] void refuse_duplicate(c10d::Store& store, int rank) {
  const auto message = "distributed training: RANK " + std::to_string(rank) +
                       " is given to two processes, " + text(store.get(rank_key(rank) + "/who")) +
                       " and " + this_process() +
                       "; give each rank its own RANK from 0 to WORLD_SIZE - 1";
  store.set(kDuplicateKey, bytes(message));
  throw Error(message);
}

/// Every rank registers its RANK in the store and then waits until all WORLD_SIZE ranks have:
/// a RANK given twice is seen by the second process to register it, which tells everyone
/// (so all fail within a moment, naming both processes, rather than at the timeout).
void join(c10d::Store& store, const DistributedEnvironment& env, std::chrono::seconds timeout) {
  const auto key = rank_key(env.rank);
  if (store.add(key, 1) > 1) refuse_duplicate(store, env.rank);
  store.set(key + "/who", bytes(this_process()));
  store.add("scgrad/joined", 1);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::int64_t joined = 0;
    try {
      if (store.check({kDuplicateKey})) {
        const auto message = text(store.get(kDuplicateKey));
        // Rank 0 holds the store: it stays a moment, so every rank can read why (they look
        // every 50 ms), then ends with them.
        if (env.rank == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
        throw Error(message);
      }
      joined = store.add("scgrad/joined", 0);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error("distributed training: rank " + std::to_string(env.rank) +
                  " lost rank 0 while the ranks were joining: " + first_line(e.what()));
    }
    if (joined >= env.world_size) return;
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error("distributed training: rank " + std::to_string(env.rank) + " of " +
                      std::to_string(env.world_size) + " could not join the run: only " +
                      std::to_string(joined) + " of the ranks arrived within " +
                      std::to_string(timeout.count()) + " s",
                  {"dist_timeout"});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

/// Rank 0 could not listen on MASTER_PORT: another rank 0 of this run already does (then both
/// are told), or another program holds the port.
[[noreturn]] void port_taken(const DistributedEnvironment& env, const std::string& cause) {
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.master_port);
    options.timeout = std::chrono::seconds(5);
    c10d::TCPStore store(env.master_addr, options);
    if (store.check({rank_key(0) + "/who"})) refuse_duplicate(store, 0);
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {  // not a TCPStore: another program
  }
  throw Error("distributed training: rank 0 cannot listen on MASTER_PORT " +
              std::to_string(env.master_port) + ": " + cause +
              " (another program uses the port; choose another MASTER_PORT)");
}

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
  check_resolvable(env.master_addr);
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(env.master_port);
  options.isServer = env.rank == 0;
  options.timeout = timeout;  // no numWorkers: join() waits, and sees a duplicate RANK
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
  } catch (const std::exception& e) {
    const std::string cause = first_line(e.what());
    if (env.rank == 0 && cause.find("Address already in use") != std::string::npos) {
      port_taken(env, "address already in use");
    }
    throw Error("distributed training: rank " + std::to_string(env.rank) + " of " +
                    std::to_string(env.world_size) + " could not join the run at " + where +
                    " (MASTER_ADDR:MASTER_PORT) within " + std::to_string(timeout.count()) +
                    " s: " + cause,
                {"dist_timeout"});
  }
  join(*impl_->store, env, timeout);
  try {
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

// The process group's collectives on loopback: two ranks as two threads of this process.

#include "scgrad/distributed/process_group.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <functional>
#include <thread>

namespace scgrad {
namespace {

int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  close(s);
  return ntohs(address.sin_port);
}

/// Runs `body(group)` on two ranks joined on loopback, each in its own thread.
void on_two_ranks(const std::function<void(const ProcessGroup&)>& body) {
  const int port = free_port();
  std::vector<std::thread> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    ranks.emplace_back([&, rank] {
      DistributedEnvironment env;
      env.world_size = 2;
      env.rank = rank;
      env.master_port = port;
      const ProcessGroup group(env, std::chrono::seconds(30));
      body(group);
    });
  }
  for (auto& r : ranks) r.join();
}

TEST(ProcessGroup, GathersRowsOfAnyCountInRankOrder) {
  on_two_ranks([](const ProcessGroup& group) {
    const int rank = group.rank();
    // 2-D, 2 rows and 1 row
    const auto mine = torch::full({2 - rank, 3}, static_cast<float>(rank + 1));
    const auto all = group.all_gather_rows(mine);
    ASSERT_EQ(all.sizes(), (std::vector<std::int64_t>{3, 3}));
    EXPECT_TRUE(torch::equal(all.narrow(0, 0, 2), torch::full({2, 3}, 1.0F)));
    EXPECT_TRUE(torch::equal(all.narrow(0, 2, 1), torch::full({1, 3}, 2.0F)));
    // a rank without rows, which does not know the width
    const auto some =
        rank == 0 ? torch::arange(6, torch::kFloat32).reshape({2, 3}) : torch::empty({0, 0});
    EXPECT_TRUE(torch::equal(group.all_gather_rows(some),
                             torch::arange(6, torch::kFloat32).reshape({2, 3})));
    // 1-D; doubles of any length
    const auto flat =
        group.all_gather_rows(torch::full({rank + 1}, static_cast<double>(rank), torch::kFloat64));
    EXPECT_TRUE(torch::equal(flat, torch::tensor({0.0, 1.0, 1.0}, torch::kFloat64)));
    const auto lists =
        group.all_gather(rank == 0 ? std::vector<double>{0.5, 1.5, 2.5} : std::vector<double>{});
    EXPECT_EQ(lists, (std::vector<std::vector<double>>{{0.5, 1.5, 2.5}, {}}));
    EXPECT_EQ(group.all_gather(std::int64_t{10} * rank), (std::vector<std::int64_t>{0, 10}));
    std::vector<torch::Tensor> sum{torch::full({4}, static_cast<float>(rank + 1))};
    group.all_reduce_sum(sum);
    EXPECT_TRUE(torch::equal(sum[0], torch::full({4}, 3.0F)));
  });
}

TEST(ProcessGroup, ContiguousSharesCoverEveryItemOnce) {
  for (const std::int64_t n : {0, 1, 2, 7, 1000}) {
    for (const int size : {1, 2, 3, 8}) {
      std::int64_t next = 0;
      for (int rank = 0; rank < size; ++rank) {
        const auto [first, last] = contiguous_share(n, rank, size);
        EXPECT_EQ(first, next);
        EXPECT_GE(last, first);
        EXPECT_LE(last - first, n / size + 1);
        next = last;
      }
      EXPECT_EQ(next, n);
    }
  }
}

}  // namespace
}  // namespace scgrad

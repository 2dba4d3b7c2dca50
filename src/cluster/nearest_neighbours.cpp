#include "scgrad/cluster/nearest_neighbours.hpp"

#include <algorithm>
#include <limits>

namespace scgrad {

torch::Tensor nearest_neighbours(const torch::Tensor& embedding, std::int64_t k) {
  const auto cells = embedding.size(0);
  k = std::min(k, cells - 1);
  if (k < 1) return torch::zeros({cells, 0}, torch::kInt64);
  const auto points = embedding.to(torch::kFloat32).contiguous();
  const auto norms = points.pow(2).sum(1);
  const auto block = std::clamp<std::int64_t>((std::int64_t{1} << 25) / cells, 1, cells);
  auto neighbours = torch::empty({cells, k}, torch::kInt64);
  for (std::int64_t first = 0; first < cells; first += block) {
    const auto rows = std::min(block, cells - first);
    const auto part = points.narrow(0, first, rows);
    // Squared distances up to a per-row constant (‖a‖² does not change the order in a row).
    auto distance = torch::addmm(norms.unsqueeze(0), part, points.t(), /*beta=*/1, /*alpha=*/-2);
    const auto self = torch::arange(first, first + rows, torch::kInt64).unsqueeze(1);
    distance.scatter_(1, self, std::numeric_limits<float>::infinity());  // not its own neighbour
    neighbours.narrow(0, first, rows)
        .copy_(std::get<1>(distance.topk(k, /*dim=*/1, /*largest=*/false, /*sorted=*/true)));
  }
  return neighbours;
}

}  // namespace scgrad

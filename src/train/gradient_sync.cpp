#include "gradient_sync.hpp"

namespace scgrad {

void broadcast_parameters(ClassifierImpl& model, const ProcessGroup& group) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat;
  for (const auto& p : model.parameters()) flat.push_back(p.detach().reshape({-1}));
  flat = {torch::cat(flat)};  // Gloo broadcasts tensors of one shape: one buffer
  group.broadcast_from_first(flat);
  std::int64_t offset = 0;
  for (auto& p : model.parameters()) {
    p.copy_(flat[0].narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
}

std::vector<double> all_reduce_gradients(ClassifierImpl& model, const ProcessGroup& group,
                                         const std::vector<double>& extra) {
  auto parameters = model.parameters();
  std::vector<torch::Tensor> parts;
  for (auto& p : parameters) {
    parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) : torch::zeros({p.numel()}));
  }
  parts.push_back(torch::tensor(std::vector<float>(extra.begin(), extra.end())));
  std::vector<torch::Tensor> flat{torch::cat(parts)};
  group.all_reduce_sum(flat);
  std::int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (auto& p : parameters) {
    const auto summed = flat[0].narrow(0, offset, p.numel()).view(p.sizes());
    if (p.grad().defined()) {
      p.mutable_grad().copy_(summed);
    } else {
      p.mutable_grad() = summed.clone();
    }
    offset += p.numel();
  }
  std::vector<double> totals;
  for (std::size_t i = 0; i < extra.size(); ++i) {
    totals.push_back(flat[0][offset + static_cast<std::int64_t>(i)].item<double>());
  }
  return totals;
}

}  // namespace scgrad

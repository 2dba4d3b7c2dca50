#include "scgrad/infer/outputs.hpp"

#include <vector>

#include "scgrad/distributed/process_group.hpp"

namespace scgrad {

torch::Tensor predict_outputs(ClassifierImpl& model, const ModelInput& input,
                              const ProcessGroup* group) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<torch::Tensor> parts;  // chunks bound memory and hidden activations
  const auto [first, last] = share_of(group, input.rows());
  input.visit_range(first, last, input.chunk_rows(), [&](const ModelBatch& batch, std::int64_t) {
    parts.push_back(model.forward(batch));
  });
  model.train(was_training);
  const auto mine = parts.empty()       ? torch::empty({0, 0})  // a rank with no cells
                    : parts.size() == 1 ? parts.front()
                                        : torch::cat(parts, 0);
  const bool data_parallel = group != nullptr && group->size() > 1;
  return data_parallel ? group->all_gather_rows(mine) : mine;
}

torch::Tensor class_probabilities(const torch::Tensor& outputs, std::size_t n_classes) {
  if (n_classes == 2) return torch::cat({outputs, 1 - outputs}, 1);
  return torch::softmax(outputs, 1);
}

torch::Tensor predicted_classes(const torch::Tensor& outputs, std::size_t n_classes) {
  if (n_classes == 2) return (outputs.reshape({-1}) <= 0.5).to(torch::kInt64);
  return outputs.argmax(1);
}

}  // namespace scgrad

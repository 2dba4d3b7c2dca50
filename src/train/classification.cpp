#include "scgrad/train/classification.hpp"

#include <cmath>

namespace scgrad {

torch::Tensor targets_tensor(const std::vector<std::int32_t>& classes, std::size_t n_classes,
                             const torch::Device& device) {
  const auto index =
      torch::tensor(std::vector<std::int64_t>(classes.begin(), classes.end()), torch::kInt64);
  if (n_classes == 2) return (index == 0).to(torch::kFloat32).reshape({-1, 1}).to(device);
  return index.to(device);
}

std::vector<std::int32_t> target_classes(const torch::Tensor& targets, std::size_t n_classes) {
  const auto index =
      (n_classes == 2 ? (targets.reshape({-1}) < 0.5) : targets).to(torch::kCPU, torch::kInt32);
  const auto contiguous = index.contiguous();
  return {contiguous.data_ptr<std::int32_t>(),
          contiguous.data_ptr<std::int32_t>() + contiguous.numel()};
}

torch::Tensor classification_loss(const torch::Tensor& outputs, const torch::Tensor& targets,
                                  std::size_t n_classes, const torch::Tensor& class_weights) {
  namespace F = torch::nn::functional;
  if (!class_weights.defined()) {  // the exercise's losses, untouched
    if (n_classes == 2) return bce_loss(outputs, targets);
    return F::cross_entropy(outputs, targets);
  }
  if (n_classes == 2) {
    // targets are 1 for class 0: each cell's weight is its class's.
    const auto weight = targets * class_weights[0] + (1 - targets) * class_weights[1];
    return F::binary_cross_entropy(outputs, targets,
                                   F::BinaryCrossEntropyFuncOptions().weight(weight));
  }
  const auto per_cell =
      F::cross_entropy(outputs, targets, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  return (per_cell * class_weights.index_select(0, targets)).mean();
}

std::vector<double> balanced_class_weights(const std::vector<std::int64_t>& class_counts,
                                           double power) {
  std::int64_t total = 0;
  double k = 0;  // classes present, as scikit-learn counts them
  for (const auto n : class_counts) {
    total += n;
    k += n > 0 ? 1 : 0;
  }
  std::vector<double> weights;
  double weighted_cells = 0;
  for (const auto n : class_counts) {
    const double w =
        n > 0 ? std::pow(static_cast<double>(total) / (k * static_cast<double>(n)), power) : 0.0;
    weights.push_back(w);
    weighted_cells += w * static_cast<double>(n);
  }
  if (power != 1.0 && weighted_cells > 0) {  // power 1 averages 1 already, exactly
    for (auto& w : weights) w *= static_cast<double>(total) / weighted_cells;
  }
  return weights;
}

double classification_accuracy(const torch::Tensor& outputs, const torch::Tensor& targets,
                               std::size_t n_classes) {
  if (n_classes == 2) return accuracy(outputs, targets);
  return (outputs.argmax(1) == targets).to(torch::kFloat64).mean().item<double>();
}

std::int64_t correct_predictions(const torch::Tensor& outputs, const torch::Tensor& targets,
                                 std::size_t n_classes) {
  if (n_classes == 2) return ((outputs > 0.5) == (targets > 0.5)).sum().item<std::int64_t>();
  return (outputs.argmax(1) == targets).sum().item<std::int64_t>();
}

double accuracy(const torch::Tensor& outputs, const torch::Tensor& y) {
  const auto predicted = (outputs > 0.5) + 0;
  return (predicted == y).sum().item<double>() / static_cast<double>(y.size(0));
}

torch::Tensor bce_loss(const torch::Tensor& outputs, const torch::Tensor& y) {
  return torch::nn::functional::binary_cross_entropy(outputs, y);
}

}  // namespace scgrad

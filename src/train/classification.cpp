#include "scgrad/train/classification.hpp"

namespace scgrad {

torch::Tensor targets_tensor(const std::vector<std::int32_t>& classes, std::size_t n_classes,
                             const torch::Device& device) {
  const auto index =
      torch::tensor(std::vector<std::int64_t>(classes.begin(), classes.end()), torch::kInt64);
  if (n_classes == 2) return (index == 0).to(torch::kFloat32).reshape({-1, 1}).to(device);
  return index.to(device);
}

torch::Tensor classification_loss(const torch::Tensor& outputs, const torch::Tensor& targets,
                                  std::size_t n_classes) {
  if (n_classes == 2) return bce_loss(outputs, targets);
  return torch::nn::functional::cross_entropy(outputs, targets);
}

torch::Tensor class_probabilities(const torch::Tensor& outputs, std::size_t n_classes) {
  if (n_classes == 2) return torch::cat({outputs, 1 - outputs}, 1);
  return torch::softmax(outputs, 1);
}

torch::Tensor predicted_classes(const torch::Tensor& outputs, std::size_t n_classes) {
  if (n_classes == 2) return (outputs.reshape({-1}) <= 0.5).to(torch::kInt64);
  return outputs.argmax(1);
}

double classification_accuracy(const torch::Tensor& outputs, const torch::Tensor& targets,
                               std::size_t n_classes) {
  if (n_classes == 2) return accuracy(outputs, targets);
  return (outputs.argmax(1) == targets).to(torch::kFloat64).mean().item<double>();
}

double accuracy(const torch::Tensor& outputs, const torch::Tensor& y) {
  const auto predicted = (outputs > 0.5) + 0;
  return (predicted == y).sum().item<double>() / static_cast<double>(y.size(0));
}

torch::Tensor bce_loss(const torch::Tensor& outputs, const torch::Tensor& y) {
  return torch::nn::functional::binary_cross_entropy(outputs, y);
}

}  // namespace scgrad

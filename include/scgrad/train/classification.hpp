#pragma once
/// @file classification.hpp
/// Targets, loss and accuracy for two classes (one sigmoid output and BCE, as the exercise) and
/// for K > 2 classes (K logits and cross-entropy); probabilities and predicted classes are in
/// infer/outputs.hpp.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "scgrad/infer/outputs.hpp"
#include "scgrad/model/layer_spec.hpp"  // output_units

namespace scgrad {

/// Two classes: float (n x 1), 1 for class 0 (the exercise's positive class), else 0.
/// More: int64 class indices (n).
torch::Tensor targets_tensor(const std::vector<std::int32_t>& classes, std::size_t n_classes,
                             const torch::Device& device = torch::kCPU);

/// The class index of each cell: targets_tensor read back.
std::vector<std::int32_t> target_classes(const torch::Tensor& targets, std::size_t n_classes);

/// nn.BCELoss() for two classes, nn.CrossEntropyLoss() otherwise (mean over cells).
/// With `class_weights` (one per class, class order), each cell's loss is multiplied by its
/// class's weight before the mean over cells: (1/n) Σ w[y_i] l_i, scikit-learn's sample-weighted
/// objective divided by n (not PyTorch's weighted mean, which divides by Σ w[y_i] per batch).
torch::Tensor classification_loss(const torch::Tensor& outputs, const torch::Tensor& targets,
                                  std::size_t n_classes, const torch::Tensor& class_weights = {});

/// scikit-learn's class_weight="balanced": n / (K · n_c) for the K classes' cell counts n_c, so
/// every class carries the same total weight and the weights average 1 over cells. With
/// `power` p < 1 the weights are (n / (K · n_c))^p, scaled to average 1 over cells again
/// (p = 0.5: square-root inverse frequency, half way between none and balanced). A class
/// without cells gets weight 0.
std::vector<double> balanced_class_weights(const std::vector<std::int64_t>& class_counts,
                                           double power = 1.0);

/// Share of cells whose predicted class is the target.
double classification_accuracy(const torch::Tensor& outputs, const torch::Tensor& targets,
                               std::size_t n_classes);

/// Cells whose predicted class is the target (classification_accuracy's numerator): what
/// data-parallel ranks sum.
std::int64_t correct_predictions(const torch::Tensor& outputs, const torch::Tensor& targets,
                                 std::size_t n_classes);

/// The exercise's accuracy recipe for one sigmoid output: (outputs > 0.5) + 0 == Y, summed,
/// divided by the number of cells.
double accuracy(const torch::Tensor& outputs, const torch::Tensor& y);

/// nn.BCELoss() (mean over cells).
torch::Tensor bce_loss(const torch::Tensor& outputs, const torch::Tensor& y);

}  // namespace scgrad

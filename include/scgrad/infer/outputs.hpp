#pragma once
/// @file outputs.hpp
/// A model's forward passes over cells, and what its outputs mean: each class's probability and
/// the predicted class. Training (validation, the held-out cells) and predict both read
/// outputs through these.

#include <torch/torch.h>

#include <cstddef>

#include "scgrad/infer/model_input.hpp"
#include "scgrad/model/classifier.hpp"

namespace scgrad {

class ProcessGroup;

/// Outputs of the model in eval mode without gradients, computed in chunks of cells. With
/// data-parallel ranks each computes (and, streamed, reads) its contiguous share of the cells,
/// and the outputs are gathered in order: every rank returns all of them.
torch::Tensor predict_outputs(ClassifierImpl& model, const ModelInput& input,
                              const ProcessGroup* group = nullptr);

/// Probabilities (n x K) in class order: for two classes [p, 1 - p], else softmax.
torch::Tensor class_probabilities(const torch::Tensor& outputs, std::size_t n_classes);

/// Predicted class index per cell (int64): for two classes 0 when p > 0.5 (the exercise's rule).
torch::Tensor predicted_classes(const torch::Tensor& outputs, std::size_t n_classes);

}  // namespace scgrad

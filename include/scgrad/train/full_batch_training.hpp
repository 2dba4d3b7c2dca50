#pragma once
/// @file full_batch_training.hpp
/// The exercise's training loop: every epoch one forward pass over all cells, BCE loss,
/// backward, Adam step — and its accuracy recipe.

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "scgrad/model/exercise_models.hpp"

namespace scgrad {

/// The exercise's accuracy: probabilities > 0.5, plus 0, equal to the labels, summed,
/// divided by the number of cells.
double accuracy(const torch::Tensor& outputs, const torch::Tensor& y);

/// nn.BCELoss() (mean over cells).
torch::Tensor bce_loss(const torch::Tensor& outputs, const torch::Tensor& y);

struct TrainingOptions {
  int epochs = 10;
  double lr = 1e-4;  ///< Adam's learning rate; betas (0.9, 0.999), eps 1e-8 as in PyTorch
};

struct EpochMetrics {
  int epoch = 0;        ///< 1-based
  double loss = 0;      ///< of the forward pass this epoch's step was computed from
  double accuracy = 0;  ///< of that same forward pass
};

struct TrainingResults {
  std::vector<EpochMetrics> epochs;
  double final_loss = 0;  ///< measured after the last step (eval mode, no grad)
  double final_accuracy = 0;
};

/// Loss and accuracy of one forward pass without gradients, in eval mode.
EpochMetrics evaluate(ClassifierImpl& model, const torch::Tensor& x, const torch::Tensor& y);

/// for epoch in 1..E: model.train(); zero_grad(); outputs = model(X); loss = BCE(outputs, Y);
/// loss.backward(); optimizer.step(). `on_epoch` sees each epoch's metrics as they come.
TrainingResults train_full_batch(ClassifierImpl& model, const torch::Tensor& x,
                                 const torch::Tensor& y, const TrainingOptions& options = {},
                                 const std::function<void(const EpochMetrics&)>& on_epoch = {});

}  // namespace scgrad

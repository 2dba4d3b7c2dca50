#include "scgrad/train/full_batch_training.hpp"

#include "scgrad/error.hpp"

namespace scgrad {

double accuracy(const torch::Tensor& outputs, const torch::Tensor& y) {
  const auto predicted = (outputs > 0.5) + 0;
  return (predicted == y).sum().item<double>() / static_cast<double>(y.size(0));
}

torch::Tensor bce_loss(const torch::Tensor& outputs, const torch::Tensor& y) {
  return torch::nn::functional::binary_cross_entropy(outputs, y);
}

EpochMetrics evaluate(ClassifierImpl& model, const torch::Tensor& x, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto outputs = model.forward(x);
  EpochMetrics metrics;
  metrics.loss = bce_loss(outputs, y).item<double>();
  metrics.accuracy = accuracy(outputs, y);
  model.train(was_training);
  return metrics;
}

namespace {
[[noreturn]] void diverged(int epoch) {
  throw Error("training diverged: the model's outputs or loss in epoch " + std::to_string(epoch) +
              " are not finite (NaN or Inf); try a smaller --lr, and check the input for NaN");
}
}  // namespace

TrainingResults train_full_batch(ClassifierImpl& model, const torch::Tensor& x,
                                 const torch::Tensor& y, const TrainingOptions& options,
                                 const std::function<void(const EpochMetrics&)>& on_epoch) {
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(options.lr));
  TrainingResults results;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    model.train();
    optimizer.zero_grad();
    const auto outputs = model.forward(x);
    // BCE refuses NaN probabilities with an opaque message: name the epoch instead.
    if (!torch::isfinite(outputs).all().item<bool>()) diverged(epoch);
    const auto loss = bce_loss(outputs, y);
    loss.backward();
    optimizer.step();

    EpochMetrics metrics;
    metrics.epoch = epoch;
    metrics.loss = loss.item<double>();
    metrics.accuracy = accuracy(outputs.detach(), y);
    if (!std::isfinite(metrics.loss)) diverged(epoch);
    results.epochs.push_back(metrics);
    if (on_epoch) on_epoch(metrics);
  }
  const auto final_metrics = evaluate(model, x, y);
  results.final_loss = final_metrics.loss;
  results.final_accuracy = final_metrics.accuracy;
  return results;
}

}  // namespace scgrad

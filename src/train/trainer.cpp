#include "scgrad/train/trainer.hpp"

#include <chrono>

#include "early_stopping.hpp"
#include "epoch_runners.hpp"
#include "gradient_sync.hpp"
#include "scgrad/error.hpp"
#include "scgrad/train/classification.hpp"

namespace scgrad {

LossAndAccuracy evaluate(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes,
                         const std::vector<double>& class_weights, const ProcessGroup* group) {
  const auto outputs = predict_outputs(model, *data.input, group);
  return {classification_loss(outputs, data.targets, n_classes, class_weights_tensor(class_weights))
              .item<double>(),
          classification_accuracy(outputs, data.targets, n_classes)};
}

TrainingResults train_classifier(ClassifierImpl& model, std::size_t n_classes,
                                 const TrainingSets& sets, const TrainingOptions& options,
                                 const TrainingCallbacks& callbacks) {
  const auto& train = sets.train;
  const auto& validation = sets.validation;
  const auto& test = sets.test;
  if (!options.class_weights.empty() && options.class_weights.size() != n_classes) {
    throw OptionError("train_classifier: " + std::to_string(options.class_weights.size()) +
                      " class weights for " + std::to_string(n_classes) + " classes");
  }
  const auto runner = make_epoch_runner(model, n_classes, train, options, callbacks);
  if (data_parallel(options.group)) broadcast_parameters(model, *options.group);
  EarlyStopping stopping(options.patience, options.min_delta, runner->learning_rate_cuts(options));
  const auto measure = [&](const LabelledData& data) {
    return evaluate(model, data, n_classes, options.class_weights, options.group);
  };
  TrainingResults results;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    model.train();
    const auto figures = runner->run(epoch);
    EpochMetrics metrics;
    metrics.epoch = epoch;
    metrics.train_loss = figures.loss;
    metrics.train_accuracy = figures.accuracy;
    check_finite_parameters(model, epoch);  // before the evaluations below meet NaN
    if (test) {                             // reported only: nothing below looks at it
      const auto held_out = measure(*test);
      metrics.test_loss = held_out.loss;
      metrics.test_accuracy = held_out.accuracy;
    }
    auto verdict = EarlyStopping::Verdict::go_on;
    if (validation) {
      const auto checked = measure(*validation);
      metrics.validation_loss = checked.loss;
      metrics.validation_accuracy = checked.accuracy;
      verdict = stopping.observe(model, checked.loss, epoch);
      if (verdict == EarlyStopping::Verdict::cut_learning_rate) runner->cut_learning_rate(0.1);
    }
    results.best_epoch = validation && options.restore_best_epoch ? stopping.best_epoch() : epoch;
    metrics.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.epochs.push_back(metrics);
    if (callbacks.on_epoch) callbacks.on_epoch(metrics);
    results.converged = figures.converged;
    if (figures.converged) break;
    if (verdict == EarlyStopping::Verdict::stop) {
      results.stopped_early = epoch < options.epochs;
      break;
    }
  }
  results.lr_reductions = stopping.cuts();
  if (options.restore_best_epoch) stopping.restore_best(model);
  results.final_train = measure(train);
  if (validation) results.final_validation = measure(*validation);
  if (test) results.final_test = measure(*test);
  return results;
}

}  // namespace scgrad

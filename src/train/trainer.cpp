#include "scgrad/train/trainer.hpp"

#include <chrono>
#include <functional>
#include <limits>

#include "scgrad/distributed/process_group.hpp"
#include "scgrad/error.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/util/random.hpp"

namespace scgrad {

namespace {

[[noreturn]] void diverged(int epoch) {
  throw Error("training diverged: the model's weights, outputs or loss in epoch " +
                  std::to_string(epoch) +
                  " are not finite (NaN or Inf); try a smaller learning rate (e.g. a tenth of "
                  "this one)",
              {"lr"});
}

torch::Tensor weights_tensor(const std::vector<double>& class_weights) {
  if (class_weights.empty()) return {};
  return torch::tensor(class_weights, torch::kFloat32);
}

/// Adam with the weight decay on weight matrices only (biases are not penalised).
torch::optim::Adam make_adam(ClassifierImpl& model, const TrainingOptions& options) {
  if (options.weight_decay == 0) {  // one group, as the exercise's optim.Adam(model.parameters())
    return torch::optim::Adam(model.parameters(), torch::optim::AdamOptions(options.lr));
  }
  std::vector<torch::Tensor> weights;
  std::vector<torch::Tensor> biases;
  for (const auto& p : model.parameters()) (p.dim() >= 2 ? weights : biases).push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(
      weights, std::make_unique<torch::optim::AdamOptions>(
                   torch::optim::AdamOptions(options.lr).weight_decay(options.weight_decay)));
  groups.emplace_back(biases, std::make_unique<torch::optim::AdamOptions>(options.lr));
  return torch::optim::Adam(std::move(groups), torch::optim::AdamOptions(options.lr));
}

/// ½·λ·Σ‖W‖² over the weight matrices (biases are not penalised): the term whose gradient is
/// Adam's coupled weight decay, added to the loss explicitly for L-BFGS.
torch::Tensor l2_penalty(ClassifierImpl& model, double weight_decay) {
  auto penalty = torch::zeros({}, torch::kFloat32);
  for (const auto& p : model.parameters()) {
    if (p.dim() >= 2) penalty = penalty + p.pow(2).sum();
  }
  return 0.5 * weight_decay * penalty;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(ClassifierImpl& model,
                                                        const TrainingOptions& options) {
  if (options.optimizer == Optimizer::adam) {
    return std::make_unique<torch::optim::Adam>(make_adam(model, options));
  }
  return std::make_unique<torch::optim::LBFGS>(model.parameters(),
                                               torch::optim::LBFGSOptions(1.0)
                                                   .max_iter(options.lbfgs_iterations)
                                                   .history_size(10)
                                                   .tolerance_grad(1e-6)
                                                   .line_search_fn("strong_wolfe"));
}

/// A copy of the model's parameters (the best epoch's weights).
std::vector<torch::Tensor> snapshot(ClassifierImpl& model) {
  std::vector<torch::Tensor> copy;
  for (const auto& p : model.parameters()) copy.push_back(p.detach().clone());
  return copy;
}

void restore(ClassifierImpl& model, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  auto parameters = model.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(saved[i]);
}

/// The training loss of some outputs; BCE refuses NaN probabilities with an opaque message, so
/// non-finite outputs end the run naming the epoch instead.
torch::Tensor checked_loss(const torch::Tensor& outputs, const torch::Tensor& targets,
                           std::size_t n_classes, const torch::Tensor& class_weights, int epoch) {
  if (!torch::isfinite(outputs).all().item<bool>()) diverged(epoch);
  return classification_loss(outputs, targets, n_classes, class_weights);
}

/// More than one rank: each computes its share of every batch, the ranks' gradients summed.
bool data_parallel(const ProcessGroup* group) { return group != nullptr && group->size() > 1; }

/// Sums every parameter's gradient, and `extra` (this rank's loss and correct cells), over the
/// ranks: one flattened float32 buffer, one all-reduce. A rank with no cells in a batch adds
/// zeros. Gloo has no average: the losses were already weighted by each share's part of the
/// batch, so the sums are the batch's mean loss and its gradient.
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

/// Forward and backward over every cell of `input` for the objective loss + penalty(): in one
/// pass when the input allows it (the exercise's step), else batch by batch (streamed chunks,
/// the parts of two inputs as one), each batch's loss weighted by its share of the cells, which
/// sums to the same gradient. With several ranks each visits its contiguous share of the cells
/// (reading only those when streamed), and the gradients, loss and correct cells are summed
/// over the ranks before the penalty (the same on every rank) is added. Loss and objective are
/// float32 scalars.
struct FullBatch {
  torch::Tensor loss;
  torch::Tensor objective;
  double correct = 0;  ///< cells predicted right
};
FullBatch full_batch_backward(ClassifierImpl& model, const ModelInput& input,
                              const torch::Tensor& targets, std::size_t n_classes,
                              const torch::Tensor& class_weights,
                              const std::function<torch::Tensor()>& penalty, int epoch,
                              const ProcessGroup* group) {
  const auto n = input.rows();
  const auto [first, last] = share_of(group, n);
  FullBatch result;
  result.loss = torch::zeros({}, torch::kFloat32);
  input.visit_range(first, last, std::numeric_limits<std::int64_t>::max(),
                    [&](const ModelBatch& batch, std::int64_t row) {
                      const auto out = model.forward(batch);
                      const auto whole = batch.rows() == n;
                      const auto cells = whole ? targets : targets.narrow(0, row, batch.rows());
                      auto loss = checked_loss(out, cells, n_classes, class_weights, epoch);
                      if (!whole)
                        loss = loss * (static_cast<double>(batch.rows()) / static_cast<double>(n));
                      loss.backward();
                      result.loss = whole ? loss.detach() : result.loss + loss.detach();
                      result.correct +=
                          static_cast<double>(correct_predictions(out, cells, n_classes));
                    });
  if (data_parallel(group)) {
    const auto totals =
        all_reduce_gradients(model, *group, {result.loss.item<double>(), result.correct});
    result.loss = torch::tensor(static_cast<float>(totals[0]));
    result.correct = totals[1];
  }
  result.objective = result.loss;
  if (penalty) {
    const auto term = penalty();
    term.backward();  // its gradient adds to the loss's: the objective's gradient
    result.objective = result.loss + term.detach();
  }
  if (!std::isfinite(result.objective.item<double>())) diverged(epoch);
  return result;
}

/// One Adam step's figures: the batch's mean loss and its cells predicted right.
struct StepResult {
  double loss = 0;
  double correct = 0;
};

/// One Adam step on some cells (`rows`), or on all of them (null). With several ranks, each
/// takes its share of the batch (ModelInput::rank_positions), its loss weighted by the share's
/// part of the batch.
StepResult step(ClassifierImpl& model, torch::optim::Optimizer& optimizer, const ModelInput& input,
                const std::vector<std::int64_t>* rows, const torch::Tensor& targets,
                std::size_t n_classes, const torch::Tensor& class_weights, int epoch,
                const ProcessGroup* group) {
  optimizer.zero_grad();
  if (rows == nullptr) {
    const auto all =
        full_batch_backward(model, input, targets, n_classes, class_weights, {}, epoch, group);
    optimizer.step();
    return {all.loss.item<double>(), all.correct};
  }
  if (data_parallel(group)) {
    const auto n = static_cast<double>(rows->size());
    const auto positions = input.rank_positions(*rows, group->rank(), group->size());
    double loss_part = 0;
    double correct = 0;
    if (!positions.empty()) {
      std::vector<std::int64_t> mine;
      for (const auto i : positions) mine.push_back((*rows)[static_cast<std::size_t>(i)]);
      const auto outputs = model.forward(input.batch(&mine));
      const auto share = targets.index_select(0, torch::tensor(positions, torch::kInt64));
      const auto part = static_cast<double>(positions.size());
      const auto loss = checked_loss(outputs, share, n_classes, class_weights, epoch) * (part / n);
      loss.backward();
      loss_part = loss.item<double>();
      correct = static_cast<double>(correct_predictions(outputs, share, n_classes));
    }
    const auto totals = all_reduce_gradients(model, *group, {loss_part, correct});
    optimizer.step();
    if (!std::isfinite(totals[0])) diverged(epoch);
    return {totals[0], totals[1]};
  }
  const auto outputs = model.forward(input.batch(rows));
  const auto loss = checked_loss(outputs, targets, n_classes, class_weights, epoch);
  loss.backward();
  optimizer.step();
  const double value = loss.item<double>();
  if (!std::isfinite(value)) diverged(epoch);
  return {value, static_cast<double>(correct_predictions(outputs.detach(), targets, n_classes))};
}

struct LbfgsStep {
  double objective_before = 0;  ///< penalised loss
  double objective_after = 0;
  LossAndAccuracy after;  ///< unpenalised loss and accuracy after the step
};

/// One L-BFGS step (up to options.lbfgs_iterations iterations) on all training cells.
LbfgsStep lbfgs_step(ClassifierImpl& model, torch::optim::Optimizer& optimizer,
                     const LabelledData& train, std::size_t n_classes,
                     const torch::Tensor& class_weights, const TrainingOptions& options,
                     int epoch) {
  const auto penalty = [&] { return l2_penalty(model, options.weight_decay); };
  LbfgsStep result;
  result.objective_before =
      optimizer
          .step([&] {
            optimizer.zero_grad();
            const auto all = full_batch_backward(model, *train.input, train.targets, n_classes,
                                                 class_weights, penalty, epoch, options.group);
            return all.objective;
          })
          .item<double>();
  torch::NoGradGuard no_grad;
  // For the report and the convergence test.
  const auto outputs = predict_outputs(model, *train.input, options.group);
  const auto loss = checked_loss(outputs, train.targets, n_classes, class_weights, epoch);
  result.after = {loss.item<double>(), classification_accuracy(outputs, train.targets, n_classes)};
  result.objective_after = (loss + penalty()).item<double>();
  if (!std::isfinite(result.objective_before) || !std::isfinite(result.objective_after)) {
    diverged(epoch);
  }
  return result;
}

}  // namespace

LossAndAccuracy evaluate(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes,
                         const std::vector<double>& class_weights, const ProcessGroup* group) {
  const auto outputs = predict_outputs(model, *data.input, group);
  return {classification_loss(outputs, data.targets, n_classes, weights_tensor(class_weights))
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
  const auto class_weights = weights_tensor(options.class_weights);
  const bool lbfgs = options.optimizer == Optimizer::lbfgs;
  auto optimizer = make_optimizer(model, options);
  const auto n = train.input->rows();
  const bool full_batch = lbfgs || options.batch_size <= 0 || options.batch_size >= n;
  const auto batch = full_batch ? n : options.batch_size;
  Random shuffler(options.shuffle_seed);
  if (data_parallel(options.group)) {  // every rank starts from rank 0's parameters
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> flat;
    for (const auto& p : model.parameters()) flat.push_back(p.detach().reshape({-1}));
    flat = {torch::cat(flat)};  // Gloo broadcasts tensors of one shape: one buffer
    options.group->broadcast_from_first(flat);
    std::int64_t offset = 0;
    for (auto& p : model.parameters()) {
      p.copy_(flat[0].narrow(0, offset, p.numel()).view(p.sizes()));
      offset += p.numel();
    }
  }

  TrainingResults results;
  std::vector<torch::Tensor> best_weights;
  double best_validation_loss = std::numeric_limits<double>::infinity();
  int epochs_without_improvement = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    model.train();
    EpochMetrics metrics;
    metrics.epoch = epoch;
    bool converged = false;
    if (lbfgs) {
      const auto step =
          lbfgs_step(model, *optimizer, train, n_classes, class_weights, options, epoch);
      // Float32 objective: a fall below 1e-6 (relative when above 1) is the optimum within
      // rounding.
      converged = step.objective_before - step.objective_after <=
                  1e-6 * std::max(1.0, std::abs(step.objective_after));
      metrics.train_loss = step.after.loss;
      metrics.train_accuracy = step.after.accuracy;
      if (callbacks.on_batch) callbacks.on_batch(epoch, 1, 1);
    } else if (full_batch) {
      // The exercise: zero_grad, forward, loss, backward, step on all cells.
      const auto done = step(model, *optimizer, *train.input, nullptr, train.targets, n_classes,
                             class_weights, epoch, options.group);
      metrics.train_loss = done.loss;
      metrics.train_accuracy = done.correct / static_cast<double>(n);
      if (callbacks.on_batch) callbacks.on_batch(epoch, 1, 1);
    } else {
      const auto batches = train.input->epoch_batches(shuffler, batch);
      const auto n_batches = static_cast<std::int64_t>(batches.size());
      double loss_sum = 0;
      double correct = 0;
      for (std::int64_t b = 0; b < n_batches; ++b) {
        const auto& rows = batches[static_cast<std::size_t>(b)];
        const auto targets = train.targets.index_select(0, torch::tensor(rows, torch::kInt64));
        const auto done = step(model, *optimizer, *train.input, &rows, targets, n_classes,
                               class_weights, epoch, options.group);
        const auto size = static_cast<double>(rows.size());
        loss_sum += done.loss * size;
        correct += done.correct;
        if (callbacks.on_batch) callbacks.on_batch(epoch, b + 1, n_batches);
      }
      metrics.train_loss = loss_sum / static_cast<double>(n);
      metrics.train_accuracy = correct / static_cast<double>(n);
    }
    // A step can overflow the weights even when this epoch's loss was finite; stop here rather
    // than let the evaluation below fail on NaN probabilities.
    for (const auto& parameter : model.parameters()) {
      if (!torch::isfinite(parameter).all().item<bool>()) diverged(epoch);
    }
    if (test) {  // reported only: nothing below looks at it
      const auto held_out = evaluate(model, *test, n_classes, options.class_weights, options.group);
      metrics.test_loss = held_out.loss;
      metrics.test_accuracy = held_out.accuracy;
    }
    bool stop = false;
    if (validation) {
      const auto checked =
          evaluate(model, *validation, n_classes, options.class_weights, options.group);
      metrics.validation_loss = checked.loss;
      metrics.validation_accuracy = checked.accuracy;
      if (checked.loss < best_validation_loss - options.min_delta || best_weights.empty()) {
        epochs_without_improvement = 0;
      } else {
        ++epochs_without_improvement;
      }
      if (checked.loss < best_validation_loss) {  // the best is kept even below min_delta
        best_validation_loss = checked.loss;
        best_weights = snapshot(model);
        results.best_epoch = epoch;
      }
      if (options.patience > 0 && epochs_without_improvement >= options.patience) {
        if (!lbfgs && results.lr_reductions < options.lr_reductions) {
          // Back to the best weights, smaller steps from there.
          restore(model, best_weights);
          for (auto& group : optimizer->param_groups()) {
            auto& adam = static_cast<torch::optim::AdamOptions&>(group.options());
            adam.lr(adam.lr() * 0.1);
          }
          ++results.lr_reductions;
          epochs_without_improvement = 0;
        } else {
          stop = true;
        }
      }
    } else {
      results.best_epoch = epoch;
    }
    metrics.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.epochs.push_back(metrics);
    if (callbacks.on_epoch) callbacks.on_epoch(metrics);
    if (converged) {
      results.converged = true;
      break;
    }
    if (stop) {
      results.stopped_early = epoch < options.epochs;
      break;
    }
  }
  if (!best_weights.empty()) restore(model, best_weights);
  results.final_train = evaluate(model, train, n_classes, options.class_weights, options.group);
  if (validation) {
    results.final_validation =
        evaluate(model, *validation, n_classes, options.class_weights, options.group);
  }
  if (test) {
    results.final_test = evaluate(model, *test, n_classes, options.class_weights, options.group);
  }
  return results;
}

}  // namespace scgrad

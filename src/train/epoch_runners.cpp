#include "epoch_runners.hpp"

#include <functional>
#include <limits>

#include "gradient_sync.hpp"
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
                                                   .tolerance_grad(options.lbfgs_gradient_tolerance)
                                                   .line_search_fn("strong_wolfe"));
}

/// The training loss of some outputs; BCE refuses NaN probabilities with an opaque message, so
/// non-finite outputs end the run naming the epoch instead.
torch::Tensor checked_loss(const torch::Tensor& outputs, const torch::Tensor& targets,
                           std::size_t n_classes, const torch::Tensor& class_weights, int epoch) {
  if (!torch::isfinite(outputs).all().item<bool>()) diverged(epoch);
  return classification_loss(outputs, targets, n_classes, class_weights);
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

/// What every runner holds: the model, its training cells, the options and its optimiser.
class OptimiserEpochs : public EpochRunner {
 public:
  OptimiserEpochs(ClassifierImpl& model, std::size_t n_classes, const LabelledData& train,
                  const TrainingOptions& options, const TrainingCallbacks& callbacks)
      : model_(model),
        n_classes_(n_classes),
        train_(train),
        options_(options),
        callbacks_(callbacks),
        optimizer_(make_optimizer(model, options)),
        class_weights_(class_weights_tensor(options.class_weights)) {}

 protected:
  ClassifierImpl& model_;
  std::size_t n_classes_;
  const LabelledData& train_;
  const TrainingOptions& options_;
  const TrainingCallbacks& callbacks_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  torch::Tensor class_weights_;
};

/// Adam: all cells in one step (the exercise: zero_grad, forward, loss, backward, step), or
/// shuffled minibatches of options.batch_size.
class AdamEpochs final : public OptimiserEpochs {
 public:
  AdamEpochs(ClassifierImpl& model, std::size_t n_classes, const LabelledData& train,
             const TrainingOptions& options, const TrainingCallbacks& callbacks)
      : OptimiserEpochs(model, n_classes, train, options, callbacks),
        shuffler_(options.shuffle_seed) {}

  EpochFigures run(int epoch) override {
    const auto n = train_.input->rows();
    if (options_.batch_size <= 0 || options_.batch_size >= n) {
      const auto done = step(model_, *optimizer_, *train_.input, nullptr, train_.targets,
                             n_classes_, class_weights_, epoch, options_.group);
      if (callbacks_.on_batch) callbacks_.on_batch(epoch, 1, 1);
      return {done.loss, done.correct / static_cast<double>(n)};
    }
    const auto batches = train_.input->epoch_batches(shuffler_, options_.batch_size);
    const auto n_batches = static_cast<std::int64_t>(batches.size());
    double loss_sum = 0;
    double correct = 0;
    for (std::int64_t b = 0; b < n_batches; ++b) {
      const auto& rows = batches[static_cast<std::size_t>(b)];
      const auto targets = train_.targets.index_select(0, torch::tensor(rows, torch::kInt64));
      const auto done = step(model_, *optimizer_, *train_.input, &rows, targets, n_classes_,
                             class_weights_, epoch, options_.group);
      loss_sum += done.loss * static_cast<double>(rows.size());
      correct += done.correct;
      if (callbacks_.on_batch) callbacks_.on_batch(epoch, b + 1, n_batches);
    }
    return {loss_sum / static_cast<double>(n), correct / static_cast<double>(n)};
  }

  int learning_rate_cuts(const TrainingOptions& options) const override {
    return options.lr_reductions;
  }

  void cut_learning_rate(double factor) override {
    for (auto& group : optimizer_->param_groups()) {
      auto& adam = static_cast<torch::optim::AdamOptions&>(group.options());
      adam.lr(adam.lr() * factor);
    }
  }

 private:
  Random shuffler_;
};

/// Full-batch L-BFGS: an epoch is one step of up to options.lbfgs_iterations iterations.
class LbfgsEpochs final : public OptimiserEpochs {
 public:
  using OptimiserEpochs::OptimiserEpochs;

  EpochFigures run(int epoch) override {
    const auto step =
        lbfgs_step(model_, *optimizer_, train_, n_classes_, class_weights_, options_, epoch);
    if (callbacks_.on_batch) callbacks_.on_batch(epoch, 1, 1);
    // Float32 objective: a fall below 1e-6 (relative when above 1) is the optimum within
    // rounding.
    const bool converged = step.objective_before - step.objective_after <=
                           1e-6 * std::max(1.0, std::abs(step.objective_after));
    return {step.after.loss, step.after.accuracy, converged};
  }

  int learning_rate_cuts(const TrainingOptions&) const override { return 0; }
  void cut_learning_rate(double) override {}
};

}  // namespace

torch::Tensor class_weights_tensor(const std::vector<double>& class_weights) {
  if (class_weights.empty()) return {};
  return torch::tensor(class_weights, torch::kFloat32);
}

void check_finite_parameters(ClassifierImpl& model, int epoch) {
  for (const auto& parameter : model.parameters()) {
    if (!torch::isfinite(parameter).all().item<bool>()) diverged(epoch);
  }
}

std::unique_ptr<EpochRunner> make_epoch_runner(ClassifierImpl& model, std::size_t n_classes,
                                               const LabelledData& train,
                                               const TrainingOptions& options,
                                               const TrainingCallbacks& callbacks) {
  if (options.optimizer == Optimizer::lbfgs) {
    return std::make_unique<LbfgsEpochs>(model, n_classes, train, options, callbacks);
  }
  return std::make_unique<AdamEpochs>(model, n_classes, train, options, callbacks);
}

}  // namespace scgrad

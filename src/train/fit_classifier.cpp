#include "scgrad/train/fit_classifier.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "scgrad/distributed/process_group.hpp"
#include "scgrad/error.hpp"
#include "scgrad/infer/calibration.hpp"
#include "scgrad/infer/classification_metrics.hpp"
#include "scgrad/io/anndata_source.hpp"
#include "scgrad/train/classification.hpp"

namespace scgrad {

namespace {

/// The class weights of a run that trains on `cells` with class-weight power `power` (empty
/// without class weights).
std::vector<double> class_weights_for(double power, const PreparedData& data,
                                      const std::vector<std::int64_t>& cells) {
  if (power <= 0) return {};
  return balanced_class_weights(
      class_counts_of(data.cells.targets, cells, data.cells.classes.size()), power);
}

/// The class weights the selection tries: the given ones, or the defaults; only the first
/// without validation cells to choose with, or when the classes are within 1.5x of each other
/// in size (every choice would then train nearly the same model).
std::vector<double> class_weight_candidates(const FitOptions& options, const PreparedData& data,
                                            bool validation) {
  if (options.class_weight_power) return {*options.class_weight_power};
  auto powers = default_class_weight_powers();
  auto counts =
      class_counts_of(data.cells.targets, fit_cells(data.split), data.cells.classes.size());
  counts.erase(std::remove(counts.begin(), counts.end(), 0), counts.end());
  const auto [fewest, most] = std::minmax_element(counts.begin(), counts.end());
  if (!validation || counts.empty() || 2 * *most <= 3 * *fewest) powers.resize(1);
  return powers;
}

/// The figures candidates with different class weights compare by, on the validation cells
/// (`truth`); returns the predictions, which the winner's temperature is fitted on.
Predictions score_on_validation(ClassifierImpl& model, const FittedClassifier& fitted,
                                const std::vector<std::int32_t>& truth, CandidateResult& candidate,
                                const ProcessGroup* group) {
  auto scored = predict_set(model, *fitted.inputs.sets.validation, fitted.n_classes(), group);
  const auto n_classes = fitted.n_classes();
  const auto report = classification_report(truth, scored.classes, n_classes);
  candidate.validation_accuracy = report.accuracy;
  candidate.validation_macro_f1 = report.macro_f1;
  double log_loss = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const auto p = scored.probabilities[i * n_classes + static_cast<std::size_t>(truth[i])];
    log_loss -= std::log(std::max(static_cast<double>(p), 1e-15));  // scikit-learn's clip
  }
  candidate.validation_log_loss =
      log_loss / static_cast<double>(std::max<std::size_t>(1, truth.size()));
  return scored;
}

/// Whether `a`, trained with other class weights than `b`, classifies the validation cells
/// better: a higher sum of accuracy and macro-F1 (the two figures classifiers are compared by:
/// accuracy for the common types, macro-F1 for the rare ones). Losses do not compare across
/// class weights, and a tie keeps `b`: on a small validation set that everything classifies
/// right, the first class weights stay rather than a coin toss deciding.
bool classifies_better(const CandidateResult& a, const CandidateResult& b) {
  return a.validation_accuracy + a.validation_macro_f1 >
         b.validation_accuracy + b.validation_macro_f1;
}

/// The search along the penalty paths (L-BFGS): the better classification of the validation
/// cells wins. At equal scores (a small validation set that several candidates classify alike)
/// the stronger penalty, the simpler model (the idea of Hastie, Tibshirani and Friedman's
/// one-standard-error rule), and at the same penalty the one trained first (fewer class
/// weights). Ties broken by the validation log loss instead went to the weakest penalty, the
/// most confident on cells every candidate got right, and lost 1.3 points of held-out accuracy
/// on the glia subset (docs/training.md).
bool classifies_better_or_simpler(const CandidateResult& a, const CandidateResult& b) {
  const double score_a = a.validation_accuracy + a.validation_macro_f1;
  const double score_b = b.validation_accuracy + b.validation_macro_f1;
  if (score_a != score_b) return score_a > score_b;
  return a.weight_decay > b.weight_decay;
}

std::shared_ptr<ClassifierImpl> new_model(const FitOptions& options, const TrainingInputs& inputs) {
  torch::manual_seed(options.seed);  // right before the model is built: PyTorch's weights
  auto model = make_classifier(options.model, static_cast<std::int64_t>(inputs.data.genes().size()),
                               options.hidden, output_units(inputs.data.cells.classes.size()));
  // Sparse rows are scaled by the model's first layer, with the training cells' statistics.
  const auto& preprocessing = inputs.data.preprocessing;
  model->set_input_scaling(torch::tensor(preprocessing.mean), torch::tensor(preprocessing.sd),
                           preprocessing.max_value);
  return model;
}

void copy_parameters(ClassifierImpl& from, ClassifierImpl& to) {
  torch::NoGradGuard no_grad;
  auto source = from.parameters();
  auto target = to.parameters();
  for (std::size_t i = 0; i < target.size(); ++i) target[i].copy_(source[i]);
}

/// The chosen settings trained again on all training cells (validation cells included); the
/// held-out cells still only measured.
void retrain_on_training_cells(FittedClassifier& fitted, const FitOptions& options,
                               TrainingOptions training, const FitCallbacks& callbacks) {
  const auto& sets = fitted.inputs.sets;
  const auto& data = fitted.inputs.data;
  const auto cells = static_cast<std::int64_t>(data.split.train.size());
  const auto all_training = all_training_cells(sets);
  training.class_weights = class_weights_for(fitted.class_weight_power, data, data.split.train);
  training.weight_decay = fitted.weight_decay * selected_cells_ratio(fitted, cells);
  training.epochs = epochs_for(fitted, cells);
  training.patience = 0;
  if (callbacks.on_retrain) callbacks.on_retrain(training.weight_decay, training.epochs);
  auto model = new_model(options, fitted.inputs);
  // A run to convergence starts at the selected optimum: more cells move it little.
  if (fitted.converge_within_steps > 0) copy_parameters(*fitted.model, *model);
  fitted.retrained = train_classifier(*model, fitted.n_classes(),
                                      TrainingSets{all_training, std::nullopt, sets.test}, training,
                                      callbacks.training);
  fitted.model = model;
}

}  // namespace

LabelledData all_training_cells(const TrainingSets& sets) {
  if (!sets.validation) return sets.train;
  return {std::make_shared<ConcatenatedInput>(sets.train.input, sets.validation->input),
          torch::cat({sets.train.targets, sets.validation->targets}, 0)};
}

LabelledData model_training_cells(const FittedClassifier& fitted) {
  return fitted.retrained ? all_training_cells(fitted.inputs.sets) : fitted.inputs.sets.train;
}

double selected_cells_ratio(const FittedClassifier& selected, std::int64_t cells) {
  return static_cast<double>(selected.inputs.sets.train.input->rows()) /
         static_cast<double>(std::max<std::int64_t>(cells, 1));
}

int epochs_for(const FittedClassifier& selected, std::int64_t cells) {
  // L-BFGS takes full-batch steps: their number does not depend on the cells.
  if (selected.optimizer == Optimizer::lbfgs) {
    return selected.converge_within_steps > 0 ? selected.converge_within_steps
                                              : selected.results.best_epoch;
  }
  const double epochs = selected.results.best_epoch * selected_cells_ratio(selected, cells);
  return std::max(1, static_cast<int>(std::lround(epochs)));
}

Optimizer resolve_optimizer(const FitOptions& options, const TrainingInputs& inputs) {
  return options.optimizer.value_or(options.model == "logistic" && !inputs.streaming &&
                                            options.training.batch_size > 0
                                        ? Optimizer::lbfgs
                                        : Optimizer::adam);
}

DataSummary describe(const TrainingInputs& inputs, const FitOptions& options,
                     const std::string& path) {
  const auto& data = inputs.data;
  DataSummary d;
  d.file = path;
  d.classes = data.cells.classes;
  d.class_counts = data.cells.class_counts;
  d.unlabelled_cells = data.cells.unlabelled;
  d.cells = static_cast<std::int64_t>(data.cells.rows.size());
  d.genes = static_cast<std::int64_t>(data.genes().size());
  d.genes_in_file = data.genes_in_file;
  d.train_cells = static_cast<std::int64_t>(data.split.train.size());
  d.validation_cells = static_cast<std::int64_t>(data.split.validation.size());
  d.test_cells = static_cast<std::int64_t>(data.split.test.size());
  for (const auto c : data.split.test) {
    d.test_cell_names.push_back(data.cell_names[static_cast<std::size_t>(c)]);
  }
  d.empty_cells = static_cast<std::int64_t>(data.empty_cells.size());
  d.streaming = inputs.streaming;
  d.sparse = inputs.sparse;
  d.density = inputs.density;
  d.stored_bytes = inputs.stored_bytes;
  d.prepare_seconds = inputs.prepare_seconds;
  d.max_value = data.preprocessing.max_value;
  d.optimizer = resolve_optimizer(options, inputs);
  d.class_weight_powers =
      class_weight_candidates(options, data, inputs.sets.validation.has_value());
  return d;
}

namespace {

/// Trains the candidates of the selection one by one, keeping the winner's model, results and
/// validation predictions in `fitted`.
class CandidateSearch {
 public:
  CandidateSearch(FittedClassifier& fitted, const FitOptions& options, TrainingOptions& training,
                  const FitCallbacks& callbacks, std::size_t most_candidates)
      : fitted_(fitted),
        options_(options),
        training_(training),
        callbacks_(callbacks),
        most_candidates_(most_candidates) {
    const auto& data = fitted.inputs.data;
    if (fitted.inputs.sets.validation) validation_truth_ = targets_of(data, data.split.validation);
  }

  using Wins = std::function<bool(const CandidateResult&, const CandidateResult&)>;

  /// Trains one candidate; it becomes the selected model when it is the first or `wins`
  /// against the best so far. `start`: the weights it starts from (a warm start: the
  /// previous point of a regularisation path), else fresh ones.
  CandidateResult train(double weight_decay, double power, const Wins& wins,
                        const std::shared_ptr<ClassifierImpl>& start = nullptr) {
    const auto& data = fitted_.inputs.data;
    CandidateResult candidate;
    candidate.weight_decay = weight_decay;
    candidate.class_weight_power = power;
    if (callbacks_.on_candidate) {
      callbacks_.on_candidate(candidate, fitted_.candidates.size(), most_candidates_);
    }
    training_.weight_decay = weight_decay;
    training_.class_weights = class_weights_for(power, data, fit_cells(data.split));
    auto model = new_model(options_, fitted_.inputs);
    if (start) copy_parameters(*start, *model);
    auto results = train_classifier(*model, fitted_.n_classes(), fitted_.inputs.sets, training_,
                                    callbacks_.training);
    last_ = model;
    candidate.best_epoch = results.best_epoch;
    candidate.epochs_trained = static_cast<int>(results.epochs.size());
    candidate.converged = !training_.restore_best_epoch && results.converged;
    candidate.train_accuracy = results.final_train.accuracy;
    Predictions on_validation;
    if (results.final_validation) {
      candidate.validation_loss = results.final_validation->loss;
      on_validation =
          score_on_validation(*model, fitted_, validation_truth_, candidate, training_.group);
    }
    fitted_.candidates.push_back(candidate);
    if (callbacks_.on_candidate_done) callbacks_.on_candidate_done(candidate);
    if (!best_ || wins(candidate, *best_)) {
      best_ = candidate;
      fitted_.selected_candidate = fitted_.candidates.size() - 1;
      fitted_.model = model;
      fitted_.results = std::move(results);
      fitted_.weight_decay = weight_decay;
      fitted_.class_weight_power = power;
      fitted_.class_weights = training_.class_weights;
      // The retrain and the refit repeat the winner's kind of run: to convergence, or its
      // early-stopped number of steps.
      fitted_.converge_within_steps = training_.restore_best_epoch ? 0 : training_.epochs;
      best_on_validation_ = std::move(on_validation);
    }
    return candidate;
  }

  const std::optional<CandidateResult>& best() const { return best_; }
  /// The model of the candidate trained last.
  const std::shared_ptr<ClassifierImpl>& last() const { return last_; }

  /// The temperature on the validation cells, by the selected model (before any retrain has
  /// seen them); the same temperature serves the retrained and the refit models. Also keeps
  /// each validation cell's predicted class and doubt (the novelty's calibration).
  void calibrate() const {
    const auto n_classes = fitted_.n_classes();
    const auto& on_validation = best_on_validation_;
    fitted_.temperature =
        fit_temperature(on_validation.probabilities, n_classes, validation_truth_);
    const auto calibrated = tempered(on_validation.probabilities, n_classes, fitted_.temperature);
    fitted_.validation_predicted = on_validation.classes;
    for (std::size_t i = 0; i < on_validation.classes.size(); ++i) {
      const auto c = static_cast<std::size_t>(on_validation.classes[i]);
      fitted_.validation_doubt.push_back(1.0F - calibrated[i * n_classes + c]);
    }
  }

 private:
  FittedClassifier& fitted_;
  const FitOptions& options_;
  TrainingOptions& training_;
  const FitCallbacks& callbacks_;
  std::size_t most_candidates_;
  std::vector<std::int32_t> validation_truth_;
  std::optional<CandidateResult> best_;
  Predictions best_on_validation_;        // the selected model's, for its temperature
  std::shared_ptr<ClassifierImpl> last_;  // the last candidate's, for a warm start
};

/// Every class weighting along the penalty path: the strongest penalty first, each weaker one
/// warm-started from the optimum before it (scikit-learn's regularisation path: a few steps
/// each), every run to convergence. Weight decay and class weights are chosen together, by how
/// well the converged models classify the validation cells (classifies_better_or_simpler); the
/// temperature then makes the winner's probabilities honest, so the loss need not choose.
///
/// Class weights must not buy macro-F1 with accuracy: the unweighted path runs first, and a
/// weighted model can win only if it classifies the validation cells at least as accurately,
/// with at least the macro-F1, of the best unweighted one. (On a real imaging panel square-root
/// weights gained 4 points of validation macro-F1 for half a point of accuracy, and lost 1.5
/// points of held-out accuracy; where they rescue a rare type they gain both.)
void search_penalty_paths(FittedClassifier& fitted, const FitOptions& options,
                          TrainingOptions& training, const FitCallbacks& callbacks,
                          const std::vector<double>& decays, std::vector<double> powers) {
  // (when the weight decay is chosen: a given one is trained as asked, to convergence)
  const std::size_t early_stopped =
      options.lbfgs_early_stopping_patience > 0 && decays.size() > 1 ? 1 : 0;
  CandidateSearch search(fitted, options, training, callbacks,
                         decays.size() * powers.size() + early_stopped);
  std::stable_partition(powers.begin(), powers.end(), [](double p) { return p == 0; });
  std::optional<CandidateResult> unweighted;  // the best of the unweighted path
  const auto wins = [&](const CandidateResult& a, const CandidateResult& best) {
    if (a.class_weight_power != 0 && unweighted &&
        (a.validation_accuracy < unweighted->validation_accuracy ||
         a.validation_macro_f1 < unweighted->validation_macro_f1)) {
      return false;
    }
    return classifies_better_or_simpler(a, best);
  };
  // default_weight_decays lists the weakest penalty first
  const std::vector<double> strongest_first(decays.rbegin(), decays.rend());
  // Each path starts from the optimum of the strongest penalty of the path before (other
  // class weights move it little), the first from fresh weights.
  std::shared_ptr<ClassifierImpl> path_start;
  bool separable = false;  // the first path's weakest penalty fits every training cell
  for (const auto power : powers) {
    std::shared_ptr<ClassifierImpl> start = path_start;
    for (const auto decay : strongest_first) {
      const auto candidate = search.train(decay, power, wins, start);
      if (start == path_start) path_start = search.last();
      start = search.last();
      if (power == powers.front()) separable = candidate.train_accuracy == 1.0;
    }
    if (power == 0) unweighted = search.best();
  }
  // Early stopping regularises as a penalty does, differently: a few steps from small weights
  // move along the class-mean differences of many weak markers, which no penalty alone gives
  // (simulated 450 cells x 18,000 genes: 99.6 % held-out accuracy early-stopped, 93 % at any
  // converged penalty). One early-stopped run of the weakest penalty with the first weighting
  // is a candidate too (when the weight decay is chosen) where the training cells are
  // separable, the weakest penalty's optimum classifying every one right: there the weak
  // penalties' optima run towards a maximum margin that many sporadic genes can give, and the
  // path alone regularises poorly. Where they are not (cells far more than weights), the
  // converged optimum is well determined and an early stop is only a noisier fit of it: on the
  // real 76,533-cell panel it won a split by 0.002 of validation macro-F1 and lost 1.3 points
  // of held-out macro-F1. It wins only by classifying the validation cells strictly better.
  if (early_stopped > 0 && separable) {
    training.patience = options.lbfgs_early_stopping_patience;
    training.restore_best_epoch = true;
    search.train(decays.front(), powers.front(), wins);
  }
  training.patience = 0;
  training.restore_best_epoch = false;
  fitted.chosen_by_classification = true;
  search.calibrate();
}

/// Adam (and L-BFGS given a patience): early-stopped runs, the weight decay by validation loss
/// with the first class weights, then the other class weights at it.
void search_by_validation_loss(FittedClassifier& fitted, const FitOptions& options,
                               TrainingOptions& training, const FitCallbacks& callbacks,
                               const std::vector<double>& decays,
                               const std::vector<double>& powers) {
  const auto& sets = fitted.inputs.sets;
  CandidateSearch search(fitted, options, training, callbacks, decays.size() + powers.size() - 1);
  // The weight decay: the lowest validation loss with the first class weights, weakest
  // penalty first. Once a stronger penalty validates worse than a weaker one, the stronger ones
  // are taken to do so too (a validation loss that is unimodal along the path), and are not
  // trained.
  const auto lower_loss = [](const CandidateResult& a, const CandidateResult& b) {
    return a.validation_loss < b.validation_loss;
  };
  for (const auto decay : decays) {
    const auto previous = search.best();
    const auto candidate = search.train(decay, powers.front(), lower_loss);
    if (previous && !lower_loss(candidate, *previous)) break;
  }
  // The other class weights at that weight decay, each kept only if it classifies the
  // validation cells better. Weaker weights first: when they win, stronger ones are taken to
  // lose (the same unimodal path as above) and are not trained.
  const auto chosen_decay = fitted.weight_decay;
  for (std::size_t i = 1; i < powers.size(); ++i) {
    const auto before = fitted.class_weight_power;
    search.train(chosen_decay, powers[i], classifies_better);
    if (fitted.class_weight_power != before && fitted.class_weight_power < powers.front()) break;
  }
  if (sets.validation) search.calibrate();
}

/// fit_classifier with the cells split by `split_seed` (the cross-fitted runs of the doubt
/// calibration split otherwise; everything else comes from options.seed).
FittedClassifier fit_with_split(const std::shared_ptr<const AnnDataSource>& file,
                                const FitOptions& options, const FitCallbacks& callbacks,
                                std::uint64_t split_seed) {
  FittedClassifier fitted;
  const auto* group = options.training.group;
  auto prepare = options.prepare;
  prepare.split_seed = split_seed;
  fitted.inputs = prepare_training_inputs(file, prepare, options.input, options.training.batch_size,
                                          callbacks.on_pass, group);
  // Data-parallel ranks must hold the same cells: a different file or options on one rank
  // would otherwise train on mixed data, or hang in a collective.
  require_same_on_every_rank(rank_share(group), data_fingerprint(fitted.inputs.data),
                             "the cells, classes, split, genes or scaling");
  if (callbacks.on_prepared) callbacks.on_prepared(describe(fitted.inputs, options, file->path()));
  const auto& sets = fitted.inputs.sets;
  auto training = options.training;
  training.shuffle_seed = options.seed;
  training.optimizer = resolve_optimizer(options, fitted.inputs);
  fitted.optimizer = training.optimizer;
  // An L-BFGS run without patience goes to convergence and keeps its optimum; on a matrix too
  // large for many converged fits the selection early-stops instead (FitOptions).
  training.patience = sets.validation ? selection_patience(options, training.optimizer,
                                                           fitted.inputs.stored_bytes / 8)
                                      : patience_for(options, training.optimizer);
  const bool to_convergence = training.optimizer == Optimizer::lbfgs && training.patience == 0;
  training.restore_best_epoch = !to_convergence;
  // Without a validation set there is nothing to choose with: the first candidate is used.
  auto decays = options.weight_decay ? std::vector<double>{*options.weight_decay}
                                     : default_weight_decays(sets.train.input->rows());
  if (!sets.validation) decays.resize(1);
  const auto powers =
      class_weight_candidates(options, fitted.inputs.data, sets.validation.has_value());
  if (to_convergence && sets.validation) {
    search_penalty_paths(fitted, options, training, callbacks, decays, powers);
  } else {
    search_by_validation_loss(fitted, options, training, callbacks, decays, powers);
  }
  // Without held-out cells nothing would measure it (the refit for the saved model is the same).
  // An early-stopped L-BFGS winner is measured as it was selected: its step count does not
  // carry over to another run's path, and its temperature is fitted for it (retrained for the
  // same steps, the 100,000-cell weak-marker file's held-out ECE was 18 %).
  const bool retrain_by_default =
      training.optimizer == Optimizer::lbfgs && fitted.converge_within_steps > 0;
  if (options.retrain_on_training_cells.value_or(retrain_by_default) && sets.validation &&
      sets.test) {
    retrain_on_training_cells(fitted, options, training, callbacks);
  }
  return fitted;
}

}  // namespace

FittedClassifier fit_classifier(const std::shared_ptr<const AnnDataSource>& file,
                                const FitOptions& options, const FitCallbacks& callbacks) {
  return fit_with_split(file, options, callbacks, options.seed);
}

int refit_epochs(const FittedClassifier& selected) {
  return epochs_for(selected, static_cast<std::int64_t>(selected.inputs.data.cells.rows.size()));
}

FittedClassifier refit_classifier(const std::shared_ptr<const AnnDataSource>& file,
                                  const FitOptions& options, const FittedClassifier& selected,
                                  const FitCallbacks& callbacks) {
  auto all = options;
  all.prepare.test_fraction = 0;
  all.prepare.validation_fraction = 0;
  const auto cells = static_cast<std::int64_t>(selected.inputs.data.cells.rows.size());
  all.weight_decay = selected.weight_decay * selected_cells_ratio(selected, cells);
  all.optimizer = selected.optimizer;
  all.class_weight_power = selected.class_weight_power;
  all.training.epochs = epochs_for(selected, cells);
  all.training.patience = 0;
  return fit_classifier(file, all, callbacks);
}

DoubtCalibration doubt_calibration(const std::shared_ptr<const AnnDataSource>& file,
                                   const FitOptions& options, const FittedClassifier& selected) {
  DoubtCalibration out{selected.validation_doubt, selected.validation_predicted, 0};
  const auto have = static_cast<std::int64_t>(out.doubt.size());
  if (have == 0 || have >= kDoubtCalibrationCells) return out;  // none: no validation to mimic
  constexpr double held = 0.2;
  const auto cells = static_cast<std::int64_t>(selected.inputs.data.cells.rows.size());
  const auto per_run = std::max<std::int64_t>(1, static_cast<std::int64_t>(held * cells));
  const auto runs =
      std::min<std::int64_t>(5, (kDoubtCalibrationCells - have + per_run - 1) / per_run);
  auto run = options;
  run.prepare.test_fraction = 0;
  run.prepare.validation_fraction = held;
  const auto trained = cells - per_run;
  run.weight_decay = selected.weight_decay * selected_cells_ratio(selected, trained);
  run.optimizer = selected.optimizer;
  run.class_weight_power = selected.class_weight_power;
  run.training.epochs = epochs_for(selected, trained);
  run.training.patience = 0;
  run.retrain_on_training_cells = false;
  for (std::int64_t r = 0; r < runs; ++r) {
    const auto fitted =
        fit_with_split(file, run, {}, options.seed + 1 + static_cast<std::uint64_t>(r));
    out.doubt.insert(out.doubt.end(), fitted.validation_doubt.begin(),
                     fitted.validation_doubt.end());
    out.predicted.insert(out.predicted.end(), fitted.validation_predicted.begin(),
                         fitted.validation_predicted.end());
    ++out.extra_runs;
  }
  return out;
}

Predictions predict_set(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes,
                        const ProcessGroup* group) {
  const auto outputs = predict_outputs(model, *data.input, group);
  // Read the tensors through their data (per-element item() costs microseconds each).
  const auto predicted = predicted_classes(outputs, n_classes).contiguous();
  const auto probabilities = class_probabilities(outputs, n_classes).contiguous();
  const auto first = probabilities.select(1, 0).contiguous();
  Predictions out;
  out.probabilities.assign(probabilities.data_ptr<float>(),
                           probabilities.data_ptr<float>() + probabilities.numel());
  const auto* p = predicted.data_ptr<std::int64_t>();
  out.classes.assign(p, p + predicted.numel());
  out.probability_of_first.assign(first.data_ptr<float>(), first.data_ptr<float>() + first.numel());
  return out;
}

}  // namespace scgrad

#include <gtest/gtest.h>

#include <algorithm>

#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise.hpp"
#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/simulate/simulate_counts.hpp"
#include "scgrad/train/assemble_model.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/fit_classifier.hpp"
#include "scgrad/train/trainer.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

/// Two well separated groups of 40 cells in 10 dimensions (class 0 first).
LabelledData separable() {
  torch::manual_seed(1);
  auto x = torch::randn({80, 10});
  std::vector<std::int32_t> classes(80, 1);
  std::fill(classes.begin(), classes.begin() + 40, 0);
  x.slice(0, 0, 40).slice(1, 0, 3) += 2.0;
  return {std::make_shared<DenseInput>(scale(x)), targets_tensor(classes, 2)};
}

TEST(Trainer, FullBatchLossFallsAndEpochLossIsThatOfItsForwardPass) {
  const auto data = separable();
  torch::manual_seed(0);
  auto model = make_classifier("logistic", 10);
  const auto before = evaluate(*model, data, 2);
  TrainingOptions options;
  options.epochs = 30;
  options.lr = 1e-2;
  int seen = 0;
  TrainingCallbacks callbacks;
  callbacks.on_epoch = [&](const EpochMetrics&) { ++seen; };
  const auto results = train_classifier(*model, 2, data, std::nullopt, options, callbacks);
  EXPECT_EQ(seen, 30);
  ASSERT_EQ(results.epochs.size(), 30U);
  EXPECT_DOUBLE_EQ(results.epochs.front().train_loss, before.loss);  // epoch 1 = untrained
  EXPECT_LT(results.final_train.loss, 0.75 * before.loss);
  EXPECT_GT(results.final_train.accuracy, 0.9);
  EXPECT_FALSE(results.epochs.front().test_loss.has_value());
  for (std::size_t i = 1; i < results.epochs.size(); ++i) {
    EXPECT_LT(results.epochs[i].train_loss, results.epochs[i - 1].train_loss);
  }
}

TEST(Trainer, MinibatchesAreSeededAndHeldOutMetricsReported) {
  const auto data = separable();
  const auto& x = dynamic_cast<const DenseInput&>(*data.input).x();
  const LabelledData train{std::make_shared<DenseInput>(x.slice(0, 0, 60)),
                           data.targets.slice(0, 0, 60)};
  const LabelledData test{std::make_shared<DenseInput>(x.slice(0, 60)), data.targets.slice(0, 60)};
  TrainingOptions options;
  options.epochs = 5;
  options.lr = 1e-2;
  options.batch_size = 16;
  auto run = [&](std::uint64_t shuffle_seed) {
    options.shuffle_seed = shuffle_seed;
    torch::manual_seed(0);
    auto model = make_classifier("mlp", 10, 8);
    std::int64_t batches = 0;
    TrainingCallbacks callbacks;
    callbacks.on_batch = [&](int, std::int64_t, std::int64_t of) { batches = of; };
    auto results = train_classifier(*model, 2, train, test, options, callbacks);
    EXPECT_EQ(batches, 4);  // ceil(60 / 16)
    return results;
  };
  const auto a = run(3);
  const auto b = run(3);
  const auto c = run(4);
  ASSERT_TRUE(a.epochs.back().test_loss.has_value());
  EXPECT_EQ(a.epochs.back().train_loss, b.epochs.back().train_loss);
  EXPECT_EQ(*a.epochs.back().test_loss, *b.epochs.back().test_loss);
  EXPECT_NE(a.epochs.back().train_loss, c.epochs.back().train_loss);
  EXPECT_DOUBLE_EQ(*a.epochs.back().test_loss, a.final_test->loss);
}

TEST(Trainer, ThreeClassesWithCrossEntropy) {
  torch::manual_seed(2);
  auto x = torch::randn({90, 6});
  std::vector<std::int32_t> classes;
  for (int i = 0; i < 90; ++i) {
    classes.push_back(i / 30);
    x[i][i / 30] += 3.0;
  }
  const LabelledData data{std::make_shared<DenseInput>(scale(x)), targets_tensor(classes, 3)};
  torch::manual_seed(0);
  auto model = make_classifier("logistic", 6, 50, 3);
  TrainingOptions options;
  options.epochs = 50;
  options.lr = 5e-2;
  const auto results = train_classifier(*model, 3, data, std::nullopt, options);
  EXPECT_GT(results.final_train.accuracy, 0.9);
}

TEST(Trainer, DivergenceNamesTheEpoch) {
  auto data = separable();
  auto x = dynamic_cast<const DenseInput&>(*data.input).x().clone();
  x[0][0] = std::numeric_limits<float>::quiet_NaN();
  data.input = std::make_shared<DenseInput>(x);
  auto model = make_classifier("logistic", 10);
  try {
    train_classifier(*model, 2, data, std::nullopt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("epoch 1"), std::string::npos) << e.what();
  }
}

TEST(ClassWeights, BalancedIsScikitLearnsFormulaAndSqrtItsRoot) {
  // n / (K n_c): 6 cells, counts 3, 2, 1 → 6/9, 6/6, 6/3; an absent class weighs 0 and does not
  // count in K.
  const auto w = balanced_class_weights({3, 2, 1});
  EXPECT_DOUBLE_EQ(w[0], 6.0 / 9.0);
  EXPECT_DOUBLE_EQ(w[1], 1.0);
  EXPECT_DOUBLE_EQ(w[2], 2.0);
  EXPECT_EQ(balanced_class_weights({4, 0, 4}), (std::vector<double>{1.0, 0.0, 1.0}));
  // Square root: (n / (K n_c))^0.5 = sqrt(2/3), 1, sqrt(2), scaled so the 6 cells average 1.
  const auto r = balanced_class_weights({3, 2, 1}, 0.5);
  const double scale = 6 / (3 * std::sqrt(2.0 / 3) + 2 * 1.0 + 1 * std::sqrt(2.0));
  EXPECT_NEAR(r[0], std::sqrt(2.0 / 3) * scale, 1e-12);
  EXPECT_NEAR(r[1], 1.0 * scale, 1e-12);
  EXPECT_NEAR(r[2], std::sqrt(2.0) * scale, 1e-12);
  EXPECT_NEAR(3 * r[0] + 2 * r[1] + r[2], 6.0, 1e-12);
}

TEST(ClassWeights, WeightedLossIsTheMeanOfWeightedCellLossesByHand) {
  // Cross-entropy, 3 classes, 3 cells: (1/n) Σ w[y_i] · (−log softmax(z_i)[y_i]).
  const auto logits = torch::tensor({{2.0F, 0.0F, 0.0F}, {0.0F, 1.0F, 0.0F}, {0.5F, 0.5F, 0.5F}});
  const auto y = torch::tensor({0, 1, 2}, torch::kInt64);
  auto nll = [](const std::vector<double>& z, int k) {
    double sum = 0;
    for (const auto v : z) sum += std::exp(v);
    return -(z[static_cast<std::size_t>(k)] - std::log(sum));
  };
  const double expected =
      (0.5 * nll({2, 0, 0}, 0) + 1.0 * nll({0, 1, 0}, 1) + 3.0 * nll({0.5, 0.5, 0.5}, 2)) / 3;
  const auto loss = classification_loss(logits, y, 3, torch::tensor({0.5F, 1.0F, 3.0F}));
  EXPECT_NEAR(loss.item<double>(), expected, 1e-6);
  // Not PyTorch's weighted mean, which would divide by Σ w[y_i] = 4.5 instead of 3.
  EXPECT_GT(std::abs(loss.item<double>() - expected * 3 / 4.5), 1e-3);
  // Equal weights of 1 give the unweighted loss.
  EXPECT_NEAR(classification_loss(logits, y, 3, torch::ones({3})).item<double>(),
              classification_loss(logits, y, 3).item<double>(), 1e-7);

  // Two classes (BCE): target 1 = class 0, weighted by w[0]; target 0 by w[1].
  const auto p = torch::tensor({{0.8F}, {0.3F}});
  const auto t = torch::tensor({{1.0F}, {0.0F}});
  const double bce = (2.0 * -std::log(0.8) + 0.25 * -std::log(1 - 0.3)) / 2;
  EXPECT_NEAR(classification_loss(p, t, 2, torch::tensor({2.0F, 0.25F})).item<double>(), bce, 1e-6);
}

/// Three classes in 8 dimensions, noisy enough that a validation loss has a minimum.
TrainingSets noisy_sets() {
  torch::manual_seed(3);
  auto make = [](std::int64_t n) {
    auto x = torch::randn({n, 8});
    std::vector<std::int32_t> classes;
    for (std::int64_t i = 0; i < n; ++i) {
      classes.push_back(static_cast<std::int32_t>(i % 3));
      x[i][i % 3] += 0.7;
    }
    return LabelledData{std::make_shared<DenseInput>(x), targets_tensor(classes, 3)};
  };
  auto train = make(60);
  auto validation = make(60);
  return {train, validation, std::nullopt};
}

TEST(EarlyStopping, RestoresTheBestEpochsWeightsExactly) {
  const auto sets = noisy_sets();
  TrainingOptions options;
  options.epochs = 200;
  options.lr = 5e-2;
  options.batch_size = 16;
  options.patience = 5;
  torch::manual_seed(0);
  auto model = make_classifier("mlp", 8, 32, 3);
  std::vector<std::vector<torch::Tensor>> weights_after_epoch;
  TrainingCallbacks callbacks;
  callbacks.on_epoch = [&](const EpochMetrics&) {
    std::vector<torch::Tensor> copy;
    for (const auto& p : model->parameters()) copy.push_back(p.detach().clone());
    weights_after_epoch.push_back(copy);
  };
  const auto results = train_classifier(*model, 3, sets, options, callbacks);
  // Overfitting 60 noisy cells with lr 0.05: the validation loss turns up and training stops.
  ASSERT_TRUE(results.stopped_early);
  ASSERT_LT(results.best_epoch, static_cast<int>(results.epochs.size()));
  EXPECT_EQ(static_cast<int>(results.epochs.size()), results.best_epoch + options.patience);
  // The best epoch has the lowest validation loss of all epochs...
  const auto best = static_cast<std::size_t>(results.best_epoch - 1);
  for (const auto& e : results.epochs)
    EXPECT_GE(*e.validation_loss, *results.epochs[best].validation_loss);
  // ...and the model ends with exactly that epoch's weights, not the last epoch's.
  const auto parameters = model->parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    EXPECT_TRUE(torch::equal(parameters[i], weights_after_epoch[best][i]));
    EXPECT_FALSE(torch::equal(parameters[i], weights_after_epoch.back()[i]));
  }
  EXPECT_EQ(results.final_validation->loss, *results.epochs[best].validation_loss);

  // One learning-rate reduction: where patience ran out, training goes on from the best
  // weights with lr / 10 instead of stopping.
  options.lr_reductions = 1;
  torch::manual_seed(0);
  auto reduced = make_classifier("mlp", 8, 32, 3);
  const auto longer = train_classifier(*reduced, 3, sets, options);
  options.lr_reductions = 0;
  EXPECT_EQ(longer.lr_reductions, 1);
  EXPECT_GT(longer.epochs.size(), results.epochs.size());
  for (std::size_t e = 0; e < results.epochs.size(); ++e) {  // the same path up to the stop
    EXPECT_EQ(longer.epochs[e].train_loss, results.epochs[e].train_loss);
  }
  EXPECT_LE(longer.final_validation->loss, results.final_validation->loss);

  // patience 0: every epoch is trained; the best is still restored.
  options.patience = 0;
  options.epochs = results.best_epoch + 8;
  torch::manual_seed(0);
  auto again = make_classifier("mlp", 8, 32, 3);
  const auto full = train_classifier(*again, 3, sets, options);
  EXPECT_EQ(static_cast<int>(full.epochs.size()), options.epochs);
  EXPECT_FALSE(full.stopped_early);
  EXPECT_EQ(full.best_epoch, results.best_epoch);  // same seeds, same path
}

TEST(WeightDecay, DefaultGridIsScikitLearnsCScaledByCells) {
  const auto grid = default_weight_decays(1000);
  ASSERT_EQ(grid.size(), 3U);
  EXPECT_DOUBLE_EQ(grid[0], 1.0 / 1000);  // C = 1 first
  EXPECT_DOUBLE_EQ(grid[1], 1.0 / (0.1 * 1000));
  EXPECT_DOUBLE_EQ(grid[2], 1.0 / (0.01 * 1000));
}

TEST(WeightDecay, PenalisesWeightsNotBiases) {
  // One Adam step with a huge weight decay against the same step without: the decay term
  // dominates every weight's gradient (|w| shrinks by exactly lr), while the bias takes the
  // same step as without decay, as scikit-learn leaves the intercept unpenalised.
  const auto data = separable();
  TrainingOptions options;
  options.epochs = 1;
  options.lr = 1e-3;
  auto one_step = [&](double weight_decay) {
    options.weight_decay = weight_decay;
    torch::manual_seed(0);
    auto model = make_classifier("logistic", 10);
    train_classifier(*model, 2, data, std::nullopt, options);
    return model;
  };
  torch::manual_seed(0);
  // parameters(): the first layer's weight, then its bias
  const auto initial = make_classifier("logistic", 10)->parameters()[0].detach().clone();
  const auto decayed = one_step(1e6)->parameters();
  const auto plain = one_step(0)->parameters();
  EXPECT_TRUE(torch::allclose(decayed[0].abs(), initial.abs() - 1e-3, 0, 1e-6));
  EXPECT_TRUE(torch::equal(decayed[1], plain[1]));
  EXPECT_FALSE(torch::equal(decayed[0], plain[0]));
}

TEST(FitClassifier, ChoosesOnValidationOnlyAndRefitsOnEveryCell) {
  test::TempDir dir;
  const auto file = std::make_shared<const H5adFile>(test::simulated_file(dir, 600, 200, 3));
  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  options.training.epochs = 30;
  options.optimizer = Optimizer::adam;  // the steps-equal refit (L-BFGS: the test below)
  std::vector<double> tried;
  FitCallbacks callbacks;
  callbacks.on_candidate = [&](const CandidateResult& c, std::size_t, std::size_t) {
    tried.push_back(c.weight_decay);
  };
  const auto selected = fit_classifier(file, options, callbacks);
  const auto& split = selected.inputs.data.split;
  ASSERT_FALSE(split.validation.empty());
  ASSERT_FALSE(split.test.empty());
  // The grid is scaled by the cells the runs train on; the winner has the lowest validation loss.
  const auto grid = default_weight_decays(static_cast<std::int64_t>(fit_cells(split).size()));
  ASSERT_GE(tried.size(), 2U);
  for (std::size_t i = 0; i < tried.size(); ++i) EXPECT_DOUBLE_EQ(tried[i], grid[i]);
  for (const auto& c : selected.candidates) {
    EXPECT_GE(c.validation_loss, selected.results.final_validation->loss);
  }
  EXPECT_EQ(selected.results.final_validation->loss,
            *selected.results.epochs[static_cast<std::size_t>(selected.results.best_epoch - 1)]
                 .validation_loss);
  EXPECT_EQ(selected.class_weights.size(), 8U);
  EXPECT_FALSE(selected.retrained.has_value());  // Adam: the selection run's model is measured

  const auto refit = refit_classifier(file, options, selected);
  EXPECT_EQ(refit.inputs.sets.train.input->rows(), 600);  // every selected cell
  EXPECT_FALSE(refit.inputs.sets.validation.has_value());
  EXPECT_FALSE(refit.inputs.sets.test.has_value());
  // λ = 1/(C n): the same C on 600 cells
  EXPECT_DOUBLE_EQ(refit.weight_decay,
                   selected.weight_decay * static_cast<double>(fit_cells(split).size()) / 600.0);
  EXPECT_EQ(static_cast<int>(refit.results.epochs.size()), refit_epochs(selected));
  EXPECT_EQ(refit_epochs(selected),
            std::max(1, static_cast<int>(std::lround(selected.results.best_epoch *
                                                     static_cast<double>(fit_cells(split).size()) /
                                                     600.0))));
}

TEST(FitClassifier, ConvergedRunsChooseWeightDecayAndClassWeightsTogether) {
  test::TempDir dir;
  SimulateOptions simulate;
  simulate.cells = 2000;  // many cells, few genes: the shape where class weights cost
  simulate.genes = 40;
  simulate.seed = 5;
  simulate.marker_fold = 1.5;  // overlapping types: no penalty fits every training cell
  simulate.markers_per_type = 3;
  simulate.cell_types = {"A", "B", "C", "D"};
  simulate.proportions = {0.7, 0.2, 0.06, 0.04};
  simulate_h5ad(dir.file("rare.h5ad"), simulate);
  const auto file = std::make_shared<const H5adFile>(dir.file("rare.h5ad"));
  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  ASSERT_FALSE(options.class_weight_power.has_value());  // chosen by default
  const auto selected = fit_classifier(file, options);
  ASSERT_EQ(selected.optimizer, Optimizer::lbfgs);
  // Every class weighting along the whole penalty path, strongest penalty first.
  const auto decays = default_weight_decays(
      static_cast<std::int64_t>(fit_cells(selected.inputs.data.split).size()));
  const std::vector<double> powers = {0.0, 0.5, 1.0};  // the unweighted path first
  const auto& tried = selected.candidates;
  // 2,000 cells, 40 genes: not separable (the weakest penalty's optimum misclassifies some
  // training cells), so no early-stopped candidate: only the converged paths.
  ASSERT_GE(tried.size(), decays.size());
  EXPECT_LT(tried[decays.size() - 1].train_accuracy, 1.0);
  ASSERT_EQ(tried.size(), decays.size() * powers.size());
  for (std::size_t p = 0; p < powers.size(); ++p) {
    for (std::size_t d = 0; d < decays.size(); ++d) {  // the converged paths
      const auto& c = tried[p * decays.size() + d];
      EXPECT_EQ(c.class_weight_power, powers[p]);
      EXPECT_DOUBLE_EQ(c.weight_decay, decays[decays.size() - 1 - d]);
      // run to convergence, its last step kept
      EXPECT_TRUE(c.converged);
      EXPECT_EQ(c.best_epoch, c.epochs_trained);
      EXPECT_LT(c.epochs_trained, options.training.epochs);
      EXPECT_GT(c.validation_log_loss, 0);
    }
  }
  // The winner classifies the validation cells best; ties go to the stronger penalty, then to
  // the candidate trained first.
  const auto better = [](const CandidateResult& a, const CandidateResult& b) {
    const double sa = a.validation_accuracy + a.validation_macro_f1;
    const double sb = b.validation_accuracy + b.validation_macro_f1;
    return sa != sb ? sa > sb : a.weight_decay > b.weight_decay;
  };
  // Class weights may not cost validation accuracy or macro-F1 against the best unweighted model.
  const auto unweighted = tried.begin() + static_cast<std::ptrdiff_t>(decays.size());
  const auto& plain = *std::min_element(tried.begin(), unweighted, better);
  std::vector<CandidateResult> eligible(tried.begin(), unweighted);
  for (auto c = unweighted; c != tried.end(); ++c) {  // the weighted ones, then early-stopped
    if (c->validation_accuracy >= plain.validation_accuracy &&
        c->validation_macro_f1 >= plain.validation_macro_f1) {
      eligible.push_back(*c);
    }
  }
  const auto& best = *std::min_element(eligible.begin(), eligible.end(), better);
  EXPECT_EQ(selected.weight_decay, best.weight_decay);
  EXPECT_EQ(selected.class_weight_power, best.class_weight_power);
  EXPECT_EQ(selected.class_weights.empty(), best.class_weight_power == 0.0);
  EXPECT_EQ(selected.converge_within_steps, options.training.epochs);  // a converged winner
  // The candidates do differ: validation chose among different models.
  EXPECT_NE(tried.front().validation_log_loss, tried.back().validation_log_loss);
  const auto refit = refit_classifier(file, options, selected);
  EXPECT_EQ(refit.class_weight_power, selected.class_weight_power);
  EXPECT_EQ(refit.candidates.size(), 1U);  // the refit chooses nothing

  // Given class weights, or classes of near-equal size, one weighting's path only.
  options.class_weight_power = 1.0;
  for (const auto& c : fit_classifier(file, options).candidates) {
    EXPECT_EQ(c.class_weight_power, 1.0);
  }
  options.class_weight_power.reset();
  const auto equal = std::make_shared<const H5adFile>(test::simulated_file(dir, 600, 200, 3));
  const auto equal_fit = fit_classifier(equal, options);
  // 600 cells, 200 genes: separable, the weakest penalty fits every training cell; then one
  // early-stopped run of the weakest penalty is a candidate too, last.
  const auto& equal_tried = equal_fit.candidates;
  ASSERT_EQ(equal_tried.size(), decays.size() + 1);
  EXPECT_EQ(equal_tried[decays.size() - 1].train_accuracy, 1.0);
  for (const auto& c : equal_tried) EXPECT_EQ(c.class_weight_power, 0.5);
  EXPECT_FALSE(equal_tried.back().converged);
  EXPECT_EQ(equal_tried.back().weight_decay, equal_tried[decays.size() - 1].weight_decay);
  EXPECT_LE(equal_tried.back().best_epoch, equal_tried.back().epochs_trained);

  // A warm start reaches the optimum a cold start reaches, in fewer steps (here 2 against 4).
  const auto& warm = equal_fit.candidates[decays.size() - 1];  // the weakest, warm-started
  auto alone = options;
  alone.weight_decay = warm.weight_decay;
  alone.class_weight_power = warm.class_weight_power;
  const auto cold = fit_classifier(equal, alone);
  ASSERT_EQ(cold.candidates.size(), 1U);
  EXPECT_NEAR(cold.candidates[0].validation_log_loss, warm.validation_log_loss, 1e-3);
  EXPECT_LT(warm.epochs_trained, cold.candidates[0].epochs_trained);
}

TEST(FitClassifier, WithAPatienceLbfgsIsEarlyStoppedAndChosenByValidationLoss) {
  test::TempDir dir;
  const auto file = std::make_shared<const H5adFile>(test::simulated_file(dir, 600, 200, 3));
  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  options.lbfgs_patience = 3;  // the earlier default
  const auto selected = fit_classifier(file, options);
  ASSERT_EQ(selected.optimizer, Optimizer::lbfgs);
  EXPECT_EQ(selected.converge_within_steps, 0);
  const auto& best = *std::min_element(
      selected.candidates.begin(), selected.candidates.end(),
      [](const auto& a, const auto& b) { return a.validation_loss < b.validation_loss; });
  EXPECT_EQ(selected.weight_decay, best.weight_decay);
  for (const auto& c : selected.candidates) EXPECT_FALSE(c.converged);
}

TEST(FitClassifier, AboveTheEntryBudgetLbfgsEarlyStopsAndMeasuresTheSelectedModel) {
  test::TempDir dir;
  const auto file = std::make_shared<const H5adFile>(test::simulated_file(dir, 600, 200, 3));
  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  options.converge_up_to_entries = 0;  // every matrix is "large"
  const auto selected = fit_classifier(file, options);
  ASSERT_EQ(selected.optimizer, Optimizer::lbfgs);
  EXPECT_EQ(selected.converge_within_steps, 0);
  EXPECT_FALSE(selected.chosen_by_classification);
  for (const auto& c : selected.candidates) EXPECT_FALSE(c.converged);
  // The early-stopped winner is measured as selected: its temperature is fitted for it.
  EXPECT_FALSE(selected.retrained.has_value());
  EXPECT_EQ(&selected.measured(), &selected.results);
  EXPECT_EQ(refit_epochs(selected), selected.results.best_epoch);
  // Within the budget: converged paths, chosen by classification, the winner retrained.
  options.converge_up_to_entries = std::int64_t{1} << 40;
  options.lbfgs_early_stopping_patience = 0;
  const auto converged = fit_classifier(file, options);
  EXPECT_TRUE(converged.chosen_by_classification);
  EXPECT_GT(converged.converge_within_steps, 0);
  EXPECT_TRUE(converged.retrained.has_value());
}

TEST(FitClassifier, LbfgsRetrainsOnAllTrainingCellsBeforeTheHeldOutCells) {
  test::TempDir dir;
  const auto file = std::make_shared<const H5adFile>(test::simulated_file(dir, 600, 200, 3));
  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  options.training.epochs = 30;
  options.lbfgs_early_stopping_patience = 0;  // converged candidates only: one is retrained
  int retrain_epochs = 0;
  FitCallbacks callbacks;
  callbacks.on_retrain = [&](double, int epochs) { retrain_epochs = epochs; };
  const auto selected = fit_classifier(file, options, callbacks);
  ASSERT_EQ(selected.optimizer, Optimizer::lbfgs);  // the logistic model's default
  const auto& split = selected.inputs.data.split;
  ASSERT_TRUE(selected.retrained.has_value());
  // Full-batch steps to convergence, within the selection's limit, on train + validation cells.
  EXPECT_EQ(selected.converge_within_steps, options.training.epochs);
  EXPECT_EQ(retrain_epochs, options.training.epochs);
  EXPECT_TRUE(selected.retrained->converged);
  EXPECT_LE(static_cast<int>(selected.retrained->epochs.size()), retrain_epochs);
  EXPECT_FALSE(selected.retrained->final_validation.has_value());
  ASSERT_TRUE(selected.measured().final_test.has_value());
  EXPECT_EQ(&selected.measured(), &*selected.retrained);
  // The measured model is the retrained one: its held-out loss is what evaluate() gives.
  const auto again = evaluate(*selected.model, *selected.inputs.sets.test, selected.n_classes(),
                              selected.class_weights);
  EXPECT_NEAR(again.accuracy, selected.measured().final_test->accuracy, 1e-9);
  EXPECT_GT(split.train.size(), fit_cells(split).size());

  const auto refit = refit_classifier(file, options, selected);
  EXPECT_EQ(refit.optimizer, Optimizer::lbfgs);
  EXPECT_EQ(refit_epochs(selected), options.training.epochs);
  EXPECT_TRUE(refit.results.converged);
  EXPECT_LT(static_cast<int>(refit.results.epochs.size()), refit_epochs(selected));

  // The saved file: the refit's weights, the measured model's held-out figures, valid.
  const auto doubt = doubt_calibration(file, options, selected);
  const auto saved = assemble_fitted_model(refit, selected, options, *file, doubt);
  EXPECT_NO_THROW(validate_fitted_model(saved, "m.h5"));
  EXPECT_EQ(saved.training_numbers.at("refit"), 1);
  EXPECT_EQ(saved.training_numbers.at("saved_model_cells"), 600);
  EXPECT_EQ(saved.training_numbers.at("final_test_accuracy"),
            selected.measured().final_test->accuracy);
  EXPECT_EQ(saved.training_strings.at("class_weight"), "sqrt");
  EXPECT_EQ(saved.training_strings.at("optimizer"), "lbfgs");
  // The novelty reference: profiles of every class, the deviance calibrated on the refit's
  // cells (every selected cell), the doubt on the selected model's validation cells and, as
  // they are fewer than kDoubtCalibrationCells, on the cross-fitted runs' held-out fifths.
  ASSERT_FALSE(saved.novelty.empty());
  EXPECT_EQ(saved.novelty.profiles.n_types(), selected.n_classes());
  std::int64_t deviance_cells = 0, doubt_cells = 0;
  for (const auto n : saved.novelty.deviance_cells) deviance_cells += n;
  for (const auto n : saved.novelty.doubt_cells) doubt_cells += n;
  EXPECT_EQ(deviance_cells, 600);
  EXPECT_EQ(selected.validation_doubt.size(), split.validation.size());
  ASSERT_LT(split.validation.size(), static_cast<std::size_t>(kDoubtCalibrationCells));
  EXPECT_EQ(doubt.extra_runs, 5);  // 120 cells a run: 5 runs, the most
  EXPECT_EQ(doubt.doubt.size(), split.validation.size() + 5 * 120);
  EXPECT_EQ(doubt_cells, static_cast<std::int64_t>(doubt.doubt.size()));
  for (const auto d : doubt.doubt) {
    EXPECT_GE(d, 0);
    EXPECT_LE(d, 1);
  }
  EXPECT_EQ(
      assemble_fitted_model(selected, selected, options, *file, doubt).training_numbers.at("refit"),
      0);
}

TEST(ConcatenatedInput, BatchesFollowTheRowsAskedFor) {
  torch::manual_seed(0);
  const auto a = torch::randn({5, 4});
  const auto b = torch::randn({3, 4});
  const ConcatenatedInput both(std::make_shared<DenseInput>(a), std::make_shared<DenseInput>(b));
  auto model = make_classifier("logistic", 4, 0, 3);
  EXPECT_EQ(both.rows(), 8);
  const auto all = torch::cat({a, b}, 0);
  const auto expected = model->forward(all);
  EXPECT_TRUE(torch::allclose(model->forward(both.batch()), expected));
  const std::vector<std::int64_t> rows{6, 0, 7, 2, 5};  // mixed parts, out of order
  const auto got = model->forward(both.batch(&rows));
  EXPECT_TRUE(torch::allclose(got, expected.index_select(0, torch::tensor(rows))));
  Random random(1);
  std::vector<std::int64_t> seen;
  for (const auto& batch : both.epoch_batches(random, 3)) {
    seen.insert(seen.end(), batch.begin(), batch.end());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Exercise, AnswersFromMeasuredNumbers) {
  test::TempDir dir;
  PrepareOptions prepare;
  prepare.classes = {"Astrocytes", "Glioblasts"};
  const auto data = prepare_data(H5adFile(test::simulated_file(dir, 400, 300)), prepare);
  const auto report = run_exercise(data, ExerciseOptions{});

  // 2.2: only step() moves the weights; backward() produced gradients.
  ASSERT_EQ(report.weight_changes.size(), 6U);
  for (const auto& w : report.weight_changes) {
    if (w.step == "step") {
      EXPECT_GT(w.max_abs_change, 0) << w.step;
    } else {
      EXPECT_EQ(w.max_abs_change, 0) << w.step;
    }
  }
  EXPECT_GT(report.max_gradient_after_backward, 0);

  // 2.3: three runs of 10 epochs; the layer list is the two-layer model, so identical numbers.
  ASSERT_EQ(report.runs.size(), 3U);
  for (const auto& run : report.runs) EXPECT_EQ(run.losses.size(), 10U);
  EXPECT_EQ(report.runs[1].losses, report.runs[2].losses);
  EXPECT_DOUBLE_EQ(report.runs[0].losses.front(), report.runs[0].loss_before);

  // 2.1: X is scaled (mean 0), Y is 0/1, and the shapes are those of the data.
  const auto& x = report.objects[2];
  EXPECT_EQ(x.object, "X (scaled)");
  EXPECT_EQ(x.shape, (std::vector<std::int64_t>{data.log_cpm.n_rows, data.log_cpm.n_cols}));
  EXPECT_LT(x.min, 0);
  EXPECT_EQ(report.objects[3].min, 0);
  EXPECT_EQ(report.objects[3].max, 1);

  EXPECT_TRUE(std::any_of(report.weight_changes.begin(), report.weight_changes.end(),
                          [](const auto& w) { return w.step == "zero_grad"; }));
  EXPECT_EQ(report.runs[1].name, "mlp");
  EXPECT_EQ(report.runs[1].losses.size(), 10U);
  EXPECT_EQ(report.objects[0].object, "data (counts, after filtering)");
}

}  // namespace
}  // namespace scgrad

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/dense_tensors.hpp"
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

  const auto j = nlohmann::json::parse(exercise_report_json(report));
  EXPECT_TRUE(j["exercise_2_2"].contains("zero_grad"));
  EXPECT_EQ(j["exercise_2_3"]["mlp"]["losses"].size(), 10U);
  EXPECT_EQ(j["exercise_2_1"][0]["object"], "data (counts, after filtering)");
}

}  // namespace
}  // namespace scgrad

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/simulate/simulate_counts.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/train/full_batch_training.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

/// Two well separated groups of 40 cells in 10 dimensions.
std::pair<torch::Tensor, torch::Tensor> separable() {
  torch::manual_seed(1);
  auto x = torch::randn({80, 10});
  auto y = torch::zeros({80, 1});
  y.slice(0, 0, 40).fill_(1);
  x.slice(0, 0, 40).slice(1, 0, 3) += 2.0;
  return {scale(x), y};
}

TEST(FullBatchTraining, LossFallsAndEpochLossIsThatOfItsForwardPass) {
  const auto [x, y] = separable();
  torch::manual_seed(0);
  auto model = make_classifier("logistic", 10);
  const auto before = evaluate(*model, x, y);
  TrainingOptions options;
  options.epochs = 30;
  options.lr = 1e-2;
  int seen = 0;
  const auto results =
      train_full_batch(*model, x, y, options, [&](const EpochMetrics&) { ++seen; });
  EXPECT_EQ(seen, 30);
  ASSERT_EQ(results.epochs.size(), 30U);
  EXPECT_DOUBLE_EQ(results.epochs.front().loss, before.loss);  // epoch 1 = untrained weights
  EXPECT_LT(results.final_loss, 0.75 * before.loss);
  EXPECT_GT(results.final_accuracy, 0.9);
  for (std::size_t i = 1; i < results.epochs.size(); ++i) {
    EXPECT_LT(results.epochs[i].loss, results.epochs[i - 1].loss);
  }
}

TEST(FullBatchTraining, DivergenceNamesTheEpoch) {
  auto [x, y] = separable();
  x[0][0] = std::numeric_limits<float>::quiet_NaN();
  auto model = make_classifier("logistic", 10);
  try {
    train_full_batch(*model, x, y);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("epoch 1"), std::string::npos) << e.what();
  }
}

TEST(Exercise, AnswersFromMeasuredNumbers) {
  test::TempDir dir;
  SimulateOptions sim;
  sim.cells = 400;
  sim.genes = 300;
  simulate_h5ad(dir.file("sim.h5ad"), sim);
  PrepareOptions prepare;
  prepare.classes = {"Astrocytes", "Glioblasts"};
  const auto data = prepare_data(H5adFile(dir.file("sim.h5ad")), prepare);
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

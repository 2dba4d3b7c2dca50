#include "scgrad/train/class_attribution.hpp"

#include <gtest/gtest.h>

#include "scgrad/infer/dense_tensors.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

/// A random sparse log-CPM matrix (about a third of the entries stored).
std::shared_ptr<const CsrMatrix> random_log_cpm(std::int64_t rows, std::int64_t cols,
                                                unsigned seed) {
  return test::random_csr(rows, cols, seed, 3, 0.1F, 3.0F);
}

struct Fixture {
  std::shared_ptr<const CsrMatrix> log_cpm = random_log_cpm(40, 6, 1);
  torch::Tensor mean = torch::rand({6}) + 0.5;
  torch::Tensor sd = torch::rand({6}) + 0.5;
  std::vector<std::int32_t> classes;
  explicit Fixture(std::int32_t k) {
    for (std::int32_t i = 0; i < 40; ++i) classes.push_back(i % k);
  }
  /// Per class, the mean log-CPM of its cells over the SD (classes × genes).
  torch::Tensor mean_expression_over_sd(std::int64_t k) const {
    const auto x = to_dense_tensor(*log_cpm);
    auto out = torch::zeros({k, 6});
    for (std::int64_t c = 0; c < k; ++c) {
      std::vector<std::int64_t> rows;
      for (std::size_t i = 0; i < classes.size(); ++i) {
        if (classes[i] == c) rows.push_back(static_cast<std::int64_t>(i));
      }
      out[c] = x.index_select(0, torch::tensor(rows)).mean(0) / sd;
    }
    return out;
  }
};

TEST(ClassAttribution, LogisticIsTheCentredWeightTimesTheClassMeanExpression) {
  torch::manual_seed(3);
  Fixture f(3);
  LogisticClassifier model(6, 3);
  model.set_input_scaling(f.mean, f.sd);
  const auto a = class_attributions(model, SparseInput(f.log_cpm), f.classes, 3, f.mean, f.sd);
  const auto w = model.linear1->weight.detach();
  const auto expected = (w - w.mean(0, true)) * f.mean_expression_over_sd(3);
  EXPECT_TRUE(torch::allclose(a, expected, 1e-4, 1e-5)) << a << '\n' << expected;
}

TEST(ClassAttribution, TwoClassesTakeTheLogOddsWithOppositeSigns) {
  torch::manual_seed(4);
  Fixture f(2);
  LogisticClassifier model(6, 1);  // a sigmoid output: the attribution differentiates its logit
  model.set_input_scaling(f.mean, f.sd);
  const auto a = class_attributions(model, SparseInput(f.log_cpm), f.classes, 2, f.mean, f.sd);
  const auto w = model.linear1->weight.detach();  // 1 × genes
  const auto expected = torch::cat({w, -w}, 0) * f.mean_expression_over_sd(2);
  EXPECT_TRUE(torch::allclose(a, expected, 1e-4, 1e-5)) << a << '\n' << expected;
}

TEST(ClassAttribution, DenseAndSparseCellsAndSplitInputsAgree) {
  torch::manual_seed(5);
  Fixture f(3);
  auto model = make_classifier("linear:5,relu,dropout:0.5,linear:3", 6, 50, 3);
  model->set_input_scaling(f.mean, f.sd);
  model->train();
  const auto sparse =
      class_attributions(*model, SparseInput(f.log_cpm), f.classes, 3, f.mean, f.sd);
  // The exercise's dense path: the same cells, scaled.
  const auto dense_x = (to_dense_tensor(*f.log_cpm) - f.mean) / f.sd;
  const auto dense = class_attributions(*model, DenseInput(dense_x), f.classes, 3, f.mean, f.sd);
  EXPECT_TRUE(torch::allclose(sparse, dense, 1e-4, 1e-6));
  // Two inputs as one: the visit's row offsets pick each cell's class.
  std::vector<std::int64_t> first(25), second(15);
  std::iota(first.begin(), first.end(), 0);
  std::iota(second.begin(), second.end(), 25);
  const ConcatenatedInput both(
      std::make_shared<DenseInput>(dense_x.index_select(0, torch::tensor(first))),
      std::make_shared<DenseInput>(dense_x.index_select(0, torch::tensor(second))));
  const auto split = class_attributions(*model, both, f.classes, 3, f.mean, f.sd);
  EXPECT_TRUE(torch::allclose(split, dense, 1e-4, 1e-6));
  // Dropout was off (else the two runs would differ), the mode is back, no gradient was left.
  EXPECT_TRUE(model->is_training());
  for (const auto& p : model->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(ClassAttribution, AClassWithoutCellsGetsZeros) {
  torch::manual_seed(6);
  Fixture f(2);  // classes 0 and 1 only, of 3
  LogisticClassifier model(6, 3);
  model.set_input_scaling(f.mean, f.sd);
  const auto a = class_attributions(model, SparseInput(f.log_cpm), f.classes, 3, f.mean, f.sd);
  EXPECT_EQ(a[2].abs().sum().item<float>(), 0.0F);
  EXPECT_GT(a[0].abs().sum().item<float>(), 0.0F);
  EXPECT_THROW(class_attributions(model, SparseInput(f.log_cpm), {0, 1}, 3, f.mean, f.sd),
               std::invalid_argument);
}

}  // namespace
}  // namespace scgrad

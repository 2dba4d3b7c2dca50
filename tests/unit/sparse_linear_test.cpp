// The sparse first layer against the dense computation it replaces: outputs and gradients.

#include "scgrad/model/sparse_linear.hpp"

#include <gtest/gtest.h>

#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/infer/model_input.hpp"
#include "scgrad/model/classifier.hpp"
#include "scgrad/model/input_linear.hpp"

namespace scgrad {
namespace {

/// A random sparse matrix (about 30 % nonzero) as CSR and as a dense tensor.
std::pair<CsrMatrix, torch::Tensor> random_sparse(std::int64_t rows, std::int64_t cols) {
  torch::manual_seed(3);
  auto dense =
      torch::rand({rows, cols}) * (torch::rand({rows, cols}) < 0.3).to(torch::kFloat32) * 5;
  CsrMatrix m;
  m.n_rows = rows;
  m.n_cols = cols;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      const float v = dense[r][c].item<float>();
      if (v != 0) {
        m.indices.push_back(static_cast<std::int32_t>(c));
        m.data.push_back(v);
      }
    }
    m.indptr.push_back(static_cast<std::int64_t>(m.data.size()));
  }
  return {m, dense};
}

// Widths for every kernel path: 1 (the logistic dot product), under one vector, a partial
// vector, one full tile of 64, and several tiles with a partial last one.
TEST(SparseLinear, MatmulAndItsGradientEqualDenseAtEveryWidth) {
  const auto [m, dense] = random_sparse(37, 23);
  for (const std::int64_t h : {1, 5, 8, 50, 64, 131}) {
    auto v = torch::randn({h, 23}, torch::requires_grad());
    const auto y = sparse_matmul(csr_view(std::make_shared<const CsrMatrix>(m)), v);
    EXPECT_TRUE(torch::allclose(y, torch::mm(dense, v.t()), 1e-5, 1e-5)) << "h = " << h;
    const auto g = torch::randn({37, h});
    (y * g).sum().backward();
    EXPECT_TRUE(torch::allclose(v.grad(), torch::mm(g.t(), dense), 1e-4, 1e-4)) << "h = " << h;
  }
}

// The backward product's work is split by rows (a buffer per part), by columns, or both,
// depending on the entries and the threads: every split gives Gᵀ · X. 2,000 rows make the
// per-part buffers worth it (several parts); 37 rows share one buffer's columns.
TEST(SparseLinear, TransposedProductEqualsDenseForEveryThreadCountAndSplit) {
  const auto threads_before = at::get_num_threads();
  for (const std::int64_t rows : {37, 2000}) {
    const auto [m, dense] = random_sparse(rows, 23);
    const auto x = csr_view(std::make_shared<const CsrMatrix>(m));
    for (const std::int64_t h : {1, 5, 50, 131}) {
      const auto g = torch::randn({rows, h});
      const auto expected = torch::mm(dense.t(), g);
      for (const int threads : {1, 2, 3, 5}) {
        at::set_num_threads(threads);
        EXPECT_TRUE(torch::allclose(csr_transpose_times_dense(x, g), expected, 1e-4, 1e-3))
            << rows << " rows, h = " << h << ", " << threads << " threads";
      }
    }
  }
  at::set_num_threads(threads_before);
}

TEST(SparseLinear, FoldedScalingEqualsScalingFirst) {
  const auto [m, dense] = random_sparse(50, 12);
  const auto stats = fit_scaling(dense);
  auto scaled = apply_scaling(dense.clone(), stats);
  torch::nn::Linear dense_layer(12, 4);
  torch::nn::Linear sparse_layer(12, 4);
  {
    torch::NoGradGuard no_grad;
    sparse_layer->weight.copy_(dense_layer->weight);
    sparse_layer->bias.copy_(dense_layer->bias);
  }
  const auto expected = dense_layer(scaled);
  const auto got =
      sparse_scaled_linear(csr_view(std::make_shared<const CsrMatrix>(m)), sparse_layer->weight,
                           sparse_layer->bias, stats.mean.reshape({-1}), stats.sd.reshape({-1}));
  EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5));
  const auto g = torch::randn({50, 4});
  (expected * g).sum().backward();
  (got * g).sum().backward();
  EXPECT_TRUE(torch::allclose(sparse_layer->weight.grad(), dense_layer->weight.grad(), 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(sparse_layer->bias.grad(), dense_layer->bias.grad(), 1e-4, 1e-4));
}

TEST(SparseLinear, ClippedScalingIsTheDenseClipOnSparseRowsAndDenseCells) {
  const auto [m, dense] = random_sparse(50, 12);
  auto stats = fit_scaling(dense);
  stats.max_value = 1.5;  // low enough that about a tenth of the stored values are clipped
  const auto clipped = apply_scaling(dense.clone(), stats);
  ASSERT_LE(clipped.max().item<float>(), 1.5F);
  const auto unclipped = apply_scaling(dense.clone(), fit_scaling(dense));
  ASSERT_GT((unclipped > 1.5).sum().item<std::int64_t>(), 20);
  auto model = make_classifier("logistic", 12, 0, 3);
  model->set_input_scaling(stats.mean.reshape({-1}), stats.sd.reshape({-1}), stats.max_value);
  const auto rows = std::make_shared<const CsrMatrix>(m);
  const auto sparse_out = model->forward(SparseInput(rows).batch());
  const auto dense_out = model->forward(DenseInput(clipped).batch());
  EXPECT_TRUE(torch::allclose(sparse_out, dense_out, 1e-4, 1e-5));
  // and not the unclipped scaling's outputs
  model->set_input_scaling(stats.mean.reshape({-1}), stats.sd.reshape({-1}));
  EXPECT_FALSE(torch::allclose(model->forward(SparseInput(rows).batch()), dense_out, 1e-3, 1e-3));
}

TEST(SparseLinear, ValuesCappedOnceGiveTheLayersClipBitForBit) {
  const auto [m, dense] = random_sparse(50, 12);
  auto stats = fit_scaling(dense);
  stats.max_value = 1.5;
  const auto mean = stats.mean.reshape({-1});
  const auto sd = stats.sd.reshape({-1});
  auto model = make_classifier("logistic", 12, 0, 3);
  model->set_input_scaling(mean, sd, stats.max_value);
  const auto clipped_by_layer = model->forward(SparseInput(std::make_shared<CsrMatrix>(m)).batch());
  auto capped = m;
  cap_stored_values(capped, value_caps(mean, sd, stats.max_value));
  ASSERT_NE(capped.data, m.data);  // some values were capped
  const auto once = std::make_shared<const CsrMatrix>(capped);
  const SparseInput capped_input(once, true);
  EXPECT_TRUE(torch::equal(model->forward(capped_input.batch()), clipped_by_layer));
  const std::vector<std::int64_t> some = {7, 0, 49};  // minibatches and row ranges keep the flag
  EXPECT_TRUE(capped_input.batch(&some).sparse.values_capped);
  EXPECT_TRUE(rows_of(capped_input.batch(), 3, 9).sparse.values_capped);
  EXPECT_FALSE(interleave({capped_input.batch(), SparseInput(once).batch()}, {{0, 1}, {1, 2}})
                   .sparse.values_capped);
  // The flag is what skips the layer's clip: the uncapped matrix flagged capped is not clipped.
  const SparseInput wrongly_flagged(std::make_shared<const CsrMatrix>(m), true);
  EXPECT_FALSE(
      torch::allclose(model->forward(wrongly_flagged.batch()), clipped_by_layer, 1e-3, 1e-3));
}

TEST(SparseLinear, SparseBatchesMatchDenseBatchesForEveryModelAndForRowSubsets) {
  const auto [m, dense] = random_sparse(40, 15);
  const auto stats = fit_scaling(dense);
  const DenseInput dense_input(apply_scaling(dense.clone(), stats));
  const SparseInput sparse_input(std::make_shared<const CsrMatrix>(m));
  const std::vector<std::int64_t> rows = {3, 0, 39, 17};
  for (const std::string spec : {"logistic", "mlp", "linear:6,relu,linear:3"}) {
    torch::manual_seed(0);
    auto model = make_classifier(spec, 15, 8, spec == "linear:6,relu,linear:3" ? 3 : 1);
    model->set_input_scaling(stats.mean.reshape({-1}), stats.sd.reshape({-1}));
    EXPECT_TRUE(torch::allclose(model->forward(sparse_input.batch()),
                                model->forward(dense_input.batch()), 1e-4, 1e-5))
        << spec;
    EXPECT_TRUE(torch::allclose(model->forward(sparse_input.batch(&rows)),
                                model->forward(dense_input.batch(&rows)), 1e-4, 1e-5))
        << spec;
  }
}

}  // namespace
}  // namespace scgrad

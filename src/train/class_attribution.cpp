#include "scgrad/train/class_attribution.hpp"

#include <algorithm>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// Sparse log-CPM rows as a dense float32 tensor (rows × genes).
torch::Tensor dense_rows(const CsrTensors& x) {
  const auto per_row = x.indptr.slice(0, 1) - x.indptr.slice(0, 0, x.n_rows);
  const auto row = torch::repeat_interleave(torch::arange(x.n_rows, torch::kInt64), per_row);
  const auto nnz = x.indptr[x.n_rows].item<std::int64_t>();
  auto dense = torch::zeros({x.n_rows, x.n_cols}, torch::kFloat32);
  dense.index_put_({row, x.indices.slice(0, 0, nnz).to(torch::kInt64)}, x.values.slice(0, 0, nnz));
  return dense;
}

/// Each cell's centred logit of its own class, summed over the cells: its gradient with respect
/// to a cell's input is that cell's ∂s_y/∂x (cells do not interact).
torch::Tensor own_class_scores(const torch::Tensor& logits, const torch::Tensor& classes) {
  if (logits.size(1) == 1) {  // the log-odds of class 0; class 1 is pushed by −z
    const auto sign = 1 - 2 * classes.to(torch::kFloat32);
    return (logits.squeeze(1) * sign).sum();
  }
  const auto centred = logits - logits.mean(1, /*keepdim=*/true);
  return centred.gather(1, classes.unsqueeze(1)).sum();
}

}  // namespace

torch::Tensor class_attributions(ClassifierImpl& model, const ModelInput& input,
                                 const std::vector<std::int32_t>& classes, std::size_t n_classes,
                                 const torch::Tensor& mean, const torch::Tensor& sd) {
  if (static_cast<std::int64_t>(classes.size()) != input.rows()) {
    throw OptionError("class_attributions: " + std::to_string(classes.size()) +
                      " class indices for " + std::to_string(input.rows()) + " cells");
  }
  const auto n_genes = mean.size(0);
  const auto k = static_cast<std::int64_t>(n_classes);
  torch::AutoGradMode with_gradients(true);
  const bool was_training = model.is_training();
  model.eval();
  auto sums = torch::zeros({k, n_genes}, torch::kFloat64);
  auto counts = torch::zeros({k}, torch::kFloat64);
  const auto class_index =
      torch::tensor(std::vector<std::int64_t>(classes.begin(), classes.end()), torch::kInt64);
  // A block of dense cells and its gradient: at most 2 M floats (8 MB) each. Blocks of 64 MB
  // were mapped and zeroed afresh by the kernel for every block: page faults took most of the
  // time (8.5 s instead of 1.4 s for 20,000 cells x 20,000 genes).
  const auto block = std::clamp<std::int64_t>(
      (std::int64_t{1} << 21) / std::max<std::int64_t>(n_genes, 1), 1, input.chunk_rows());
  const auto baseline = -mean / sd;  // a cell that expresses nothing, scaled
  input.visit_all(block, [&](const ModelBatch& batch, std::int64_t first) {
    // Sparse rows: the expression above the baseline is the log-CPM over the SD (sparse).
    const auto expression =
        batch.is_sparse() ? dense_rows(batch.sparse) / sd : batch.dense.detach() - baseline;
    auto x = (expression + baseline).requires_grad_(true);
    const auto y = class_index.slice(0, first, first + batch.rows());
    const auto score = own_class_scores(model.logits(ModelBatch(x)), y);
    const auto gradient = torch::autograd::grad({score}, {x})[0];
    auto block_sums = torch::zeros({k, n_genes});
    block_sums.index_add_(0, y, gradient * expression);
    sums += block_sums.to(torch::kFloat64);
    counts.index_add_(0, y, torch::ones({batch.rows()}, torch::kFloat64));
  });
  model.train(was_training);
  return (sums / counts.clamp_min(1).unsqueeze(1)).to(torch::kFloat32);
}

}  // namespace scgrad

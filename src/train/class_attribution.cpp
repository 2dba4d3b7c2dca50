#include "scgrad/train/class_attribution.hpp"

#include <algorithm>

#include "scgrad/distributed/process_group.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// Adds, for each stored entry (i, g) of sparse log-CPM rows, (x_ig / sd_g) · (∂s/∂h_i · W[:, g])
/// into sums[class of i, g]: the gradient with respect to the scaled gene, ∂s/∂h_i · W[:, g],
/// is needed only where the gene is expressed (elsewhere x − x0 is 0), so nothing is densified.
/// `w_t`: the first layer's weight transposed (genes × units); `gradient`: ∂s/∂h (rows × units).
void add_sparse_attribution(const CsrTensors& x, const torch::Tensor& gradient,
                            const torch::Tensor& w_t, const torch::Tensor& inverse_sd,
                            const torch::Tensor& classes, torch::Tensor& sums) {
  const auto units = gradient.size(1);
  const auto genes = w_t.size(0);
  const auto* indptr = x.indptr.data_ptr<std::int64_t>();
  const auto* indices = x.indices.data_ptr<std::int32_t>();
  const auto* values = x.values.data_ptr<float>();
  const auto* g = gradient.data_ptr<float>();
  const auto* w = w_t.data_ptr<float>();
  const auto* scale = inverse_sd.data_ptr<float>();
  const auto* y = classes.data_ptr<std::int64_t>();
  auto* out = sums.data_ptr<double>();
  for (std::int64_t r = 0; r < x.n_rows; ++r) {
    const float* g_row = g + r * units;
    double* target = out + y[r] * genes;
    for (auto k = indptr[r]; k < indptr[r + 1]; ++k) {
      const auto gene = indices[k];
      const float* w_row = w + static_cast<std::int64_t>(gene) * units;
      float dot = 0;
#pragma omp simd reduction(+ : dot)  // lets the compiler reorder the sum into vector lanes
      for (std::int64_t u = 0; u < units; ++u) dot += g_row[u] * w_row[u];
      target[gene] += static_cast<double>(values[k] * scale[gene] * dot);
    }
  }
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
                                 const torch::Tensor& mean, const torch::Tensor& sd,
                                 const ProcessGroup* group) {
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
  // Dense cells: a block and its gradient at most 2 M floats (8 MB) each (blocks of 64 MB were
  // mapped and zeroed afresh for every block).
  const auto block = std::clamp<std::int64_t>(
      (std::int64_t{1} << 21) / std::max<std::int64_t>(n_genes, 1), 1, input.chunk_rows());
  const auto baseline = -mean / sd;  // a cell that expresses nothing, scaled
  const auto inverse_sd = (1 / sd).contiguous();
  const auto w_t = model.first_layer().weight.detach().t().contiguous();
  const auto [first_cell, last_cell] = share_of(group, input.rows());
  input.visit_range(first_cell, last_cell, block, [&](const ModelBatch& batch, std::int64_t first) {
    const auto y = class_index.slice(0, first, first + batch.rows()).contiguous();
    counts.index_add_(0, y, torch::ones({batch.rows()}, torch::kFloat64));
    if (batch.is_sparse()) {
      // ∂s/∂x = ∂s/∂h · W: differentiate at the first layer's outputs, then multiply only at
      // the stored entries.
      auto h = model.first_layer().apply(batch).detach().requires_grad_(true);
      const auto score = own_class_scores(model.logits_after_first_layer(h), y);
      const auto gradient = torch::autograd::grad({score}, {h})[0].contiguous();
      add_sparse_attribution(batch.sparse, gradient, w_t, inverse_sd, y, sums);
      return;
    }
    const auto expression = batch.dense.detach() - baseline;  // dense rows come scaled
    auto x = batch.dense.detach().requires_grad_(true);
    const auto score = own_class_scores(model.logits(ModelBatch(x)), y);
    const auto gradient = torch::autograd::grad({score}, {x})[0];
    auto block_sums = torch::zeros({k, n_genes});
    block_sums.index_add_(0, y, gradient * expression);
    sums += block_sums.to(torch::kFloat64);
  });
  model.train(was_training);
  if (group != nullptr && group->size() > 1) {  // one buffer: Gloo reduces tensors of one shape
    std::vector<torch::Tensor> both{torch::cat({sums.reshape({-1}), counts})};
    group->all_reduce_sum(both);
    sums = both[0].narrow(0, 0, sums.numel()).view(sums.sizes());
    counts = both[0].narrow(0, sums.numel(), k);
  }
  return (sums / counts.clamp_min(1).unsqueeze(1)).to(torch::kFloat32);
}

}  // namespace scgrad

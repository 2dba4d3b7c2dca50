#include "scgrad/cluster/streamed_pca.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <numeric>

#include "scgrad/error.hpp"
#include "scgrad/model/sparse_linear.hpp"

namespace scgrad {

GeneMoments::GeneMoments(std::int64_t genes)
    : sum_(static_cast<std::size_t>(genes)), sum_of_squares_(static_cast<std::size_t>(genes)) {}

void GeneMoments::add(const CsrMatrix& cells) {
  if (cells.n_cols != genes()) {
    throw Error("GeneMoments: a block of " + std::to_string(cells.n_cols) + " genes, expected " +
                std::to_string(genes()));
  }
  cells_ += cells.n_rows;
  for (std::size_t i = 0; i < cells.data.size(); ++i) {
    const auto gene = static_cast<std::size_t>(cells.indices[i]);
    const double v = cells.data[i];
    sum_[gene] += v;
    sum_of_squares_[gene] += v * v;
  }
}

double GeneMoments::mean(std::int64_t gene) const {
  return cells_ == 0 ? 0 : sum_[static_cast<std::size_t>(gene)] / static_cast<double>(cells_);
}

double GeneMoments::variance(std::int64_t gene) const {
  if (cells_ == 0) return 0;
  const auto m = mean(gene);
  return std::max(
      0.0, sum_of_squares_[static_cast<std::size_t>(gene)] / static_cast<double>(cells_) - m * m);
}

PcaSample::PcaSample(std::int64_t genes, std::int64_t cells, std::int64_t sample_cells)
    : moments_(genes),
      step_(sample_cells > 0 ? std::max<std::int64_t>(1, (cells + sample_cells - 1) / sample_cells)
                             : 1) {
  cells_.n_cols = genes;
}

void PcaSample::add(const CsrMatrix& block) {
  moments_.add(block);
  std::vector<std::int64_t> rows;
  // Row seen_ + r of the query is sampled when it is a multiple of the step.
  for (auto r = (step_ - seen_ % step_) % step_; r < block.n_rows; r += step_) rows.push_back(r);
  seen_ += block.n_rows;
  if (rows.size() == static_cast<std::size_t>(block.n_rows)) {
    append_rows(cells_, block);
  } else if (!rows.empty()) {
    append_rows(cells_, select_rows(block, rows));
  }
}

std::vector<std::int64_t> most_variable_genes(const GeneMoments& moments, std::int64_t count) {
  std::vector<std::int64_t> genes;
  std::vector<double> variance(static_cast<std::size_t>(moments.genes()));
  for (std::int64_t g = 0; g < moments.genes(); ++g) {
    variance[static_cast<std::size_t>(g)] = moments.variance(g);
    if (variance[static_cast<std::size_t>(g)] > 0) genes.push_back(g);
  }
  if (static_cast<std::int64_t>(genes.size()) > count) {
    std::stable_sort(genes.begin(), genes.end(), [&](std::int64_t a, std::int64_t b) {
      return variance[static_cast<std::size_t>(a)] > variance[static_cast<std::size_t>(b)];
    });
    genes.resize(static_cast<std::size_t>(std::max<std::int64_t>(count, 0)));
    std::sort(genes.begin(), genes.end());
  }
  return genes;
}

namespace {

/// A = (X − 1 μᵀ) S for CSR X (the sampled cells over the chosen genes), S = diag(scale) and
/// μ the query's means: its products with dense matrices, as sparse products and rank-one
/// corrections (A itself is never formed).
struct CentredScaled {
  CsrTensors x;
  torch::Tensor s;     ///< genes
  torch::Tensor mean;  ///< genes: the query's means of X S

  /// A · V (cells × l) for V (genes × l).
  torch::Tensor times(const torch::Tensor& v) const {
    return csr_times_dense(x, (v * s.unsqueeze(1)).contiguous()) - mean.matmul(v).unsqueeze(0);
  }
  /// Aᵀ · Y (genes × l) for Y (cells × l).
  torch::Tensor transpose_times(const torch::Tensor& y) const {
    return csr_transpose_times_dense(x, y.contiguous()) * s.unsqueeze(1) -
           mean.unsqueeze(1) * y.sum(0).unsqueeze(0);
  }
};

torch::Tensor orthonormal_basis(const torch::Tensor& m) {
  return std::get<0>(torch::linalg_qr(m, "reduced"));
}

/// The leading `k` right singular vectors of A (genes × k), by a randomised SVD (Halko,
/// Martinsson & Tropp 2011, algorithm 4.4: a Gaussian test matrix of k + 10 columns, 4 power
/// iterations re-orthonormalised by QR, as scikit-learn's randomized_svd), seeded: the same
/// sample gives the same components.
torch::Tensor leading_components(const CentredScaled& a, std::int64_t cells, std::int64_t genes,
                                 std::int64_t k) {
  const auto width = std::min(k + 10, std::min(cells, genes));
  auto generator = at::detail::createCPUGenerator(0);
  auto q = orthonormal_basis(a.times(torch::randn({genes, width}, generator)));
  for (int i = 0; i < 4; ++i) {
    q = orthonormal_basis(a.transpose_times(q));
    q = orthonormal_basis(a.times(q));
  }
  const auto b = a.transpose_times(q).t();  // Qᵀ A (width × genes)
  const auto vt = std::get<2>(torch::linalg_svd(b, /*full_matrices=*/false));
  return vt.narrow(0, 0, k).t().contiguous();
}

}  // namespace

/// The fitted components as products with stored values: scores = (X S − 1 μᵀ) V =
/// X (S V) − 1 (μᵀ V).
struct PcaProjection::Fitted {
  torch::Tensor weights;  ///< S V: chosen genes × components
  torch::Tensor offset;   ///< μᵀ V: components
};

PcaProjection::PcaProjection(const PcaSample& sample, const std::vector<float>& inverse_sd,
                             const StreamedPcaOptions& options) {
  const auto& moments = sample.moments();
  if (static_cast<std::int64_t>(inverse_sd.size()) != moments.genes()) {
    throw OptionError("streamed_pca: " + std::to_string(inverse_sd.size()) + " scales for " +
                      std::to_string(moments.genes()) + " genes");
  }
  if (options.components < 1 || options.genes < 2) {
    throw OptionError("streamed_pca: components must be >= 1 and genes >= 2",
                      {"components", "pca_genes"});
  }
  torch::NoGradGuard no_grad;
  scores_.cells = moments.cells();
  scores_.genes = most_variable_genes(moments, options.genes);
  const auto n_genes = static_cast<std::int64_t>(scores_.genes.size());
  scores_.components = std::max<std::int64_t>(
      0, std::min({options.components, sample.cells().n_rows - 1, n_genes - 1}));
  if (scores_.components == 0) return;
  std::vector<float> chosen_scale, chosen_mean;
  for (const auto g : scores_.genes) {
    const auto s = inverse_sd[static_cast<std::size_t>(g)];
    chosen_scale.push_back(s);
    chosen_mean.push_back(static_cast<float>(moments.mean(g)) * s);
  }
  const auto scale = torch::tensor(chosen_scale);
  const auto mean = torch::tensor(chosen_mean);
  const auto chosen = select_columns(sample.cells(), scores_.genes);
  const CentredScaled a{borrowed_csr_view(chosen), scale, mean};
  const auto v = leading_components(a, chosen.n_rows, n_genes, scores_.components);
  fitted_ =
      std::make_shared<const Fitted>(Fitted{(v * scale.unsqueeze(1)).contiguous(), mean.matmul(v)});
  scores_.scores.reserve(static_cast<std::size_t>(scores_.cells * scores_.components));
}

void PcaProjection::add(CsrMatrix block) {
  added_ += block.n_rows;
  if (!fitted_) return;
  torch::NoGradGuard no_grad;
  const auto chosen = select_columns(std::move(block), scores_.genes);
  const auto scores =
      (csr_times_dense(borrowed_csr_view(chosen), fitted_->weights) - fitted_->offset).contiguous();
  const auto* s = scores.data_ptr<float>();
  scores_.scores.insert(scores_.scores.end(), s, s + scores.numel());
}

PcaScores PcaProjection::take_scores() {
  if (added_ != scores_.cells) {
    throw Error("PCA projection: " + std::to_string(added_) + " cells projected, " +
                std::to_string(scores_.cells) + " sampled");
  }
  if (!fitted_) scores_.components = 0;
  return std::move(scores_);
}

PcaScores streamed_pca(const PcaSample& sample, const CellBlocks& blocks,
                       const std::vector<float>& inverse_sd, const StreamedPcaOptions& options) {
  PcaProjection projection(sample, inverse_sd, options);
  blocks([&](const CsrMatrix& block) { projection.add(block); });
  return projection.take_scores();
}

}  // namespace scgrad

#include "scgrad/cluster/streamed_pca.hpp"

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
  return std::max(0.0, sum_of_squares_[static_cast<std::size_t>(gene)] /
                               static_cast<double>(cells_) -
                           m * m);
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

/// Cells (over the chosen genes), scaled, as a dense cells × genes tensor.
torch::Tensor dense_scaled(const CsrMatrix& chosen, const torch::Tensor& inverse_sd) {
  auto dense = torch::zeros({chosen.n_rows, chosen.n_cols});
  auto* d = dense.data_ptr<float>();
  for (std::int64_t r = 0; r < chosen.n_rows; ++r) {
    for (auto i = chosen.indptr[static_cast<std::size_t>(r)];
         i < chosen.indptr[static_cast<std::size_t>(r) + 1]; ++i) {
      d[r * chosen.n_cols + chosen.indices[static_cast<std::size_t>(i)]] =
          chosen.data[static_cast<std::size_t>(i)];
    }
  }
  return dense * inverse_sd.unsqueeze(0);
}

/// The covariance of the chosen, scaled genes over the sampled cells, around the query's means
/// (genes × genes, float64): the sum of Xᵀ X over pieces of the sample (dense products), less
/// the means' outer product.
torch::Tensor covariance(const CsrMatrix& sample, const std::vector<std::int64_t>& genes,
                         const torch::Tensor& inverse_sd, const torch::Tensor& mean) {
  const auto n = static_cast<std::int64_t>(genes.size());
  auto gram = torch::zeros({n, n}, torch::kFloat64);
  const auto chosen = select_columns(sample, genes);
  // Pieces of at most 4,096 cells keep the dense copy small (32 MB at 2,000 genes).
  constexpr std::int64_t kPiece = 4096;
  for (std::int64_t first = 0; first < chosen.n_rows; first += kPiece) {
    std::vector<std::int64_t> rows(static_cast<std::size_t>(std::min(kPiece, chosen.n_rows - first)));
    std::iota(rows.begin(), rows.end(), first);
    const auto x = dense_scaled(select_rows(chosen, rows), inverse_sd);
    gram += x.t().matmul(x).to(torch::kFloat64);
  }
  const auto m = mean.to(torch::kFloat64);
  const auto centred =
      gram / static_cast<double>(std::max<std::int64_t>(1, chosen.n_rows)) -
      m.unsqueeze(1) * m.unsqueeze(0);
  return centred;
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
  scores_.components =
      std::max<std::int64_t>(0, std::min({options.components, sample.cells().n_rows - 1, n_genes - 1}));
  if (scores_.components == 0) return;
  std::vector<float> chosen_scale, chosen_mean;
  for (const auto g : scores_.genes) {
    const auto s = inverse_sd[static_cast<std::size_t>(g)];
    chosen_scale.push_back(s);
    chosen_mean.push_back(static_cast<float>(moments.mean(g)) * s);
  }
  const auto scale = torch::tensor(chosen_scale);
  const auto mean = torch::tensor(chosen_mean);
  const auto c = covariance(sample.cells(), scores_.genes, scale, mean);
  // Eigenvalues ascend: the last `components` columns, largest first.
  const auto eigenvectors = std::get<1>(torch::linalg_eigh(c));
  const auto v = eigenvectors.narrow(1, n_genes - scores_.components, scores_.components)
                     .flip(1)
                     .to(torch::kFloat32);
  fitted_ = std::make_shared<const Fitted>(
      Fitted{(v * scale.unsqueeze(1)).contiguous(), mean.matmul(v)});
  scores_.scores.reserve(static_cast<std::size_t>(scores_.cells * scores_.components));
}

void PcaProjection::add(const CsrMatrix& block) {
  added_ += block.n_rows;
  if (!fitted_) return;
  torch::NoGradGuard no_grad;
  const auto chosen = select_columns(block, scores_.genes);
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

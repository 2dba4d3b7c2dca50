#pragma once
/// @file streamed_pca.hpp
/// Principal components of a query as a model sees it — the log-CPM of the model's genes
/// scaled by the model's per-gene SDs, centred on the query's means — from blocks of cells,
/// never holding the cells × genes matrix. While the cells are labelled, a PcaSample gathers
/// every cell's per-gene moments and a copy of evenly spaced cells (at most 50,000 by
/// default). The query's most variable genes are chosen from the moments; the components are
/// the leading right singular vectors of the sampled cells over those genes, scaled and
/// centred on the query's means, by a randomised SVD of sparse products (the sample is never
/// densified); one more pass projects every cell onto them. Memory: the sample and the scores
/// (cells × components), whatever the number of cells. No torch in this header.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

/// Per gene, the number of cells and the sum and sum of squares of its values, added block by
/// block (doubles: a million cells' sums keep their digits).
class GeneMoments {
 public:
  explicit GeneMoments(std::int64_t genes = 0);
  void add(const CsrMatrix& cells);
  std::int64_t cells() const { return cells_; }
  std::int64_t genes() const { return static_cast<std::int64_t>(sum_.size()); }
  double mean(std::int64_t gene) const;
  double variance(std::int64_t gene) const;  ///< population variance (n in the denominator)

 private:
  std::int64_t cells_ = 0;
  std::vector<double> sum_, sum_of_squares_;
};

/// Gathered from every block of cells, in row order: every cell's per-gene moments (around all
/// cells' means) and a copy of evenly spaced cells (every ⌈cells / sample_cells⌉-th, from the
/// first), the cells the components are fitted on.
class PcaSample {
 public:
  PcaSample(std::int64_t genes, std::int64_t cells, std::int64_t sample_cells);
  void add(const CsrMatrix& block);
  const GeneMoments& moments() const { return moments_; }
  const CsrMatrix& cells() const { return cells_; }

 private:
  GeneMoments moments_;
  CsrMatrix cells_;
  std::int64_t step_ = 1;
  std::int64_t seen_ = 0;
};

/// Calls its argument once per block of cells, every cell once, in row order (the projection
/// pass of streamed_pca).
using CellBlocks = std::function<void(const std::function<void(const CsrMatrix&)>&)>;

struct StreamedPcaOptions {
  std::int64_t components = 50;  ///< at most min(cells, genes) − 1 are returned
  /// The query's genes of highest log-CPM variance that the PCA uses (scanpy's and CellTypist's
  /// 2,000 highly variable genes); all of the model's genes when it has fewer.
  std::int64_t genes = 2000;
};

struct PcaScores {
  std::int64_t cells = 0, components = 0;
  std::vector<float> scores;        ///< cells × components, row-major, decreasing variance
  std::vector<std::int64_t> genes;  ///< the model genes used, ascending
};

/// The components fitted on a sample (each gene scaled by `inverse_sd`), and the scores of the
/// cells projected onto them block by block.
class PcaProjection {
 public:
  PcaProjection(const PcaSample& sample, const std::vector<float>& inverse_sd,
                const StreamedPcaOptions& options = {});
  /// Appends the scores of a block's cells (log-CPM over the model's genes; blocks in row
  /// order, every cell the sample saw once). Each cell's scores are its own: any blocks give
  /// the same bits. Taken by value: a block moved in is compacted in place, not copied.
  void add(CsrMatrix block);
  /// Every cell's scores; throws unless every cell was added.
  PcaScores take_scores();

 private:
  struct Fitted;
  std::shared_ptr<const Fitted> fitted_;  ///< none when there is no component to fit
  PcaScores scores_;
  std::int64_t added_ = 0;
};

/// The PCA scores of the cells `blocks` visits (log-CPM over the model's genes; `sample`
/// gathered from the same cells), each gene scaled by `inverse_sd`. One pass over `blocks`.
PcaScores streamed_pca(const PcaSample& sample, const CellBlocks& blocks,
                       const std::vector<float>& inverse_sd,
                       const StreamedPcaOptions& options = {});

/// The genes streamed_pca uses: the `count` of highest variance (ties: the lower index), those
/// with variance > 0 only, ascending.
std::vector<std::int64_t> most_variable_genes(const GeneMoments& moments, std::int64_t count);

}  // namespace scgrad

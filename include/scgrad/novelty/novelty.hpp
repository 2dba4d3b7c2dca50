#pragma once
/// @file novelty.hpp
/// How far a cell's counts rise above what its predicted type predicts: the part of issue 30's
/// novelty score that the softmax cannot give. A type the reference lacks but that resembles a
/// known one (NK cells without a reference become confident T cells) differs from it in a few
/// genes. On scaled log features those genes drown among thousands of noisy ones. In counts
/// they stand out: the negative-binomial deviance weighs a single count where 0.05 were
/// expected little, and 40 counts where 4 were expected a lot (bench/novelty_candidates.py,
/// docs/training.md "Novelty"). The other part is the softmax's own doubt (1 - confidence),
/// which finds types unlike every known one. Each is turned into a quantile among reference
/// cells of the type, and a cell's novelty is the larger of the two. No torch here.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

/// Per reference type, each gene's mean count per 10,000 over the type's cells.
struct TypeProfiles {
  std::int64_t n_genes = 0;
  std::vector<float> rates;  ///< types x genes, row-major
  std::size_t n_types() const {
    return n_genes > 0 ? rates.size() / static_cast<std::size_t>(n_genes) : 0;
  }
};

/// `counts`: cells x genes; `library`: each cell's library size (its counts' sum, or the
/// column the preprocessing uses); `types`: each cell's type in [0, n_types), or -1 to leave
/// the cell out. A type without cells has rates 0. Throws OptionError when the sizes differ, a
/// type is out of range, or a library size of a counted cell is not a positive number.
TypeProfiles type_profiles(const CsrMatrix& counts, const std::vector<double>& library,
                           const std::vector<std::int32_t>& types, std::size_t n_types);

struct DevianceOptions {
  double dispersion = 0.2;  ///< of the negative binomial: variance mu + dispersion mu^2
  int top_genes = 20;       ///< the score sums a cell's largest deviances over this many genes
};

/// The negative-binomial deviance of count k against the expected count mu (floored at 1e-3)
/// when k is above it, 0 otherwise: 2 [k ln(k / mu) - (k + 1/phi) ln((1 + phi k) / (1 + phi mu))].
double upward_deviance(double k, double mu, double dispersion);

/// Per gene, the query's total count over the total its cells' predicted types predict (each
/// +1): a batch moves a gene in every query cell, and multiplying the expected counts by this
/// factor takes that out, while a type the reference lacks is a minority of the query and
/// moves the factor less than its own cells.
std::vector<double> query_gene_factors(const CsrMatrix& counts, const std::vector<double>& library,
                                       const std::vector<std::int32_t>& predicted,
                                       const TypeProfiles& profiles);

/// Each cell's score: the sum of its top_genes largest upward deviances, the expected count of
/// gene g being rate[type][g] x factor[g] x library / 10,000 (`gene_factors` empty: 1). Only
/// stored entries can rise above their expectation, so the cost is linear in the nonzeros.
std::vector<float> count_deviance_scores(const CsrMatrix& counts,
                                         const std::vector<double>& library,
                                         const std::vector<std::int32_t>& predicted,
                                         const TypeProfiles& profiles,
                                         const std::vector<double>& gene_factors = {},
                                         const DevianceOptions& options = {});

/// Levels of the stored quantile functions: 0, 1/1000, ..., 1.
constexpr std::int64_t kNoveltyLevels = 1001;

/// A type with fewer reference cells than this to calibrate on is calibrated on every type's
/// cells pooled (a 0.99 quantile of 5 cells would be their maximum by chance).
constexpr std::int64_t kMinCalibrationCells = 20;

/// What the model file keeps (/novelty) to score a query's cells: the types' profiles and, per
/// type, the quantile functions of the two scores over reference cells the score did not see.
struct NoveltyReference {
  TypeProfiles profiles;
  DevianceOptions deviance;
  /// types x kNoveltyLevels, each row non-decreasing: count deviances of the type's reference
  /// cells against profiles without them (leave-one-out).
  std::vector<float> deviance_quantiles;
  /// The same for 1 - confidence of the validation cells predicted as the type (the selected
  /// model's, calibrated); empty when there were no validation cells.
  std::vector<float> doubt_quantiles;
  /// Per type, the cells its row was computed from; 0 means the row is every type's pooled.
  std::vector<std::int64_t> deviance_cells, doubt_cells;

  bool empty() const { return profiles.rates.empty(); }
};

/// The quantile function of `scores` at the kNoveltyLevels levels (linear between order
/// statistics, numpy's default). Throws OptionError when `scores` is empty or not finite.
std::vector<float> quantile_function(std::vector<float> scores);

/// Where `score` falls in a quantile function of kNoveltyLevels values: the level at which the
/// function reaches it, linear between levels (the middle of a run of equal values); 0 below
/// the smallest value, 1 above the largest.
double quantile_of(const float* quantile_function, double score);

/// Per type, the quantile function of its cells' `scores` (types in [0, n_types), -1: left
/// out), or of every cell's when it has fewer than kMinCalibrationCells (`cells_used` gets 0
/// then, else its cell count). Rows of types x kNoveltyLevels.
std::vector<float> calibration_rows(const std::vector<float>& scores,
                                    const std::vector<std::int32_t>& types, std::size_t n_types,
                                    std::vector<std::int64_t>& cells_used);

/// Builds a NoveltyReference from the reference cells, read in blocks twice: first every
/// block to add_profile_cells, then every block again to add_calibration_cells.
class NoveltyFitter {
 public:
  NoveltyFitter(std::int64_t n_genes, std::size_t n_types, DevianceOptions options = {});
  /// Pass 1: counts (cells x the model's genes), library sizes and types (-1: left out).
  void add_profile_cells(const CsrMatrix& counts, const std::vector<double>& library,
                         const std::vector<std::int32_t>& types);
  /// Pass 2: each cell's count deviance against its type's profile without the cell. A cell
  /// alone in its type has none and is left out.
  void add_calibration_cells(const CsrMatrix& counts, const std::vector<double>& library,
                             const std::vector<std::int32_t>& types);
  /// The profiles of pass 1's cells.
  TypeProfiles profiles() const;
  /// `doubt`: 1 - confidence of validation cells, `doubt_types` their predicted types (both
  /// empty: no validation cells). Empty when no type had two cells to calibrate on.
  NoveltyReference finish(const std::vector<float>& doubt,
                          const std::vector<std::int32_t>& doubt_types) const;

 private:
  std::int64_t n_genes_;
  std::size_t n_types_;
  DevianceOptions options_;
  std::vector<double> sums_;  ///< types x genes: the sum over cells of count / library
  std::vector<std::int64_t> cells_;
  std::vector<float> deviances_;  ///< pass 2, in order
  std::vector<std::int32_t> deviance_types_;
};

/// What the query's first pass gathers for query_gene_factors: its counts per gene and its
/// library sizes per predicted type.
class QueryTotals {
 public:
  explicit QueryTotals(const TypeProfiles& profiles);
  void add(const CsrMatrix& counts, const std::vector<double>& library,
           const std::vector<std::int32_t>& predicted);
  /// Per gene, (observed + 1) / (expected + 1).
  std::vector<double> gene_factors() const;

 private:
  const TypeProfiles* profiles_;
  std::vector<double> observed_, type_library_;
};

/// Each query cell's novelty: the larger of the quantiles of its count deviance (with the
/// query's gene factors) and of its 1 - confidence among the reference cells of its predicted
/// type (the deviance alone when the reference has no doubt quantiles). In [0, 1].
std::vector<float> novelty_scores(const NoveltyReference& reference, const CsrMatrix& counts,
                                  const std::vector<double>& library,
                                  const std::vector<std::int32_t>& predicted,
                                  const std::vector<float>& confidence,
                                  const std::vector<double>& gene_factors);

}  // namespace scgrad

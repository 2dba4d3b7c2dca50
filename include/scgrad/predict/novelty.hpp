#pragma once
/// @file novelty.hpp
/// How far a cell's counts rise above what its predicted type predicts: the part of issue 30's
/// novelty score that the softmax cannot give. A type the reference lacks but that resembles a
/// known one (NK cells without a reference become confident T cells) differs from it in a few
/// genes. On scaled log features those genes drown among thousands of noisy ones. In counts
/// they stand out: the negative-binomial deviance weighs a single count where 0.05 were
/// expected little, and 40 counts where 4 were expected a lot (bench/novelty_candidates.py,
/// docs/training.md "Novelty"). Not yet part of the model file or of predict. No torch here.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scgrad/io/csr_matrix.hpp"

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

}  // namespace scgrad

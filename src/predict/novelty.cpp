#include "scgrad/predict/novelty.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

constexpr double per_10k = 1e4;

void require_sizes(const CsrMatrix& counts, const std::vector<double>& library,
                   const std::vector<std::int32_t>& types, const char* what) {
  const auto cells = static_cast<std::size_t>(counts.n_rows);
  if (library.size() != cells || types.size() != cells) {
    throw OptionError(std::string(what) + ": " + std::to_string(cells) + " cells, " +
                      std::to_string(library.size()) + " library sizes and " +
                      std::to_string(types.size()) + " types");
  }
}

void require_profiles_fit(const CsrMatrix& counts, const TypeProfiles& profiles, const char* what) {
  if (profiles.n_genes != counts.n_cols) {
    throw OptionError(std::string(what) + ": profiles of " + std::to_string(profiles.n_genes) +
                      " genes for a matrix of " + std::to_string(counts.n_cols));
  }
}

/// The type's row of rates, after checking the type is one of the profiles'.
const float* rates_of(const TypeProfiles& profiles, std::int32_t type, const char* what) {
  if (type < 0 || static_cast<std::size_t>(type) >= profiles.n_types()) {
    throw OptionError(std::string(what) + ": type " + std::to_string(type) + " outside [0, " +
                      std::to_string(profiles.n_types()) + ")");
  }
  return profiles.rates.data() + static_cast<std::size_t>(type) * profiles.n_genes;
}

}  // namespace

TypeProfiles type_profiles(const CsrMatrix& counts, const std::vector<double>& library,
                           const std::vector<std::int32_t>& types, std::size_t n_types) {
  require_sizes(counts, library, types, "type_profiles");
  TypeProfiles profiles;
  profiles.n_genes = counts.n_cols;
  std::vector<double> sums(n_types * static_cast<std::size_t>(counts.n_cols), 0);
  std::vector<std::int64_t> cells(n_types, 0);
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const auto type = types[static_cast<std::size_t>(r)];
    if (type < 0) continue;
    if (static_cast<std::size_t>(type) >= n_types) {
      throw OptionError("type_profiles: type " + std::to_string(type) + " outside [0, " +
                        std::to_string(n_types) + ")");
    }
    const auto size = library[static_cast<std::size_t>(r)];
    if (!(std::isfinite(size) && size > 0)) {
      throw OptionError("type_profiles: cell " + std::to_string(r) +
                        " has a library size that is not a positive number");
    }
    ++cells[static_cast<std::size_t>(type)];
    auto* row = sums.data() + static_cast<std::size_t>(type) * counts.n_cols;
    for (auto e = counts.indptr[r]; e < counts.indptr[r + 1]; ++e) {
      row[counts.indices[e]] += counts.data[e] / size;
    }
  }
  profiles.rates.resize(sums.size());
  for (std::size_t t = 0; t < n_types; ++t) {
    for (std::int64_t g = 0; g < counts.n_cols; ++g) {
      const auto i = t * counts.n_cols + g;
      profiles.rates[i] =
          cells[t] > 0 ? static_cast<float>(per_10k * sums[i] / static_cast<double>(cells[t])) : 0;
    }
  }
  return profiles;
}

double upward_deviance(double k, double mu, double dispersion) {
  mu = std::max(mu, 1e-3);
  if (!(k > mu)) return 0;
  const double phi = dispersion;
  const double d =
      2 * (k * std::log(k / mu) - (k + 1 / phi) * std::log((1 + phi * k) / (1 + phi * mu)));
  return std::max(d, 0.0);
}

std::vector<double> query_gene_factors(const CsrMatrix& counts, const std::vector<double>& library,
                                       const std::vector<std::int32_t>& predicted,
                                       const TypeProfiles& profiles) {
  require_sizes(counts, library, predicted, "query_gene_factors");
  require_profiles_fit(counts, profiles, "query_gene_factors");
  // Expected totals: sum over types of rate x (the type's cells' library sizes) / 10,000.
  std::vector<double> type_library(profiles.n_types(), 0);
  std::vector<double> observed(static_cast<std::size_t>(counts.n_cols), 0);
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    rates_of(profiles, predicted[static_cast<std::size_t>(r)], "query_gene_factors");
    type_library[static_cast<std::size_t>(predicted[static_cast<std::size_t>(r)])] +=
        library[static_cast<std::size_t>(r)];
    for (auto e = counts.indptr[r]; e < counts.indptr[r + 1]; ++e) {
      observed[static_cast<std::size_t>(counts.indices[e])] += counts.data[e];
    }
  }
  std::vector<double> factors(observed.size());
  for (std::size_t g = 0; g < factors.size(); ++g) {
    double expected = 0;
    for (std::size_t t = 0; t < type_library.size(); ++t) {
      expected += profiles.rates[t * factors.size() + g] * type_library[t] / per_10k;
    }
    factors[g] = (observed[g] + 1) / (expected + 1);
  }
  return factors;
}

std::vector<float> count_deviance_scores(const CsrMatrix& counts,
                                         const std::vector<double>& library,
                                         const std::vector<std::int32_t>& predicted,
                                         const TypeProfiles& profiles,
                                         const std::vector<double>& gene_factors,
                                         const DevianceOptions& options) {
  require_sizes(counts, library, predicted, "count_deviance_scores");
  require_profiles_fit(counts, profiles, "count_deviance_scores");
  if (!gene_factors.empty() && gene_factors.size() != static_cast<std::size_t>(counts.n_cols)) {
    throw OptionError("count_deviance_scores: " + std::to_string(gene_factors.size()) +
                      " gene factors for " + std::to_string(counts.n_cols) + " genes");
  }
  if (!(options.dispersion > 0 && std::isfinite(options.dispersion)) || options.top_genes < 1) {
    throw OptionError(
        "count_deviance_scores: the dispersion must be a finite number > 0 and "
        "top_genes at least 1");
  }
  std::vector<float> scores(static_cast<std::size_t>(counts.n_rows));
  std::vector<double> deviances;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const auto* rates =
        rates_of(profiles, predicted[static_cast<std::size_t>(r)], "count_deviance_scores");
    const auto scale = library[static_cast<std::size_t>(r)] / per_10k;
    deviances.clear();
    for (auto e = counts.indptr[r]; e < counts.indptr[r + 1]; ++e) {
      const auto g = static_cast<std::size_t>(counts.indices[e]);
      const double factor = gene_factors.empty() ? 1.0 : gene_factors[g];
      deviances.push_back(
          upward_deviance(counts.data[e], rates[g] * factor * scale, options.dispersion));
    }
    const auto top = std::min(deviances.size(), static_cast<std::size_t>(options.top_genes));
    std::partial_sort(deviances.begin(), deviances.begin() + static_cast<std::ptrdiff_t>(top),
                      deviances.end(), std::greater<>());
    double sum = 0;
    for (std::size_t i = 0; i < top; ++i) sum += deviances[i];
    scores[static_cast<std::size_t>(r)] = static_cast<float>(sum);
  }
  return scores;
}

}  // namespace scgrad

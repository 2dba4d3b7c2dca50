#include "scgrad/novelty/novelty.hpp"

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

void require_options(const DevianceOptions& options) {
  if (!(options.dispersion > 0 && std::isfinite(options.dispersion)) || options.top_genes < 1) {
    throw OptionError(
        "count_deviance_scores: the dispersion must be a finite number > 0 and "
        "top_genes at least 1");
  }
}

/// The sum of row r's top_genes largest upward deviances, stored entry e (gene g) expected at
/// expected(e, g).
/// `deviances` is scratch space.
template <typename Expected>
float top_deviance_sum(const CsrMatrix& counts, std::int64_t r, const Expected& expected,
                       const DevianceOptions& options, std::vector<double>& deviances) {
  deviances.clear();
  for (auto e = counts.indptr[r]; e < counts.indptr[r + 1]; ++e) {
    const auto g = static_cast<std::size_t>(counts.indices[e]);
    deviances.push_back(upward_deviance(counts.data[e], expected(e, g), options.dispersion));
  }
  const auto top = std::min(deviances.size(), static_cast<std::size_t>(options.top_genes));
  std::partial_sort(deviances.begin(), deviances.begin() + static_cast<std::ptrdiff_t>(top),
                    deviances.end(), std::greater<>());
  double sum = 0;
  for (std::size_t i = 0; i < top; ++i) sum += deviances[i];
  return static_cast<float>(sum);
}

/// Checks one cell's type (in range or -1) and library size (a positive number when counted).
void require_cell(std::int32_t type, double size, std::size_t n_types, std::int64_t r,
                  const char* what) {
  if (type >= 0 && static_cast<std::size_t>(type) >= n_types) {
    throw OptionError(std::string(what) + ": type " + std::to_string(type) + " outside [0, " +
                      std::to_string(n_types) + ")");
  }
  if (type >= 0 && !(std::isfinite(size) && size > 0)) {
    throw OptionError(std::string(what) + ": cell " + std::to_string(r) +
                      " has a library size that is not a positive number");
  }
}

}  // namespace

TypeProfiles type_profiles(const CsrMatrix& counts, const std::vector<double>& library,
                           const std::vector<std::int32_t>& types, std::size_t n_types) {
  NoveltyFitter fitter(counts.n_cols, n_types);
  fitter.add_profile_cells(counts, library, types);
  return fitter.profiles();
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
  QueryTotals totals(profiles);
  totals.add(counts, library, predicted);
  return totals.gene_factors();
}

QueryTotals::QueryTotals(const TypeProfiles& profiles)
    : profiles_(&profiles),
      observed_(static_cast<std::size_t>(profiles.n_genes), 0),
      type_library_(profiles.n_types(), 0) {}

void QueryTotals::add(const CsrMatrix& counts, const std::vector<double>& library,
                      const std::vector<std::int32_t>& predicted) {
  require_sizes(counts, library, predicted, "query_gene_factors");
  require_profiles_fit(counts, *profiles_, "query_gene_factors");
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const auto type = predicted[static_cast<std::size_t>(r)];
    rates_of(*profiles_, type, "query_gene_factors");
    type_library_[static_cast<std::size_t>(type)] += library[static_cast<std::size_t>(r)];
    for (auto e = counts.indptr[r]; e < counts.indptr[r + 1]; ++e) {
      observed_[static_cast<std::size_t>(counts.indices[e])] += counts.data[e];
    }
  }
}

std::vector<double> QueryTotals::gene_factors() const {
  // Expected totals: sum over types of rate x (the type's cells' library sizes) / 10,000.
  const auto& rates = profiles_->rates;
  std::vector<double> factors(observed_.size());
  for (std::size_t g = 0; g < factors.size(); ++g) {
    double expected = 0;
    for (std::size_t t = 0; t < type_library_.size(); ++t) {
      expected += rates[t * factors.size() + g] * type_library_[t] / per_10k;
    }
    factors[g] = (observed_[g] + 1) / (expected + 1);
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
  require_options(options);
  std::vector<float> scores(static_cast<std::size_t>(counts.n_rows));
  std::vector<double> deviances;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const auto* rates =
        rates_of(profiles, predicted[static_cast<std::size_t>(r)], "count_deviance_scores");
    const auto scale = library[static_cast<std::size_t>(r)] / per_10k;
    scores[static_cast<std::size_t>(r)] = top_deviance_sum(
        counts, r,
        [&](std::int64_t, std::size_t g) {
          return rates[g] * (gene_factors.empty() ? 1.0 : gene_factors[g]) * scale;
        },
        options, deviances);
  }
  return scores;
}

std::vector<float> quantile_function(std::vector<float> scores) {
  if (scores.empty()) throw OptionError("quantile_function: no scores");
  for (const auto s : scores) {
    if (!std::isfinite(s)) throw OptionError("quantile_function: a score is not finite");
  }
  std::sort(scores.begin(), scores.end());
  std::vector<float> out(static_cast<std::size_t>(kNoveltyLevels));
  const auto last = static_cast<double>(scores.size() - 1);
  for (std::int64_t j = 0; j < kNoveltyLevels; ++j) {
    const double position = last * static_cast<double>(j) / static_cast<double>(kNoveltyLevels - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const auto above = std::min(below + 1, scores.size() - 1);
    const double t = position - static_cast<double>(below);
    out[static_cast<std::size_t>(j)] =
        static_cast<float>((1 - t) * scores[below] + t * scores[above]);
  }
  return out;
}

double quantile_of(const float* levels, double score) {
  const auto* end = levels + kNoveltyLevels;
  if (std::isnan(score)) return 1;
  if (score < levels[0]) return 0;
  if (score > end[-1]) return 1;
  const auto step = 1.0 / static_cast<double>(kNoveltyLevels - 1);
  const auto* first_not_below = std::lower_bound(levels, end, static_cast<float>(score));
  const auto* first_above = std::upper_bound(levels, end, static_cast<float>(score));
  if (first_not_below != first_above) {  // equal to a run of levels: its middle
    return 0.5 * static_cast<double>((first_not_below - levels) + (first_above - levels) - 1) *
           step;
  }
  const auto* below = first_above - 1;
  const double t = (score - *below) / (static_cast<double>(*first_above) - *below);
  return (static_cast<double>(below - levels) + t) * step;
}

std::vector<float> calibration_rows(const std::vector<float>& scores,
                                    const std::vector<std::int32_t>& types, std::size_t n_types,
                                    std::vector<std::int64_t>& cells_used) {
  if (scores.size() != types.size()) {
    throw OptionError("calibration_rows: " + std::to_string(scores.size()) + " scores for " +
                      std::to_string(types.size()) + " types");
  }
  std::vector<std::vector<float>> of_type(n_types);
  std::vector<float> pooled;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (types[i] < 0) continue;
    require_cell(types[i], 1, n_types, static_cast<std::int64_t>(i), "calibration_rows");
    of_type[static_cast<std::size_t>(types[i])].push_back(scores[i]);
    pooled.push_back(scores[i]);
  }
  const auto pooled_row = quantile_function(pooled);
  std::vector<float> rows;
  cells_used.assign(n_types, 0);
  for (std::size_t t = 0; t < n_types; ++t) {
    const auto n = static_cast<std::int64_t>(of_type[t].size());
    if (n < kMinCalibrationCells) {
      rows.insert(rows.end(), pooled_row.begin(), pooled_row.end());
      continue;
    }
    cells_used[t] = n;
    const auto row = quantile_function(std::move(of_type[t]));
    rows.insert(rows.end(), row.begin(), row.end());
  }
  return rows;
}

NoveltyFitter::NoveltyFitter(std::int64_t n_genes, std::size_t n_types, DevianceOptions options)
    : n_genes_(n_genes),
      n_types_(n_types),
      options_(options),
      sums_(n_types * static_cast<std::size_t>(n_genes), 0),
      cells_(n_types, 0) {
  require_options(options_);
}

void NoveltyFitter::add_profile_cells(const CsrMatrix& counts, const std::vector<double>& library,
                                      const std::vector<std::int32_t>& types) {
  require_sizes(counts, library, types, "type_profiles");
  if (counts.n_cols != n_genes_) {
    throw OptionError("type_profiles: " + std::to_string(counts.n_cols) + " genes, expected " +
                      std::to_string(n_genes_));
  }
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const auto type = types[static_cast<std::size_t>(r)];
    const auto size = library[static_cast<std::size_t>(r)];
    require_cell(type, size, n_types_, r, "type_profiles");
    if (type < 0) continue;
    ++cells_[static_cast<std::size_t>(type)];
    auto* row = sums_.data() + static_cast<std::size_t>(type) * static_cast<std::size_t>(n_genes_);
    for (auto e = counts.indptr[r]; e < counts.indptr[r + 1]; ++e) {
      row[counts.indices[e]] += counts.data[e] / size;
    }
  }
}

void NoveltyFitter::add_calibration_cells(const CsrMatrix& counts,
                                          const std::vector<double>& library,
                                          const std::vector<std::int32_t>& types) {
  require_sizes(counts, library, types, "novelty calibration");
  std::vector<double> deviances;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const auto type = types[static_cast<std::size_t>(r)];
    const auto size = library[static_cast<std::size_t>(r)];
    require_cell(type, size, n_types_, r, "novelty calibration");
    if (type < 0) continue;
    const auto others = static_cast<double>(cells_[static_cast<std::size_t>(type)] - 1);
    if (others < 1) continue;
    const auto* sums =
        sums_.data() + static_cast<std::size_t>(type) * static_cast<std::size_t>(n_genes_);
    // Only the cell's stored genes can rise above expectation: their rates without the cell,
    // times its library.
    const auto expected = [&](std::int64_t e, std::size_t g) {
      return std::max(sums[g] - counts.data[e] / size, 0.0) / others * size;
    };
    deviances_.push_back(top_deviance_sum(counts, r, expected, options_, deviances));
    deviance_types_.push_back(type);
  }
}

TypeProfiles NoveltyFitter::profiles() const {
  TypeProfiles profiles;
  profiles.n_genes = n_genes_;
  profiles.rates.resize(sums_.size());
  const auto genes = static_cast<std::size_t>(n_genes_);
  for (std::size_t t = 0; t < n_types_; ++t) {
    for (std::size_t g = 0; g < genes; ++g) {
      const auto i = t * genes + g;
      profiles.rates[i] =
          cells_[t] > 0 ? static_cast<float>(per_10k * sums_[i] / static_cast<double>(cells_[t]))
                        : 0;
    }
  }
  return profiles;
}

NoveltyReference NoveltyFitter::finish(const std::vector<float>& doubt,
                                       const std::vector<std::int32_t>& doubt_types) const {
  if (deviances_.empty()) return {};  // no type has two cells: nothing to calibrate on
  NoveltyReference out;
  out.deviance = options_;
  out.profiles = profiles();
  out.deviance_quantiles =
      calibration_rows(deviances_, deviance_types_, n_types_, out.deviance_cells);
  if (!doubt.empty()) {
    out.doubt_quantiles = calibration_rows(doubt, doubt_types, n_types_, out.doubt_cells);
  }
  return out;
}

std::vector<float> novelty_scores(const NoveltyReference& reference, const CsrMatrix& counts,
                                  const std::vector<double>& library,
                                  const std::vector<std::int32_t>& predicted,
                                  const std::vector<float>& confidence,
                                  const std::vector<double>& gene_factors) {
  if (confidence.size() != predicted.size()) {
    throw OptionError("novelty_scores: " + std::to_string(confidence.size()) + " confidences for " +
                      std::to_string(predicted.size()) + " cells");
  }
  auto scores = count_deviance_scores(counts, library, predicted, reference.profiles, gene_factors,
                                      reference.deviance);
  const auto row = [](const std::vector<float>& rows, std::int32_t type) {
    return rows.data() + static_cast<std::size_t>(type) * kNoveltyLevels;
  };
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto type = predicted[i];
    double novelty = quantile_of(row(reference.deviance_quantiles, type), scores[i]);
    if (!reference.doubt_quantiles.empty()) {
      novelty =
          std::max(novelty, quantile_of(row(reference.doubt_quantiles, type), 1.0 - confidence[i]));
    }
    scores[i] = static_cast<float>(novelty);
  }
  return scores;
}

}  // namespace scgrad

#include "scgrad/preprocess/scaling.hpp"

#include <cmath>
#include <string>

#include "column_shares.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

ScalingAccumulator::ScalingAccumulator(std::int64_t n_genes)
    : count_(static_cast<std::size_t>(n_genes), 0),
      mean_(static_cast<std::size_t>(n_genes), 0.0),
      m2_(static_cast<std::size_t>(n_genes), 0.0) {}

void ScalingAccumulator::add_value(std::size_t gene, double value) {
  // Welford: this gene's stored values, one at a time, in row order.
  const double delta = value - mean_[gene];
  mean_[gene] += delta / static_cast<double>(++count_[gene]);
  m2_[gene] += delta * (value - mean_[gene]);
}

void ScalingAccumulator::add_row(const CsrMatrix& values, std::int64_t row) {
  ++rows_;
  for (auto k = values.indptr[row]; k < values.indptr[row + 1]; ++k) {
    add_value(static_cast<std::size_t>(values.indices[k]), values.data[k]);
  }
}

void ScalingAccumulator::add_rows(const CsrMatrix& values, const std::vector<std::int64_t>& rows) {
  rows_ += static_cast<std::int64_t>(rows.size());
  // The update divides once per value: most of the time, and each gene's alone.
  visit_columns_shared(values, rows, [this](std::int32_t gene, float value) {
    add_value(static_cast<std::size_t>(gene), value);
  });
}

void ScalingAccumulator::add(const CsrMatrix& values) {
  for (std::int64_t r = 0; r < values.n_rows; ++r) add_row(values, r);
}

ScalingStats ScalingAccumulator::finish() const {
  const auto n_genes = mean_.size();
  const auto n = static_cast<double>(rows_);
  ScalingStats out;
  out.mean.assign(n_genes, 0.0);
  out.sd.assign(n_genes, 1.0);
  for (std::size_t g = 0; g < n_genes; ++g) {
    const auto stored = static_cast<double>(count_[g]);
    double variance = 0;
    if (rows_ > 0 && count_[g] > 0) {
      // The implicit zeros (n - stored of them, mean 0, no spread) merged in closed form (Chan
      // et al.); with no zeros the factor is exactly 1, so a constant gene keeps its value.
      const double share = stored / n;
      out.mean[g] = mean_[g] * share;
      variance = (m2_[g] + mean_[g] * mean_[g] * stored * (1.0 - share)) / n;
    }
    if (variance > 0) {
      out.sd[g] = std::sqrt(variance);
    } else {
      ++out.constant_genes;  // scaled to exactly 0 with SD 1
    }
  }
  return out;
}

void ScalingAccumulator::merge(const ScalingAccumulator& other) {
  if (other.mean_.size() != mean_.size()) {
    throw Error("scaling: statistics of " + std::to_string(other.mean_.size()) +
                " genes cannot be merged with those of " + std::to_string(mean_.size()));
  }
  rows_ += other.rows_;
  for (std::size_t g = 0; g < mean_.size(); ++g) {
    const auto a = static_cast<double>(count_[g]);
    const auto b = static_cast<double>(other.count_[g]);
    if (b == 0) continue;
    if (a == 0) {  // exactly the other's, not a rounded copy
      count_[g] = other.count_[g];
      mean_[g] = other.mean_[g];
      m2_[g] = other.m2_[g];
      continue;
    }
    const double delta = other.mean_[g] - mean_[g];
    count_[g] += other.count_[g];
    const auto n = static_cast<double>(count_[g]);
    mean_[g] += delta * (b / n);
    m2_[g] += other.m2_[g] + delta * delta * (a * b / n);
  }
}

std::vector<double> ScalingAccumulator::values() const {
  std::vector<double> out{static_cast<double>(rows_)};
  out.insert(out.end(), count_.begin(), count_.end());
  out.insert(out.end(), mean_.begin(), mean_.end());
  out.insert(out.end(), m2_.begin(), m2_.end());
  return out;
}

ScalingAccumulator ScalingAccumulator::from_values(const std::vector<double>& values) {
  const auto n_genes = values.empty() ? 0 : (values.size() - 1) / 3;
  ScalingAccumulator out(static_cast<std::int64_t>(n_genes));
  if (values.empty()) return out;
  out.rows_ = static_cast<std::int64_t>(values[0]);
  for (std::size_t g = 0; g < n_genes; ++g) {
    out.count_[g] = static_cast<std::int64_t>(values[1 + g]);
    out.mean_[g] = values[1 + n_genes + g];
    out.m2_[g] = values[1 + 2 * n_genes + g];
  }
  return out;
}

ScalingStats compute_scaling(const CsrMatrix& values) {
  ScalingAccumulator accumulator(values.n_cols);
  accumulator.add(values);
  return accumulator.finish();
}

}  // namespace scgrad

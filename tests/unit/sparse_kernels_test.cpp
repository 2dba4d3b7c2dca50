// The sparse first layer's kernels: the portable ones (the only ones on aarch64) and the
// vector ones (x86-64 with AVX2 + FMA) against a double-precision reference, for widths that
// fill whole vectors, partial vectors and several tiles.

#include "model/sparse_kernels.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace scgrad::kernels {
namespace {

struct RandomCsr {
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<float> values;
  std::int64_t rows = 0, cols = 0;
  CsrArrays arrays() const { return {indptr.data(), indices.data(), values.data()}; }
};

RandomCsr random_csr(std::int64_t rows, std::int64_t cols, std::mt19937& rng) {
  RandomCsr m;
  m.rows = rows;
  m.cols = cols;
  std::bernoulli_distribution stored(0.15);
  std::uniform_real_distribution<float> value(-2, 2);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      if (!stored(rng)) continue;
      m.indices.push_back(static_cast<std::int32_t>(c));
      m.values.push_back(value(rng));
    }
    m.indptr.push_back(static_cast<std::int64_t>(m.values.size()));
  }
  return m;
}

std::vector<float> random_dense(std::int64_t rows, std::int64_t stride, std::mt19937& rng) {
  std::uniform_real_distribution<float> value(-1, 1);
  std::vector<float> out(static_cast<std::size_t>(rows * stride));
  for (auto& v : out) v = value(rng);
  return out;
}

const std::int64_t kWidths[] = {1, 3, 8, 13, 50, 64, 70, 130};

TEST(SparseKernels, PortableAndVectorProductsEqualTheReference) {
  std::mt19937 rng(7);
  const auto x = random_csr(41, 300, rng);
  RecordProperty("vector_kernels", vector_kernels_available() ? "yes" : "no");
  for (const auto h : kWidths) {
    SCOPED_TRACE("h = " + std::to_string(h));
    const auto stride = pad_to_vector(h);
    const auto v = random_dense(x.cols, stride, rng);
    std::vector<double> reference(static_cast<std::size_t>(x.rows * h), 0.0);
    for (std::int64_t r = 0; r < x.rows; ++r) {
      for (auto k = x.indptr[r]; k < x.indptr[r + 1]; ++k) {
        for (std::int64_t j = 0; j < h; ++j) {
          reference[r * h + j] += double(x.values[k]) * v[x.indices[k] * stride + j];
        }
      }
    }
    std::vector<float> portable(reference.size()), dispatched(reference.size());
    rows_times_dense_portable(x.arrays(), 0, x.rows, v.data(), h, stride, portable.data());
    rows_times_dense(x.arrays(), 0, x.rows, v.data(), h, stride, dispatched.data());
    for (std::size_t i = 0; i < reference.size(); ++i) {
      ASSERT_NEAR(portable[i], reference[i], 1e-4) << i;
      ASSERT_NEAR(dispatched[i], reference[i], 1e-4) << i;
    }
  }
}

TEST(SparseKernels, PortableAndVectorTransposedProductsEqualTheReference) {
  std::mt19937 rng(11);
  const auto x = random_csr(53, 120, rng);
  for (const auto h : kWidths) {
    SCOPED_TRACE("h = " + std::to_string(h));
    const auto stride = pad_to_vector(h);
    const auto g = random_dense(x.rows, h, rng);
    std::vector<double> reference(static_cast<std::size_t>(x.cols * stride), 0.0);
    for (std::int64_t r = 0; r < x.rows; ++r) {
      for (auto k = x.indptr[r]; k < x.indptr[r + 1]; ++k) {
        for (std::int64_t j = 0; j < h; ++j) {
          reference[x.indices[k] * stride + j] += double(x.values[k]) * g[r * h + j];
        }
      }
    }
    // Rows split in two calls, as threads split them: the buffer accumulates.
    std::vector<float> portable(reference.size(), 0.0F), dispatched(reference.size(), 0.0F);
    for (const auto& [begin, end] : {std::pair<std::int64_t, std::int64_t>{0, 20}, {20, x.rows}}) {
      rows_transpose_times_dense_portable(x.arrays(), begin, end, g.data(), h, portable.data(),
                                          stride);
      rows_transpose_times_dense(x.arrays(), begin, end, g.data(), h, dispatched.data(), stride);
    }
    // Columns split in two calls at a multiple of 8, as threads split them for wide layers.
    const auto middle = std::min<std::int64_t>(h, 8 * ((h / 8 + 1) / 2));
    std::vector<float> by_columns(reference.size(), 0.0F), portable_columns(reference.size(), 0.0F);
    for (const auto& [begin, end] :
         {std::pair<std::int64_t, std::int64_t>{0, middle}, {middle, h}}) {
      rows_transpose_times_dense(x.arrays(), 0, x.rows, g.data(), h, by_columns.data(), stride,
                                 begin, end);
      rows_transpose_times_dense_portable(x.arrays(), 0, x.rows, g.data(), h,
                                          portable_columns.data(), stride, begin, end);
    }
    for (std::int64_t c = 0; c < x.cols; ++c) {
      for (std::int64_t j = 0; j < h; ++j) {
        const auto i = static_cast<std::size_t>(c * stride + j);
        ASSERT_NEAR(portable[i], reference[i], 1e-4) << c << "," << j;
        ASSERT_NEAR(dispatched[i], reference[i], 1e-4) << c << "," << j;
        ASSERT_NEAR(by_columns[i], reference[i], 1e-4) << "columns split: " << c << "," << j;
        ASSERT_NEAR(portable_columns[i], reference[i], 1e-4) << c << "," << j;
      }
    }
  }
}

}  // namespace
}  // namespace scgrad::kernels

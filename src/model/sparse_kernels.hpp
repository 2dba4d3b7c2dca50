#pragma once
/// @file sparse_kernels.hpp
/// The two products the sparse first layer needs, on raw CSR arrays (no torch, so this file
/// compiles in a second): Y = X · V for the forward pass and dV = Xᵀ · G for the backward.
/// Each takes a range of rows so callers can split the work between threads.
///
/// Dense operands are row-major with a row stride that may exceed the width h: the fast
/// kernels load 8 floats at a time, and rows padded to a multiple of 8 (pad_to_vector) let them
/// do so without reading past a row.

#include <cstdint>

namespace scgrad::kernels {

struct CsrArrays {
  const std::int64_t* indptr;
  const std::int32_t* indices;
  const float* values;
};

/// Rows padded to this many floats let the vector kernels load whole rows.
constexpr std::int64_t kVectorWidth = 8;
constexpr std::int64_t pad_to_vector(std::int64_t h) {
  return (h + kVectorWidth - 1) / kVectorWidth * kVectorWidth;
}

/// out[r, 0:h] = Σ_k X[r, k] · v[k, 0:h] for rows r in [begin, end). `v` has row stride
/// `v_stride` (≥ h; pad_to_vector(h) for the fast kernel), `out` has row stride h.
void rows_times_dense(const CsrArrays& x, std::int64_t begin, std::int64_t end, const float* v,
                      std::int64_t h, std::int64_t v_stride, float* out);

/// buffer[k, c] += Σ_r X[r, k] · g[r, c] over rows r in [begin, end) and columns c in
/// [column_begin, column_end) (default: all h), so that threads may split the columns instead
/// of the rows and write disjoint parts of one buffer. `g` has row stride h, `buffer` has row
/// stride `buffer_stride` (≥ h; pad_to_vector(h) for the fast kernel, which also needs
/// column_begin a multiple of kVectorWidth and may write the padding after the last column).
void rows_transpose_times_dense(const CsrArrays& x, std::int64_t begin, std::int64_t end,
                                const float* g, std::int64_t h, float* buffer,
                                std::int64_t buffer_stride, std::int64_t column_begin = 0,
                                std::int64_t column_end = -1);

/// True when rows_times_dense and rows_transpose_times_dense can use the vector kernels
/// (x86-64 with AVX2 and FMA); they fall back to the portable ones otherwise.
bool vector_kernels_available();

/// The portable kernels (any processor, width and stride), which the two above fall back to;
/// declared for the tests that check them against the vector kernels.
void rows_times_dense_portable(const CsrArrays& x, std::int64_t begin, std::int64_t end,
                               const float* v, std::int64_t h, std::int64_t v_stride, float* out);
void rows_transpose_times_dense_portable(const CsrArrays& x, std::int64_t begin, std::int64_t end,
                                         const float* g, std::int64_t h, float* buffer,
                                         std::int64_t buffer_stride, std::int64_t column_begin = 0,
                                         std::int64_t column_end = -1);

}  // namespace scgrad::kernels

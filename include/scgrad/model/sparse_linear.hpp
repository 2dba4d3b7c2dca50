#pragma once
/// @file sparse_linear.hpp
/// The first layer on the sparse log-CPM matrix, with the scaling folded into it:
///
///   W · ((x − m) / s) + b  =  (W / s) · x  +  (b − (W / s) · m)
///
/// so cost grows with the nonzeros, not cells × genes, and X is never densified. The product
/// X · (W/s)ᵀ is a custom autograd function (forward X·Vᵀ, backward Gᵀ·X), multithreaded with
/// at::parallel_for; the rest (W/s, the mean term) is ordinary torch autograd.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

/// A CSR matrix as three tensors (int64 indptr, int32 indices, float32 values), the form
/// the sparse kernels take.
struct CsrTensors {
  torch::Tensor indptr;
  torch::Tensor indices;
  torch::Tensor values;
  std::int64_t n_rows = 0;
  std::int64_t n_cols = 0;
  /// Every value is already at most its gene's cap in the first layer that reads it (an input
  /// capped once, for the model of the same preprocessing: cap_stored_values); the layer then
  /// skips the clip.
  bool values_capped = false;
};

/// Wraps a CsrMatrix without copying; the tensors keep it alive.
CsrTensors csr_view(const std::shared_ptr<const CsrMatrix>& matrix);

/// Wraps a CsrMatrix without copying, for a call that ends before the matrix does (the tensors
/// do not keep it alive).
CsrTensors borrowed_csr_view(const CsrMatrix& matrix);

/// Copies the listed rows into a new CsrTensors (a minibatch).
CsrTensors gather_rows(const CsrMatrix& matrix, const std::vector<std::int64_t>& rows);

/// Y = X · Vt for CSR X (n x g) and dense Vt (g x h, float32); not differentiable.
torch::Tensor csr_times_dense(const CsrTensors& x, const torch::Tensor& vt);

/// Xᵀ · G (g x h) for CSR X (n x g) and dense G (n x h, float32); not differentiable.
torch::Tensor csr_transpose_times_dense(const CsrTensors& x, const torch::Tensor& g);

/// Y = X · Vᵀ for CSR X (n x g) and dense V (h x g); differentiable in V.
torch::Tensor sparse_matmul(const CsrTensors& x, const torch::Tensor& v);

/// The linear layer (weight h x g, bias h) applied to ((X − mean) / sd) without forming it.
torch::Tensor sparse_scaled_linear(const CsrTensors& x, const torch::Tensor& weight,
                                   const torch::Tensor& bias, const torch::Tensor& mean,
                                   const torch::Tensor& sd);

}  // namespace scgrad

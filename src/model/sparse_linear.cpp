#include "scgrad/model/sparse_linear.hpp"

#include <ATen/Parallel.h>

#include "sparse_kernels.hpp"

namespace scgrad {

namespace {

kernels::CsrArrays arrays_of(const CsrTensors& x) {
  return {x.indptr.data_ptr<std::int64_t>(), x.indices.data_ptr<std::int32_t>(),
          x.values.data_ptr<float>()};
}

/// Rows of a (rows x h) matrix, padded with zeros to the vector kernels' stride (h = 1, the
/// logistic model, is left as it is: its kernel reads single values).
torch::Tensor padded_rows(const torch::Tensor& m) {
  const auto h = m.size(1);
  if (h == 1) return m.contiguous();
  return torch::constant_pad_nd(m, {0, kernels::pad_to_vector(h) - h}).contiguous();
}

/// Autograd function: inputs Vt (g x h, differentiable) and the CSR tensors (constants).
struct SparseMatmul : torch::autograd::Function<SparseMatmul> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& vt,
                               const torch::Tensor& indptr, const torch::Tensor& indices,
                               const torch::Tensor& values, std::int64_t n_cols) {
    CsrTensors x{indptr, indices, values, indptr.size(0) - 1, n_cols};
    ctx->save_for_backward({indptr, indices, values});
    ctx->saved_data["n_cols"] = n_cols;
    return csr_times_dense(x, vt.contiguous());
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    CsrTensors x{saved[0], saved[1], saved[2], saved[0].size(0) - 1,
                 ctx->saved_data["n_cols"].toInt()};
    const auto grad_vt = csr_transpose_times_dense(x, grad_outputs[0].contiguous());
    return {grad_vt, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

// Rows are independent, so threads take ranges of rows: at least enough rows for ~64k
// multiply-adds each (a fixed 256 rows kept a minibatch of 128 cells on one thread).
torch::Tensor csr_times_dense(const CsrTensors& x, const torch::Tensor& vt) {
  const auto h = vt.size(1);
  const auto padded = padded_rows(vt);
  auto y = torch::empty({x.n_rows, h}, vt.options());
  const auto arrays = arrays_of(x);
  const auto per_row =
      std::max<std::int64_t>(1, x.values.numel() / std::max<std::int64_t>(1, x.n_rows)) * h;
  const auto grain = std::max<std::int64_t>(1, (std::int64_t{1} << 16) / per_row);
  at::parallel_for(0, x.n_rows, grain, [&](std::int64_t begin, std::int64_t end) {
    kernels::rows_times_dense(arrays, begin, end, padded.data_ptr<float>(), h, padded.size(1),
                              y.data_ptr<float>());
  });
  return y;
}

// Entries of different rows add into the same gene's row of the result, so threads cannot
// simply take rows of X. They take items of a grid instead: `parts` ranges of X's rows, each
// adding into a genes × h buffer of its own (summed after), times `groups` ranges of the
// result's columns, each scanning its part's every entry for its own columns. Extra buffers
// pay off when the products outnumber the buffer's values 16 to 1 (a full batch: two threads
// 0.6× of one on a two-layer epoch; sharing one buffer's columns they gave 0.77×, every entry a
// read-modify-write of a row the other thread's writes evict); a minibatch of 128 cells has
// fewer entries than a buffer has values, so its threads split the columns (0.70× at 128
// cells). Columns are split by whole cache lines, the buffer's rows padded to whole lines:
// two threads writing parts of one line would pass it back and forth (false sharing).
torch::Tensor csr_transpose_times_dense(const CsrTensors& x, const torch::Tensor& g) {
  constexpr std::int64_t kFloatsPerLine = 64 / sizeof(float);
  constexpr std::int64_t kMaxBufferBytes = std::int64_t{256} << 20;
  const auto h = g.size(1);
  const auto stride = h == 1 ? 1
                      : h < kFloatsPerLine
                          ? kernels::pad_to_vector(h)
                          : (h + kFloatsPerLine - 1) / kFloatsPerLine * kFloatsPerLine;
  const auto lines = (stride + kFloatsPerLine - 1) / kFloatsPerLine;
  const auto threads = std::max<std::int64_t>(1, at::get_num_threads());
  const auto buffer_values = std::max<std::int64_t>(1, x.n_cols * stride);
  const auto products = x.values.numel() * h;
  const auto parts = std::clamp<std::int64_t>(
      std::min(products / (16 * buffer_values),
               kMaxBufferBytes / (buffer_values * static_cast<std::int64_t>(sizeof(float)))),
      1, threads);
  const auto groups = std::clamp<std::int64_t>(threads / parts, 1, lines);
  auto partial = torch::zeros({parts, x.n_cols, stride}, g.options());
  const auto arrays = arrays_of(x);
  at::parallel_for(0, parts * groups, 1, [&](std::int64_t begin, std::int64_t end) {
    for (auto item = begin; item < end; ++item) {
      const auto part = item / groups;
      const auto group = item % groups;
      kernels::rows_transpose_times_dense(
          arrays, x.n_rows * part / parts, x.n_rows * (part + 1) / parts, g.data_ptr<float>(), h,
          partial.data_ptr<float>() + part * buffer_values, stride,
          lines * group / groups * kFloatsPerLine,
          std::min(h, lines * (group + 1) / groups * kFloatsPerLine));
    }
  });
  auto total = parts == 1 ? partial[0] : partial.sum(0);
  return stride == h ? total : total.narrow(1, 0, h).contiguous();
}

CsrTensors borrowed_csr_view(const CsrMatrix& matrix) {
  const auto nnz = static_cast<std::int64_t>(matrix.data.size());
  return {torch::from_blob(const_cast<std::int64_t*>(matrix.indptr.data()), {matrix.n_rows + 1},
                           torch::kInt64),
          torch::from_blob(const_cast<std::int32_t*>(matrix.indices.data()), {nnz}, torch::kInt32),
          torch::from_blob(const_cast<float*>(matrix.data.data()), {nnz}, torch::kFloat32),
          matrix.n_rows, matrix.n_cols};
}

CsrTensors csr_view(const std::shared_ptr<const CsrMatrix>& matrix) {
  auto view = borrowed_csr_view(*matrix);
  // Each tensor holds the matrix: autograd keeps a batch's tensors until the backward pass,
  // after the batch itself is gone.
  const auto holds = [matrix](void*) {};
  const auto held = [&](const torch::Tensor& t) {
    return torch::from_blob(t.data_ptr(), t.sizes(), holds, t.options());
  };
  return {held(view.indptr), held(view.indices), held(view.values), view.n_rows, view.n_cols};
}

CsrTensors gather_rows(const CsrMatrix& matrix, const std::vector<std::int64_t>& rows) {
  std::int64_t nnz = 0;
  for (const auto r : rows) nnz += matrix.indptr[r + 1] - matrix.indptr[r];
  auto indptr = torch::empty({static_cast<std::int64_t>(rows.size()) + 1}, torch::kInt64);
  auto indices = torch::empty({nnz}, torch::kInt32);
  auto values = torch::empty({nnz}, torch::kFloat32);
  auto* p = indptr.data_ptr<std::int64_t>();
  auto* i = indices.data_ptr<std::int32_t>();
  auto* v = values.data_ptr<float>();
  p[0] = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto begin = matrix.indptr[rows[k]];
    const auto length = matrix.indptr[rows[k] + 1] - begin;
    std::copy_n(matrix.indices.data() + begin, length, i + p[k]);
    std::copy_n(matrix.data.data() + begin, length, v + p[k]);
    p[k + 1] = p[k] + length;
  }
  return {indptr, indices, values, static_cast<std::int64_t>(rows.size()), matrix.n_cols};
}

torch::Tensor sparse_matmul(const CsrTensors& x, const torch::Tensor& v) {
  return SparseMatmul::apply(v.t(), x.indptr, x.indices, x.values, x.n_cols);
}

torch::Tensor sparse_scaled_linear(const CsrTensors& x, const torch::Tensor& weight,
                                   const torch::Tensor& bias, const torch::Tensor& mean,
                                   const torch::Tensor& sd) {
  const auto folded = weight / sd.reshape({1, -1});                  // W / s
  const auto offset = bias - torch::mv(folded, mean.reshape({-1}));  // b − (W / s) · m
  return sparse_matmul(x, folded) + offset;
}

}  // namespace scgrad

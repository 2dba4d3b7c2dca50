#pragma once
/// @file model_input.hpp
/// Where the trainer's cells come from: the exercise's dense scaled tensor, the sparse log-CPM
/// matrix (never densified; the model's first layer folds the scaling in), or two inputs as one.
/// An input produces batches (model_batch.hpp); the training loop hands them to the model.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "scgrad/model/model_batch.hpp"
#include "scgrad/util/csr_matrix.hpp"
#include "scgrad/util/random.hpp"

namespace scgrad {

/// Appends `cells`, in their order, to `batches` as consecutive minibatches of `batch_size`.
void append_batches(const std::vector<std::int64_t>& cells, std::int64_t batch_size,
                    std::vector<std::vector<std::int64_t>>& batches);

class ModelInput {
 public:
  virtual ~ModelInput() = default;
  virtual std::int64_t rows() const = 0;
  /// The listed cells (positions), in that order; `rows` null: every cell, which only an input
  /// whose whole_batch_allowed() is true gives.
  virtual ModelBatch batch(const std::vector<std::int64_t>* rows = nullptr) const = 0;
  /// One epoch's minibatches (cell positions). Default: a shuffled permutation, cut in order.
  virtual std::vector<std::vector<std::int64_t>> epoch_batches(Random& random,
                                                               std::int64_t batch_size) const;
  /// The cells [first, last), in order, as consecutive batches: `visit(batch, position of its
  /// first cell)`. One batch when the input allows it and they are at most `max_rows` cells,
  /// else batches of at most min(max_rows, chunk_rows()) cells. Two inputs as one visit each
  /// part's own batches. Data-parallel ranks each visit their contiguous share.
  virtual void visit_range(std::int64_t first, std::int64_t last, std::int64_t max_rows,
                           const std::function<void(const ModelBatch&, std::int64_t)>& visit) const;

  /// With `size` data-parallel ranks: the positions in `rows` (one of epoch_batches' batches)
  /// whose cells rank `rank` computes. Default: the contiguous share [n·rank/size,
  /// n·(rank+1)/size) of the positions. A streamed input gives each rank the cells in its part
  /// of their chunk instead, so that each reads only that part of the file.
  virtual std::vector<std::int64_t> rank_positions(const std::vector<std::int64_t>& rows, int rank,
                                                   int size) const;
  /// How many cells to take at a time when predicting all of them.
  virtual std::int64_t chunk_rows() const { return 65536; }
  /// False when the cells cannot be taken all at once (full-batch training).
  virtual bool whole_batch_allowed() const { return true; }
};

/// The exercise: X dense and already scaled.
class DenseInput : public ModelInput {
 public:
  explicit DenseInput(torch::Tensor x) : x_(std::move(x)) {}
  std::int64_t rows() const override { return x_.size(0); }
  ModelBatch batch(const std::vector<std::int64_t>* rows = nullptr) const override;
  const torch::Tensor& x() const { return x_; }

 private:
  torch::Tensor x_;
};

/// Log-CPM kept as CSR; the model's first layer computes W·((x − mean)/sd) + b from the
/// nonzeros.
class SparseInput : public ModelInput {
 public:
  /// `values_capped`: the matrix's values are already capped for the model (cap_stored_values).
  explicit SparseInput(std::shared_ptr<const CsrMatrix> log_cpm, bool values_capped = false)
      : matrix_(std::move(log_cpm)), values_capped_(values_capped) {}
  std::int64_t rows() const override { return matrix_->n_rows; }
  ModelBatch batch(const std::vector<std::int64_t>* rows = nullptr) const override;

 private:
  std::shared_ptr<const CsrMatrix> matrix_;
  bool values_capped_ = false;
};

/// Two inputs as one: the rows of `first`, then those of `second` (e.g. the training cells a
/// selection run fitted on, then its validation cells: all training cells, without copying).
class ConcatenatedInput : public ModelInput {
 public:
  ConcatenatedInput(std::shared_ptr<const ModelInput> first,
                    std::shared_ptr<const ModelInput> second);
  std::int64_t rows() const override { return first_->rows() + second_->rows(); }
  ModelBatch batch(const std::vector<std::int64_t>* rows = nullptr) const override;
  /// In memory: one shuffled permutation of all rows. Otherwise each part's own batches (chunk
  /// by chunk when streamed), interleaved at random keeping each part's order.
  std::vector<std::vector<std::int64_t>> epoch_batches(Random& random,
                                                       std::int64_t batch_size) const override;
  void visit_range(
      std::int64_t first, std::int64_t last, std::int64_t max_rows,
      const std::function<void(const ModelBatch&, std::int64_t)>& visit) const override;
  /// Streamed: the part the batch's cells belong to decides (each batch is one part's).
  std::vector<std::int64_t> rank_positions(const std::vector<std::int64_t>& rows, int rank,
                                           int size) const override;
  std::int64_t chunk_rows() const override {
    return std::min(first_->chunk_rows(), second_->chunk_rows());
  }
  bool whole_batch_allowed() const override {
    return first_->whole_batch_allowed() && second_->whole_batch_allowed();
  }

 private:
  std::shared_ptr<const ModelInput> first_;
  std::shared_ptr<const ModelInput> second_;
};

}  // namespace scgrad

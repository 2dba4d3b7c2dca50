#pragma once
/// @file model_input.hpp
/// What the trainer feeds a model: the exercise's dense scaled tensor, or the sparse log-CPM
/// matrix with the scaling folded into the first layer (never densified).

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "scgrad/io/csr_matrix.hpp"
#include "scgrad/model/exercise_models.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/util/random.hpp"

namespace scgrad {

/// Appends `cells`, in their order, to `batches` as consecutive minibatches of `batch_size`.
void append_batches(const std::vector<std::int64_t>& cells, std::int64_t batch_size,
                    std::vector<std::vector<std::int64_t>>& batches);

class ModelInput {
 public:
  virtual ~ModelInput() = default;
  virtual std::int64_t rows() const = 0;
  /// The model's outputs for every cell (`rows` null) or for the listed cells, in that order.
  virtual torch::Tensor forward(ClassifierImpl& model,
                                const std::vector<std::int64_t>* rows = nullptr) const = 0;
  /// One epoch's minibatches (cell positions). Default: a shuffled permutation, cut in order.
  virtual std::vector<std::vector<std::int64_t>> epoch_batches(Random& random,
                                                               std::int64_t batch_size) const;
  /// How many cells to pass to forward() at a time when predicting all of them.
  virtual std::int64_t chunk_rows() const { return 65536; }
  /// False when the cells cannot be taken all at once (full-batch training).
  virtual bool whole_batch_allowed() const { return true; }
};

/// The exercise: X dense and already scaled; forward is model.forward(X).
class DenseInput : public ModelInput {
 public:
  explicit DenseInput(torch::Tensor x) : x_(std::move(x)) {}
  std::int64_t rows() const override { return x_.size(0); }
  torch::Tensor forward(ClassifierImpl& model,
                        const std::vector<std::int64_t>* rows = nullptr) const override;
  const torch::Tensor& x() const { return x_; }

 private:
  torch::Tensor x_;
};

/// Log-CPM kept as CSR; the first layer computes W·((x − mean)/sd) + b from the nonzeros.
class SparseInput : public ModelInput {
 public:
  /// @param mean, sd per gene (1-D float32), the scaling the dense path would apply
  SparseInput(std::shared_ptr<const CsrMatrix> log_cpm, torch::Tensor mean, torch::Tensor sd);
  std::int64_t rows() const override { return matrix_->n_rows; }
  torch::Tensor forward(ClassifierImpl& model,
                        const std::vector<std::int64_t>* rows = nullptr) const override;

 private:
  std::shared_ptr<const CsrMatrix> matrix_;
  torch::Tensor mean_;
  torch::Tensor sd_;
};

/// Two inputs as one: the rows of `first`, then those of `second` (e.g. the training cells a
/// selection run fitted on, then its validation cells: all training cells, without copying).
class ConcatenatedInput : public ModelInput {
 public:
  ConcatenatedInput(std::shared_ptr<const ModelInput> first,
                    std::shared_ptr<const ModelInput> second);
  std::int64_t rows() const override { return first_->rows() + second_->rows(); }
  torch::Tensor forward(ClassifierImpl& model,
                        const std::vector<std::int64_t>* rows = nullptr) const override;
  /// In memory: one shuffled permutation of all rows. Otherwise each part's own batches (chunk
  /// by chunk when streamed), interleaved at random keeping each part's order.
  std::vector<std::vector<std::int64_t>> epoch_batches(Random& random,
                                                       std::int64_t batch_size) const override;
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

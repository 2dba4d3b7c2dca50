#pragma once
/// @file exercise_models.hpp
/// The exercise's three models, with the exercise's names, so a learner can read them beside
/// the Python: `SimpleModel` (Linear + Sigmoid), `TwoLayerModel` (the "more complex model":
/// Linear(d,50) + Sigmoid + Linear(50,1) + Sigmoid) and `OurNN_ListVersion` (a layer list).

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "scgrad/model/input_linear.hpp"
#include "scgrad/model/layer_spec.hpp"
#include "scgrad/model/model_batch.hpp"

namespace scgrad {

/// What every scgrad model is: a torch module mapping cells (a dense, scaled X as in the
/// exercise, or sparse log-CPM rows; model_batch.hpp) to outputs (cells × outputs). Its first
/// layer is an InputLinear, which takes either.
struct ClassifierImpl : torch::nn::Module {
  /// `model.forward(x)` with x a dense tensor reads as the exercise's.
  virtual torch::Tensor forward(const ModelBatch& x) = 0;
  /// The layer spec this model is equivalent to (stored in the model file).
  virtual std::string spec() const = 0;
  /// The scaling the first layer folds into sparse rows (1-D float32, one per gene).
  void set_input_scaling(const torch::Tensor& mean, const torch::Tensor& sd) {
    input_->set_scaling(mean, sd);
  }

 protected:
  InputLinearImpl* input_ = nullptr;  ///< the first layer (registered by each model)
};

/// class SimpleModel(nn.Module): linear1 = nn.Linear(input_dim, 1), then nn.Sigmoid().
/// With outputs > 1 (many classes) it returns the linear layer's logits for cross-entropy.
struct SimpleModel : ClassifierImpl {
  explicit SimpleModel(std::int64_t input_dim, std::int64_t outputs = 1);
  torch::Tensor forward(const ModelBatch& x) override;
  std::string spec() const override;

  InputLinear linear1{nullptr};
  torch::nn::Sigmoid sigmoid{nullptr};
};

/// The exercise's "more complex model": two linear layers with sigmoids, 50 hidden nodes.
/// With outputs > 1 the last sigmoid is left out (logits for cross-entropy).
struct TwoLayerModel : ClassifierImpl {
  TwoLayerModel(std::int64_t input_dim, std::int64_t hidden = 50, std::int64_t outputs = 1);
  torch::Tensor forward(const ModelBatch& x) override;
  std::string spec() const override;

  InputLinear linear1{nullptr};
  torch::nn::Sigmoid sigmoid1{nullptr};
  torch::nn::Linear linear2{nullptr};
  torch::nn::Sigmoid sigmoid2{nullptr};
};

/// class OurNN_ListVersion: layers appended to a list, applied in a loop in forward().
/// The name keeps the exercise's spelling so the two can be read side by side.
struct OurNN_ListVersion : ClassifierImpl {  // NOLINT(readability-identifier-naming)
  /// The first layer of the list must be linear.
  OurNN_ListVersion(std::int64_t input_dim, const std::vector<LayerSpec>& layer_list);
  torch::Tensor forward(const ModelBatch& x) override;
  std::string spec() const override;

  torch::nn::Sequential layers{nullptr};
  InputLinear first{nullptr};  ///< layers[0]
  std::vector<LayerSpec> layer_specs;
};

/// `--model`: "logistic" → SimpleModel, "mlp" → TwoLayerModel, a spec → OurNN_ListVersion.
/// Two classes take outputs = 1 (sigmoid + BCE, as the exercise); K > 2 classes take K outputs
/// (logits + cross-entropy). A spec must end in linear:1,sigmoid or linear:K accordingly.
std::shared_ptr<ClassifierImpl> make_classifier(const std::string& model, std::int64_t input_dim,
                                                std::int64_t hidden = 50, std::int64_t outputs = 1);

}  // namespace scgrad

#pragma once
/// @file classifier.hpp
/// The classifiers scgrad trains: `LogisticClassifier` (Linear + Sigmoid, or the logits for
/// many classes), `TwoLayerClassifier` (Linear(d,50) + Sigmoid + Linear(50,1) + Sigmoid) and
/// `LayerListClassifier` (any layer spec, applied as a list), and `make_classifier`, which
/// chooses one from `--model`. They are the exercise's three models; under the exercise's names
/// (`SimpleModel`, `TwoLayerModel`, `OurNN_ListVersion`) in exercise/exercise_models.hpp.

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
  /// The outputs before a final sigmoid: forward(x) for many classes, the log-odds of the first
  /// class for two. What marker attributions differentiate (a sigmoid saturates).
  torch::Tensor logits(const ModelBatch& x) { return logits_after_first_layer(input_->apply(x)); }
  /// The same from the first layer's outputs (cells × its units): an attribution can take its
  /// gradient there, where sparse rows arrive without being densified.
  virtual torch::Tensor logits_after_first_layer(const torch::Tensor& h) = 0;
  /// The first layer (weight: units × genes).
  InputLinearImpl& first_layer() { return *input_; }
  /// The layer spec this model is equivalent to (stored in the model file).
  virtual std::string spec() const = 0;
  /// The scaling the first layer folds into sparse rows (1-D float32, one per gene), and the
  /// clip of scaled values (Preprocessing::max_value; 0: none).
  void set_input_scaling(const torch::Tensor& mean, const torch::Tensor& sd, double max_value = 0) {
    input_->set_scaling(mean, sd, max_value);
  }

 protected:
  InputLinearImpl* input_ = nullptr;  ///< the first layer (registered by each model)
};

/// Logistic regression: linear1 = Linear(input_dim, 1), then Sigmoid (the exercise's
/// SimpleModel). With outputs > 1 (many classes) it returns the linear layer's logits for
/// cross-entropy (multinomial logistic regression).
struct LogisticClassifier : ClassifierImpl {
  explicit LogisticClassifier(std::int64_t input_dim, std::int64_t outputs = 1);
  torch::Tensor forward(const ModelBatch& x) override;
  torch::Tensor logits_after_first_layer(const torch::Tensor& h) override;
  std::string spec() const override;

  InputLinear linear1{nullptr};
  torch::nn::Sigmoid sigmoid{nullptr};
};

/// Two linear layers with sigmoids, 50 hidden units by default (the exercise's "more complex
/// model", TwoLayerModel). With outputs > 1 the last sigmoid is left out (logits).
struct TwoLayerClassifier : ClassifierImpl {
  TwoLayerClassifier(std::int64_t input_dim, std::int64_t hidden = 50, std::int64_t outputs = 1);
  torch::Tensor forward(const ModelBatch& x) override;
  torch::Tensor logits_after_first_layer(const torch::Tensor& h) override;
  std::string spec() const override;

  InputLinear linear1{nullptr};
  torch::nn::Sigmoid sigmoid1{nullptr};
  torch::nn::Linear linear2{nullptr};
  torch::nn::Sigmoid sigmoid2{nullptr};
};

/// Layers appended to a list, applied in a loop in forward() (the exercise's
/// OurNN_ListVersion); any layer spec.
struct LayerListClassifier : ClassifierImpl {
  /// The first layer of the list must be linear.
  LayerListClassifier(std::int64_t input_dim, const std::vector<LayerSpec>& layer_list);
  torch::Tensor forward(const ModelBatch& x) override;
  torch::Tensor logits_after_first_layer(const torch::Tensor& h) override;
  std::string spec() const override;

  torch::nn::Sequential layers{nullptr};
  InputLinear first{nullptr};  ///< layers[0]
  std::vector<LayerSpec> layer_specs;

 private:
  /// Layers 1 to count − 1 of the list, in order, on the first layer's outputs.
  torch::Tensor apply_layers_after_first(torch::Tensor h, std::size_t count);
};

/// `model`: "logistic" → LogisticClassifier, "mlp" → TwoLayerClassifier, a layer spec →
/// LayerListClassifier.
/// Two classes take outputs = 1 (sigmoid + BCE, as the exercise); K > 2 classes take K outputs
/// (logits + cross-entropy). A spec must end in linear:1,sigmoid or linear:K accordingly.
std::shared_ptr<ClassifierImpl> make_classifier(const std::string& model, std::int64_t input_dim,
                                                std::int64_t hidden = 50, std::int64_t outputs = 1);

}  // namespace scgrad

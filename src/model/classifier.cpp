#include "scgrad/model/classifier.hpp"

#include "scgrad/error.hpp"

namespace scgrad {

LogisticClassifier::LogisticClassifier(std::int64_t input_dim, std::int64_t outputs) {
  linear1 = register_module("linear1", InputLinear(input_dim, outputs));
  sigmoid = register_module("sigmoid", torch::nn::Sigmoid());
  input_ = linear1.get();
}

torch::Tensor LogisticClassifier::forward(const ModelBatch& x) {
  auto z = logits(x);
  if (linear1->options.out_features() == 1) z = sigmoid(z);
  return z;
}

torch::Tensor LogisticClassifier::logits_after_first_layer(const torch::Tensor& h) { return h; }

std::string LogisticClassifier::spec() const {
  return model_spec_text("logistic", 0, linear1->options.out_features());
}

TwoLayerClassifier::TwoLayerClassifier(std::int64_t input_dim, std::int64_t hidden,
                                       std::int64_t outputs) {
  linear1 = register_module("linear1", InputLinear(input_dim, hidden));
  sigmoid1 = register_module("sigmoid1", torch::nn::Sigmoid());
  linear2 = register_module("linear2", torch::nn::Linear(hidden, outputs));
  sigmoid2 = register_module("sigmoid2", torch::nn::Sigmoid());
  input_ = linear1.get();
}

torch::Tensor TwoLayerClassifier::forward(const ModelBatch& x) {
  auto z = logits(x);
  if (linear2->options.out_features() == 1) z = sigmoid2(z);
  return z;
}

torch::Tensor TwoLayerClassifier::logits_after_first_layer(const torch::Tensor& h) {
  return linear2(sigmoid1(h));
}

std::string TwoLayerClassifier::spec() const {
  return model_spec_text("mlp", linear1->options.out_features(), linear2->options.out_features());
}

LayerListClassifier::LayerListClassifier(std::int64_t input_dim,
                                         const std::vector<LayerSpec>& layer_list)
    : layer_specs(layer_list) {
  if (layer_list.empty() || layer_list.front().kind != LayerSpec::Kind::linear) {
    throw Error("model spec '" + to_string(layer_list) + "' must start with a linear layer",
                {"model"});
  }
  layers = torch::nn::Sequential();
  std::int64_t width = input_dim;
  for (const auto& layer : layer_list) {
    switch (layer.kind) {
      case LayerSpec::Kind::linear:
        if (!first) {  // the first layer: it also takes sparse rows
          first = InputLinear(width, layer.units);
          layers->push_back(first);
        } else {
          layers->push_back(torch::nn::Linear(width, layer.units));
        }
        width = layer.units;
        break;
      case LayerSpec::Kind::sigmoid:
        layers->push_back(torch::nn::Sigmoid());
        break;
      case LayerSpec::Kind::relu:
        layers->push_back(torch::nn::ReLU());
        break;
      case LayerSpec::Kind::tanh:
        layers->push_back(torch::nn::Tanh());
        break;
      case LayerSpec::Kind::dropout:
        layers->push_back(torch::nn::Dropout(layer.p));
        break;
    }
  }
  layers = register_module("layers", layers);
  input_ = first.get();
}

torch::Tensor LayerListClassifier::forward(const ModelBatch& x) {
  return apply_layers_after_first(first->apply(x), layers->size());
}

torch::Tensor LayerListClassifier::logits_after_first_layer(const torch::Tensor& h) {
  // Every layer but a final sigmoid (two classes end in one; many classes in linear).
  const bool ends_in_sigmoid = layer_specs.back().kind == LayerSpec::Kind::sigmoid;
  return apply_layers_after_first(h, layers->size() - (ends_in_sigmoid ? 1 : 0));
}

torch::Tensor LayerListClassifier::apply_layers_after_first(torch::Tensor h, std::size_t count) {
  // The exercise's loop over the list (its first layer, which also takes sparse rows, done).
  const auto end = layers->begin() + static_cast<std::ptrdiff_t>(count);
  for (auto layer = std::next(layers->begin()); layer != end; ++layer) h = layer->forward(h);
  return h;
}

std::string LayerListClassifier::spec() const { return to_string(layer_specs); }

std::shared_ptr<ClassifierImpl> make_classifier(const std::string& model, std::int64_t input_dim,
                                                std::int64_t hidden, std::int64_t outputs) {
  const auto layers = parse_layer_spec(model_spec_text(model, hidden, outputs));
  std::int64_t last_units = 0;
  for (const auto& layer : layers) {
    if (layer.kind == LayerSpec::Kind::linear) last_units = layer.units;
  }
  if (last_units != outputs) {
    throw Error("model '" + model + "' ends in " + std::to_string(last_units) +
                    " outputs; this task needs " + std::to_string(outputs) +
                    " (the last linear layer must be linear:" + std::to_string(outputs) + ")",
                {"model"});
  }
  if (outputs == 1 && layers.back().kind != LayerSpec::Kind::sigmoid) {
    throw Error("model '" + model +
                    "' must end in a sigmoid for two classes (BCE loss takes probabilities)",
                {"model"});
  }
  if (outputs > 1 && layers.back().kind != LayerSpec::Kind::linear) {
    throw Error(
        "model '" + model + "' must end in linear:" + std::to_string(outputs) + " for " +
            std::to_string(outputs) +
            " classes (cross-entropy takes the logits; softmax is applied for probabilities)",
        {"model"});
  }
  if (model == "logistic") return std::make_shared<LogisticClassifier>(input_dim, outputs);
  if (model == "mlp") return std::make_shared<TwoLayerClassifier>(input_dim, hidden, outputs);
  return std::make_shared<LayerListClassifier>(input_dim, layers);
}

}  // namespace scgrad

#pragma once
/// @file layer_spec.hpp
/// A model described as text, e.g. "linear:50,sigmoid,linear:1,sigmoid": the layer list of the
/// exercise's `OurNN_ListVersion`, and what the model file stores. No torch here.

#include <cstdint>
#include <string>
#include <vector>

namespace scgrad {

struct LayerSpec {
  enum class Kind { linear, sigmoid, relu, tanh, dropout };
  Kind kind = Kind::linear;
  std::int64_t units = 0;  ///< output size of a linear layer
  double p = 0;            ///< drop probability of a dropout layer
};

/// Parses "linear:N", "sigmoid", "relu", "tanh", "dropout:P", comma-separated.
/// Throws scgrad::Error naming the bad item and what is accepted.
std::vector<LayerSpec> parse_layer_spec(const std::string& text);

/// The canonical text of a layer list (parse_layer_spec(to_string(x)) == x).
std::string to_string(const std::vector<LayerSpec>& layers);

/// True when the spec has more than one linear layer: no weight links a gene to a class, so
/// marker genes come from a stored attribution (train/class_attribution.hpp).
bool has_hidden_layers(const std::string& spec);

/// Outputs a model needs: 1 for two classes (a sigmoid), K otherwise (logits).
inline std::int64_t output_units(std::size_t n_classes) {
  return n_classes == 2 ? 1 : static_cast<std::int64_t>(n_classes);
}

/// `--model` → spec text: "logistic" is the exercise's SimpleModel ("linear:1,sigmoid"),
/// "mlp" its two-layer model ("linear:<hidden>,sigmoid,linear:1,sigmoid"); with outputs K > 1
/// they end in "linear:K" (logits). Anything else is taken as a spec and checked.
std::string model_spec_text(const std::string& model, std::int64_t hidden = 50,
                            std::int64_t outputs = 1);

/// The spec's parameter shapes in order: per linear layer, weight (units × inputs) then bias
/// (units), the first layer's inputs being the genes.
std::vector<std::vector<std::int64_t>> parameter_shapes(const std::string& spec,
                                                        std::int64_t n_genes);

}  // namespace scgrad

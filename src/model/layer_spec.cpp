#include "scgrad/model/layer_spec.hpp"

#include <algorithm>
#include <sstream>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {
constexpr const char* kAccepted =
    "accepted: linear:N, sigmoid, relu, tanh, dropout:P, comma-separated, e.g. "
    "linear:50,sigmoid,linear:1,sigmoid";

[[noreturn]] void bad(const std::string& item, const std::string& why) {
  throw Error("model spec item '" + item + "': " + why + " (" + kAccepted + ")", {"model"});
}
}  // namespace

std::vector<LayerSpec> parse_layer_spec(const std::string& text) {
  std::vector<LayerSpec> layers;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const auto colon = item.find(':');
    const auto name = item.substr(0, colon);
    const auto arg = colon == std::string::npos ? std::string() : item.substr(colon + 1);
    LayerSpec layer;
    if (name == "linear") {
      layer.kind = LayerSpec::Kind::linear;
      try {
        std::size_t used = 0;
        layer.units = std::stoll(arg, &used);
        if (used != arg.size() || layer.units < 1) throw std::invalid_argument(arg);
      } catch (const std::exception&) {
        bad(item, "linear needs a positive number of units");
      }
    } else if (name == "dropout") {
      layer.kind = LayerSpec::Kind::dropout;
      try {
        std::size_t used = 0;
        layer.p = std::stod(arg, &used);
        if (used != arg.size() || layer.p < 0 || layer.p >= 1) throw std::invalid_argument(arg);
      } catch (const std::exception&) {
        bad(item, "dropout needs a probability in [0, 1)");
      }
    } else if (name == "sigmoid" || name == "relu" || name == "tanh") {
      if (!arg.empty()) bad(item, name + " takes no argument");
      layer.kind = name == "sigmoid" ? LayerSpec::Kind::sigmoid
                   : name == "relu"  ? LayerSpec::Kind::relu
                                     : LayerSpec::Kind::tanh;
    } else {
      bad(item, "unknown layer");
    }
    layers.push_back(layer);
  }
  if (layers.empty()) bad(text, "empty model spec");
  bool has_linear = false;
  for (const auto& layer : layers) has_linear = has_linear || layer.kind == LayerSpec::Kind::linear;
  if (!has_linear) bad(text, "a model needs at least one linear layer");
  return layers;
}

std::string to_string(const std::vector<LayerSpec>& layers) {
  std::ostringstream out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (i > 0) out << ',';
    switch (layers[i].kind) {
      case LayerSpec::Kind::linear:
        out << "linear:" << layers[i].units;
        break;
      case LayerSpec::Kind::sigmoid:
        out << "sigmoid";
        break;
      case LayerSpec::Kind::relu:
        out << "relu";
        break;
      case LayerSpec::Kind::tanh:
        out << "tanh";
        break;
      case LayerSpec::Kind::dropout:
        out << "dropout:" << layers[i].p;
        break;
    }
  }
  return out.str();
}

std::string model_spec_text(const std::string& model, std::int64_t hidden, std::int64_t outputs) {
  const auto head =
      outputs == 1 ? std::string("linear:1,sigmoid") : "linear:" + std::to_string(outputs);
  if (model == "logistic") return head;
  if (model == "mlp") return "linear:" + std::to_string(hidden) + ",sigmoid," + head;
  return to_string(parse_layer_spec(model));
}

bool has_hidden_layers(const std::string& spec) {
  const auto layers = parse_layer_spec(spec);
  return std::count_if(layers.begin(), layers.end(),
                       [](const LayerSpec& l) { return l.kind == LayerSpec::Kind::linear; }) > 1;
}

std::vector<std::vector<std::int64_t>> parameter_shapes(const std::string& spec,
                                                        std::int64_t n_genes) {
  std::vector<std::vector<std::int64_t>> shapes;
  auto inputs = n_genes;
  for (const auto& layer : parse_layer_spec(spec)) {
    if (layer.kind != LayerSpec::Kind::linear) continue;
    shapes.push_back({layer.units, inputs});
    shapes.push_back({layer.units});
    inputs = layer.units;
  }
  return shapes;
}

}  // namespace scgrad

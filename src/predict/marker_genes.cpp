#include "scgrad/predict/marker_genes.hpp"

#include <algorithm>
#include <numeric>

#include "scgrad/error.hpp"
#include "scgrad/model/layer_spec.hpp"

namespace scgrad {

std::vector<std::vector<MarkerGene>> marker_genes(const ModelFile& model, std::int64_t top) {
  if (top < 1) throw OptionError("marker_genes: top must be >= 1", {"top"});
  const auto layers = parse_layer_spec(model.spec);
  const auto linear = std::count_if(layers.begin(), layers.end(), [](const LayerSpec& l) {
    return l.kind == LayerSpec::Kind::linear;
  });
  if (linear != 1 || model.weights.empty()) {
    throw OptionError("marker genes are read from a logistic model's weights; '" + model.spec +
                          "' has hidden layers (train the logistic model for markers)",
                      {"model"});
  }
  const auto& genes = model.preprocessing.genes;
  const auto& weight = model.weights.front();  // outputs x genes, validated with the file
  const auto n_genes = static_cast<std::int64_t>(genes.size());
  const auto n_classes = model.classes.size();
  std::vector<std::vector<MarkerGene>> markers(n_classes);
  for (std::size_t c = 0; c < n_classes; ++c) {
    // Two classes: one output, P(classes[0]); classes[1] is pushed by the opposite sign.
    const bool single_output = weight.shape.front() == 1;
    const auto row = single_output ? 0 : static_cast<std::int64_t>(c);
    const double sign = single_output && c == 1 ? -1.0 : 1.0;
    std::vector<double> score(static_cast<std::size_t>(n_genes));
    for (std::int64_t g = 0; g < n_genes; ++g) {
      score[static_cast<std::size_t>(g)] =
          sign * weight.values[static_cast<std::size_t>(row * n_genes + g)];
    }
    std::vector<std::size_t> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    const auto kept = std::min<std::size_t>(static_cast<std::size_t>(top), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kept), order.end(),
                      [&](std::size_t a, std::size_t b) {
                        return score[a] != score[b] ? score[a] > score[b] : a < b;
                      });
    for (std::size_t i = 0; i < kept; ++i) markers[c].push_back({genes[order[i]], score[order[i]]});
  }
  return markers;
}

}  // namespace scgrad

#include "scgrad/predict/marker_genes.hpp"

#include <algorithm>
#include <numeric>

#include "scgrad/error.hpp"
#include "scgrad/model/layer_spec.hpp"

namespace scgrad {

MarkerSource marker_source(const FittedModel& model) {
  if (!has_hidden_layers(model.spec)) return MarkerSource::weights;
  if (!model.marker_attribution.empty()) return MarkerSource::gradient_x_input;
  throw InputError(model.path.empty() ? "(model in memory)" : model.path, "markers",
                   "the model '" + model.spec +
                       "' has hidden layers and its file holds no marker attribution (earlier "
                       "builds of scgrad did not store it); train it again to get its markers");
}

std::vector<std::vector<MarkerGene>> marker_genes(const FittedModel& model, std::int64_t top) {
  if (top < 1) throw OptionError("marker_genes: top must be >= 1", {"top"});
  const auto source = marker_source(model);
  const auto& genes = model.preprocessing.genes;
  const auto n_genes = static_cast<std::int64_t>(genes.size());
  const auto n_classes = model.classes.size();
  // Weights: outputs x genes (validated with the file); two classes have one output, the
  // log-odds of classes[0], so classes[1] is pushed by the opposite sign. The attribution has
  // a row per class already.
  const auto& values =
      source == MarkerSource::weights ? model.weights.front().values : model.marker_attribution;
  const bool single_output = source == MarkerSource::weights && model.weights.front().shape[0] == 1;
  std::vector<std::vector<MarkerGene>> markers(n_classes);
  for (std::size_t c = 0; c < n_classes; ++c) {
    const auto row = single_output ? 0 : static_cast<std::int64_t>(c);
    const double sign = single_output && c == 1 ? -1.0 : 1.0;
    std::vector<double> score(static_cast<std::size_t>(n_genes));
    for (std::int64_t g = 0; g < n_genes; ++g) {
      score[static_cast<std::size_t>(g)] =
          sign * values[static_cast<std::size_t>(row * n_genes + g)];
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

#pragma once
/// @file marker_genes.hpp
/// The genes that push a model most towards each class (CellTypist's extract_top_markers).
/// Exact for the logistic model: its weights act on the scaled genes, so a weight is how much
/// one standard deviation more of a gene moves the class's logit. A model with hidden layers
/// has no such weight: its file stores each class's mean gradient × input over its training
/// cells (train/class_attribution.hpp), computed when it was trained. No torch here.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/saved/model_file.hpp"

namespace scgrad {

struct MarkerGene {
  std::string gene;
  /// weights: the weight of the scaled gene for the class (logit per SD); gradient_x_input:
  /// the gene's mean share of the class's centred logit over the class's training cells.
  double score = 0;
};

/// Where a model's marker scores come from.
enum class MarkerSource {
  weights,           ///< the logistic model's weights (exact)
  gradient_x_input,  ///< the attribution stored with a model with hidden layers
};

/// The source marker_genes uses for `model`. Throws InputError (element "markers") for a model
/// with hidden layers whose file stores no attribution.
MarkerSource marker_source(const FittedModel& model);

/// Per class (model.classes order), its `top` genes by score, highest first. With two classes
/// the logistic model's single output is the probability of classes[0]: its scores are the
/// weights, classes[1]'s their negatives. Throws as marker_source, or OptionError for top < 1.
std::vector<std::vector<MarkerGene>> marker_genes(const FittedModel& model, std::int64_t top = 20);

}  // namespace scgrad

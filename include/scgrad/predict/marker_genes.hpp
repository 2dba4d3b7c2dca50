#pragma once
/// @file marker_genes.hpp
/// The genes that push a model most towards each class (CellTypist's extract_top_markers).
/// Exact for the logistic model: its weights act on the scaled genes, so a weight is how much
/// one standard deviation more of a gene moves the class's logit. No torch here.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/io/model_file.hpp"

namespace scgrad {

struct MarkerGene {
  std::string gene;
  double score = 0;  ///< the weight of the scaled gene for the class (logit per SD)
};

/// Per class (model.classes order), its `top` genes by score, highest first. With two classes
/// the single output is the probability of classes[0]: its scores are the weights, classes[1]'s
/// their negatives. Throws OptionError for a model with hidden layers (no exact attribution is
/// stored for them yet) or top < 1.
std::vector<std::vector<MarkerGene>> marker_genes(const ModelFile& model, std::int64_t top = 20);

}  // namespace scgrad

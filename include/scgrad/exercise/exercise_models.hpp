#pragma once
/// @file exercise_models.hpp
/// The exercise's three models under the exercise's names, to read beside the Python:
///
///   class SimpleModel(nn.Module)        # Linear(input_dim, 1) + Sigmoid
///   class TwoLayerModel(nn.Module)      # the "more complex model": Linear(d,50) + Sigmoid +
///                                       # Linear(50,1) + Sigmoid
///   class OurNN_ListVersion(nn.Module)  # the same layers appended to a list
///
/// They are scgrad's classifiers (model/classifier.hpp), which `scgrad train` uses too: the
/// same modules, parameters (linear1.weight, ...) and numbers.

#include "scgrad/model/classifier.hpp"

namespace scgrad {

using SimpleModel = LogisticClassifier;
using TwoLayerModel = TwoLayerClassifier;
using OurNN_ListVersion = LayerListClassifier;  // NOLINT(readability-identifier-naming)

}  // namespace scgrad

#pragma once
/// @file network.hpp
/// Between a torch model and a FittedModel: weights out by parameter name, and the torch
/// network a fitted model describes, with its weights in.

#include <memory>

#include "scgrad/model/classifier.hpp"
#include "scgrad/saved/fitted_model.hpp"

namespace scgrad {

/// Copies every parameter of `model` into `file.weights` (CPU, float32, by name).
void store_weights(ClassifierImpl& model, FittedModel& file);

/// Builds the model `file.spec` describes (for its genes and classes) and loads its weights in
/// order, and its preprocessing's scaling for sparse rows; throws naming the file's parameter
/// that has the wrong shape.
std::shared_ptr<ClassifierImpl> load_classifier(const FittedModel& file);

}  // namespace scgrad

#pragma once
/// @file model_bundle.hpp
/// Between a torch model and the model file: weights out by parameter name, and a model
/// rebuilt from a file with its weights in.

#include <memory>

#include "scgrad/io/model_file.hpp"
#include "scgrad/model/classifier.hpp"

namespace scgrad {

/// Copies every parameter of `model` into `file.weights` (CPU, float32, by name).
void store_weights(ClassifierImpl& model, ModelFile& file);

/// Builds the model `file.spec` describes (for its genes and classes) and loads its weights in
/// order, and its preprocessing's scaling for sparse rows; throws naming the file's parameter
/// that has the wrong shape.
std::shared_ptr<ClassifierImpl> load_classifier(const ModelFile& file);

}  // namespace scgrad

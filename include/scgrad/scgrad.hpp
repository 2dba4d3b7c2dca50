#pragma once
/// @file scgrad.hpp
/// The library in one include (no torch needed to build against it): fit a classifier on an
/// .h5ad file, save it, load it, label the cells of another file. docs/library.md shows it.
///
///   auto options = scgrad::recommended_fit_options();
///   options.prepare.classes = {"all"};
///   const auto result = scgrad::fit("reference.h5ad", options);
///   scgrad::save(result.model, "model.h5");
///   const auto labels = scgrad::predict(scgrad::load("model.h5"), "query.h5ad");

#include <string>

#include "scgrad/error.hpp"
#include "scgrad/io/model_file.hpp"
#include "scgrad/predict/predict_cells.hpp"
#include "scgrad/train/fit.hpp"

namespace scgrad {

/// Writes the model file (validated first, atomically: a failed write leaves nothing).
inline void save(const ModelFile& model, const std::string& path) { write_model_file(path, model); }

/// Reads a model file as untrusted input: every check of validate_model_file runs.
inline ModelFile load(const std::string& path) { return read_model_file(path); }

}  // namespace scgrad

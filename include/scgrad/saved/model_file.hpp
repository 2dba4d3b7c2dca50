#pragma once
/// @file model_file.hpp
/// The model file: one HDF5 file (h5py reads it) holding a FittedModel. Its layout is private to
/// src/saved/model_file.cpp; everything else works with the FittedModel.

#include <string>

#include "scgrad/saved/fitted_model.hpp"

namespace scgrad {

class StagedOutput;

/// Bumped when a reader of an older version could not read the file correctly.
constexpr int kModelFormatVersion = 1;

/// Validates, then writes it as a run of one output (output_set.hpp: a file or a link's target
/// replaced whole, a device or pipe written into, nothing changed on failure).
void write_model_file(const std::string& path, const FittedModel& model);

/// Validates, then writes it into one output of a run (put in place by OutputSet::commit).
void write_model_file(const StagedOutput& output, const FittedModel& model);

/// Reads a model file as untrusted input: format name and version, then the description
/// (spec, classes, genes), then each array only after its declared shape is the one the
/// description implies, and finally validate_fitted_model. Errors name the file and the element;
/// a crash inside libhdf5 on a damaged file ends in one line and exit status 1 (reading_guard).
FittedModel read_model_file(const std::string& path);

}  // namespace scgrad

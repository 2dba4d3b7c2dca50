#pragma once
/// @file classifier_file.hpp
/// A fitted classifier as the model file `scgrad predict` reads: the model, its preprocessing
/// and how it was trained and chosen.

#include <string>

#include "scgrad/io/model_file.hpp"
#include "scgrad/train/fit_classifier.hpp"

namespace scgrad {

class AnnDataSource;

/// The model file of `saved` (the refit on every cell, or the selected model itself) trained
/// with `fit` on `file`; its held-out figures are those of `selected` (the measured model).
/// Its novelty reference is fitted on `saved`'s training cells, read again from `file`, and
/// calibrated on `doubt`.
ModelFile classifier_file(const FittedClassifier& saved, const FittedClassifier& selected,
                          const FitOptions& fit, const AnnDataSource& file,
                          const DoubtCalibration& doubt);

}  // namespace scgrad

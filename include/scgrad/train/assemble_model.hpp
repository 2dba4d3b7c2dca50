#pragma once
/// @file assemble_model.hpp
/// Training's results as one FittedModel (what the model file stores and `scgrad predict`
/// reads): the model, its preprocessing, how it was trained and chosen, its novelty reference.

#include <string>

#include "scgrad/saved/fitted_model.hpp"
#include "scgrad/train/fit_classifier.hpp"

namespace scgrad {

class AnnDataSource;

/// The fitted model of `saved` (the refit on every cell, or the selected model itself) trained
/// with `fit` on `file`; its held-out figures are those of `selected` (the measured model).
/// Its novelty reference is fitted on `saved`'s training cells, read again from `file`, and
/// calibrated on `doubt`.
FittedModel assemble_fitted_model(const FittedClassifier& saved, const FittedClassifier& selected,
                                  const FitOptions& fit, const AnnDataSource& file,
                                  const DoubtCalibration& doubt);

}  // namespace scgrad

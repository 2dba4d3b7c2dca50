#pragma once
/// @file calibration.hpp
/// Confidences that mean what they say: temperature scaling (Guo et al., "On Calibration of
/// Modern Neural Networks", 2017) and the expected calibration error that measures it.
///
/// A temperature T divides the model's logits; on probabilities that is p_c^(1/T), renormalised
/// per cell (the same for a softmax and for a sigmoid's two columns). It never changes a cell's
/// most probable class, so accuracy and macro-F1 are unchanged. T is fitted on the validation
/// cells, which chose the epoch and the weight decay but never trained the model.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace scgrad {

/// Cells x classes probabilities (row-major) with temperature `temperature` applied: each row
/// p^(1/T) / sum(p^(1/T)). T = 1 returns them unchanged.
std::vector<float> tempered(const std::vector<float>& probabilities, std::size_t n_classes,
                            double temperature);

/// The temperature in [0.05, 20] that minimises the mean cross-entropy of `truth` under
/// tempered(probabilities, T), the truth smoothed by Laplace's rule of succession (1/(n+2) of
/// it spread over the other classes, so a validation set predicted entirely right does not
/// send T to 0), plus a normal prior on log T (mean 0, SD 0.5) that weighs like one cell among
/// n, so a small validation set moves T only as far as it is sure of; golden-section search on
/// log T. 1 when there are no cells.
double fit_temperature(const std::vector<float>& probabilities, std::size_t n_classes,
                       const std::vector<std::int32_t>& truth);

/// Expected calibration error: the cells binned by their top probability into `bins`
/// equal-width bins of [0, 1]; the sum over bins of (cells in bin / cells) x |accuracy in bin -
/// mean top probability in bin|. In [0, 1]; 0 when there are no cells.
double expected_calibration_error(const std::vector<float>& probabilities, std::size_t n_classes,
                                  const std::vector<std::int32_t>& truth, int bins = 15);

}  // namespace scgrad

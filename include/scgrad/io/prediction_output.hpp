#pragma once
/// @file prediction_output.hpp
/// Writes predictions into a copy of the input .h5ad: obs `scgrad_label` (categorical) and
/// `scgrad_confidence`, obsm `scgrad_probabilities` (cells x classes), uns
/// `scgrad_classes` (the column order). The input file is never opened for writing.

#include <cstdint>
#include <string>
#include <vector>

namespace scgrad {

struct PredictionColumns {
  std::vector<std::string> classes;
  std::vector<std::int32_t> labels;  ///< class index per cell
  std::vector<float> confidence;     ///< probability of the predicted class
  std::vector<float> probabilities;  ///< cells x classes, row-major
};

/// Copies `input` to a temporary file beside `output`, adds the prediction elements (replacing
/// earlier scgrad_* ones) and renames it onto `output`.
void write_prediction_h5ad(const std::string& input, const std::string& output,
                           const PredictionColumns& predictions);

/// One line per cell: cell, label, confidence, then one probability column per class.
void write_prediction_csv(const std::string& output, const std::vector<std::string>& cell_names,
                          const PredictionColumns& predictions);

}  // namespace scgrad

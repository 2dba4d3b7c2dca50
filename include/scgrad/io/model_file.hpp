#pragma once
/// @file model_file.hpp
/// The model file: one HDF5 file (h5py reads it) with everything needed to label new cells —
/// layer spec, weights, genes, preprocessing, scaling, classes, training settings and metrics.
/// No torch here: weights travel as named float arrays.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace scgrad {

/// Bumped when a reader of an older version could not read the file correctly.
constexpr int kModelFormatVersion = 1;

struct NamedArray {
  std::string name;  ///< torch parameter name, e.g. "linear1.weight"
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

struct ModelFile {
  std::string model;  ///< the --model value: "logistic", "mlp" or a spec
  std::int64_t hidden = 50;
  std::string spec;                  ///< the layer spec the model is equivalent to
  std::vector<std::string> classes;  ///< in output order
  std::vector<std::string> genes;    ///< model inputs, in order
  std::string gene_key;              ///< var column the names came from ("" = var index)
  /// "dense" or "sparse": how training fed the first layer; predict does the same, so that
  /// predicting the training cells reproduces training's numbers exactly.
  std::string compute = "dense";

  // preprocessing (attributes of /preprocess)
  double min_counts = 10;
  std::int64_t min_cells = 0;
  double target_sum = 1e6;
  double log_base = 0;
  std::string library_size_key;
  std::string matrix = "X";
  std::string label_key;

  std::vector<float> scaling_mean;  ///< per gene, float32 as used in training
  std::vector<float> scaling_sd;    ///< per gene (1 where the SD was 0)
  std::vector<NamedArray> weights;

  // training (attributes of /training)
  std::map<std::string, double> training_numbers;       ///< seed, epochs, lr, metrics, ...
  std::map<std::string, std::string> training_strings;  ///< data file name, ...
};

/// Writes atomically (temporary file + rename).
void write_model_file(const std::string& path, const ModelFile& model);

/// Reads and checks the format name and version; errors name the file and what is wrong.
ModelFile read_model_file(const std::string& path);

}  // namespace scgrad

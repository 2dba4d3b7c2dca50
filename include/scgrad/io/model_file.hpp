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

  /// Where it was read from (read_model_file), for messages; not stored in the file.
  std::string path;
};

/// The widest layer a model file may declare (units of one linear layer, or --hidden).
constexpr std::int64_t kMaxLayerUnits = 1000000;

/// Every check a model is held to, on the model as a whole: classes (at least two) and genes
/// (at least one) named, non-empty and unique; the layer spec parses, no layer is wider than
/// kMaxLayerUnits, and it is the architecture the model name, hidden size and class count
/// give; the weights are that spec's parameters in order (shapes included); scaling has one
/// mean and one SD per gene; every number is finite, every SD > 0, the target sum > 0.
/// Throws scgrad::Error naming `path` and the element. Every loader and the writer call it.
void validate_model_file(const ModelFile& model, const std::string& path);

/// The spec's parameter shapes in order: per linear layer, weight (units × inputs) then bias
/// (units), the first layer's inputs being the genes.
std::vector<std::vector<std::int64_t>> parameter_shapes(const std::string& spec,
                                                        std::int64_t n_genes);

/// Validates, then writes atomically (temporary file + rename).
void write_model_file(const std::string& path, const ModelFile& model);

/// Reads a model file as untrusted input: format name and version, then the description
/// (spec, classes, genes), then each array only after its declared shape is the one the
/// description implies, and finally validate_model_file. Errors name the file and the element;
/// a crash inside libhdf5 on a damaged file ends in one line and exit status 1 (reading_guard).
ModelFile read_model_file(const std::string& path);

}  // namespace scgrad

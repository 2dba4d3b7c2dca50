#pragma once
/// @file model_file.hpp
/// The model file: one HDF5 file (h5py reads it) with everything needed to label new cells —
/// layer spec, weights, genes, preprocessing, scaling, classes, training settings and metrics.
/// No torch here: weights travel as named float arrays.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scgrad/predict/novelty.hpp"
#include "scgrad/preprocess/preprocessing.hpp"

namespace scgrad {

class StagedOutput;

/// Bumped when a reader of an older version could not read the file correctly.
constexpr int kModelFormatVersion = 1;

struct NamedArray {
  std::string name;  ///< torch parameter name, e.g. "linear1.weight"
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

/// How training fed the first layer; predict does the same, so that predicting the training
/// cells reproduces training's numbers exactly.
enum class ComputePath {
  dense,   ///< the scaled X as a dense tensor (the exercise)
  sparse,  ///< log-CPM as CSR, the scaling folded into the first layer
};
const char* to_string(ComputePath compute);

struct ModelFile {
  /// The architecture, the one source the model is rebuilt from (e.g. "linear:1,sigmoid").
  std::string spec;
  std::string model;         ///< what the user asked for ("logistic", "mlp" or a spec): a record
  std::int64_t hidden = 50;  ///< --hidden as given: a record
  std::vector<std::string> classes;  ///< in output order
  /// Genes (the inputs, in order), matrix, gene filter, library sizes, log-CPM and scaling:
  /// what predict applies to new cells.
  Preprocessing preprocessing;
  ComputePath compute = ComputePath::dense;
  /// Divides the logits before the probabilities are read (infer/calibration.hpp), fitted on
  /// the validation cells; 1 = none (files written before scgrad calibrated). Root attribute
  /// "temperature", finite and in [0.05, 20].
  double temperature = 1;
  std::string label_key;            ///< obs column the classes came from
  std::vector<NamedArray> weights;  ///< the spec's parameters, in order
  /// For models with hidden layers: each class's mean gradient × input over its training cells
  /// (classes × genes, row-major; train/class_attribution.hpp), what marker_genes ranks. Empty
  /// for the logistic model (its weights are exact) and in files written before scgrad stored
  /// it (marker_genes then asks for a retrain). Kept at /markers/gradient_x_input.
  std::vector<float> marker_attribution;
  /// What scores a query cell's novelty (predict/novelty.hpp), at /novelty: the types' mean
  /// counts per 10,000 over the model's genes and the reference's calibration quantiles. Empty
  /// in files written before scgrad stored it (predict then writes no novelty and refuses
  /// --max-novelty).
  NoveltyReference novelty;

  // training (attributes of /training)
  std::map<std::string, double> training_numbers;       ///< seed, epochs, lr, metrics, ...
  std::map<std::string, std::string> training_strings;  ///< data file name, ...

  /// Where it was read from (read_model_file), for messages; not stored in the file.
  std::string path;

  const std::vector<std::string>& genes() const { return preprocessing.genes; }
};

/// The widest layer a model file may declare (units of one linear layer, or --hidden).
constexpr std::int64_t kMaxLayerUnits = 1000000;

/// Every check a model is held to, on the model as a whole: classes (at least two) and genes
/// (at least one) named, non-empty and unique; the layer spec parses, no layer is wider than
/// kMaxLayerUnits, and it is the architecture the model name, hidden size and class count
/// give; the weights are that spec's parameters in order (shapes included); scaling has one
/// mean and one SD per gene; a marker attribution, when present, has one value per class and
/// gene; a novelty reference, when present, has a profile per class and gene (>= 0) and
/// non-decreasing quantile rows per class; every number is finite, every SD > 0, the target
/// sum > 0.
/// Throws scgrad::Error naming `path` and the element. Every loader and the writer call it.
void validate_model_file(const ModelFile& model, const std::string& path);

/// The spec's parameter shapes in order: per linear layer, weight (units × inputs) then bias
/// (units), the first layer's inputs being the genes.
std::vector<std::vector<std::int64_t>> parameter_shapes(const std::string& spec,
                                                        std::int64_t n_genes);

/// Validates, then writes it as a run of one output (output_set.hpp: a file or a link's target
/// replaced whole, a device or pipe written into, nothing changed on failure).
void write_model_file(const std::string& path, const ModelFile& model);

/// Validates, then writes it into one output of a run (put in place by OutputSet::commit).
void write_model_file(const StagedOutput& output, const ModelFile& model);

/// Reads a model file as untrusted input: format name and version, then the description
/// (spec, classes, genes), then each array only after its declared shape is the one the
/// description implies, and finally validate_model_file. Errors name the file and the element;
/// a crash inside libhdf5 on a damaged file ends in one line and exit status 1 (reading_guard).
ModelFile read_model_file(const std::string& path);

}  // namespace scgrad

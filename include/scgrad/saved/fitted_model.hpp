#pragma once
/// @file fitted_model.hpp
/// A fitted classifier as a value: layer spec, weights, genes, preprocessing, scaling, classes,
/// temperature, markers, novelty reference and how it was trained. What training produces, the
/// model file stores (saved/model_file.hpp), predict and Python use. No torch here: weights
/// travel as named float arrays (saved/network.hpp turns them into a torch model).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scgrad/novelty/novelty.hpp"
#include "scgrad/preprocess/preprocessing.hpp"

namespace scgrad {

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

struct FittedModel {
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
  /// What scores a query cell's novelty (novelty/novelty.hpp), at /novelty: the types' mean
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
void validate_fitted_model(const FittedModel& model, const std::string& path);

/// The checks on what the model says it is, before any array is read: names, spec,
/// preprocessing numbers (read_model_file calls it before reading the weights).
void validate_fitted_model_description(const FittedModel& model, const std::string& path);

}  // namespace scgrad

#pragma once
/// @file prediction_output.hpp
/// Writes predictions into a copy of the input .h5ad: obs `scgrad_label` (categorical),
/// `scgrad_confidence` and `scgrad_novelty` (when computed) (with voting also `scgrad_over_cluster`
/// and `scgrad_majority_label`, categorical), obsm `scgrad_probabilities` (cells x classes), uns
/// `scgrad_classes` (the column order). The input file is never opened for writing.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/io/dataframe_column.hpp"

namespace scgrad {

class AnnDataSource;

class StagedOutput;

struct PredictionColumns {
  std::vector<std::string> classes;
  std::vector<std::int32_t> labels;  ///< class index per cell (the most probable class)
  std::vector<float> confidence;     ///< probability of the predicted class
  std::vector<float> probabilities;  ///< cells x classes, row-major
  /// Per cell, its novelty (obs scgrad_novelty, novelty/novelty.hpp); empty when the model
  /// has no novelty reference.
  std::vector<float> novelty;
  /// Per cell, 1 when its confidence reached PredictOptions::min_confidence and its novelty
  /// stayed within max_novelty; empty when no threshold was set (every cell is assigned its
  /// most probable class).
  std::vector<std::uint8_t> assigned;
  std::string unassigned_label = "Unassigned";
  /// With scgrad's over-clustering: each cell's cluster (obs scgrad_over_cluster), else empty.
  std::vector<std::int32_t> over_cluster;
  /// With majority voting: each cell's group label (obs scgrad_majority_label), else no codes.
  Categorical majority;

  bool is_assigned(std::size_t cell) const { return assigned.empty() || assigned[cell] != 0; }
  /// The labels as written (obs scgrad_label, the CSV): the classes, then unassigned_label
  /// when some cell is unassigned (its code is that last category).
  Categorical annotation() const;
};

/// The obs names of a prediction's columns: spelled here only.
namespace obs_names {
inline constexpr const char* label = "scgrad_label";
inline constexpr const char* confidence = "scgrad_confidence";
inline constexpr const char* novelty = "scgrad_novelty";
inline constexpr const char* over_cluster = "scgrad_over_cluster";
inline constexpr const char* majority_label = "scgrad_majority_label";
}  // namespace obs_names

/// One obs column of a prediction as every writer sees it. The h5ad writers, the CSV writer, the
/// program's summary and Python iterate over obs_columns(): a new column is added there (and
/// to PredictionColumns), nowhere else.
struct ObsColumn {
  std::string name;        ///< in obs, e.g. scgrad_label
  std::string csv_header;  ///< in the CSV, e.g. label
  bool categorical = false;
  Categorical categories;      ///< when categorical (code -1: no value)
  std::vector<float> numbers;  ///< when not
};

/// The columns a prediction has, in the order they are written (label, confidence, novelty,
/// over_cluster, majority_label; those without values left out).
std::vector<ObsColumn> obs_columns(const PredictionColumns& predictions);

/// Every obs column predict may write (scgrad_label, scgrad_confidence, scgrad_novelty,
/// scgrad_over_cluster, scgrad_majority_label): all of them are removed before a new prediction is
/// added, by the program and by Python, so no column of an earlier prediction stays beside the new
/// ones.
std::vector<std::string> prediction_obs_columns();

/// Copies `input` into the staged output and adds the prediction elements (replacing earlier
/// scgrad_* ones); OutputSet::commit puts it in place. Every writer here writes one output of a
/// run (output_set.hpp).
void write_prediction_h5ad(const std::string& input, const StagedOutput& output,
                           const PredictionColumns& predictions);

/// A query that is not an .h5ad (10x, Matrix Market, loom) as a new .h5ad with its predictions:
/// X the counts of `matrix_key` as read (CSR, `block_rows` cells at a time), obs the cells'
/// names and their text and categorical columns (labels joined from a table among them), var
/// the genes, and the prediction elements as write_prediction_h5ad adds them.
void write_prediction_anndata(const AnnDataSource& cells, const std::string& matrix_key,
                              std::int64_t block_rows, const StagedOutput& output,
                              const PredictionColumns& predictions);

/// The annotations alone: a new .h5ad with the cells' obs names and the prediction elements
/// (obs scgrad_label, scgrad_confidence, scgrad_novelty; obsm scgrad_probabilities; uns
/// scgrad_classes), no genes and no expression matrix. Joined to the query in Python: `adata.obs =
/// adata.obs.join(anndata.read_h5ad(OUT).obs)`.
void write_prediction_annotations(const StagedOutput& output,
                                  const std::vector<std::string>& cell_names,
                                  const PredictionColumns& predictions);

/// One line per cell: cell, label, confidence, (with a novelty reference) novelty, (with voting)
/// over_cluster and majority_label,
/// then one probability column per class.
void write_prediction_csv(const StagedOutput& output, const std::vector<std::string>& cell_names,
                          const PredictionColumns& predictions);

}  // namespace scgrad

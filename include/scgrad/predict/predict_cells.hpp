#pragma once
/// @file predict_cells.hpp
/// Labels the cells of a new .h5ad with a saved model: genes aligned by name, the model's own
/// preprocessing and scaling, probabilities per class.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/cluster/over_clustering.hpp"
#include "scgrad/infer/classification_metrics.hpp"
#include "scgrad/io/gene_map.hpp"
#include "scgrad/io/prediction_output.hpp"
#include "scgrad/predict/majority_vote.hpp"
#include "scgrad/saved/model_file.hpp"

namespace scgrad {

class AnnDataSource;

struct PredictOptions {
  /// var column holding gene names that match the model's (e.g. "feature_name" for files
  /// indexed by Ensembl IDs); "" = the var index.
  std::string gene_key;
  double min_gene_fraction = 0.5;  ///< refuse when fewer model genes are found
  /// When the query's matrix (8 bytes per stored entry) is larger than this, its cells are read,
  /// preprocessed and labelled in blocks of streaming_block_bytes(max_memory), the next block
  /// read while the current one is labelled; else all at once. The labels and probabilities do
  /// not depend on the blocks (docs/training.md, "scgrad predict").
  std::int64_t max_memory = std::int64_t{1} << 62;
  bool allow_non_integer = false;  ///< fractions pass the count check
  /// Rejection (CellTypist's p_thres): a cell whose most probable class has a probability
  /// below this is `unassigned_label` instead (two classes: the sigmoid's probability of the
  /// predicted class). 0: every cell is assigned. In [0, 1].
  double min_confidence = 0;
  std::string unassigned_label = "Unassigned";  ///< must not be one of the model's classes
  /// Each cell's novelty (novelty/novelty.hpp) is computed when the model has a novelty
  /// reference (files from before it have none); a query larger than max_memory is then read
  /// twice. False: not computed.
  bool novelty = true;
  /// Cells whose novelty is above this are unassigned_label too ("stranger than this share of
  /// the reference cells of its predicted type"). 1: none (the default). In [0, 1]; below 1
  /// the model must have a novelty reference.
  double max_novelty = 1;
  /// Query gene names translated to the model's before matching (read_gene_map): query genes
  /// the map does not name are ignored; several query genes mapped to one model gene are
  /// summed; a query gene mapped to several model genes counts for the first. Empty: names
  /// are matched as they are.
  std::vector<GenePair> gene_map;
  /// Majority voting (CellTypist's majority_voting): within the groups of this obs column of
  /// the query ("" = none) ...
  std::string majority_by;
  /// ... or within scgrad's over-clustering of the query (keeps the query's log-CPM over the
  /// model's genes in memory: 8 bytes per stored entry). At most one of the two.
  bool over_cluster = false;
  OverClusteringOptions over_clustering;
  MajorityVoteOptions majority;
  /// A query with known labels: this obs column is compared with each cell's most probable
  /// class (PredictResults::evaluation). "" = none.
  std::string label_key;
  /// Called after each block of cells is labelled with (cells done, cells); may throw to stop
  /// (nothing is returned then). Empty: not called.
  std::function<void(std::int64_t, std::int64_t)> on_block;
};

struct PredictResults {
  PredictionColumns columns;
  std::vector<std::string> cell_names;
  std::int64_t model_genes = 0;
  /// With a gene map: the model genes the query's own names matched, before the map (-1
  /// without one).
  std::int64_t model_genes_found_without_map = -1;
  std::vector<std::string> missing_genes;  ///< model genes absent from the file
  /// Model genes the file names more than once: their columns' counts were summed.
  std::vector<std::string> summed_genes;
  std::vector<std::int64_t> empty_cells;  ///< library size 0 over the model's genes
  /// Cells below min_confidence or above max_novelty, and of them per most probable class.
  std::int64_t unassigned = 0;
  std::vector<std::int64_t> unassigned_by_class;
  /// Cells above max_novelty (counted in `unassigned` too), and of them per most probable
  /// class (empty when max_novelty is 1).
  std::int64_t novel = 0;
  std::vector<std::int64_t> novel_by_class;
  /// The query was read a second time: for the novelty of a query streamed in blocks, or for
  /// the over-clustering's PCA scores (one read serves both).
  bool query_read_twice = false;
  /// The over-clustering's PCA: fitting the components and projecting the cells (not reading).
  double pca_seconds = 0;
  /// With PredictOptions::over_cluster: how the clusters were made (their labels are in
  /// columns.over_cluster).
  std::optional<OverClustering> over_clustering;
  std::int64_t block_cells = 0;      ///< cells read and labelled at a time (all: one block)
  std::int64_t stored_bytes = 0;     ///< of the query's matrix in memory (8 per stored entry)
  std::int64_t majority_groups = 0;  ///< groups voted in (0: no voting)
  std::int64_t heterogeneous_groups = 0;
  /// Cells whose own label was kept against their group's: surer than the group's majority.
  std::int64_t majority_kept_cells = 0;
  /// With PredictOptions::label_key: the most probable classes against the labels, over the
  /// cells whose label is one of the model's classes (ECE from the calibrated probabilities).
  std::optional<ClassificationReport> evaluation;
  std::int64_t evaluated_cells = 0;
  /// Cells with a label the model does not know (or none): not evaluated.
  std::int64_t cells_without_known_label = 0;
};

/// Missing model genes count as unexpressed at the training mean (0 after scaling); extra
/// genes in the file are ignored; a gene named by several columns takes their summed counts.
/// Throws naming the model file and the first cell when an output is not finite. With majority
/// voting, the per-cell labels (Unassigned included) are voted within each group.
PredictResults predict_cells(const FittedModel& model, const AnnDataSource& file,
                             const PredictOptions& options = {});

/// The same for the .h5ad file at `path`.
PredictResults predict(const FittedModel& model, const std::string& path,
                       const PredictOptions& options = {});

}  // namespace scgrad

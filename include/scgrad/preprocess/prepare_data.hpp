#pragma once
/// @file prepare_data.hpp
/// The whole preprocessing arrow: select cells → split → filter genes → library size →
/// log-CPM → scaling statistics, reading only the selected cells' rows from the file.
/// Everything fitted (gene filter, scaling) sees only the training cells; the result is one
/// `Preprocessing` value (preprocessing.hpp) that every later step applies.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/preprocess/preprocessing.hpp"
#include "scgrad/preprocess/select_cells.hpp"
#include "scgrad/preprocess/split.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

class AnnDataSource;

/// Every default is a convention of the README's "Conventions"; each is a command-line option.
struct PrepareOptions {
  std::string label_key = "author_cell_type";
  std::vector<std::string> classes;  ///< first is the positive class for two; {"all"} for all
  std::string matrix = "X";
  GeneFilterOptions gene_filter;
  LogCpmOptions log_cpm;
  std::string library_size_key;  ///< obs column of library sizes; empty: sum over kept genes
  /// Scaled inputs above it are clipped to it (Preprocessing::max_value); 0: none.
  double max_value = 0;
  /// Raise the clip to what a perfect marker of the rarest training type scales to
  /// (clip_sparing_rarest_type), so that it never flattens the signal of a labelled type.
  bool clip_spares_rarest_type = false;
  bool allow_non_integer = false;  ///< --allow-non-counts: fractions pass the count check
  double test_fraction = 0;        ///< held-out cells per class; 0 = the exercise's no split
  double validation_fraction = 0;  ///< of each class's training cells, to choose the epoch
  std::uint64_t split_seed = 0;    ///< fit sets it from FitOptions::seed
};

struct PreparedData {
  CellSelection cells;
  TrainTestSplit split;                 ///< gene filter and scaling are fitted on split.train
  std::vector<std::string> cell_names;  ///< obs names of the selected cells
  Preprocessing preprocessing;          ///< fitted on split.train: genes, log-CPM rule, scaling
  std::int64_t genes_in_file = 0;
  std::int64_t constant_genes = 0;  ///< kept genes with SD 0 on the training cells (scale to 0)
  std::vector<double> library_size;
  std::vector<std::int64_t> empty_cells;  ///< cells (rows) with library size 0
  CsrMatrix log_cpm;                      ///< cells x kept genes (empty when streamed)
  std::int64_t count_nonzeros = 0;        ///< stored entries of the selected, filtered counts
  double count_min = 0;  ///< range of the selected, filtered counts (zeros included)
  double count_max = 0;

  const std::vector<std::string>& genes() const { return preprocessing.genes; }
};

PreparedData prepare_data(const AnnDataSource& file, const PrepareOptions& options);

/// The clip of scaled values that spares every labelled type: at least `max_value`, and at least
/// sqrt((n − m) / m), the scaled value of a gene expressed alike in exactly the m training cells of
/// the rarest class among the n training cells counted in `training_class_counts` (a perfect
/// marker). The clip exists for values rarer than any type: genes caught in a handful of cells.
/// Below it, markers of a type under about 1 % of the cells are cut with them (a 40-cell type
/// among 61,000 cells: its markers scale to ~40). 0 stays 0 (no clip).
double clip_sparing_rarest_type(double max_value,
                                const std::vector<std::int64_t>& training_class_counts);

/// The first steps every preparation shares: the labelled cells, their split, their names, the
/// preprocessing's rule (matrix, library sizes, log-CPM; genes and scaling still to fit) and
/// the number of genes in the file.
PreparedData start_preparation(const AnnDataSource& file, const PrepareOptions& options);

/// A fingerprint of what data-parallel ranks must share: the cells' names, the classes, the
/// split, the kept genes and their scaling, and `file_genes` (the file's genes, for a check
/// made before the genes are filtered).
std::uint64_t data_fingerprint(const PreparedData& data,
                               const std::vector<std::string>& file_genes = {});

/// The cells of the requested classes (obs column options.label_key); errors name the file.
CellSelection select_labelled_cells(const AnnDataSource& file, const PrepareOptions& options);

}  // namespace scgrad

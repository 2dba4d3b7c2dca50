#pragma once
/// @file prepare_data.hpp
/// The whole preprocessing arrow: select cells → split → filter genes → library size →
/// log-CPM → scaling statistics, reading only the selected cells' rows from the file.
/// Everything fitted (gene filter, scaling) sees only the training cells.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/io/csr_matrix.hpp"
#include "scgrad/preprocess/filter_genes.hpp"
#include "scgrad/preprocess/log_cpm.hpp"
#include "scgrad/preprocess/scaling.hpp"
#include "scgrad/preprocess/select_cells.hpp"
#include "scgrad/preprocess/split.hpp"

namespace scgrad {

class H5adFile;

/// Every default is the convention of docs/design.md; each is a command-line option.
struct PrepareOptions {
  std::string label_key = "author_cell_type";
  std::vector<std::string> classes;  ///< first is the positive class for two; {"all"} for all
  std::string matrix = "X";
  GeneFilterOptions gene_filter;
  LogCpmOptions log_cpm;
  std::string library_size_key;    ///< obs column of library sizes; empty: sum over kept genes
  bool allow_non_integer = false;  ///< --allow-non-counts: fractions pass the count check
  double test_fraction = 0;        ///< held-out cells per class; 0 = the exercise's no split
  double validation_fraction = 0;  ///< of each class's training cells, to choose the epoch
  std::uint64_t split_seed = 0;
};

struct PreparedData {
  CellSelection cells;
  TrainTestSplit split;                 ///< gene filter and scaling are fitted on split.train
  std::vector<std::string> cell_names;  ///< obs names of the selected cells
  std::vector<std::string> genes;       ///< names of the kept genes
  std::int64_t genes_in_file = 0;
  std::vector<double> library_size;
  std::vector<std::int64_t> empty_cells;  ///< cells (rows) with library size 0
  CsrMatrix log_cpm;                      ///< cells x kept genes
  ScalingStats scaling;                   ///< of the training cells
  std::int64_t count_nonzeros = 0;        ///< stored entries of the selected, filtered counts
  double count_min = 0;  ///< range of the selected, filtered counts (zeros included)
  double count_max = 0;
};

PreparedData prepare_data(const H5adFile& file, const PrepareOptions& options);

/// The cells of the requested classes (obs column options.label_key); errors name the file.
CellSelection select_labelled_cells(const H5adFile& file, const PrepareOptions& options);

}  // namespace scgrad

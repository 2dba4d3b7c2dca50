#pragma once
/// @file preprocessing.hpp
/// The preprocessing fitted on the training cells, as one value, and the one step that applies
/// it. Whatever reads cells — the in-memory preparation, the streaming passes, each streamed
/// training chunk, `predict` — turns counts into model inputs with `CellNormaliser`, so the
/// numbers cannot drift apart between paths. The model file stores a `Preprocessing`.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/preprocess/filter_genes.hpp"
#include "scgrad/preprocess/log_cpm.hpp"
#include "scgrad/preprocess/scaling.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

class AnnDataSource;

struct Preprocessing {
  std::string matrix = "X";        ///< the counts: "X", "raw" or a layer
  std::vector<std::string> genes;  ///< the model's inputs, in order, looked up by name
  std::string gene_key;            ///< var column the names came from ("" = the var index)
  GeneFilterOptions gene_filter;   ///< how the genes were chosen (a record: predict matches names)
  /// obs column of library sizes; "" = each cell's total over the model's genes
  std::string library_size_key;
  LogCpmOptions log_cpm;
  /// Per gene, float32 as applied: x → (x − mean) / sd. A constant gene has SD 1 (scales to 0).
  std::vector<float> mean, sd;
  /// A scaled input above this is clipped to it, as scanpy's `sc.pp.scale(max_value=10)` and
  /// CellTypist do: a gene seen in a handful of training cells otherwise scales to tens of SDs
  /// there and outweighs every other gene. 0: no clipping (the exercise; models before it).
  double max_value = 0;
};

/// Stores the training cells' statistics as the float32 values the model applies.
void set_scaling(Preprocessing& preprocessing, const ScalingStats& scaling);

/// Where the model's genes are among one file's columns.
struct GeneColumns {
  std::vector<std::int64_t> file_columns;  ///< the columns read, in model-gene order
  std::vector<std::int64_t> gene_of;       ///< the model gene each of them adds to
  std::int64_t n_genes = 0;                ///< the model's genes
  std::vector<std::string> missing;        ///< model genes the file does not name
  std::vector<std::string> summed;         ///< model genes the file names more than once
};

/// The training file: model gene i is file column kept[i] (ascending).
GeneColumns kept_columns(const std::vector<std::int64_t>& kept);

/// Another file: the model's genes found by name among `names` (one per file column).
GeneColumns match_genes(const std::vector<std::string>& model_genes,
                        const std::vector<std::string>& names);

/// The scaling with every gene the file lacks set to mean 0, SD 1: its input stays 0, the
/// training mean after scaling.
std::pair<std::vector<float>, std::vector<float>> scaling_for(const Preprocessing& preprocessing,
                                                              const GeneColumns& columns);

struct NormalisedCells {
  CsrMatrix values;  ///< log-CPM over the model's genes, each row's entries ordered by gene
  std::vector<double> library_size;
  std::vector<std::int64_t> empty_cells;  ///< rows (of this block) with library size 0
  /// When asked for: the counts over the model's genes that `values` were computed from
  /// (the novelty score measures them, novelty/novelty.hpp).
  CsrMatrix counts;
};

/// A block's counts over the model's genes, with each cell's library size: the first half of
/// normalising, and all the novelty reference needs (novelty/novelty_reference.hpp).
struct ModelCounts {
  CsrMatrix counts;
  std::vector<double> library_size;
};

/// Counts of a file's cells → log-CPM over the model's genes (not yet scaled: the dense path
/// scales X, the sparse one folds the scaling into the first layer). Library sizes are each
/// cell's total over the model's genes, summed in gene order, or the obs column the
/// preprocessing names (checked to be numeric once, here, and finite and > 0 for every cell
/// read: a size of 0 or NaN would give that cell an all-zero input and an arbitrary label).
class CellNormaliser {
 public:
  CellNormaliser(const AnnDataSource& file, const Preprocessing& preprocessing, GeneColumns columns,
                 bool allow_non_integer);

  /// Reads the given file rows (ascending), checks the counts, normalises them; with
  /// `keep_counts`, the result keeps the counts over the model's genes too. The counts are
  /// read into `storage`'s vectors (AnnDataSource::read_rows_into).
  NormalisedCells read(const std::vector<std::int64_t>& file_rows, bool keep_counts = false,
                       CsrMatrix storage = {}) const;
  /// The same for counts already read from those rows, all of the file's columns.
  NormalisedCells normalise(CsrMatrix counts, const std::int64_t* file_rows,
                            bool keep_counts = false) const;
  /// Counts already read from those rows → checked, the counts over the model's genes and the
  /// library sizes, without the log-CPM.
  ModelCounts model_counts(CsrMatrix counts, const std::int64_t* file_rows) const;

  const AnnDataSource& file() const { return *file_; }
  const std::string& matrix_key() const { return matrix_key_; }
  const GeneColumns& columns() const { return columns_; }

 private:
  const AnnDataSource* file_;
  std::string matrix_key_;
  GeneColumns columns_;
  /// File column -> the model gene it feeds, -1 for none (empty when a gene is summed).
  std::vector<std::int32_t> gene_at_column_;
  LogCpmOptions log_cpm_;
  /// Every step in one walk over each row of a block (counts → model counts, and log-CPM
  /// with `log_cpm_too`): a block read is walked once, not once per step.
  ModelCounts walk_rows(CsrMatrix counts, const std::int64_t* file_rows, bool log_cpm_too) const;
  /// The obs column's sizes for these rows (checked), or each row's total.
  std::vector<double> library_sizes_of(const CsrMatrix& counts,
                                       const std::int64_t* file_rows) const;
  /// InputError naming the column and a cell when a size is NaN, infinite, 0 or negative.
  void check_library_sizes(const std::vector<double>& sizes, const std::int64_t* file_rows) const;

  std::string library_key_;
  std::vector<double> library_column_;  ///< the obs column, when the preprocessing names one
  bool allow_non_integer_;
};

/// The obs column `key` as numbers, one per cell: an Error naming the file, the column and
/// what it holds when it is not numeric.
std::vector<double> library_size_column(const AnnDataSource& file, const std::string& key);

/// Throws naming the file and the thresholds when the filter kept no gene.
void require_kept_genes(const AnnDataSource& file, const GeneFilterResults& filter,
                        const GeneFilterOptions& options, std::size_t training_cells);

}  // namespace scgrad

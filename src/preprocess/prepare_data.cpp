#include "scgrad/preprocess/prepare_data.hpp"

#include <algorithm>
#include <cmath>

#include "scgrad/error.hpp"
#include "scgrad/io/dataframe_column.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/count_check.hpp"
#include "scgrad/preprocess/gene_names.hpp"

namespace scgrad {

CellSelection select_labelled_cells(const H5adFile& file, const PrepareOptions& options) {
  const auto labels = file.obs_column(options.label_key).as_categorical();
  try {
    return select_cells(labels, options.classes, options.label_key);
  } catch (const Error& e) {
    throw Error(file.path() + ": " + e.what());  // which file the labels came from
  }
}

PreparedData prepare_data(const H5adFile& file, const PrepareOptions& options) {
  PreparedData out;
  out.cells = select_labelled_cells(file, options);
  out.split = stratified_split(out.cells.targets, out.cells.classes.size(), options.test_fraction,
                               options.split_seed, options.validation_fraction);

  const auto matrix_key = file.resolve_matrix_key(options.matrix);
  auto counts = file.read_rows(matrix_key, out.cells.rows);
  check_counts(counts, out.cells.rows.data(), {&file, matrix_key, options.allow_non_integer});
  const auto all_genes = training_gene_names(file, matrix_key);
  if (static_cast<std::int64_t>(all_genes.size()) != counts.n_cols) {
    throw Error(file.path() + ": " + matrix_key + " has " + std::to_string(counts.n_cols) +
                " columns but its var index has " + std::to_string(all_genes.size()) + " names");
  }
  out.genes_in_file = counts.n_cols;

  const bool split = !out.split.test.empty();
  // (Not `split ? select_rows(...) : counts`: a conditional with a temporary copies counts.)
  const auto filter = split
                          ? filter_genes(select_rows(counts, out.split.train), options.gene_filter)
                          : filter_genes(counts, options.gene_filter);
  if (filter.kept.empty()) {
    throw Error(file.path() + ": no gene passes the filter (total count >= " +
                format_number(options.gene_filter.min_counts) +
                " and detected in >= " + format_number(options.gene_filter.min_cells) + " of the " +
                std::to_string(split ? out.split.train.size() : out.cells.rows.size()) +
                " training cells); lower --min-counts/--min-cells");
  }
  counts = select_columns(std::move(counts), filter.kept);
  for (const auto g : filter.kept) out.genes.push_back(all_genes[static_cast<std::size_t>(g)]);

  out.count_nonzeros = counts.nonzeros();
  if (!counts.data.empty()) {
    const auto [lo, hi] = std::minmax_element(counts.data.begin(), counts.data.end());
    const bool has_zero = out.count_nonzeros < counts.n_rows * counts.n_cols;
    out.count_min = has_zero ? std::min(0.0F, *lo) : *lo;
    out.count_max = has_zero ? std::max(0.0F, *hi) : *hi;
  }

  if (options.library_size_key.empty()) {
    out.library_size = library_sizes(counts);
  } else {
    const auto column = file.obs_column(options.library_size_key);
    if (column.kind != ColumnKind::numeric) {
      throw Error(file.path() + ": obs column '" + options.library_size_key +
                  "' (--library-size-key) must be numeric, found " + to_string(column.kind));
    }
    for (const auto r : out.cells.rows) out.library_size.push_back(column.numbers[r]);
  }

  auto normalised = log_cpm(std::move(counts), out.library_size, options.log_cpm);
  out.empty_cells = std::move(normalised.empty_cells);
  out.log_cpm = std::move(normalised.values);
  out.scaling = split ? compute_scaling(select_rows(out.log_cpm, out.split.train))
                      : compute_scaling(out.log_cpm);

  const auto names = file.obs_names();
  for (const auto r : out.cells.rows) out.cell_names.push_back(names[static_cast<std::size_t>(r)]);
  return out;
}

}  // namespace scgrad

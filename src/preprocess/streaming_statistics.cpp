#include "scgrad/preprocess/streaming_statistics.hpp"

#include <algorithm>
#include <cmath>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/count_check.hpp"
#include "scgrad/preprocess/gene_names.hpp"

namespace scgrad {

std::int64_t rows_per_block(const H5adFile& file, const std::string& matrix_key,
                            std::int64_t block_bytes) {
  const auto info = file.matrix_info(matrix_key);
  const double entries_per_row =
      info.n_rows > 0 ? static_cast<double>(info.stored_values) / static_cast<double>(info.n_rows)
                      : 1.0;
  // 8 bytes per stored entry (float value + int32 index)
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(block_bytes) /
                                                             std::max(1.0, 8.0 * entries_per_row)));
}

void for_each_block(const H5adFile& file, const std::string& matrix_key,
                    const std::vector<std::int64_t>& rows, std::int64_t block_rows,
                    const std::function<void(CsrMatrix&&, std::size_t)>& visit) {
  for (std::size_t first = 0; first < rows.size(); first += static_cast<std::size_t>(block_rows)) {
    const auto last = std::min(rows.size(), first + static_cast<std::size_t>(block_rows));
    const std::vector<std::int64_t> block(rows.begin() + static_cast<long>(first),
                                          rows.begin() + static_cast<long>(last));
    visit(file.read_rows(matrix_key, block), first);
  }
}

CsrMatrix preprocess_block(CsrMatrix counts, const std::vector<std::int64_t>& kept_columns,
                           const std::vector<double>& library_size, const LogCpmOptions& options) {
  return log_cpm(select_columns(std::move(counts), kept_columns), library_size, options).values;
}

StreamedPreparation prepare_streaming(
    const H5adFile& file, const PrepareOptions& options, std::int64_t block_bytes,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass) {
  StreamedPreparation out;
  auto& data = out.data;
  data.cells = select_labelled_cells(file, options);
  data.split =
      stratified_split(data.cells.targets, data.cells.classes.size(), options.test_fraction,
                       options.split_seed, options.validation_fraction);
  out.matrix_key = file.resolve_matrix_key(options.matrix);
  const auto all_genes = training_gene_names(file, out.matrix_key);
  data.genes_in_file = static_cast<std::int64_t>(all_genes.size());
  const auto block_rows = rows_per_block(file, out.matrix_key, block_bytes);
  std::vector<std::int64_t> train_rows;  // file rows of the training cells
  for (const auto c : data.split.train)
    train_rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);

  // Both passes check: pass 1 must not total NaN into the gene filter, and pass 2 also reads
  // the held-out cells.
  const CountCheck count_check{&file, out.matrix_key, options.allow_non_integer};
  // Pass 1: gene totals and detection over the training cells.
  std::vector<double> totals(all_genes.size(), 0.0);
  std::vector<std::int64_t> detected(all_genes.size(), 0);
  for_each_block(file, out.matrix_key, train_rows, block_rows,
                 [&](CsrMatrix&& block, std::size_t first) {
                   check_counts(block, train_rows.data() + first, count_check);
                   for (std::size_t k = 0; k < block.data.size(); ++k) {
                     totals[static_cast<std::size_t>(block.indices[k])] += block.data[k];
                     detected[static_cast<std::size_t>(block.indices[k])] += block.data[k] > 0;
                   }
                   if (on_pass) {
                     on_pass(1, static_cast<std::int64_t>(first) + block.n_rows,
                             static_cast<std::int64_t>(train_rows.size()));
                   }
                 });
  for (std::size_t g = 0; g < all_genes.size(); ++g) {
    if (totals[g] >= options.gene_filter.min_counts &&
        detected[g] >= options.gene_filter.min_cells) {
      out.kept_columns.push_back(static_cast<std::int64_t>(g));
      data.genes.push_back(all_genes[g]);
    }
  }
  if (out.kept_columns.empty()) {
    throw Error(file.path() + ": no gene passes the filter (--min-counts/--min-cells)");
  }

  // Pass 2: library sizes of every selected cell; log-CPM sums of the training cells.
  std::vector<bool> is_train(data.cells.rows.size(), false);
  for (const auto c : data.split.train) is_train[static_cast<std::size_t>(c)] = true;
  std::vector<double> library_column;
  if (!options.library_size_key.empty()) {
    library_column = file.obs_column(options.library_size_key).numbers;
  }
  ScalingAccumulator scaling(static_cast<std::int64_t>(out.kept_columns.size()));
  data.library_size.resize(data.cells.rows.size());
  for_each_block(
      file, out.matrix_key, data.cells.rows, block_rows, [&](CsrMatrix&& block, std::size_t first) {
        check_counts(block, data.cells.rows.data() + first, count_check);
        auto kept = select_columns(std::move(block), out.kept_columns);
        std::vector<double> library =
            library_column.empty() ? library_sizes(kept) : std::vector<double>();
        for (std::int64_t r = 0; r < kept.n_rows; ++r) {
          const auto position = first + static_cast<std::size_t>(r);
          if (!library_column.empty()) {
            library.push_back(library_column[static_cast<std::size_t>(data.cells.rows[position])]);
          }
          data.library_size[position] = library[static_cast<std::size_t>(r)];
        }
        auto values = log_cpm(std::move(kept), library, options.log_cpm);
        for (const auto r : values.empty_cells)
          data.empty_cells.push_back(static_cast<std::int64_t>(first) + r);
        out.nonzeros += values.values.nonzeros();
        for (std::int64_t r = 0; r < values.values.n_rows; ++r) {
          if (is_train[first + static_cast<std::size_t>(r)]) scaling.add_row(values.values, r);
        }
        if (on_pass) {
          on_pass(2, static_cast<std::int64_t>(first) + values.values.n_rows,
                  static_cast<std::int64_t>(data.cells.rows.size()));
        }
      });
  data.scaling = scaling.finish();  // the in-memory preparation's statistics, bit for bit
  const auto names = file.obs_names();
  for (const auto r : data.cells.rows)
    data.cell_names.push_back(names[static_cast<std::size_t>(r)]);
  return out;
}

}  // namespace scgrad

#include "scgrad/preprocess/streaming_statistics.hpp"

#include <algorithm>

#include "scgrad/io/anndata_source.hpp"
#include "scgrad/preprocess/count_check.hpp"
#include "scgrad/preprocess/gene_names.hpp"

namespace scgrad {

std::int64_t streaming_block_bytes(std::int64_t max_memory) {
  return std::min<std::int64_t>(max_memory / 4, std::int64_t{512} << 20);
}

std::int64_t rows_per_block(const AnnDataSource& file, const std::string& matrix_key,
                            std::int64_t block_bytes) {
  const auto info = file.matrix_info(matrix_key);
  const double entries_per_row =
      info.n_rows > 0 ? static_cast<double>(info.stored_values) / static_cast<double>(info.n_rows)
                      : 1.0;
  // 8 bytes per stored entry (float value + int32 index)
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(block_bytes) /
                                                             std::max(1.0, 8.0 * entries_per_row)));
}

void for_each_block(const AnnDataSource& file, const std::string& matrix_key,
                    const std::vector<std::int64_t>& rows, std::int64_t block_rows,
                    const std::function<void(CsrMatrix&&, std::size_t)>& visit) {
  for (std::size_t first = 0; first < rows.size(); first += static_cast<std::size_t>(block_rows)) {
    const auto last = std::min(rows.size(), first + static_cast<std::size_t>(block_rows));
    const std::vector<std::int64_t> block(rows.begin() + static_cast<long>(first),
                                          rows.begin() + static_cast<long>(last));
    visit(file.read_rows(matrix_key, block), first);
  }
}

StreamedPreparation prepare_streaming(
    const AnnDataSource& file, const PrepareOptions& options, std::int64_t block_bytes,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass) {
  StreamedPreparation out;
  auto& data = out.data;
  data = start_preparation(file, options);
  const auto matrix_key = file.resolve_matrix_key(options.matrix);
  const auto all_genes = training_gene_names(file, matrix_key);
  const auto block_rows = rows_per_block(file, matrix_key, block_bytes);
  std::vector<std::int64_t> train_rows;  // file rows of the training cells
  for (const auto c : data.split.train)
    train_rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);

  // Both passes check: pass 1 must not total NaN into the gene filter, and pass 2 also reads
  // the held-out cells.
  const CountCheck count_check{&file, matrix_key, options.allow_non_integer};
  // Pass 1: gene totals and detection over the training cells.
  GeneFilterAccumulator sums(static_cast<std::int64_t>(all_genes.size()));
  for_each_block(file, matrix_key, train_rows, block_rows,
                 [&](CsrMatrix&& block, std::size_t first) {
                   check_counts(block, train_rows.data() + first, count_check);
                   sums.add(block);
                   if (on_pass) {
                     on_pass(1, static_cast<std::int64_t>(first) + block.n_rows,
                             static_cast<std::int64_t>(train_rows.size()));
                   }
                 });
  const auto filter = sums.finish(options.gene_filter);
  require_kept_genes(file, filter, options.gene_filter, train_rows.size());
  for (const auto g : filter.kept) {
    data.preprocessing.genes.push_back(all_genes[static_cast<std::size_t>(g)]);
  }
  out.columns = kept_columns(filter.kept);

  // Pass 2: library sizes of every selected cell; the scaling of the training cells.
  std::vector<bool> is_train(data.cells.rows.size(), false);
  for (const auto c : data.split.train) is_train[static_cast<std::size_t>(c)] = true;
  const CellNormaliser normaliser(file, data.preprocessing, out.columns, options.allow_non_integer);
  ScalingAccumulator scaling(out.columns.n_genes);
  data.library_size.resize(data.cells.rows.size());
  for_each_block(file, matrix_key, data.cells.rows, block_rows,
                 [&](CsrMatrix&& block, std::size_t first) {
                   const auto* rows = data.cells.rows.data() + first;
                   check_counts(block, rows, count_check);
                   const auto cells = normaliser.normalise(std::move(block), rows);
                   std::copy(cells.library_size.begin(), cells.library_size.end(),
                             data.library_size.begin() + static_cast<long>(first));
                   for (const auto r : cells.empty_cells)
                     data.empty_cells.push_back(static_cast<std::int64_t>(first) + r);
                   out.nonzeros += cells.values.nonzeros();
                   for (std::int64_t r = 0; r < cells.values.n_rows; ++r) {
                     if (is_train[first + static_cast<std::size_t>(r)])
                       scaling.add_row(cells.values, r);
                   }
                   if (on_pass) {
                     on_pass(2, static_cast<std::int64_t>(first) + cells.values.n_rows,
                             static_cast<std::int64_t>(data.cells.rows.size()));
                   }
                 });
  const auto stats = scaling.finish();  // the in-memory preparation's statistics, bit for bit
  set_scaling(data.preprocessing, stats);
  data.constant_genes = stats.constant_genes;
  return out;
}

}  // namespace scgrad

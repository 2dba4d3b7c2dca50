#include "scgrad/preprocess/streaming_statistics.hpp"

#include <algorithm>

#include "scgrad/io/anndata_source.hpp"
#include "scgrad/preprocess/count_check.hpp"
#include "scgrad/preprocess/gene_names.hpp"
#include "scgrad/util/rank_share.hpp"

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

namespace {

/// An accumulator over every rank's rows: each rank's partial result, gathered and merged in
/// rank order, so every rank holds the same one.
template <typename Accumulator>
Accumulator merged_over_ranks(const RankShare& ranks, Accumulator mine) {
  if (!ranks.divided()) return mine;
  const auto parts = ranks.all_gather(mine.values());
  auto merged = Accumulator::from_values(parts.front());
  for (std::size_t r = 1; r < parts.size(); ++r) merged.merge(Accumulator::from_values(parts[r]));
  return merged;
}

/// Every rank's values, concatenated in rank order.
std::vector<double> concatenated_over_ranks(const RankShare& ranks, std::vector<double> mine) {
  if (!ranks.divided()) return mine;
  std::vector<double> all;
  for (const auto& part : ranks.all_gather(mine)) all.insert(all.end(), part.begin(), part.end());
  return all;
}

/// Rows [first, last) of `rows`.
std::vector<std::int64_t> slice(const std::vector<std::int64_t>& rows,
                                std::pair<std::int64_t, std::int64_t> range) {
  return {rows.begin() + range.first, rows.begin() + range.second};
}

/// Pass 1: the gene filter from the totals and detection of the training cells (`train_rows`),
/// each rank reading its share and the sums merged in rank order.
GeneFilterResults gene_filter_pass(
    const CountCheck& count_check, const std::vector<std::int64_t>& train_rows,
    std::int64_t block_rows, std::size_t n_genes, const GeneFilterOptions& gene_filter,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass, const RankShare& ranks) {
  const auto my_train_rows =
      slice(train_rows, ranks.of(static_cast<std::int64_t>(train_rows.size())));
  GeneFilterAccumulator my_sums(static_cast<std::int64_t>(n_genes));
  for_each_block(*count_check.file, count_check.matrix_key, my_train_rows, block_rows,
                 [&](CsrMatrix&& block, std::size_t first) {
                   check_counts(block, my_train_rows.data() + first, count_check);
                   my_sums.add(block);
                   if (on_pass) {
                     on_pass(1, static_cast<std::int64_t>(first) + block.n_rows,
                             static_cast<std::int64_t>(my_train_rows.size()));
                   }
                 });
  return merged_over_ranks(ranks, std::move(my_sums)).finish(gene_filter);
}

}  // namespace

StreamedPreparation prepare_streaming(
    const AnnDataSource& file, const PrepareOptions& options, std::int64_t block_bytes,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass, const RankShare& ranks) {
  StreamedPreparation out;
  auto& data = out.data;
  data = start_preparation(file, options);
  const auto matrix_key = file.resolve_matrix_key(options.matrix);
  const auto all_genes = training_gene_names(file, matrix_key);
  // Ranks merge per-gene sums over the same cells: check they read the same before merging.
  require_same_on_every_rank(ranks, data_fingerprint(data, all_genes),
                             "the cells, classes, split or genes in the file");
  const auto block_rows = rows_per_block(file, matrix_key, block_bytes);
  std::vector<std::int64_t> train_rows;  // file rows of the training cells
  for (const auto c : data.split.train)
    train_rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);

  // Both passes check: pass 1 must not total NaN into the gene filter, and pass 2 also reads
  // the held-out cells. With data-parallel ranks each pass reads this rank's share of the
  // cells, and the partial results are combined in rank order.
  const CountCheck count_check{&file, matrix_key, options.allow_non_integer};
  // Pass 1: gene totals and detection over the training cells.
  const auto filter = gene_filter_pass(count_check, train_rows, block_rows, all_genes.size(),
                                       options.gene_filter, on_pass, ranks);
  require_kept_genes(file, filter, options.gene_filter, train_rows.size());
  for (const auto g : filter.kept) {
    data.preprocessing.genes.push_back(all_genes[static_cast<std::size_t>(g)]);
  }
  out.columns = kept_columns(filter.kept);

  // Pass 2: library sizes of every selected cell; the scaling of the training cells.
  std::vector<bool> is_train(data.cells.rows.size(), false);
  for (const auto c : data.split.train) is_train[static_cast<std::size_t>(c)] = true;
  const CellNormaliser normaliser(file, data.preprocessing, out.columns, options.allow_non_integer);
  ScalingAccumulator my_scaling(out.columns.n_genes);
  // Not a structured binding: the lambda below captures it (C++17 forbids that; clang refuses).
  const auto mine = ranks.of(static_cast<std::int64_t>(data.cells.rows.size()));
  const auto mine_first = mine.first;
  const auto my_rows = slice(data.cells.rows, mine);
  std::vector<double> my_library_sizes(my_rows.size());
  std::vector<double> my_empty_cells;  // positions among the selected cells
  double my_nonzeros = 0;
  for_each_block(file, matrix_key, my_rows, block_rows, [&](CsrMatrix&& block, std::size_t first) {
    const auto* rows = my_rows.data() + first;
    auto cells = normaliser.normalise(std::move(block), rows);  // checks the counts too
    const auto cell = static_cast<std::size_t>(mine_first) + first;
    std::copy(cells.library_size.begin(), cells.library_size.end(),
              my_library_sizes.begin() + static_cast<long>(first));
    for (const auto r : cells.empty_cells)
      my_empty_cells.push_back(static_cast<double>(cell + static_cast<std::size_t>(r)));
    my_nonzeros += static_cast<double>(cells.values.nonzeros());
    for (std::int64_t r = 0; r < cells.values.n_rows; ++r) {
      if (is_train[cell + static_cast<std::size_t>(r)]) my_scaling.add_row(cells.values, r);
    }
    if (on_pass) {
      on_pass(2, static_cast<std::int64_t>(first) + cells.values.n_rows,
              static_cast<std::int64_t>(my_rows.size()));
    }
    block = std::move(cells.values);  // its memory: the next block's (for_each_block)
  });
  data.library_size = concatenated_over_ranks(ranks, std::move(my_library_sizes));
  for (const auto c : concatenated_over_ranks(ranks, std::move(my_empty_cells)))
    data.empty_cells.push_back(static_cast<std::int64_t>(c));
  for (const auto n : concatenated_over_ranks(ranks, {my_nonzeros}))
    out.nonzeros += static_cast<std::int64_t>(n);
  // One process: the in-memory preparation's statistics, bit for bit; several ranks: the same
  // up to the rounding of the merge.
  const auto stats = merged_over_ranks(ranks, std::move(my_scaling)).finish();
  set_scaling(data.preprocessing, stats);
  data.constant_genes = stats.constant_genes;
  return out;
}

}  // namespace scgrad

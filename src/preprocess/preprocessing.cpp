#include "scgrad/preprocess/preprocessing.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "keep_genes.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/anndata_source.hpp"
#include "scgrad/io/dataframe_column.hpp"
#include "scgrad/preprocess/count_check.hpp"

namespace scgrad {

void set_scaling(Preprocessing& preprocessing, const ScalingStats& scaling) {
  preprocessing.mean.assign(scaling.mean.begin(), scaling.mean.end());
  preprocessing.sd.assign(scaling.sd.begin(), scaling.sd.end());
}

GeneColumns kept_columns(const std::vector<std::int64_t>& kept) {
  GeneColumns columns;
  columns.file_columns = kept;
  columns.n_genes = static_cast<std::int64_t>(kept.size());
  for (std::int64_t g = 0; g < columns.n_genes; ++g) columns.gene_of.push_back(g);
  return columns;
}

GeneColumns match_genes(const std::vector<std::string>& model_genes,
                        const std::vector<std::string>& names) {
  std::unordered_map<std::string, std::vector<std::int64_t>> columns_of;
  for (std::size_t j = 0; j < names.size(); ++j) {
    columns_of[names[j]].push_back(static_cast<std::int64_t>(j));
  }
  GeneColumns columns;
  columns.n_genes = static_cast<std::int64_t>(model_genes.size());
  for (std::size_t g = 0; g < model_genes.size(); ++g) {
    const auto it = columns_of.find(model_genes[g]);
    if (it == columns_of.end()) {
      columns.missing.push_back(model_genes[g]);
      continue;
    }
    if (it->second.size() > 1) columns.summed.push_back(model_genes[g]);
    for (const auto column : it->second) {
      columns.file_columns.push_back(column);
      columns.gene_of.push_back(static_cast<std::int64_t>(g));
    }
  }
  return columns;
}

std::pair<std::vector<float>, std::vector<float>> scaling_for(const Preprocessing& preprocessing,
                                                              const GeneColumns& columns) {
  std::vector<float> mean(preprocessing.mean.size(), 0.0F);
  std::vector<float> sd(preprocessing.sd.size(), 1.0F);
  for (const auto g : columns.gene_of) {
    mean[static_cast<std::size_t>(g)] = preprocessing.mean[static_cast<std::size_t>(g)];
    sd[static_cast<std::size_t>(g)] = preprocessing.sd[static_cast<std::size_t>(g)];
  }
  return {mean, sd};
}

std::vector<double> library_size_column(const AnnDataSource& file, const std::string& key) {
  const auto column = file.obs_column(key);
  if (column.kind != ColumnKind::numeric) {
    throw InputError(
        file.path(), "obs/" + key,
        "the library-size column must be numeric, found " + std::string(to_string(column.kind)),
        {"library_size_key"});
  }
  return column.numbers;
}

void require_kept_genes(const AnnDataSource& file, const GeneFilterResults& filter,
                        const GeneFilterOptions& options, std::size_t training_cells) {
  if (!filter.kept.empty()) return;
  throw Error(file.path() + ": no gene passes the filter (total count >= " +
                  format_number(options.min_counts) +
                  " and detected in >= " + format_number(static_cast<double>(options.min_cells)) +
                  " of the " + std::to_string(training_cells) +
                  " training cells); lower the gene filter's minimum counts or cells",
              {"gene_filter.min_counts", "gene_filter.min_cells"});
}

CellNormaliser::CellNormaliser(const AnnDataSource& file, const Preprocessing& preprocessing,
                               GeneColumns columns, bool allow_non_integer)
    : file_(&file),
      matrix_key_(file.resolve_matrix_key(preprocessing.matrix)),
      columns_(std::move(columns)),
      log_cpm_(preprocessing.log_cpm),
      allow_non_integer_(allow_non_integer) {
  if (columns_.summed.empty()) {
    gene_at_column_.assign(static_cast<std::size_t>(file.matrix_info(matrix_key_).n_cols), -1);
    for (std::size_t i = 0; i < columns_.file_columns.size(); ++i) {
      gene_at_column_[static_cast<std::size_t>(columns_.file_columns[i])] =
          static_cast<std::int32_t>(columns_.gene_of[i]);
    }
  }
  if (!preprocessing.library_size_key.empty()) {
    library_key_ = preprocessing.library_size_key;
    library_column_ = library_size_column(file, preprocessing.library_size_key);
  }
}

void CellNormaliser::check_library_sizes(const std::vector<double>& sizes,
                                         const std::int64_t* file_rows) const {
  std::int64_t bad = 0;
  std::size_t first = 0;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    if (std::isfinite(sizes[r]) && sizes[r] > 0) continue;
    if (bad++ == 0) first = r;
  }
  if (bad == 0) return;
  const auto row = static_cast<std::size_t>(file_rows[first]);
  throw InputError(file_->path(), "obs/" + library_key_,
                   std::to_string(bad) +
                       " of the cells read have a library size that is not a "
                       "positive number, e.g. cell '" +
                       file_->obs_names()[row] + "' (" + format_number(sizes[first]) +
                       "); counts are divided by it. Fix the column "
                       "or leave the library-size key out (sizes are then summed from the counts)",
                   {"library_size_key"});
}

NormalisedCells CellNormaliser::read(const std::vector<std::int64_t>& file_rows, bool keep_counts,
                                     CsrMatrix storage) const {
  return normalise(file_->read_rows_into(matrix_key_, file_rows, std::move(storage)),
                   file_rows.data(), keep_counts);
}

ModelCounts CellNormaliser::model_counts(CsrMatrix counts, const std::int64_t* file_rows) const {
  return walk_rows(std::move(counts), file_rows, /*log_cpm_too=*/false);
}

NormalisedCells CellNormaliser::normalise(CsrMatrix counts, const std::int64_t* file_rows,
                                          bool keep_counts) const {
  auto cells = walk_rows(std::move(counts), file_rows, /*log_cpm_too=*/!keep_counts);
  NormalisedCells out;
  out.library_size = std::move(cells.library_size);
  if (keep_counts) {
    out.counts = cells.counts;
    auto normalised = log_cpm(std::move(cells.counts), out.library_size, log_cpm_);
    out.values = std::move(normalised.values);
    out.empty_cells = std::move(normalised.empty_cells);
    return out;
  }
  out.values = std::move(cells.counts);
  out.empty_cells = empty_cells_of(out.library_size);
  return out;
}

ModelCounts CellNormaliser::walk_rows(CsrMatrix counts, const std::int64_t* file_rows,
                                      bool log_cpm_too) const {
  const CountCheck check{file_, matrix_key_, allow_non_integer_};
  ModelCounts out;
  if (!columns_.summed.empty()) {  // genes named twice: whole-block steps, then the log-CPM
    check_counts(counts, file_rows, check);
    counts = merge_columns(select_columns(std::move(counts), columns_.file_columns),
                           columns_.gene_of, columns_.n_genes);
    out.library_size = library_sizes_of(counts, file_rows);
    out.counts = log_cpm_too ? log_cpm(std::move(counts), out.library_size, log_cpm_).values
                             : std::move(counts);
    return out;
  }
  if (counts.n_cols != static_cast<std::int64_t>(gene_at_column_.size())) {
    throw OptionError("CellNormaliser: a block of " + std::to_string(counts.n_cols) +
                      " columns from a matrix of " + std::to_string(gene_at_column_.size()));
  }
  const bool summing = library_column_.empty();
  out.library_size = summing ? std::vector<double>(static_cast<std::size_t>(counts.n_rows), 0.0)
                             : library_sizes_of(counts, file_rows);
  // Each row once, while it is in cache: check it, keep the model's genes (renumbered, moved
  // towards the front: entries only move forward, so no copy), sum its library size over them
  // in gene order, and transform it.
  std::int64_t kept = 0;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    check_row_counts(counts, r, file_rows, check);  // indptr[r], indptr[r + 1] still as read
    const auto first = kept;
    kept = keep_model_genes(gene_at_column_.data(), counts.indices.data(), counts.data.data(),
                            counts.indptr[r], counts.indptr[r + 1], first);
    counts.indptr[r] = first;
    int ascending = 1;
    for (auto k = first + 1; k < kept; ++k) {
      ascending &= static_cast<int>(counts.indices[k] > counts.indices[k - 1]);
    }
    if (ascending == 0) {  // the model orders its genes unlike the file
      sort_entries(counts, first, kept);
    }
    auto& size = out.library_size[static_cast<std::size_t>(r)];
    if (summing) size = values_total(counts.data.data() + first, kept - first);
    if (log_cpm_too) LogCpmRow(size, log_cpm_).apply(counts.data.data() + first, kept - first);
  }
  counts.indptr[static_cast<std::size_t>(counts.n_rows)] = kept;
  // The dropped entries' memory stays: a streamed block is the next one's memory (callers that
  // keep the cells call release_unused_memory).
  counts.indices.resize(static_cast<std::size_t>(kept));
  counts.data.resize(static_cast<std::size_t>(kept));
  counts.n_cols = columns_.n_genes;
  out.counts = std::move(counts);
  return out;
}

std::vector<double> CellNormaliser::library_sizes_of(const CsrMatrix& counts,
                                                     const std::int64_t* file_rows) const {
  if (library_column_.empty()) return library_sizes(counts);
  std::vector<double> sizes;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    sizes.push_back(library_column_[static_cast<std::size_t>(file_rows[r])]);
  }
  check_library_sizes(sizes, file_rows);
  return sizes;
}

}  // namespace scgrad

#include "scgrad/preprocess/prepare_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "scgrad/error.hpp"
#include "scgrad/io/anndata_source.hpp"
#include "scgrad/preprocess/count_check.hpp"
#include "scgrad/preprocess/gene_names.hpp"
#include "scgrad/util/rank_share.hpp"

namespace scgrad {

CellSelection select_labelled_cells(const AnnDataSource& file, const PrepareOptions& options) {
  const auto labels = file.obs_column(options.label_key).as_categorical();
  try {
    return select_cells(labels, options.classes, options.label_key);
  } catch (const Error& e) {
    throw Error(file.path() + ": " + e.what(), e.settings());  // the file the labels came from
  }
}

double clip_sparing_rarest_type(double max_value,
                                const std::vector<std::int64_t>& training_class_counts) {
  std::int64_t n = 0;
  std::int64_t rarest = 0;
  for (const auto k : training_class_counts) {
    n += k;
    if (k > 0 && (rarest == 0 || k < rarest)) rarest = k;
  }
  if (max_value <= 0 || rarest == 0) return max_value;
  const auto m = static_cast<double>(rarest);
  return std::max(max_value, std::sqrt((static_cast<double>(n) - m) / m));
}

PreparedData start_preparation(const AnnDataSource& file, const PrepareOptions& options) {
  PreparedData out;
  out.cells = select_labelled_cells(file, options);
  out.split = stratified_split(out.cells.targets, out.cells.classes.size(), options.test_fraction,
                               options.split_seed, options.validation_fraction);
  const auto names = file.obs_names();
  for (const auto r : out.cells.rows) out.cell_names.push_back(names[static_cast<std::size_t>(r)]);
  auto& p = out.preprocessing;
  p.matrix = options.matrix;
  p.gene_filter = options.gene_filter;
  p.library_size_key = options.library_size_key;
  p.log_cpm = options.log_cpm;
  p.max_value = options.clip_spares_rarest_type
                    ? clip_sparing_rarest_type(options.max_value,
                                               class_counts_of(out.cells.targets, out.split.train,
                                                               out.cells.classes.size()))
                    : options.max_value;
  out.genes_in_file = file.matrix_info(file.resolve_matrix_key(options.matrix)).n_cols;
  return out;
}

PreparedData prepare_data(const AnnDataSource& file, const PrepareOptions& options) {
  auto out = start_preparation(file, options);
  const auto matrix_key = file.resolve_matrix_key(options.matrix);
  auto counts = file.read_rows(matrix_key, out.cells.rows);
  check_counts(counts, out.cells.rows.data(), {&file, matrix_key, options.allow_non_integer});
  const auto all_genes = training_gene_names(file, matrix_key);

  GeneFilterAccumulator sums(counts.n_cols);
  sums.add_rows(counts, out.split.train);
  const auto filter = sums.finish(options.gene_filter);
  require_kept_genes(file, filter, options.gene_filter, out.split.train.size());
  for (const auto g : filter.kept) {
    out.preprocessing.genes.push_back(all_genes[static_cast<std::size_t>(g)]);
  }

  // The range of the filtered counts (zeros included), for the exercise's report. Without a
  // branch per entry (the counts are checked: no NaN), so the loop stays cheap.
  std::vector<std::uint8_t> kept(static_cast<std::size_t>(counts.n_cols), 0);
  for (const auto g : filter.kept) kept[static_cast<std::size_t>(g)] = 1;
  float lo = std::numeric_limits<float>::infinity();
  float hi = -lo;
  std::int64_t stored = 0;
  for (std::size_t k = 0; k < counts.data.size(); ++k) {
    const bool keep = kept[static_cast<std::size_t>(counts.indices[k])] != 0;
    const auto v = counts.data[k];
    lo = keep ? std::min(lo, v) : lo;
    hi = keep ? std::max(hi, v) : hi;
    stored += keep ? 1 : 0;
  }
  out.count_nonzeros = stored;
  const auto n_kept = static_cast<std::int64_t>(filter.kept.size());
  const bool has_zero = out.count_nonzeros < counts.n_rows * n_kept;
  out.count_min = has_zero ? std::min(0.0F, lo) : lo;
  out.count_max = has_zero ? std::max(0.0F, hi) : hi;

  const CellNormaliser normaliser(file, out.preprocessing, kept_columns(filter.kept),
                                  options.allow_non_integer);
  auto normalised = normaliser.normalise(std::move(counts), out.cells.rows.data());
  out.library_size = std::move(normalised.library_size);
  out.empty_cells = std::move(normalised.empty_cells);
  out.log_cpm = std::move(normalised.values);
  release_unused_memory(out.log_cpm);  // kept for the whole training

  ScalingAccumulator scaling(n_kept);
  scaling.add_rows(out.log_cpm, out.split.train);
  const auto stats = scaling.finish();
  set_scaling(out.preprocessing, stats);
  out.constant_genes = stats.constant_genes;
  return out;
}

std::uint64_t data_fingerprint(const PreparedData& data,
                               const std::vector<std::string>& file_genes) {
  std::string text;
  for (const auto* names : {&data.cell_names, &data.cells.classes, &data.genes(), &file_genes}) {
    for (const auto& name : *names) text += name + '\n';
    text += '\t';
  }
  for (const auto* part : {&data.split.train, &data.split.test, &data.split.validation}) {
    text.append(reinterpret_cast<const char*>(part->data()), part->size() * sizeof(std::int64_t));
  }
  for (const auto* part : {&data.preprocessing.mean, &data.preprocessing.sd}) {
    text.append(reinterpret_cast<const char*>(part->data()), part->size() * sizeof(float));
  }
  return fingerprint_of(text);
}

}  // namespace scgrad

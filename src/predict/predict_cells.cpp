#include "scgrad/predict/predict_cells.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <numeric>
#include <unordered_map>

#include "scgrad/error.hpp"
#include "scgrad/infer/calibration.hpp"
#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/infer/outputs.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/novelty/novelty.hpp"
#include "scgrad/preprocess/preprocessing.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/saved/network.hpp"
#include "scgrad/util/seconds_since.hpp"
#include "scgrad/util/spare_block.hpp"

namespace scgrad {

namespace {

std::vector<std::string> gene_names(const AnnDataSource& file, const std::string& matrix,
                                    const std::string& gene_key) {
  if (gene_key.empty()) return file.var_names(matrix);
  const auto column = file.var_column(gene_key, matrix);
  const auto labels = column.as_categorical();
  std::vector<std::string> names;
  for (const auto code : labels.codes) {
    names.push_back(code < 0 ? std::string() : labels.categories[static_cast<std::size_t>(code)]);
  }
  return names;
}

/// The query's gene names in the model's terms: each gene the map names becomes its model gene
/// (the first, when it names several); the others become "" and match nothing.
std::vector<std::string> mapped_names(const std::vector<std::string>& names,
                                      const std::vector<GenePair>& map) {
  std::unordered_map<std::string, std::string> model_gene_of;
  for (const auto& pair : map) model_gene_of.emplace(pair.query, pair.model);
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    const auto it = model_gene_of.find(name);
    out.push_back(it == model_gene_of.end() ? std::string() : it->second);
  }
  return out;
}

/// "a, b, c": up to three examples.
std::string examples(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (name.empty()) continue;
    out += (out.empty() ? "" : ", ") + name;
    if (std::count(out.begin(), out.end(), ',') == 2) break;
  }
  return out.empty() ? "(none)" : out;
}

/// The rejection options suit this model (checked before any work).
void check_rejection(const FittedModel& model, const PredictOptions& options) {
  if (!(options.min_gene_fraction >= 0 && options.min_gene_fraction <= 1)) {
    throw OptionError("the minimum gene fraction must be in [0, 1], got " +
                          format_number(options.min_gene_fraction),
                      {"min_gene_fraction"});
  }
  if (!(options.min_confidence >= 0 && options.min_confidence <= 1)) {
    throw OptionError(
        "the minimum confidence must be in [0, 1], got " + std::to_string(options.min_confidence),
        {"min_confidence"});
  }
  if (!(options.max_novelty >= 0 && options.max_novelty <= 1)) {
    throw OptionError(
        "the maximum novelty must be in [0, 1] (1: no cell is unassigned for "
        "it), got " +
            format_number(options.max_novelty),
        {"max_novelty"});
  }
  if (options.max_novelty < 1 && (model.novelty.empty() || !options.novelty)) {
    throw OptionError(
        model.novelty.empty()
            ? "model " + (model.path.empty() ? std::string("(in memory)") : model.path) +
                  " has no novelty reference (it was written by an scgrad from before novelty "
                  "scores, or its classes had too few cells): train it again to unassign novel "
                  "cells; its labels and confidences are unchanged without the maximum novelty"
            : std::string("a maximum novelty needs the novelty scores, which were turned off"),
        {"max_novelty"});
  }
  const auto& classes = model.classes;
  if (options.unassigned_label.empty() ||
      std::find(classes.begin(), classes.end(), options.unassigned_label) != classes.end()) {
    throw OptionError(
        "the label for unassigned cells must be non-empty and not one of the "
        "model's classes, got '" +
            options.unassigned_label + "'",
        {"unassigned_label"});
  }
}

/// Cells whose confidence is below min_confidence, or whose novelty is above max_novelty, are
/// unassigned; counted overall and by the class they would have had.
void reject_unconfident(PredictResults& results, const PredictOptions& options) {
  auto& columns = results.columns;
  columns.unassigned_label = options.unassigned_label;
  results.unassigned_by_class.assign(columns.classes.size(), 0);
  const bool novelty = options.max_novelty < 1;
  if (novelty) results.novel_by_class.assign(columns.classes.size(), 0);
  if (options.min_confidence <= 0 && !novelty) return;
  columns.assigned.resize(columns.labels.size());
  for (std::size_t i = 0; i < columns.labels.size(); ++i) {
    const auto label = static_cast<std::size_t>(columns.labels[i]);
    const bool novel = novelty && columns.novelty[i] > options.max_novelty;
    if (novel) {
      ++results.novel;
      ++results.novel_by_class[label];
    }
    const bool assigned = columns.confidence[i] >= options.min_confidence && !novel;
    columns.assigned[i] = assigned ? 1 : 0;
    if (assigned) continue;
    ++results.unassigned;
    ++results.unassigned_by_class[label];
  }
}

/// Dense cells go through the model this many at a time (see predict_cells).
constexpr std::int64_t kDenseRows = 256;

/// The voting options suit this model (checked before any work).
void check_voting(const FittedModel& model, const PredictOptions& options) {
  if (!options.majority_by.empty() && options.over_cluster) {
    throw OptionError(
        "vote either within an obs column or within scgrad's over-clustering, "
        "not both",
        {"majority_by", "over_cluster"});
  }
  const auto resolution = options.over_clustering.resolution;
  if (!(std::isfinite(resolution) && resolution >= 0)) {
    throw OptionError(
        "the over-clustering resolution must be a finite number >= 0 (0: "
        "CellTypist's rule by the number of cells), got " +
            format_number(resolution),
        {"over_cluster_resolution"});
  }
  const auto& o = options.over_clustering;
  if (o.exact_neighbours_up_to < 0 || o.pca_genes < 2 || o.pca_cells < 2 || o.components < 1 ||
      o.neighbours < 1) {
    throw OptionError(
        "the over-clustering needs exact_neighbours_up_to >= 0, pca_genes >= 2, pca_cells >= 2, "
        "components >= 1 and neighbours >= 1",
        {"exact_neighbours_up_to"});
  }
  const auto fraction = options.majority.min_fraction;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw OptionError(
        "the majority's minimum fraction must be in [0, 1], got " + format_number(fraction),
        {"majority_min_fraction"});
  }
  const auto& label = options.majority.heterogeneous_label;
  const auto& classes = model.classes;
  if (label == options.unassigned_label ||
      std::find(classes.begin(), classes.end(), label) != classes.end()) {
    throw OptionError("the label of heterogeneous groups, '" + label +
                      "', is one of the model's classes or the unassigned label");
  }
}

/// A labelled query: each cell's most probable class against its label, over the cells whose
/// label is one of the model's classes (by name; unlabelled and unknown ones are counted).
void evaluate_against(const Categorical& labels, const FittedModel& model,
                      PredictResults& results) {
  const auto k = model.classes.size();
  std::vector<std::int32_t> class_of_category(labels.categories.size(), -1);
  for (std::size_t c = 0; c < labels.categories.size(); ++c) {
    const auto it = std::find(model.classes.begin(), model.classes.end(), labels.categories[c]);
    if (it != model.classes.end()) {
      class_of_category[c] = static_cast<std::int32_t>(it - model.classes.begin());
    }
  }
  const auto& columns = results.columns;
  std::vector<std::int32_t> truth, predicted;
  std::vector<float> probabilities, first;
  for (std::size_t i = 0; i < labels.codes.size(); ++i) {
    const auto code = labels.codes[i];
    const auto t = code < 0 ? -1 : class_of_category[static_cast<std::size_t>(code)];
    if (t < 0) {
      ++results.cells_without_known_label;
      continue;
    }
    truth.push_back(t);
    predicted.push_back(columns.labels[i]);
    const auto* row = columns.probabilities.data() + i * k;
    probabilities.insert(probabilities.end(), row, row + k);
    first.push_back(row[0]);
  }
  results.evaluated_cells = static_cast<std::int64_t>(truth.size());
  if (truth.empty()) {
    std::string present;
    for (std::size_t c = 0; c < labels.categories.size() && c < 5; ++c) {
      present += (c ? ", " : "") + std::string("'") + labels.categories[c] + "'";
    }
    throw Error("no cell's label is one of the model's classes (the labels include " +
                    (present.empty() ? std::string("none") : present) + "; the model's: '" +
                    model.classes.front() + "', ...): nothing to evaluate",
                {"label_key"});
  }
  auto report = classification_report(truth, predicted, k, k == 2 ? first : std::vector<float>{});
  report.ece = expected_calibration_error(probabilities, k, truth);
  results.evaluation = std::move(report);
}

/// Visits the query's cells block by block, in row order, as the normaliser reads them (the
/// first cell of each block, its cells); the next block is read and normalised on another
/// thread while `visit` works on this one. Every pass over the query reads through here.
using BlockVisitor = std::function<void(std::int64_t, NormalisedCells&)>;
void read_blocks(const CellNormaliser& normaliser, std::int64_t n_cells, std::int64_t block_cells,
                 bool keep_counts, const BlockVisitor& visit) {
  const auto rows_from = [&](std::int64_t start) {
    std::vector<std::int64_t> rows(
        static_cast<std::size_t>(std::min(n_cells - start, block_cells)));
    std::iota(rows.begin(), rows.end(), start);
    return rows;
  };
  auto next =
      std::async(std::launch::deferred, [&] { return normaliser.read(rows_from(0), keep_counts); });
  CsrMatrix spare;  // the block visited last: the read after next goes into its memory
  for (std::int64_t start = 0; start < n_cells; start += block_cells) {
    auto cells = next.get();
    if (start + block_cells < n_cells) {
      next = std::async(std::launch::async,
                        [&, first = start + block_cells, storage = std::move(spare)]() mutable {
                          return normaliser.read(rows_from(first), keep_counts, std::move(storage));
                        });
    }
    visit(start, cells);
    spare = std::move(cells.values);
  }
}

/// After labelling, one more read of the query serves both steps that need every cell first:
/// each cell's novelty (its gene factors come from all cells; a query labelled as one block
/// kept its counts in `only_block` instead) and its PCA scores for the over-clustering
/// (components fitted on the sample). It reads blocks of at most 256 MB: each cell's novelty
/// and scores are its own, whatever the block.
void read_again(const FittedModel& model, const CellNormaliser& normaliser,
                std::int64_t block_cells, const QueryTotals* totals, NormalisedCells only_block,
                PcaProjection* projection, PredictResults& results) {
  auto& columns = results.columns;
  const auto n_cells = static_cast<std::int64_t>(columns.labels.size());
  std::vector<double> gene_factors;
  if (totals != nullptr) gene_factors = totals->gene_factors();
  const auto score = [&](std::int64_t start, const NormalisedCells& cells) {
    const auto end = start + cells.counts.n_rows;  // (the cells scored: their counts)
    const std::vector<std::int32_t> predicted(columns.labels.begin() + start,
                                              columns.labels.begin() + end);
    const std::vector<float> confidence(columns.confidence.begin() + start,
                                        columns.confidence.begin() + end);
    const auto scores = novelty_scores(model.novelty, cells.counts, cells.library_size, predicted,
                                       confidence, gene_factors);
    columns.novelty.insert(columns.novelty.end(), scores.begin(), scores.end());
  };
  const bool counts_again = totals != nullptr && block_cells < n_cells;
  if (totals != nullptr && !counts_again) score(0, only_block);
  only_block = NormalisedCells{};
  if (!counts_again && projection == nullptr) return;
  results.query_read_twice = true;
  const auto most_cells =
      rows_per_block(normaliser.file(), normaliser.matrix_key(), std::int64_t{256} << 20);
  read_blocks(normaliser, n_cells, std::min(block_cells, most_cells), counts_again,
              [&](std::int64_t start, NormalisedCells& cells) {
                if (counts_again) score(start, cells);
                if (projection == nullptr) return;
                const auto start_projecting = std::chrono::steady_clock::now();
                projection->add(std::move(cells.values));  // not used after
                results.pca_seconds += seconds_since(start_projecting);
              });
}

/// The query's matrix and where each model gene is in it (by name, through the gene map when
/// given); counts the genes found in `results`. Throws naming the file when too few are found.
struct QueryGenes {
  std::string matrix;
  GeneColumns columns;
};
QueryGenes query_genes(const FittedModel& model, const AnnDataSource& file,
                       const PredictOptions& options, PredictResults& results) {
  const auto& preprocessing = model.preprocessing;
  std::string matrix;
  try {
    matrix = file.resolve_matrix_key(preprocessing.matrix);
  } catch (const InputError&) {
    std::string present;
    for (const auto& k : file.matrix_keys()) present += (present.empty() ? "" : ", ") + k;
    throw InputError(
        file.path(), "",
        "the model was trained on the matrix '" + preprocessing.matrix +
            "', which this file lacks (it has: " + (present.empty() ? "none" : present) +
            "); label a file that has it, or train on a matrix the query has");
  }
  const auto query_names = gene_names(file, matrix, options.gene_key);
  if (!options.gene_map.empty()) {
    const auto direct = match_genes(preprocessing.genes, query_names);
    results.model_genes_found_without_map =
        direct.n_genes - static_cast<std::int64_t>(direct.missing.size());
  }
  const auto names =
      options.gene_map.empty() ? query_names : mapped_names(query_names, options.gene_map);
  auto columns = match_genes(preprocessing.genes, names);
  results.model_genes = columns.n_genes;
  results.missing_genes = columns.missing;
  results.summed_genes = columns.summed;
  const auto found =
      static_cast<double>(columns.n_genes) - static_cast<double>(columns.missing.size());
  if (found < options.min_gene_fraction * static_cast<double>(columns.n_genes)) {
    throw InputError(
        file.path(), options.gene_key.empty() ? "var" : "var/" + options.gene_key,
        "only " + std::to_string(static_cast<std::int64_t>(found)) + " of the model's " +
            std::to_string(columns.n_genes) + " genes are in " +
            (options.gene_key.empty() ? "the var index" : "var['" + options.gene_key + "']") +
            (options.gene_map.empty() ? "" : " after the gene map") +
            " (model genes not found, e.g. " + examples(columns.missing) +
            "; the query's genes, e.g. " + examples(query_names) +
            "). If the file names genes otherwise (Ensembl IDs vs symbols, another species), "
            "name the var column that holds the model's kind of names (the gene key, e.g. "
            "feature_name) or give a gene map (CSV: model,query)",
        {"gene_key", "gene_map"});
  }

  return {matrix, std::move(columns)};
}

/// The model's outputs for one block of normalised cells, fed as training fed them. `values`
/// comes back as it went in (the sparse path lends it to the model): its memory is the next
/// block's (read_blocks).
torch::Tensor block_outputs(ClassifierImpl& net, const FittedModel& model, CsrMatrix& values,
                            const ScalingTensors& dense_scaling) {
  if (model.compute == ComputePath::sparse) {
    // Rows are computed independently: any block gives the same bits.
    const auto lent = std::make_shared<SpareBlock>();
    auto outputs = predict_outputs(net, SparseInput(SpareBlock::share(lent, std::move(values))));
    values = lent->take();  // given back when the input let go of it
    return outputs;
  }
  // Dense products (BLAS) may round differently for a different number of rows, so the dense
  // cells go through the model kDenseRows at a time, counted from the first cell (blocks are
  // multiples of it): the same products in memory and from disk.
  std::vector<torch::Tensor> parts;
  for (std::int64_t first = 0; first < values.n_rows; first += kDenseRows) {
    std::vector<std::int64_t> part(
        static_cast<std::size_t>(std::min(kDenseRows, values.n_rows - first)));
    std::iota(part.begin(), part.end(), first);
    auto x = to_dense_tensor(select_rows(values, part));
    apply_scaling(x, dense_scaling);
    parts.push_back(predict_outputs(net, DenseInput(x)));
  }
  return torch::cat(parts, 0);
}

/// Appends a block's calibrated probabilities, labels and confidences; throws naming the first
/// cell (of `rows`) whose outputs are not finite.
void append_predictions(const torch::Tensor& outputs, const std::vector<std::int64_t>& rows,
                        const FittedModel& model, const AnnDataSource& file,
                        PredictResults& results) {
  const auto n_classes = model.classes.size();
  const auto finite = torch::isfinite(outputs).all(1);
  if (!finite.all().item<bool>()) {
    const auto row = rows[static_cast<std::size_t>((~finite).nonzero()[0][0].item<std::int64_t>())];
    throw Error("model " + (model.path.empty() ? std::string("(in memory)") : model.path) +
                " gives non-finite outputs (NaN or Inf) for cell '" +
                results.cell_names[static_cast<std::size_t>(row)] + "' (row " +
                std::to_string(row) + " of " + file.path() + "): nothing was written");
  }
  const auto probabilities = class_probabilities(outputs, n_classes).contiguous();
  const auto label = predicted_classes(outputs, n_classes).contiguous();
  const auto* p = probabilities.data_ptr<float>();
  // The model's calibration (1: none); the most probable class stays the same.
  const auto calibrated =
      tempered(std::vector<float>(p, p + probabilities.numel()), n_classes, model.temperature);
  auto& columns = results.columns;
  columns.probabilities.insert(columns.probabilities.end(), calibrated.begin(), calibrated.end());
  const auto* l = label.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < label.size(0); ++i) {
    columns.labels.push_back(static_cast<std::int32_t>(l[i]));
    columns.confidence.push_back(
        calibrated[static_cast<std::size_t>(i) * n_classes + static_cast<std::size_t>(l[i])]);
  }
}

/// Cells per block: all at once when the matrix fits in `max_memory`, else a multiple of
/// kDenseRows that does.
std::int64_t cells_per_block(const AnnDataSource& file, const std::string& matrix,
                             const PredictOptions& options, PredictResults& results) {
  const auto n_cells = file.n_obs();
  results.stored_bytes = 8 * file.matrix_info(matrix).stored_values;
  if (results.stored_bytes <= options.max_memory) return std::max<std::int64_t>(n_cells, 1);
  const auto rows = rows_per_block(file, matrix, streaming_block_bytes(options.max_memory));
  return (rows + kDenseRows - 1) / kDenseRows * kDenseRows;
}

/// Over-clustering (of the cells' PCA scores) and majority voting, after every cell is
/// labelled.
void vote(std::vector<std::int32_t> groups, std::optional<PcaScores> scores,
          const PredictOptions& options, PredictResults& results) {
  if (scores) {
    results.over_clustering = over_cluster(std::move(*scores), options.over_clustering);
    results.over_clustering->pca_seconds = results.pca_seconds;
    groups = results.over_clustering->clusters;
    results.columns.over_cluster = std::move(results.over_clustering->clusters);
  }
  if (options.majority_by.empty() && !options.over_cluster) return;
  auto voted = majority_vote(groups, results.columns.annotation(), options.majority,
                             results.columns.confidence);
  results.columns.majority = std::move(voted.labels);
  results.majority_groups = voted.groups;
  results.heterogeneous_groups = voted.heterogeneous_groups;
  results.majority_kept_cells = voted.kept_cells;
}

}  // namespace

PredictResults predict_cells(const FittedModel& model, const AnnDataSource& file,
                             const PredictOptions& options) {
  check_rejection(model, options);
  check_voting(model, options);
  if (file.n_obs() == 0) throw InputError(file.path(), "obs", "the file has no cells to label");
  // Read before any work, so that a wrong column name fails at once.
  std::vector<std::int32_t> groups;
  if (!options.majority_by.empty())
    groups = file.obs_column(options.majority_by).as_categorical().codes;
  Categorical known_labels;
  if (!options.label_key.empty())
    known_labels = file.obs_column(options.label_key).as_categorical();
  PredictResults results;
  auto [matrix, columns] = query_genes(model, file, options, results);

  auto net = load_classifier(model);
  // Genes the file lacks scale with mean 0 and SD 1: their input stays 0, the training mean.
  const auto [mean, sd] = scaling_for(model.preprocessing, columns);
  const auto mean_tensor = torch::tensor(mean);
  const auto sd_tensor = torch::tensor(sd);
  const auto max_value = model.preprocessing.max_value;
  const ScalingTensors dense_scaling{mean_tensor.reshape({1, -1}), sd_tensor.reshape({1, -1}),
                                     max_value};
  net->set_input_scaling(mean_tensor, sd_tensor, max_value);  // for sparse rows
  const CellNormaliser normaliser(file, model.preprocessing, std::move(columns),
                                  options.allow_non_integer);

  const auto n_cells = file.n_obs();
  // For the over-clustering: the query's per-gene moments and its sampled cells.
  PcaSample pca_sample(options.over_cluster ? normaliser.columns().n_genes : 0, n_cells,
                       options.over_clustering.pca_cells);
  const bool novelty = options.novelty && !model.novelty.empty();
  std::optional<QueryTotals> query_totals;
  if (novelty) query_totals.emplace(model.novelty.profiles);
  NormalisedCells only_block;  // with novelty and one block: its counts, not read again
  results.cell_names = file.obs_names();
  results.columns.classes = model.classes;
  const auto block_cells = cells_per_block(file, matrix, options, results);
  results.block_cells = block_cells;
  read_blocks(normaliser, n_cells, block_cells, novelty,
              [&](std::int64_t start, NormalisedCells& cells) {
                std::vector<std::int64_t> rows(static_cast<std::size_t>(cells.values.n_rows));
                std::iota(rows.begin(), rows.end(), start);
                if (options.over_cluster) pca_sample.add(cells.values);
                for (const auto r : cells.empty_cells) results.empty_cells.push_back(start + r);
                const auto outputs = block_outputs(*net, model, cells.values, dense_scaling);
                append_predictions(outputs, rows, model, file, results);
                if (novelty) {
                  const std::vector<std::int32_t> block_labels(
                      results.columns.labels.begin() + start, results.columns.labels.end());
                  query_totals->add(cells.counts, cells.library_size, block_labels);
                  if (block_cells >= n_cells) {
                    cells.values = CsrMatrix();  // labelled: only the counts are needed again
                    only_block = std::move(cells);
                  }
                }
                if (options.on_block)
                  options.on_block(start + static_cast<std::int64_t>(rows.size()), n_cells);
              });
  // The PCA's components from the sample, then its scores in the same read as the novelty.
  const auto fitting = std::chrono::steady_clock::now();
  std::optional<PcaProjection> projection;
  if (options.over_cluster)
    projection.emplace(pca_sample, inverse_sd(sd), pca_options(options.over_clustering));
  results.pca_seconds = seconds_since(fitting);
  read_again(model, normaliser, block_cells, novelty ? &*query_totals : nullptr,
             std::move(only_block), projection ? &*projection : nullptr, results);
  std::optional<PcaScores> scores;
  if (projection) scores = projection->take_scores();
  reject_unconfident(results, options);
  if (!options.label_key.empty()) evaluate_against(known_labels, model, results);
  vote(std::move(groups), std::move(scores), options, results);
  return results;
}

PredictResults predict(const FittedModel& model, const std::string& path,
                       const PredictOptions& options) {
  return predict_cells(model, *open_anndata(path, options.max_memory), options);
}

}  // namespace scgrad

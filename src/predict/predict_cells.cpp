#include "scgrad/predict/predict_cells.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <unordered_map>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/model/model_bundle.hpp"
#include "scgrad/preprocess/count_check.hpp"
#include "scgrad/preprocess/log_cpm.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/train/trainer.hpp"

namespace scgrad {

namespace {

std::vector<std::string> gene_names(const H5adFile& file, const std::string& matrix,
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

}  // namespace

PredictResults predict_cells(const ModelFile& model, const H5adFile& file,
                             const PredictOptions& options) {
  const auto matrix = file.resolve_matrix_key(model.matrix);
  const auto names = gene_names(file, matrix, options.gene_key);
  std::unordered_map<std::string, std::vector<std::int64_t>> columns_of;
  for (std::size_t j = 0; j < names.size(); ++j) {
    columns_of[names[j]].push_back(static_cast<std::int64_t>(j));
  }
  PredictResults results;
  results.model_genes = static_cast<std::int64_t>(model.genes.size());
  // A model gene named by several columns takes their summed counts.
  std::vector<std::int64_t> file_columns;  // columns read from the file ...
  std::vector<std::int64_t> matched_of;    // ... and the matched gene each one adds to
  std::vector<std::int64_t> model_inputs;  // matched gene → input position in the model
  for (std::size_t g = 0; g < model.genes.size(); ++g) {
    const auto it = columns_of.find(model.genes[g]);
    if (it == columns_of.end()) {
      results.missing_genes.push_back(model.genes[g]);
      continue;
    }
    if (it->second.size() > 1) results.summed_genes.push_back(model.genes[g]);
    for (const auto column : it->second) {
      file_columns.push_back(column);
      matched_of.push_back(static_cast<std::int64_t>(model_inputs.size()));
    }
    model_inputs.push_back(static_cast<std::int64_t>(g));
  }
  const auto matched = static_cast<double>(model_inputs.size());
  if (matched < options.min_gene_fraction * static_cast<double>(model.genes.size())) {
    std::string examples;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, results.missing_genes.size()); ++i) {
      examples += (i ? ", " : "") + results.missing_genes[i];
    }
    throw Error(file.path() + ": only " + std::to_string(file_columns.size()) + " of the model's " +
                std::to_string(model.genes.size()) + " genes are in " +
                (options.gene_key.empty() ? "the var index" : "var['" + options.gene_key + "']") +
                " (missing e.g. " + examples +
                "; first var names: " + (names.empty() ? "" : names.front()) +
                "). If the file is indexed by other IDs, name the var column with gene names "
                "with --gene-key (e.g. feature_name)");
  }

  auto net = load_classifier(model);
  const auto n_classes = model.classes.size();
  const auto inputs = torch::tensor(model_inputs, torch::kInt64);
  const auto mean = torch::tensor(model.scaling_mean).index_select(0, inputs);
  const auto sd = torch::tensor(model.scaling_sd).index_select(0, inputs);
  // Sparse: missing genes get mean 0 and SD 1 in the fold; they never appear in X, so they
  // contribute 0 — the training mean after scaling, as on the dense path.
  std::vector<float> sparse_mean(model.genes.size(), 0.0F);
  std::vector<float> sparse_sd(model.genes.size(), 1.0F);
  for (const auto g : model_inputs) {
    sparse_mean[static_cast<std::size_t>(g)] = model.scaling_mean[static_cast<std::size_t>(g)];
    sparse_sd[static_cast<std::size_t>(g)] = model.scaling_sd[static_cast<std::size_t>(g)];
  }
  const bool sparse = model.compute == "sparse";
  LogCpmOptions log_cpm_options{model.target_sum, model.log_base};
  std::vector<double> library_column;
  if (!model.library_size_key.empty()) {
    library_column = file.obs_column(model.library_size_key).numbers;
  }

  const auto n_cells = file.n_obs();
  results.cell_names = file.obs_names();
  results.columns.classes = model.classes;
  for (std::int64_t start = 0; start < n_cells; start += options.block_cells) {
    std::vector<std::int64_t> rows;
    for (auto r = start; r < std::min(n_cells, start + options.block_cells); ++r) rows.push_back(r);
    auto block = file.read_rows(matrix, rows);
    check_counts(block, rows.data(), {&file, matrix, options.allow_non_integer});
    auto counts = select_columns(std::move(block), file_columns);
    if (!results.summed_genes.empty()) {
      counts = merge_columns(counts, matched_of, static_cast<std::int64_t>(model_inputs.size()));
    }
    std::vector<double> library;
    if (library_column.empty()) {
      library = library_sizes(counts);
    } else {
      for (const auto r : rows) library.push_back(library_column[static_cast<std::size_t>(r)]);
    }
    auto normalised = log_cpm(std::move(counts), library, log_cpm_options);
    for (const auto r : normalised.empty_cells) results.empty_cells.push_back(start + r);
    std::unique_ptr<ModelInput> input;
    if (sparse) {
      // columns: position among the matched genes → the model's input position
      auto values = std::make_shared<CsrMatrix>(std::move(normalised.values));
      for (auto& j : values->indices)
        j = static_cast<std::int32_t>(model_inputs[static_cast<std::size_t>(j)]);
      values->n_cols = results.model_genes;
      sort_row_entries(*values);  // sums in model-gene order, whatever the file's gene order
      input = std::make_unique<SparseInput>(values, torch::tensor(sparse_mean),
                                            torch::tensor(sparse_sd));
    } else {
      auto matched_x = to_dense_tensor(normalised.values);
      matched_x = apply_scaling(matched_x, {mean.reshape({1, -1}), sd.reshape({1, -1})});
      // Missing genes stay 0: the training mean after scaling.
      auto x = torch::zeros({static_cast<std::int64_t>(rows.size()), results.model_genes});
      x.index_copy_(1, inputs, matched_x);
      input = std::make_unique<DenseInput>(x);
    }
    const auto outputs = predict_outputs(*net, *input);
    const auto finite = torch::isfinite(outputs).all(1);
    if (!finite.all().item<bool>()) {
      const auto row =
          rows[static_cast<std::size_t>((~finite).nonzero()[0][0].item<std::int64_t>())];
      throw Error("model " + (model.path.empty() ? std::string("(in memory)") : model.path) +
                  " gives non-finite outputs (NaN or Inf) for cell '" +
                  results.cell_names[static_cast<std::size_t>(row)] + "' (row " +
                  std::to_string(row) + " of " + file.path() + "): nothing was written");
    }
    const auto probabilities = class_probabilities(outputs, n_classes).contiguous();
    const auto label = predicted_classes(outputs, n_classes).contiguous();
    const auto confidence = probabilities.gather(1, label.unsqueeze(1)).contiguous();
    const auto* p = probabilities.data_ptr<float>();
    results.columns.probabilities.insert(results.columns.probabilities.end(), p,
                                         p + probabilities.numel());
    const auto* l = label.data_ptr<std::int64_t>();
    const auto* c = confidence.data_ptr<float>();
    for (std::int64_t i = 0; i < label.size(0); ++i) {
      results.columns.labels.push_back(static_cast<std::int32_t>(l[i]));
      results.columns.confidence.push_back(c[i]);
    }
  }
  return results;
}

}  // namespace scgrad

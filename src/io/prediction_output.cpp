#include "scgrad/io/prediction_output.hpp"

#include <algorithm>
#include <sstream>

#include "anndata_encoding.hpp"
#include "hdf5.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/anndata_source.hpp"
#include "scgrad/io/h5ad_writer.hpp"
#include "scgrad/util/csv_field.hpp"
#include "scgrad/util/output_paths.hpp"
#include "scgrad/util/output_set.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;

namespace {

Handle group_or_create(hid_t loc, const std::string& name, const Location& where) {
  if (hdf5::is_group(loc, name)) return hdf5::open_group(loc, name, where);
  Handle group = hdf5::create_group(loc, name, where);
  anndata::set_encoding(group.get(), "dict", "0.1.0", where);
  return group;
}

/// Clusters as a categorical whose categories are their numbers ("0", "1", …), as scanpy's
/// leiden column.
Categorical cluster_categorical(const std::vector<std::int32_t>& clusters) {
  Categorical out;
  out.codes = clusters;
  const auto n = clusters.empty() ? 0 : *std::max_element(clusters.begin(), clusters.end()) + 1;
  for (std::int32_t c = 0; c < n; ++c) out.categories.push_back(std::to_string(c));
  return out;
}

/// obs scgrad_label and scgrad_confidence (after the columns already there; with voting
/// scgrad_over_cluster and scgrad_majority_label), obsm scgrad_probabilities, uns
/// scgrad_classes; earlier scgrad_* elements are replaced.
void add_prediction_elements(hid_t file, const PredictionColumns& predictions,
                             const std::string& output) {
  const auto n = static_cast<std::int64_t>(predictions.labels.size());
  const auto k = static_cast<std::int64_t>(predictions.classes.size());
  const Location where{output, "obs"};
  Handle obs = hdf5::open_group(file, "obs", where);
  const auto ours = prediction_obs_columns();
  std::vector<std::string> order;
  for (const auto& name : hdf5::string_array_attribute(obs.get(), "column-order", where)) {
    if (std::find(ours.begin(), ours.end(), name) == ours.end()) order.push_back(name);
  }
  for (const auto& name : ours) hdf5::remove_if_exists(obs.get(), name);
  for (const auto& column : obs_columns(predictions)) {
    if (column.categorical) {
      anndata::write_categorical(obs.get(), column.name, column.categories, where);
    } else {
      anndata::write_float_array(obs.get(), column.name, column.numbers, {n}, where);
    }
    order.push_back(column.name);
  }
  hdf5::remove_attribute_if_exists(obs.get(), "column-order", where);
  hdf5::write_string_array_attribute(obs.get(), "column-order", order, where);

  Handle obsm = group_or_create(file, "obsm", Location{output, "obsm"});
  hdf5::remove_if_exists(obsm.get(), "scgrad_probabilities");
  anndata::write_float_array(obsm.get(), "scgrad_probabilities", predictions.probabilities, {n, k},
                             Location{output, "obsm"});
  Handle uns = group_or_create(file, "uns", Location{output, "uns"});
  hdf5::remove_if_exists(uns.get(), "scgrad_classes");
  anndata::write_string_array(uns.get(), "scgrad_classes", predictions.classes,
                              Location{output, "uns"});
  hdf5::flush(file, where);
}

}  // namespace

void write_prediction_h5ad(const std::string& input, const StagedOutput& out,
                           const PredictionColumns& predictions) {
  const auto& output = out.destination();
  check_outputs_apart({{"the input", input}}, {{out.name(), output}});  // never modified
  copy_into(input, out);
  {
    Handle file = hdf5::open_file_read_write(out.path(), output);
    if (!hdf5::is_group(file.get(), "obs")) {
      throw InputError(input, "obs",
                       "stored in the anndata < 0.7 layout (a record array); re-save the file "
                       "with a current anndata to add predictions");
    }
    add_prediction_elements(file.get(), predictions, output);
  }
}

void write_prediction_anndata(const AnnDataSource& cells, const std::string& matrix_key,
                              std::int64_t block_rows, const StagedOutput& out,
                              const PredictionColumns& predictions) {
  const auto& output = out.destination();
  const auto genes = cells.var_names(matrix_key);
  {
    H5adWriter writer(out.path(), static_cast<std::int64_t>(genes.size()));
    std::vector<std::int32_t> indices;
    std::vector<float> values;
    for_each_block(cells, matrix_key, all_rows(cells), std::max<std::int64_t>(block_rows, 1),
                   [&](CsrMatrix&& block, std::size_t) {
                     for (std::int64_t r = 0; r < block.n_rows; ++r) {
                       indices.assign(block.indices.begin() + block.indptr[r],
                                      block.indices.begin() + block.indptr[r + 1]);
                       values.assign(block.data.begin() + block.indptr[r],
                                     block.data.begin() + block.indptr[r + 1]);
                       writer.append_row(indices, values);
                     }
                   });
    std::vector<std::pair<std::string, Categorical>> columns;
    for (const auto& name : cells.obs_column_names()) {
      const auto column = cells.obs_column(name);
      if (column.kind == ColumnKind::categorical || column.kind == ColumnKind::string) {
        columns.emplace_back(name, column.as_categorical());
      }
    }
    writer.write_obs(cells.obs_names(), columns);
    writer.write_var(genes);
    writer.finish();
  }
  Handle file = hdf5::open_file_read_write(out.path(), output);
  add_prediction_elements(file.get(), predictions, output);
}

void write_prediction_annotations(const StagedOutput& out,
                                  const std::vector<std::string>& cell_names,
                                  const PredictionColumns& predictions) {
  const auto& output = out.destination();
  {
    Handle file = hdf5::create_file(out.path(), output);
    const Location where{output, ""};
    anndata::write_anndata_root(file.get(), where);
    anndata::write_dataframe(file.get(), "obs", cell_names, {}, Location{output, "obs"});
    anndata::write_dataframe(file.get(), "var", {}, {}, Location{output, "var"});
    add_prediction_elements(file.get(), predictions, output);
  }
}

std::vector<std::string> prediction_obs_columns() {
  return {obs_names::label, obs_names::confidence, obs_names::novelty, obs_names::over_cluster,
          obs_names::majority_label};
}

std::vector<ObsColumn> obs_columns(const PredictionColumns& predictions) {
  std::vector<ObsColumn> out;
  const auto categorical = [&](const char* name, const char* header, Categorical values) {
    out.push_back({name, header, true, std::move(values), {}});
  };
  const auto numbers = [&](const char* name, const char* header, std::vector<float> values) {
    out.push_back({name, header, false, {}, std::move(values)});
  };
  categorical(obs_names::label, "label", predictions.annotation());
  numbers(obs_names::confidence, "confidence", predictions.confidence);
  if (!predictions.novelty.empty()) numbers(obs_names::novelty, "novelty", predictions.novelty);
  if (!predictions.over_cluster.empty()) {
    categorical(obs_names::over_cluster, "over_cluster",
                cluster_categorical(predictions.over_cluster));
  }
  if (!predictions.majority.codes.empty()) {
    categorical(obs_names::majority_label, "majority_label", predictions.majority);
  }
  return out;
}

Categorical PredictionColumns::annotation() const {
  Categorical out{classes, labels};
  const auto unassigned = static_cast<std::int32_t>(classes.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!is_assigned(i)) out.codes[i] = unassigned;
  }
  if (std::find(out.codes.begin(), out.codes.end(), unassigned) != out.codes.end()) {
    out.categories.push_back(unassigned_label);
  }
  return out;
}

void write_prediction_csv(const StagedOutput& output, const std::vector<std::string>& cell_names,
                          const PredictionColumns& predictions) {
  std::ostringstream csv;
  {
    const auto columns = obs_columns(predictions);
    const auto k = predictions.classes.size();
    csv << "cell";
    for (const auto& column : columns) csv << ',' << column.csv_header;
    for (const auto& c : predictions.classes) csv << ',' << csv_field("p_" + c);
    csv << '\n';
    for (std::size_t i = 0; i < predictions.labels.size(); ++i) {
      csv << csv_field(cell_names[i]);
      for (const auto& column : columns) {
        csv << ',';
        if (!column.categorical) {
          csv << column.numbers[i];
          continue;
        }
        const auto code = column.categories.codes[i];
        if (code >= 0)
          csv << csv_field(column.categories.categories[static_cast<std::size_t>(code)]);
      }
      for (std::size_t c = 0; c < k; ++c) csv << ',' << predictions.probabilities[i * k + c];
      csv << '\n';
    }
  }
  write_text(output, csv.str());
}

}  // namespace scgrad

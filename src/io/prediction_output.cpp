#include "scgrad/io/prediction_output.hpp"

#include <algorithm>
#include <sstream>

#include "anndata_encoding.hpp"
#include "hdf5.hpp"
#include "scgrad/error.hpp"
#include "scgrad/util/atomic_output.hpp"
#include "scgrad/util/csv_field.hpp"
#include "scgrad/util/output_paths.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;

namespace {

constexpr const char* kLabel = "scgrad_label";
constexpr const char* kConfidence = "scgrad_confidence";

Handle group_or_create(hid_t loc, const std::string& name, const Location& where) {
  if (hdf5::is_group(loc, name)) return hdf5::open_group(loc, name, where);
  Handle group = hdf5::create_group(loc, name, where);
  anndata::set_encoding(group.get(), "dict", "0.1.0", where);
  return group;
}

/// obs scgrad_label and scgrad_confidence (after the columns already there), obsm
/// scgrad_probabilities, uns scgrad_classes; earlier scgrad_* elements are replaced.
void add_prediction_elements(hid_t file, const PredictionColumns& predictions,
                             const std::string& output) {
  const auto n = static_cast<std::int64_t>(predictions.labels.size());
  const auto k = static_cast<std::int64_t>(predictions.classes.size());
  const Location where{output, "obs"};
  Handle obs = hdf5::open_group(file, "obs", where);
  std::vector<std::string> order;
  for (const auto& name : hdf5::string_array_attribute(obs.get(), "column-order", where)) {
    if (name != kLabel && name != kConfidence) order.push_back(name);
  }
  order.emplace_back(kLabel);
  order.emplace_back(kConfidence);
  hdf5::remove_if_exists(obs.get(), kLabel);
  hdf5::remove_if_exists(obs.get(), kConfidence);
  anndata::write_categorical(obs.get(), kLabel, predictions.annotation(), where);
  anndata::write_float_array(obs.get(), kConfidence, predictions.confidence, {n}, where);
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

void write_prediction_h5ad(const std::string& input, const std::string& output,
                           const PredictionColumns& predictions) {
  check_outputs_apart({{"the input", input}}, {{"the output", output}});  // never modified
  AtomicOutput out(output);
  copy_into_output(input, out.temporary_path(), output);
  {
    Handle file = hdf5::open_file_read_write(out.temporary_path(), output);
    if (!hdf5::is_group(file.get(), "obs")) {
      throw InputError(input, "obs",
                       "stored in the anndata < 0.7 layout (a record array); re-save the file "
                       "with a current anndata to add predictions");
    }
    add_prediction_elements(file.get(), predictions, output);
  }
  out.commit();
}

void write_prediction_annotations(const std::string& output,
                                  const std::vector<std::string>& cell_names,
                                  const PredictionColumns& predictions) {
  AtomicOutput out(output);
  {
    Handle file = hdf5::create_file(out.temporary_path(), output);
    const Location where{output, ""};
    anndata::write_anndata_root(file.get(), where);
    anndata::write_dataframe(file.get(), "obs", cell_names, {}, Location{output, "obs"});
    anndata::write_dataframe(file.get(), "var", {}, {}, Location{output, "var"});
    add_prediction_elements(file.get(), predictions, output);
  }
  out.commit();
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

void write_prediction_csv(const std::string& output, const std::vector<std::string>& cell_names,
                          const PredictionColumns& predictions) {
  std::ostringstream csv;
  {
    const auto labels = predictions.annotation();
    const auto k = predictions.classes.size();
    csv << "cell,label,confidence";
    for (const auto& c : predictions.classes) csv << ',' << csv_field("p_" + c);
    csv << '\n';
    for (std::size_t i = 0; i < predictions.labels.size(); ++i) {
      csv << csv_field(cell_names[i]) << ','
          << csv_field(labels.categories[static_cast<std::size_t>(labels.codes[i])]) << ','
          << predictions.confidence[i];
      for (std::size_t c = 0; c < k; ++c) csv << ',' << predictions.probabilities[i * k + c];
      csv << '\n';
    }
  }
  write_text_atomically(output, csv.str(), "the predictions CSV");
}

}  // namespace scgrad

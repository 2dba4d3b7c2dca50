#include "scgrad/io/labelled_source.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "scgrad/error.hpp"

namespace scgrad {

DataFrameColumn sorted_categorical(const std::string& name,
                                   const std::vector<std::string>& values) {
  DataFrameColumn column;
  column.name = name;
  column.kind = ColumnKind::categorical;
  column.dtype = "categorical";
  std::map<std::string, std::int32_t> codes;
  for (const auto& v : values) {
    if (!v.empty()) codes.emplace(v, 0);
  }
  for (auto& [category, code] : codes) {
    code = static_cast<std::int32_t>(column.categorical.categories.size());
    column.categorical.categories.push_back(category);
  }
  column.categorical.codes.reserve(values.size());
  for (const auto& v : values) column.categorical.codes.push_back(v.empty() ? -1 : codes.at(v));
  return column;
}

LabelledSource::LabelledSource(std::shared_ptr<const AnnDataSource> cells,
                               const DelimitedTable& labels)
    : cells_(std::move(cells)), labels_path_(labels.path) {
  if (labels.header.size() < 2) {
    throw InputError(labels.path, "line 1",
                     "expected a header with the cell barcode column first and at least one "
                     "label column after it");
  }
  names_.assign(labels.header.begin() + 1, labels.header.end());
  const auto barcodes = cells_->obs_names();
  std::unordered_map<std::string, std::size_t> cell_of;
  for (std::size_t i = 0; i < barcodes.size(); ++i) cell_of.emplace(barcodes[i], i);
  std::vector<std::vector<std::string>> values(names_.size(),
                                               std::vector<std::string>(barcodes.size()));
  std::vector<bool> listed(barcodes.size(), false);
  std::vector<std::string> unknown;
  for (std::size_t r = 0; r < labels.rows.size(); ++r) {
    const auto& row = labels.rows[r];
    const auto found = cell_of.find(row[0]);
    if (found == cell_of.end()) {
      unknown.push_back(row[0]);
      continue;
    }
    if (listed[found->second]) {
      throw InputError(labels.path, "line " + std::to_string(labels.line_numbers[r]),
                       "barcode '" + row[0] + "' is listed twice");
    }
    listed[found->second] = true;
    for (std::size_t c = 0; c < names_.size(); ++c) values[c][found->second] = row[c + 1];
  }
  if (!unknown.empty()) {
    std::string examples;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, unknown.size()); ++i) {
      examples += (i ? ", '" : "'") + unknown[i] + "'";
    }
    throw InputError(labels.path, labels.header[0],
                     std::to_string(unknown.size()) + " of its " +
                         std::to_string(labels.rows.size()) + " barcodes are not cells of " +
                         cells_->path() + " (e.g. " + examples +
                         "); the first column must hold the matrix's cell barcodes (obs names)");
  }
  unlabelled_ = std::count(listed.begin(), listed.end(), false);
  for (std::size_t c = 0; c < names_.size(); ++c) {
    columns_.push_back(sorted_categorical(names_[c], values[c]));
  }
}

std::vector<std::string> LabelledSource::obs_column_names() const {
  auto names = cells_->obs_column_names();
  for (const auto& name : names_) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

DataFrameColumn LabelledSource::obs_column(const std::string& name) const {
  const auto found = std::find(names_.begin(), names_.end(), name);
  if (found != names_.end()) return columns_[static_cast<std::size_t>(found - names_.begin())];
  const auto others = cells_->obs_column_names();
  if (std::find(others.begin(), others.end(), name) != others.end()) {
    return cells_->obs_column(name);
  }
  std::string listed;
  for (const auto& n : names_) listed += (listed.empty() ? "'" : ", '") + n + "'";
  throw InputError(
      labels_path_, "",
      "has no column '" + name + "' (its label columns: " + listed + "); name one as the label key",
      {"label_key"});
}

}  // namespace scgrad

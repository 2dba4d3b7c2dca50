#include "dataframe.hpp"

#include <algorithm>

#include "column_encodings.hpp"
#include "record_dataframe.hpp"
#include "scgrad/error.hpp"

namespace scgrad::h5ad::dataframe {

namespace {

void require(const H5adSource& source, const std::string& df) {
  if (!hdf5::exists(source.root(), df)) {
    hdf5::fail(source.at(df), "missing dataframe (an AnnData file has obs and var groups)");
  }
}

/// The index dataset's path: named by the group's `_index` attribute.
std::string index_path(const H5adSource& source, const std::string& df) {
  hdf5::Handle group = hdf5::open_group(source.root(), df, source.at(df));
  const auto path =
      df + "/" + hdf5::string_attribute(group.get(), "_index", source.at(df)).value_or("_index");
  if (!hdf5::is_dataset(source.root(), path)) {
    hdf5::fail(source.at(path),
               "missing index dataset (named by the '_index' attribute of " + df + ")");
  }
  return path;
}

}  // namespace

std::string path_of(const H5adSource& source, const std::string& name) {
  if (name == "raw/var" && !hdf5::exists(source.root(), "raw/var") &&
      hdf5::exists(source.root(), "raw.var")) {
    return "raw.var";
  }
  return name;
}

std::vector<std::string> index(const H5adSource& source, const std::string& df) {
  require(source, df);
  if (record_dataframe::is_record_array(source, df)) return record_dataframe::index(source, df);
  const auto path = index_path(source, df);
  hdf5::Handle ds = hdf5::open_dataset(source.root(), path, source.at(path));
  return hdf5::read_strings(ds.get(), source.at(path));
}

std::int64_t length(const H5adSource& source, const std::string& df) {
  require(source, df);
  if (record_dataframe::is_record_array(source, df)) return record_dataframe::length(source, df);
  const auto path = index_path(source, df);
  hdf5::Handle ds = hdf5::open_dataset(source.root(), path, source.at(path));
  const auto dims = hdf5::shape(ds.get());
  if (dims.size() != 1) hdf5::fail(source.at(path), "expected a 1-D index");
  return dims[0];
}

std::vector<std::string> column_names(const H5adSource& source, const std::string& df) {
  require(source, df);
  if (record_dataframe::is_record_array(source, df)) {
    return record_dataframe::column_names(source, df);
  }
  hdf5::Handle group = hdf5::open_group(source.root(), df, source.at(df));
  auto names = hdf5::string_array_attribute(group.get(), "column-order", source.at(df));
  if (!names.empty()) return names;
  const auto index = index_path(source, df).substr(df.size() + 1);
  for (auto& member : hdf5::member_names(group.get(), source.at(df))) {
    if (member != index && member != "__categories") names.push_back(member);
  }
  return names;
}

DataFrameColumn column(const H5adSource& source, const std::string& df, const std::string& name) {
  require(source, df);
  const auto missing = [&] {
    throw InputError(
        source.path, df,
        "no column '" + name + "'; the columns are: " + join(column_names(source, df)));
  };
  if (record_dataframe::is_record_array(source, df)) {
    const auto names = record_dataframe::column_names(source, df);
    if (std::find(names.begin(), names.end(), name) == names.end()) missing();
    return record_dataframe::column(source, df, name);
  }
  const auto path = df + "/" + name;
  if (!hdf5::exists(source.root(), path)) missing();
  return read_column_element(source, path, name);
}

}  // namespace scgrad::h5ad::dataframe

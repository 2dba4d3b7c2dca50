#include "record_dataframe.hpp"

#include "categories.hpp"

namespace scgrad::h5ad::record_dataframe {

namespace {

hdf5::Field field(const H5adSource& source, hid_t dataset, const std::string& df,
                  const std::string& name) {
  for (auto& f : hdf5::compound_fields(dataset, source.at(df))) {
    if (f.name == name) return f;
  }
  hdf5::fail(source.at(df), "no field '" + name + "' in the record array");
}

}  // namespace

bool is_record_array(const H5adSource& source, const std::string& df) {
  return hdf5::is_dataset(source.root(), df);
}

std::vector<std::string> column_names(const H5adSource& source, const std::string& df) {
  hdf5::Handle ds = hdf5::open_dataset(source.root(), df, source.at(df));
  std::vector<std::string> names;
  for (const auto& f : hdf5::compound_fields(ds.get(), source.at(df))) {
    if (f.name != "index") names.push_back(f.name);
  }
  return names;
}

std::vector<std::string> index(const H5adSource& source, const std::string& df) {
  hdf5::Handle ds = hdf5::open_dataset(source.root(), df, source.at(df));
  return hdf5::read_string_field(ds.get(), "index", source.at(df + "/index"));
}

std::int64_t length(const H5adSource& source, const std::string& df) {
  hdf5::Handle ds = hdf5::open_dataset(source.root(), df, source.at(df));
  const auto dims = hdf5::shape(ds.get());
  if (dims.size() != 1) hdf5::fail(source.at(df), "expected a 1-D record array");
  return dims[0];
}

DataFrameColumn column(const H5adSource& source, const std::string& df, const std::string& name) {
  hdf5::Handle ds = hdf5::open_dataset(source.root(), df, source.at(df));
  const auto element = df + "/" + name;
  DataFrameColumn column;
  column.name = name;
  const auto kind = field(source, ds.get(), df, name).kind;
  switch (kind) {
    case hdf5::FieldKind::fixed_string:
      column.kind = ColumnKind::string;
      column.dtype = "string";
      column.strings = hdf5::read_string_field(ds.get(), name, source.at(element));
      return column;
    case hdf5::FieldKind::boolean:
      column.kind = ColumnKind::boolean;
      column.dtype = "bool";
      column.numbers = hdf5::read_number_field(ds.get(), name, source.at(element));
      return column;
    case hdf5::FieldKind::integer:
    case hdf5::FieldKind::floating:
      break;
    case hdf5::FieldKind::variable_string:
    case hdf5::FieldKind::other:
      hdf5::fail(source.at(element), "unsupported field type in a record-array dataframe");
  }
  const bool integer = kind == hdf5::FieldKind::integer;
  column.kind = ColumnKind::numeric;
  column.dtype = integer ? "int" : "float";
  column.numbers = hdf5::read_number_field(ds.get(), name, source.at(element));
  // Categoricals were integer codes with their categories in uns/<name>_categories.
  const auto categories_path = "uns/" + name + "_categories";
  if (integer && hdf5::is_dataset(source.root(), categories_path)) {
    hdf5::Handle cats =
        hdf5::open_dataset(source.root(), categories_path, source.at(categories_path));
    column.kind = ColumnKind::categorical;
    column.dtype = "int codes";
    column.categorical.categories = hdf5::read_strings(cats.get(), source.at(categories_path));
    for (const auto v : column.numbers) column.categorical.codes.push_back(static_cast<int>(v));
    column.numbers.clear();
    check_codes(source, column.categorical, element);
  }
  return column;
}

}  // namespace scgrad::h5ad::record_dataframe

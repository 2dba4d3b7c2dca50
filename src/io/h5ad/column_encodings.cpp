#include "column_encodings.hpp"

#include <algorithm>
#include <limits>

#include "categories.hpp"
#include "unencoded_column.hpp"

namespace scgrad::h5ad {

namespace {

/// The element a reader is given: the group or dataset, where it is, and the column's name.
struct ColumnElement {
  const H5adSource& source;
  hid_t object;
  std::string path;
  std::string name;

  hdf5::Handle dataset(const std::string& member) const {
    return hdf5::open_dataset(object, member, source.at(path + "/" + member));
  }
};

DataFrameColumn categorical(const ColumnElement& e) {
  hdf5::Handle codes = e.dataset("codes");
  hdf5::Handle categories = e.dataset("categories");
  DataFrameColumn column;
  column.kind = ColumnKind::categorical;
  column.dtype = hdf5::dtype_name(codes.get()) + " codes";
  column.categorical.categories =
      read_categories(e.source, categories.get(), e.path + "/categories");
  column.categorical.codes =
      hdf5::read_1d<std::int32_t>(codes.get(), e.source.at(e.path + "/codes"));
  check_codes(e.source, column.categorical, e.path + "/codes");
  return column;
}

/// values + mask (true where missing): pandas' Int64/boolean/string extension arrays.
template <ColumnKind kind>
DataFrameColumn nullable(const ColumnElement& e) {
  hdf5::Handle values = e.dataset("values");
  hdf5::Handle mask = e.dataset("mask");
  const auto masked = hdf5::read_1d<std::int8_t>(mask.get(), e.source.at(e.path + "/mask"));
  DataFrameColumn column;
  column.kind = kind;
  column.dtype = "nullable " + hdf5::dtype_name(values.get());
  if constexpr (kind == ColumnKind::string) {
    column.strings = hdf5::read_strings(values.get(), e.source.at(e.path + "/values"));
    for (std::size_t i = 0; i < column.strings.size() && i < masked.size(); ++i) {
      if (masked[i] != 0) column.strings[i].clear();
    }
  } else {
    column.numbers = hdf5::read_1d<double>(values.get(), e.source.at(e.path + "/values"));
    for (std::size_t i = 0; i < column.numbers.size() && i < masked.size(); ++i) {
      if (masked[i] != 0) column.numbers[i] = std::numeric_limits<double>::quiet_NaN();
    }
  }
  return column;
}

DataFrameColumn string_array(const ColumnElement& e) {
  DataFrameColumn column;
  column.kind = ColumnKind::string;
  column.dtype = hdf5::dtype_name(e.object);
  if (!hdf5::is_string_type(e.object)) {
    hdf5::fail(e.source.at(e.path), "encoding-type 'string-array' but stores " + column.dtype);
  }
  column.strings = hdf5::read_strings(e.object, e.source.at(e.path));
  return column;
}

DataFrameColumn numeric_array(const ColumnElement& e) {
  if (hdf5::is_string_type(e.object)) return string_array(e);  // numpy object arrays of str
  DataFrameColumn column;
  column.dtype = hdf5::dtype_name(e.object);
  column.kind = column.dtype == "bool" ? ColumnKind::boolean : ColumnKind::numeric;
  column.numbers = hdf5::read_1d<double>(e.object, e.source.at(e.path));
  return column;
}

struct Encoding {
  const char* type;
  const char* version;
  bool group;  ///< stored as a group (else a dataset)
  DataFrameColumn (*read)(const ColumnElement&);
};

// The column encodings of the anndata on-disk specification that scgrad reads.
constexpr Encoding kRegistry[] = {
    {"categorical", "0.2.0", true, categorical},
    {"nullable-integer", "0.1.0", true, nullable<ColumnKind::numeric>},
    {"nullable-boolean", "0.1.0", true, nullable<ColumnKind::boolean>},
    {"nullable-string-array", "0.1.0", true, nullable<ColumnKind::string>},
    {"string-array", "0.2.0", false, string_array},
    {"array", "0.2.0", false, numeric_array},
};

}  // namespace

std::vector<std::string> supported_column_encodings() {
  std::vector<std::string> out;
  for (const auto& e : kRegistry) out.push_back(std::string(e.type) + " " + e.version);
  return out;
}

DataFrameColumn read_column_element(const H5adSource& source, const std::string& path,
                                    const std::string& name) {
  const bool group = hdf5::is_group(source.root(), path);
  hdf5::Handle object = group ? hdf5::open_group(source.root(), path, source.at(path))
                              : hdf5::open_dataset(source.root(), path, source.at(path));
  const auto type = hdf5::string_attribute(object.get(), "encoding-type", source.at(path));
  const auto version = hdf5::string_attribute(object.get(), "encoding-version", source.at(path));
  const ColumnElement element{source, object.get(), path, name};
  const Encoding* found = nullptr;
  if (type) {
    for (const auto& e : kRegistry) {
      if (*type == e.type && version.value_or("") == e.version && group == e.group) found = &e;
    }
  } else if (group && hdf5::exists(object.get(), "codes") &&
             hdf5::exists(object.get(), "categories")) {
    found = &kRegistry[0];  // a categorical group written without its attributes
  } else if (!group) {
    return read_unencoded_column(source, object.get(), path, name);  // anndata 0.7
  }
  if (found == nullptr) {
    hdf5::fail(source.at(path), "unsupported column encoding '" + type.value_or("(none)") +
                                    "' version '" + version.value_or("(none)") + "' stored as a " +
                                    (group ? "group" : "dataset") +
                                    " (scgrad reads: " + join(supported_column_encodings()) +
                                    "); convert the column (e.g. to a categorical) in Python and "
                                    "write the file again");
  }
  auto column = found->read(element);
  column.name = name;
  return column;
}

}  // namespace scgrad::h5ad

#include "anndata_encoding.hpp"

namespace scgrad::anndata {

using hdf5::Handle;

void set_encoding(hid_t obj, const std::string& type, const std::string& version,
                  const hdf5::Location& where) {
  hdf5::write_string_attribute(obj, "encoding-type", type, where);
  hdf5::write_string_attribute(obj, "encoding-version", version, where);
}

void write_anndata_root(hid_t file, const hdf5::Location& where) {
  set_encoding(file, "anndata", "0.1.0", where);
  for (const char* name : {"layers", "obsm", "obsp", "uns", "varm", "varp"}) {
    Handle group = hdf5::create_group(file, name, where);
    set_encoding(group.get(), "dict", "0.1.0", where);
  }
}

Handle write_dataframe(hid_t loc, const std::string& name, const std::vector<std::string>& index,
                       const std::vector<std::string>& column_order, const hdf5::Location& where) {
  Handle df = hdf5::create_group(loc, name, where);
  set_encoding(df.get(), "dataframe", "0.2.0", where);
  hdf5::write_string_attribute(df.get(), "_index", "_index", where);
  hdf5::write_string_array_attribute(df.get(), "column-order", column_order, where);
  write_string_array(df.get(), "_index", index, where);
  return df;
}

void write_string_array(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                        const hdf5::Location& where) {
  hdf5::write_strings(loc, name, values, where);
  Handle ds = hdf5::open_dataset(loc, name, where);
  set_encoding(ds.get(), "string-array", "0.2.0", where);
}

void write_categorical(hid_t loc, const std::string& name, const Categorical& column,
                       const hdf5::Location& where) {
  Handle group = hdf5::create_group(loc, name, where);
  set_encoding(group.get(), "categorical", "0.2.0", where);
  hdf5::write_bool_attribute(group.get(), "ordered", false, where);
  write_string_array(group.get(), "categories", column.categories, where);
  hdf5::write_1d(group.get(), "codes", column.codes, where);
  Handle codes = hdf5::open_dataset(group.get(), "codes", where);
  set_encoding(codes.get(), "array", "0.2.0", where);
}

void write_float_array(hid_t loc, const std::string& name, const std::vector<float>& values,
                       const std::vector<std::int64_t>& shape, const hdf5::Location& where) {
  hdf5::write_float_array(loc, name, values, shape, where);
  Handle ds = hdf5::open_dataset(loc, name, where);
  set_encoding(ds.get(), "array", "0.2.0", where);
}

}  // namespace scgrad::anndata

#include "unencoded_column.hpp"

#include "categories.hpp"

namespace scgrad::h5ad {

DataFrameColumn read_unencoded_column(const H5adSource& source, hid_t dataset,
                                      const std::string& path, const std::string& name) {
  DataFrameColumn column;
  column.name = name;
  column.dtype = hdf5::dtype_name(dataset);
  if (hdf5::is_string_type(dataset)) {
    column.kind = ColumnKind::string;
    column.strings = hdf5::read_strings(dataset, source.at(path));
    return column;
  }
  if (auto categories = hdf5::referenced_object(dataset, "categories", source.at(path))) {
    column.kind = ColumnKind::categorical;
    column.dtype += " codes";
    column.categorical.categories =
        read_categories(source, categories->get(), path + " categories");
    column.categorical.codes = hdf5::read_1d<std::int32_t>(dataset, source.at(path));
    check_codes(source, column.categorical, path);
    return column;
  }
  column.kind = column.dtype == "bool" ? ColumnKind::boolean : ColumnKind::numeric;
  column.numbers = hdf5::read_1d<double>(dataset, source.at(path));
  return column;
}

}  // namespace scgrad::h5ad

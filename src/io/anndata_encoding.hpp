#pragma once
// Writing AnnData elements with their encoding attributes (anndata >= 0.8 spec), shared by the
// h5ad writer and the prediction output. Private to src/io.

#include <string>
#include <vector>

#include "hdf5.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::anndata {

void set_encoding(hid_t obj, const std::string& type, const std::string& version,
                  const hdf5::Location& where);
/// The root of a new file and its empty elements (layers, obsm, obsp, uns, varm, varp).
void write_anndata_root(hid_t file, const hdf5::Location& where);
/// A dataframe group with its index (`_index`) and column order; the caller writes the columns.
hdf5::Handle write_dataframe(hid_t loc, const std::string& name,
                             const std::vector<std::string>& index,
                             const std::vector<std::string>& column_order,
                             const hdf5::Location& where);
void write_string_array(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                        const hdf5::Location& where);
void write_categorical(hid_t loc, const std::string& name, const Categorical& column,
                       const hdf5::Location& where);
/// A numeric array (1-D or 2-D) with encoding-type "array".
void write_float_array(hid_t loc, const std::string& name, const std::vector<float>& values,
                       const std::vector<std::int64_t>& shape, const hdf5::Location& where);

}  // namespace scgrad::anndata

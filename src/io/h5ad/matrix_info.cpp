#include "matrix_info.hpp"

#include "dataframe.hpp"
#include "scgrad/error.hpp"

namespace scgrad::h5ad {

namespace {

/// Where the matrix is stored: anndata 0.6 wrote "raw.X" for "raw/X".
std::string matrix_path(const H5adSource& source, const std::string& key) {
  if (key == "raw/X" && !hdf5::exists(source.root(), "raw/X") &&
      hdf5::exists(source.root(), "raw.X")) {
    return "raw.X";
  }
  return key;
}

/// A matrix's values are numbers, and its shape agrees with the obs and var dataframes.
MatrixInfo checked(const H5adSource& source, MatrixInfo m) {
  const bool numeric = m.dtype.rfind("float", 0) == 0 || m.dtype.rfind("int", 0) == 0 ||
                       m.dtype.rfind("uint", 0) == 0 || m.dtype == "bool";
  if (!numeric) {
    hdf5::fail(source.at(m.storage == MatrixStorage::dense ? m.hdf5_path : m.hdf5_path + "/data"),
               "expected numbers, found " + m.dtype + " values");
  }
  const auto n_obs = dataframe::length(source, "obs");
  const auto var = var_dataframe_of(source, m.key);
  const auto n_vars = dataframe::length(source, var);
  if (m.n_rows != n_obs || m.n_cols != n_vars) {
    hdf5::fail(source.at(m.hdf5_path), "is " + std::to_string(m.n_rows) + " x " +
                                           std::to_string(m.n_cols) + " but obs has " +
                                           std::to_string(n_obs) + " cells and " + var + " has " +
                                           std::to_string(n_vars) + " genes");
  }
  return m;
}

MatrixInfo dense_info(const H5adSource& source, MatrixInfo out) {
  const auto& p = out.hdf5_path;
  hdf5::Handle ds = hdf5::open_dataset(source.root(), p, source.at(p));
  const auto dims = hdf5::shape(ds.get());
  if (dims.size() != 2) {
    hdf5::fail(source.at(p), "expected a 2-D matrix, found " + std::to_string(dims.size()) + "-D");
  }
  out.storage = MatrixStorage::dense;
  out.n_rows = dims[0];
  out.n_cols = dims[1];
  out.dtype = hdf5::dtype_name(ds.get());
  out.stored_values = dims[0] * dims[1];
  return out;
}

MatrixInfo sparse_info(const H5adSource& source, MatrixInfo out) {
  const auto& p = out.hdf5_path;
  hdf5::Handle group = hdf5::open_group(source.root(), p, source.at(p));
  auto encoding = hdf5::string_attribute(group.get(), "encoding-type", source.at(p));
  if (!encoding) {  // written by the h5sparse package (anndata < 0.7)
    const auto legacy = hdf5::string_attribute(group.get(), "h5sparse_format", source.at(p));
    if (legacy) encoding = *legacy + "_matrix";
  }
  if (encoding == "csr_matrix") {
    out.storage = MatrixStorage::csr;
  } else if (encoding == "csc_matrix") {
    out.storage = MatrixStorage::csc;
  } else {
    hdf5::fail(source.at(p),
               "expected a dense dataset or a csr_matrix/csc_matrix group, found "
               "encoding-type '" +
                   encoding.value_or("(none)") + "'");
  }
  auto dims = hdf5::integer_array_attribute(group.get(), "shape", source.at(p));
  if (!dims) dims = hdf5::integer_array_attribute(group.get(), "h5sparse_shape", source.at(p));
  if (!dims || dims->size() != 2) {
    hdf5::fail(source.at(p), "missing or malformed 'shape' attribute");
  }
  out.n_rows = (*dims)[0];
  out.n_cols = (*dims)[1];
  for (const char* part : {"data", "indices", "indptr"}) {
    if (!hdf5::is_dataset(group.get(), part)) {
      hdf5::fail(source.at(p + "/" + part),
                 "missing (a sparse matrix needs data, indices, indptr)");
    }
  }
  hdf5::Handle data = hdf5::open_dataset(group.get(), "data", source.at(p + "/data"));
  hdf5::Handle indices = hdf5::open_dataset(group.get(), "indices", source.at(p + "/indices"));
  hdf5::Handle indptr = hdf5::open_dataset(group.get(), "indptr", source.at(p + "/indptr"));
  out.dtype = hdf5::dtype_name(data.get());
  out.stored_values = hdf5::shape(data.get()).at(0);
  const auto n_indices = hdf5::shape(indices.get()).at(0);
  const auto n_indptr = hdf5::shape(indptr.get()).at(0);
  const auto major = out.storage == MatrixStorage::csr ? out.n_rows : out.n_cols;
  if (n_indptr != major + 1) {
    hdf5::fail(source.at(p + "/indptr"), "has " + std::to_string(n_indptr) + " entries; shape (" +
                                             std::to_string(out.n_rows) + ", " +
                                             std::to_string(out.n_cols) + ") needs " +
                                             std::to_string(major + 1));
  }
  if (n_indices != out.stored_values) {
    hdf5::fail(source.at(p + "/indices"), "has " + std::to_string(n_indices) + " entries but " + p +
                                              "/data has " + std::to_string(out.stored_values) +
                                              " (they must pair up)");
  }
  return out;
}

}  // namespace

std::vector<std::string> matrix_keys(const H5adSource& source) {
  std::vector<std::string> out;
  if (hdf5::exists(source.root(), "X")) out.emplace_back("X");
  if (hdf5::exists(source.root(), "raw/X") || hdf5::exists(source.root(), "raw.X")) {
    out.emplace_back("raw/X");
  }
  if (hdf5::is_group(source.root(), "layers")) {
    hdf5::Handle layers = hdf5::open_group(source.root(), "layers", source.at("layers"));
    for (const auto& name : hdf5::member_names(layers.get(), source.at("layers"))) {
      out.push_back("layers/" + name);
    }
  }
  return out;
}

std::string var_dataframe_of(const H5adSource& source, const std::string& key) {
  return key == "raw/X" ? dataframe::path_of(source, "raw/var") : "var";
}

MatrixInfo read_matrix_info(const H5adSource& source, const std::string& key) {
  MatrixInfo out;
  out.key = key;
  out.hdf5_path = matrix_path(source, key);
  if (!hdf5::exists(source.root(), out.hdf5_path)) {
    throw InputError(
        source.path, "",
        "no matrix '" + key + "'; the matrices present are: " + join(matrix_keys(source)));
  }
  const bool dense = hdf5::is_dataset(source.root(), out.hdf5_path);
  return checked(source,
                 dense ? dense_info(source, std::move(out)) : sparse_info(source, std::move(out)));
}

}  // namespace scgrad::h5ad

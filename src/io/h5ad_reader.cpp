// The H5adFile facade: opens the file and hands each question to the part that knows the
// layout (h5ad/: dataframes and their column encodings, matrix metadata, one row reader per
// storage).

#include "scgrad/io/h5ad_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "h5ad/dataframe.hpp"
#include "h5ad/matrix_info.hpp"
#include "h5ad/row_readers.hpp"
#include "h5ad/sparse_structure.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

using h5ad::H5adSource;

struct H5adFile::Impl {
  H5adSource source;
  mutable h5ad::IndptrCache indptr_cache;
};

H5adFile::H5adFile(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->source.path = path;
  impl_->source.file = hdf5::open_file_read_only(path);
  for (const char* df : {"obs", "var"}) {
    if (!hdf5::exists(impl_->source.root(), df)) {
      throw InputError(path, "",
                       "not an AnnData file: no '" + std::string(df) +
                           "' element (an .h5ad file has obs and var dataframes)");
    }
  }
}

H5adFile::~H5adFile() = default;
H5adFile::H5adFile(H5adFile&&) noexcept = default;
H5adFile& H5adFile::operator=(H5adFile&&) noexcept = default;

const std::string& H5adFile::path() const { return impl_->source.path; }
std::int64_t H5adFile::n_obs() const { return h5ad::dataframe::length(impl_->source, "obs"); }
std::int64_t H5adFile::n_vars() const { return h5ad::dataframe::length(impl_->source, "var"); }
std::vector<std::string> H5adFile::obs_names() const {
  return h5ad::dataframe::index(impl_->source, "obs");
}
std::vector<std::string> H5adFile::obs_column_names() const {
  return h5ad::dataframe::column_names(impl_->source, "obs");
}
DataFrameColumn H5adFile::obs_column(const std::string& name) const {
  auto column = h5ad::dataframe::column(impl_->source, "obs", name);
  if (column.size() != n_obs()) {
    hdf5::fail(impl_->source.at("obs/" + name), "has " + std::to_string(column.size()) +
                                                    " values for " + std::to_string(n_obs()) +
                                                    " cells");
  }
  return column;
}

std::vector<std::string> H5adFile::var_names(const std::string& matrix_key) const {
  return h5ad::dataframe::index(
      impl_->source, h5ad::var_dataframe_of(impl_->source, resolve_matrix_key(matrix_key)));
}
std::vector<std::string> H5adFile::var_column_names(const std::string& matrix_key) const {
  return h5ad::dataframe::column_names(
      impl_->source, h5ad::var_dataframe_of(impl_->source, resolve_matrix_key(matrix_key)));
}
DataFrameColumn H5adFile::var_column(const std::string& name, const std::string& matrix_key) const {
  return h5ad::dataframe::column(
      impl_->source, h5ad::var_dataframe_of(impl_->source, resolve_matrix_key(matrix_key)), name);
}

std::vector<std::string> H5adFile::matrix_keys() const { return h5ad::matrix_keys(impl_->source); }

MatrixInfo H5adFile::matrix_info(const std::string& key) const {
  return h5ad::read_matrix_info(impl_->source, resolve_matrix_key(key));
}

CsrMatrix H5adFile::read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const {
  return read_rows_into(key, rows, CsrMatrix());
}

CsrMatrix H5adFile::read_rows_into(const std::string& key, const std::vector<std::int64_t>& rows,
                                   CsrMatrix storage) const {
  const auto info = matrix_info(key);
  check_row_numbers(rows, info.n_rows, "H5adFile::read_rows");
  if (info.n_cols > std::numeric_limits<std::int32_t>::max()) {
    hdf5::fail(impl_->source.at(info.hdf5_path), "more than 2^31 genes is not supported");
  }
  if (info.storage == MatrixStorage::dense) return h5ad::read_dense_rows(impl_->source, info, rows);
  hdf5::Handle group =
      hdf5::open_group(impl_->source.root(), info.hdf5_path, impl_->source.at(info.hdf5_path));
  const auto& indptr = h5ad::checked_indptr(impl_->source, info, group.get(), impl_->indptr_cache);
  return info.storage == MatrixStorage::csr
             ? h5ad::read_csr_rows(impl_->source, info, group.get(), indptr, rows,
                                   std::move(storage))
             : h5ad::read_csc_rows(impl_->source, info, group.get(), indptr, rows);
}

ValueSummary H5adFile::value_summary(const std::string& key) const {
  const auto info = matrix_info(key);
  const auto& source = impl_->source;
  ValueSummary summary;
  summary.min = std::numeric_limits<double>::infinity();
  summary.max = -std::numeric_limits<double>::infinity();
  auto take = [&summary](const std::vector<double>& values) {
    for (const auto v : values) summary.add(v);
  };
  constexpr std::int64_t kBlock = 1 << 20;
  if (info.storage == MatrixStorage::dense) {
    hdf5::Handle ds = hdf5::open_dataset(source.root(), info.hdf5_path, source.at(info.hdf5_path));
    const auto rows_per_block =
        std::max<std::int64_t>(1, kBlock / std::max<std::int64_t>(1, info.n_cols));
    for (std::int64_t r = 0; r < info.n_rows; r += rows_per_block) {
      const auto block = hdf5::read_rows_2d(ds.get(), source.at(info.hdf5_path), r,
                                            std::min(rows_per_block, info.n_rows - r));
      take(std::vector<double>(block.begin(), block.end()));
    }
  } else {
    const auto element = info.hdf5_path + "/data";
    hdf5::Handle ds = hdf5::open_dataset(source.root(), element, source.at(element));
    for (std::int64_t k = 0; k < info.stored_values; k += kBlock) {
      take(hdf5::read_1d<double>(ds.get(), source.at(element), k,
                                 std::min(kBlock, info.stored_values - k)));
    }
  }
  if (summary.min > summary.max) summary.min = summary.max = 0;
  return summary;
}

CsrMatrix H5adFile::read_all(const std::string& key) const {
  const auto info = matrix_info(key);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(info.n_rows));
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::int64_t>(i);
  return read_rows(key, rows);
}

}  // namespace scgrad

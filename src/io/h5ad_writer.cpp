#include "scgrad/io/h5ad_writer.hpp"

#include <limits>
#include <optional>

#include "anndata_encoding.hpp"
#include "hdf5.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;

namespace {

using anndata::set_encoding;
using anndata::write_categorical;

void write_dataframe(hid_t file, const std::string& name, const std::vector<std::string>& index,
                     const std::vector<std::pair<std::string, Categorical>>& columns,
                     const Location& where) {
  std::vector<std::string> order;
  for (const auto& [column_name, values] : columns) order.push_back(column_name);
  Handle df = anndata::write_dataframe(file, name, index, order, where);
  for (const auto& [column_name, values] : columns) {
    write_categorical(df.get(), column_name, values, where);
  }
}
}  // namespace

struct H5adWriter::Impl {
  Location where;
  Handle file;
  Handle x;
  std::int64_t n_vars = 0;
  std::vector<std::int64_t> indptr{0};
  std::optional<hdf5::AppendableDataset<float>> data;
  std::optional<hdf5::AppendableDataset<std::int32_t>> indices;
  bool obs_written = false, var_written = false;
};

H5adWriter::H5adWriter(const std::string& path, std::int64_t n_vars, bool gzip)
    : impl_(std::make_unique<Impl>()) {
  impl_->where = Location{path, ""};
  impl_->n_vars = n_vars;
  impl_->file = hdf5::create_file(path);
  const auto root = impl_->file.get();
  anndata::write_anndata_root(root, impl_->where);
  impl_->x = hdf5::create_group(root, "X", Location{path, "X"});
  set_encoding(impl_->x.get(), "csr_matrix", "0.1.0", impl_->where);
  impl_->data.emplace(impl_->x.get(), "data", gzip, Location{path, "X/data"});
  impl_->indices.emplace(impl_->x.get(), "indices", gzip, Location{path, "X/indices"});
}

H5adWriter::~H5adWriter() = default;

void H5adWriter::write_obs(const std::vector<std::string>& index,
                           const std::vector<std::pair<std::string, Categorical>>& columns) {
  write_dataframe(impl_->file.get(), "obs", index, columns, Location{impl_->where.file, "obs"});
  impl_->obs_written = true;
}

void H5adWriter::write_var(const std::vector<std::string>& index) {
  if (static_cast<std::int64_t>(index.size()) != impl_->n_vars) {
    throw OptionError("H5adWriter: var index length differs from n_vars");
  }
  write_dataframe(impl_->file.get(), "var", index, {}, Location{impl_->where.file, "var"});
  impl_->var_written = true;
}

void H5adWriter::append_row(const std::vector<std::int32_t>& indices,
                            const std::vector<float>& values) {
  impl_->data->append(values.data(), static_cast<std::int64_t>(values.size()));
  impl_->indices->append(indices.data(), static_cast<std::int64_t>(indices.size()));
  impl_->indptr.push_back(impl_->indptr.back() + static_cast<std::int64_t>(values.size()));
}

void H5adWriter::finish() {
  if (!impl_->obs_written || !impl_->var_written) {
    throw OptionError(impl_->where.file + ": write obs and var before finishing the file");
  }
  const Location where{impl_->where.file, "X"};
  // scipy wants indptr and indices of one dtype: int32 while the entries fit, as scipy does.
  // (Past 2^31 entries indptr must be int64; indices stay int32: genes never reach 2^31.)
  if (impl_->indptr.back() <= std::numeric_limits<std::int32_t>::max()) {
    const std::vector<std::int32_t> narrow(impl_->indptr.begin(), impl_->indptr.end());
    hdf5::write_1d(impl_->x.get(), "indptr", narrow, where);
  } else {
    hdf5::write_1d(impl_->x.get(), "indptr", impl_->indptr, where);
  }
  const auto n_rows = static_cast<std::int64_t>(impl_->indptr.size()) - 1;
  hdf5::write_integer_array_attribute(impl_->x.get(), "shape", {n_rows, impl_->n_vars}, where);
  impl_->data.reset();
  impl_->indices.reset();
  impl_->x = Handle();
  hdf5::flush(impl_->file.get(), impl_->where);
  impl_->file = Handle();
}

}  // namespace scgrad

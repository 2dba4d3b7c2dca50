#include "scgrad/io/loom_file.hpp"

#include <algorithm>

#include "../h5ad/h5ad_source.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/labelled_source.hpp"

namespace scgrad {

namespace {

/// Cells read per request: a block of columns of the genes × cells matrix.
constexpr std::int64_t kCellsPerRead = 512;

/// The 1-d attributes of `group` ("col_attrs" or "row_attrs") that have `length` entries.
std::vector<std::string> attributes_of(const h5ad::H5adSource& source, const std::string& group,
                                       std::int64_t length) {
  std::vector<std::string> names;
  for (const auto& name : hdf5::member_names(
           hdf5::open_group(source.root(), group, source.at(group)).get(), source.at(group))) {
    const auto element = group + "/" + name;
    if (!hdf5::is_dataset(source.root(), element)) continue;
    hdf5::Handle ds = hdf5::open_dataset(source.root(), element, source.at(element));
    const auto shape = hdf5::shape(ds.get());
    if (shape.size() == 1 && shape[0] == length) names.push_back(name);
  }
  return names;
}

/// An attribute as a dataframe column: text as a sorted categorical, numbers as numbers.
DataFrameColumn attribute_column(const h5ad::H5adSource& source, const std::string& group,
                                 const std::string& name) {
  const auto element = group + "/" + name;
  const auto at = source.at(element);
  hdf5::Handle ds = hdf5::open_dataset(source.root(), element, at);
  if (hdf5::is_string_type(ds.get())) {
    return sorted_categorical(name, hdf5::read_strings(ds.get(), at));
  }
  if (!hdf5::is_numeric_type(ds.get())) hdf5::fail(at, "neither text nor numbers");
  DataFrameColumn column;
  column.name = name;
  column.kind = ColumnKind::numeric;
  column.dtype = hdf5::dtype_name(ds.get());
  column.numbers = hdf5::read_1d<double>(ds.get(), at);
  return column;
}

/// A 2-d /matrix beside /row_attrs and /col_attrs: the loom layout.
bool is_loom(const h5ad::H5adSource& source) {
  const auto root = source.root();
  if (!hdf5::is_dataset(root, "matrix") || !hdf5::is_group(root, "row_attrs") ||
      !hdf5::is_group(root, "col_attrs")) {
    return false;
  }
  hdf5::Handle matrix = hdf5::open_dataset(root, "matrix", source.at("matrix"));
  return hdf5::shape(matrix.get()).size() == 2;
}

}  // namespace

struct LoomFile::Impl {
  h5ad::H5adSource source;
  std::int64_t n_genes = 0;
  std::int64_t n_cells = 0;
  std::vector<std::string> cell_names, gene_names;
  std::string cell_name_attribute, gene_name_attribute;  ///< "" when numbered
  std::vector<std::string> layers;

  /// The names in the first of `candidates` present, else "0", "1", ... (anndata's index).
  std::vector<std::string> names(const std::string& group,
                                 std::initializer_list<const char*> candidates, std::int64_t length,
                                 std::string& used) const {
    const auto present = attributes_of(source, group, length);
    for (const auto* candidate : candidates) {
      if (std::find(present.begin(), present.end(), candidate) == present.end()) continue;
      const auto element = group + "/" + candidate;
      hdf5::Handle ds = hdf5::open_dataset(source.root(), element, source.at(element));
      if (!hdf5::is_string_type(ds.get())) continue;
      used = candidate;
      return hdf5::read_strings(ds.get(), source.at(element));
    }
    std::vector<std::string> numbered;
    for (std::int64_t i = 0; i < length; ++i) numbered.push_back(std::to_string(i));
    return numbered;
  }

  std::string dataset_of(const std::string& key) const {
    if (key == "X") return "matrix";
    if (key.rfind("layers/", 0) == 0 &&
        std::find(layers.begin(), layers.end(), key.substr(7)) != layers.end()) {
      return key;
    }
    return "";
  }
};

LoomFile::LoomFile(const std::string& path) : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.source.path = path;
  s.source.file = hdf5::open_file_read_only(path);
  const auto root = s.source.root();
  if (!is_loom(s.source)) {  // the file already open, not opened again
    throw InputError(path, "",
                     "not a loom file (expected a 2-d /matrix beside /row_attrs and /col_attrs)");
  }
  hdf5::Handle matrix = hdf5::open_dataset(root, "matrix", s.source.at("matrix"));
  const auto shape = hdf5::shape(matrix.get());
  if (!hdf5::is_numeric_type(matrix.get())) hdf5::fail(s.source.at("matrix"), "not numbers");
  s.n_genes = shape[0];
  s.n_cells = shape[1];
  s.cell_names = s.names("col_attrs", {"CellID", "obs_names"}, s.n_cells, s.cell_name_attribute);
  s.gene_names = s.names("row_attrs", {"Gene", "var_names"}, s.n_genes, s.gene_name_attribute);
  if (hdf5::is_group(root, "layers")) {
    for (const auto& name :
         hdf5::member_names(hdf5::open_group(root, "layers", s.source.at("layers")).get(),
                            s.source.at("layers"))) {
      hdf5::Handle layer =
          hdf5::open_dataset(root, "layers/" + name, s.source.at("layers/" + name));
      if (hdf5::shape(layer.get()) != shape) {
        hdf5::fail(s.source.at("layers/" + name), "has another shape than /matrix");
      }
      s.layers.push_back(name);
    }
  }
}

LoomFile::~LoomFile() = default;

bool LoomFile::recognises(const std::string& path) {
  return is_loom(h5ad::H5adSource{path, hdf5::open_file_read_only(path)});
}

const std::string& LoomFile::path() const { return impl_->source.path; }
std::int64_t LoomFile::n_obs() const { return impl_->n_cells; }
std::vector<std::string> LoomFile::obs_names() const { return impl_->cell_names; }

std::vector<std::string> LoomFile::obs_column_names() const {
  auto names = attributes_of(impl_->source, "col_attrs", impl_->n_cells);
  names.erase(std::remove(names.begin(), names.end(), impl_->cell_name_attribute), names.end());
  return names;
}

DataFrameColumn LoomFile::obs_column(const std::string& name) const {
  const auto names = obs_column_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw InputError(path(), "col_attrs/" + name,
                     "no such cell attribute; the file has: " + h5ad::join(names), {"label_key"});
  }
  return attribute_column(impl_->source, "col_attrs", name);
}

std::vector<std::string> LoomFile::var_names(const std::string& matrix_key) const {
  resolve_matrix_key(matrix_key);
  return impl_->gene_names;
}

std::vector<std::string> LoomFile::var_column_names(const std::string& matrix_key) const {
  resolve_matrix_key(matrix_key);
  auto names = attributes_of(impl_->source, "row_attrs", impl_->n_genes);
  names.erase(std::remove(names.begin(), names.end(), impl_->gene_name_attribute), names.end());
  return names;
}

DataFrameColumn LoomFile::var_column(const std::string& name, const std::string& matrix_key) const {
  const auto names = var_column_names(matrix_key);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw InputError(path(), "row_attrs/" + name, "no such gene attribute", {"gene_key"});
  }
  return attribute_column(impl_->source, "row_attrs", name);
}

std::vector<std::string> LoomFile::matrix_keys() const {
  std::vector<std::string> keys{"X"};
  for (const auto& layer : impl_->layers) keys.push_back("layers/" + layer);
  return keys;
}

MatrixInfo LoomFile::matrix_info(const std::string& key) const {
  const auto dataset = impl_->dataset_of(key);
  if (dataset.empty()) throw no_matrix(key);
  MatrixInfo info;
  info.key = key;
  info.hdf5_path = dataset;
  info.storage = MatrixStorage::dense;
  info.n_rows = impl_->n_cells;
  info.n_cols = impl_->n_genes;
  hdf5::Handle ds = hdf5::open_dataset(impl_->source.root(), dataset, impl_->source.at(dataset));
  info.dtype = hdf5::dtype_name(ds.get());
  info.stored_values = info.n_rows * info.n_cols;
  return info;
}

CsrMatrix LoomFile::read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const {
  const auto dataset = impl_->dataset_of(key);
  if (dataset.empty()) throw no_matrix(key);
  check_row_numbers(rows, impl_->n_cells, "LoomFile::read_rows");
  const auto at = impl_->source.at(dataset);
  hdf5::Handle ds = hdf5::open_dataset(impl_->source.root(), dataset, at);
  const auto n_genes = impl_->n_genes;
  CsrMatrix out;
  out.n_rows = static_cast<std::int64_t>(rows.size());
  out.n_cols = n_genes;
  out.indptr.assign(rows.size() + 1, 0);
  for (std::size_t first = 0; first < rows.size();) {
    // A run of consecutive cells is one block of columns of the genes × cells matrix.
    std::size_t last = first;
    while (last + 1 < rows.size() && rows[last + 1] == rows[last] + 1 &&
           static_cast<std::int64_t>(last + 1 - first) < kCellsPerRead) {
      ++last;
    }
    const auto count = static_cast<std::int64_t>(last - first + 1);
    const auto block = hdf5::read_columns_2d(ds.get(), at, rows[first], count);
    for (std::int64_t c = 0; c < count; ++c) {
      for (std::int64_t g = 0; g < n_genes; ++g) {
        const float value = block[static_cast<std::size_t>(g * count + c)];
        if (value == 0) continue;
        out.indices.push_back(static_cast<std::int32_t>(g));
        out.data.push_back(value);
      }
      out.indptr[first + static_cast<std::size_t>(c) + 1] =
          static_cast<std::int64_t>(out.data.size());
    }
    first = last + 1;
  }
  return out;
}

}  // namespace scgrad

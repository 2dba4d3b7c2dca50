#include "scgrad/io/tenx_h5_file.hpp"

#include <mutex>

#include "../h5ad/row_readers.hpp"
#include "../h5ad/sparse_structure.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// Cell Ranger >= 3 keeps the matrix in /matrix with a features group.
bool has_matrix_group(const h5ad::H5adSource& source) {
  return hdf5::is_group(source.root(), "matrix") && hdf5::exists(source.root(), "matrix/features");
}

/// Cell Ranger 2 keeps it in one group per genome, each with barcodes and genes.
std::vector<std::string> genome_groups(const h5ad::H5adSource& source) {
  const auto root = source.root();
  std::vector<std::string> genomes;
  for (const auto& name : hdf5::member_names(root, source.at(""))) {
    if (hdf5::is_group(root, name) && hdf5::exists(root, name + "/barcodes") &&
        hdf5::exists(root, name + "/genes")) {
      genomes.push_back(name);
    }
  }
  return genomes;
}

/// The group holding the matrix: "matrix" (Cell Ranger >= 3) or the one genome's group (2).
std::string matrix_group(const h5ad::H5adSource& source) {
  if (has_matrix_group(source)) return "matrix";
  const auto genomes = genome_groups(source);
  if (genomes.empty()) {
    throw InputError(source.path, "",
                     "not a 10x Genomics HDF5 matrix (no /matrix/features, and no genome group "
                     "with barcodes and genes)");
  }
  if (genomes.size() > 1) {
    throw InputError(source.path, "",
                     "holds more than one genome (" + h5ad::join(genomes) +
                         "); scgrad reads single-genome files: subset it to one genome first");
  }
  return genomes.front();
}

std::vector<std::string> strings_at(const h5ad::H5adSource& source, const std::string& element) {
  const auto at = source.at(element);
  hdf5::Handle ds = hdf5::open_dataset(source.root(), element, at);
  return hdf5::read_strings(ds.get(), at);
}

}  // namespace

struct TenxH5File::Impl {
  h5ad::H5adSource source;
  std::string group;               ///< "matrix" or the genome's name
  std::vector<std::int64_t> kept;  ///< the "Gene Expression" features, ascending
  MatrixInfo stored;               ///< the matrix as stored: cells × every feature
  mutable std::mutex mutex;        ///< guards the indptr cache
  mutable h5ad::IndptrCache indptr_cache;

  /// `values` (one per feature); InputError naming `element` when there are not as many.
  std::vector<std::string> per_feature(std::vector<std::string> values,
                                       const std::string& element) const {
    if (values.size() != static_cast<std::size_t>(stored.n_cols)) {
      hdf5::fail(source.at(element), "holds " + std::to_string(values.size()) + " entries for " +
                                         std::to_string(stored.n_cols) +
                                         " features (the shape's first number)");
    }
    return values;
  }

  FeatureList read_features(bool v3) {
    const auto prefix = group + (v3 ? "/features/" : "/");
    const auto ids = per_feature(strings_at(source, prefix + (v3 ? "id" : "genes")),
                                 prefix + (v3 ? "id" : "genes"));
    const auto names = per_feature(strings_at(source, prefix + (v3 ? "name" : "gene_names")),
                                   prefix + (v3 ? "name" : "gene_names"));
    std::vector<std::string> types(ids.size(), kGeneExpression);
    if (v3)
      types = per_feature(strings_at(source, prefix + "feature_type"), prefix + "feature_type");
    std::vector<std::string> genomes(ids.size(), group);
    if (v3) {
      genomes.clear();
      if (hdf5::exists(source.root(), prefix + "genome")) {
        genomes = per_feature(strings_at(source, prefix + "genome"), prefix + "genome");
      }
    }
    kept = gene_expression_rows(types, source.path, prefix + "feature_type");
    return FeatureList::of(kept, ids, names, types, genomes);
  }

  void read_shape() {
    const auto element = group + "/shape";
    const auto at = source.at(element);
    hdf5::Handle ds = hdf5::open_dataset(source.root(), element, at);
    const auto shape = hdf5::read_1d<std::int64_t>(ds.get(), at);
    if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0) {
      hdf5::fail(at, "expected two numbers: features, barcodes");
    }
    stored.key = "X";
    stored.hdf5_path = group;
    stored.storage = MatrixStorage::csr;  // genes × cells CSC = cells × genes CSR
    stored.n_rows = shape[1];
    stored.n_cols = shape[0];
    const auto data_at = source.at(group + "/data");
    hdf5::Handle data = hdf5::open_dataset(source.root(), group + "/data", data_at);
    stored.dtype = hdf5::dtype_name(data.get());
    const auto data_shape = hdf5::shape(data.get());
    if (data_shape.size() != 1) hdf5::fail(data_at, "expected a 1-d array");
    stored.stored_values = data_shape[0];
  }
};

TenxH5File::TenxH5File(const std::string& path)
    : BarcodedMatrix("a 10x Genomics matrix"), impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.source.path = path;
  s.source.file = hdf5::open_file_read_only(path);
  s.group = matrix_group(s.source);
  const bool v3 = s.group == "matrix";
  s.read_shape();
  barcodes_ = strings_at(s.source, s.group + "/barcodes");
  if (static_cast<std::int64_t>(barcodes_.size()) != s.stored.n_rows) {
    hdf5::fail(s.source.at(s.group + "/barcodes"), "holds " + std::to_string(barcodes_.size()) +
                                                       " barcodes, the shape says " +
                                                       std::to_string(s.stored.n_rows));
  }
  features_ = s.read_features(v3);
  hdf5::Handle group = hdf5::open_group(s.source.root(), s.group, s.source.at(s.group));
  const auto& indptr = h5ad::checked_indptr(s.source, s.stored, group.get(), s.indptr_cache);
  if (static_cast<std::int64_t>(indptr.size()) != s.stored.n_rows + 1) {
    hdf5::fail(s.source.at(s.group + "/indptr"),
               "holds " + std::to_string(indptr.size()) + " offsets for " +
                   std::to_string(s.stored.n_rows) + " barcodes (expected one more)");
  }
}

TenxH5File::~TenxH5File() = default;

bool TenxH5File::recognises(const std::string& path) {
  const h5ad::H5adSource source{path, hdf5::open_file_read_only(path)};
  // More than one genome is recognised, and refused with its reason on opening.
  return has_matrix_group(source) || !genome_groups(source).empty();
}

const std::string& TenxH5File::path() const { return impl_->source.path; }
std::int64_t TenxH5File::n_obs() const { return impl_->stored.n_rows; }
MatrixInfo TenxH5File::matrix_info(const std::string& key) const {
  if (key != "X") throw no_matrix(key);
  auto info = impl_->stored;
  info.n_cols = static_cast<std::int64_t>(impl_->kept.size());
  return info;
}

CsrMatrix TenxH5File::read_rows(const std::string& key,
                                const std::vector<std::int64_t>& rows) const {
  if (key != "X") throw no_matrix(key);
  const auto& s = *impl_;
  check_row_numbers(rows, s.stored.n_rows, "TenxH5File::read_rows");
  hdf5::Handle group = hdf5::open_group(s.source.root(), s.group, s.source.at(s.group));
  const std::vector<std::int64_t>* indptr = nullptr;
  {
    const std::lock_guard<std::mutex> lock(s.mutex);
    indptr = &h5ad::checked_indptr(s.source, s.stored, group.get(), s.indptr_cache);
  }
  auto matrix = h5ad::read_csr_rows(s.source, s.stored, group.get(), *indptr, rows);
  h5ad::canonicalise_rows(s.source, matrix, rows, s.group + "/indices");
  if (static_cast<std::int64_t>(s.kept.size()) == s.stored.n_cols) return matrix;
  // Features other than gene expression were stored among the genes: drop them.
  return select_columns(std::move(matrix), s.kept);
}

}  // namespace scgrad

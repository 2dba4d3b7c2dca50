#include "scgrad/io/in_memory_anndata.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

constexpr const char* kTypeNames[] = {"float32", "float64", "int8",   "int16",  "int32",
                                      "int64",   "uint8",   "uint16", "uint32", "uint64"};

/// Calls f with the array's data as a pointer of its element type.
template <typename F>
decltype(auto) visit(const NumberArray& a, F&& f) {
  switch (a.type) {
    case NumberType::float32:
      return f(static_cast<const float*>(a.data));
    case NumberType::float64:
      return f(static_cast<const double*>(a.data));
    case NumberType::int8:
      return f(static_cast<const std::int8_t*>(a.data));
    case NumberType::int16:
      return f(static_cast<const std::int16_t*>(a.data));
    case NumberType::int32:
      return f(static_cast<const std::int32_t*>(a.data));
    case NumberType::int64:
      return f(static_cast<const std::int64_t*>(a.data));
    case NumberType::uint8:
      return f(static_cast<const std::uint8_t*>(a.data));
    case NumberType::uint16:
      return f(static_cast<const std::uint16_t*>(a.data));
    case NumberType::uint32:
      return f(static_cast<const std::uint32_t*>(a.data));
    case NumberType::uint64:
      break;
  }
  return f(static_cast<const std::uint64_t*>(a.data));
}

bool is_integer(NumberType type) {
  return type != NumberType::float32 && type != NumberType::float64;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "(none)" : out;
}

/// Position i of an integer array as int64.
std::int64_t integer_at(const NumberArray& a, std::int64_t i) {
  return visit(a, [i](const auto* p) { return static_cast<std::int64_t>(p[i]); });
}

}  // namespace

NumberType number_type(const std::string& dtype) {
  for (std::size_t t = 0; t < std::size(kTypeNames); ++t) {
    if (dtype == kTypeNames[t]) return static_cast<NumberType>(t);
  }
  throw OptionError("number_type: '" + dtype + "' is not a numeric dtype (float32, float64, " +
                    "int8 … int64, uint8 … uint64)");
}

const char* to_string(NumberType type) { return kTypeNames[static_cast<int>(type)]; }

/// A matrix as added: its description and the arrays rows are read from (for CSC storage, a
/// CSR copy owned here).
struct InMemoryAnnData::Matrix {
  MatrixInfo info;
  BorrowedMatrix csr_or_dense;
  std::vector<std::int64_t> owned_indptr;
  std::vector<std::int32_t> owned_indices;
  std::vector<float> owned_values;
};

InMemoryAnnData::InMemoryAnnData(std::string name, std::vector<std::string> obs_names,
                                 std::vector<std::string> obs_column_names)
    : name_(std::move(name)),
      obs_names_(std::move(obs_names)),
      obs_column_names_(std::move(obs_column_names)) {}

InMemoryAnnData::~InMemoryAnnData() = default;

void InMemoryAnnData::add_obs_column(DataFrameColumn column) {
  if (column.size() != n_obs()) {
    throw InputError(
        name_, "obs/" + column.name,
        std::to_string(column.size()) + " values for " + std::to_string(n_obs()) + " cells");
  }
  obs_columns_[column.name] = std::move(column);
}

void InMemoryAnnData::set_var(const std::string& matrix_key, std::vector<std::string> names,
                              std::vector<std::string> column_names,
                              std::vector<DataFrameColumn> columns) {
  Genes genes{std::move(names), std::move(column_names), {}};
  const auto element = matrix_key == "raw/X" ? std::string("raw/var") : std::string("var");
  for (auto& column : columns) {
    if (column.size() != static_cast<std::int64_t>(genes.names.size())) {
      throw InputError(name_, element + "/" + column.name,
                       std::to_string(column.size()) + " values for " +
                           std::to_string(genes.names.size()) + " genes");
    }
    genes.columns[column.name] = std::move(column);
  }
  genes_[matrix_key == "raw/X" ? "raw/X" : "X"] = std::move(genes);
}

void InMemoryAnnData::add_matrix(const std::string& key, const BorrowedMatrix& m) {
  const auto fail = [&](const std::string& element, const std::string& what) {
    throw InputError(name_, element, what);
  };
  const auto n_genes = static_cast<std::int64_t>(genes_of(key).names.size());
  if (m.n_rows != n_obs() || m.n_cols != n_genes) {
    fail(key, "shape " + std::to_string(m.n_rows) + " x " + std::to_string(m.n_cols) +
                  " but there are " + std::to_string(n_obs()) + " cells and " +
                  std::to_string(n_genes) + " genes");
  }
  if (m.n_cols > std::numeric_limits<std::int32_t>::max()) {
    fail(key, "more than 2^31 genes is not supported");
  }
  auto matrix = std::make_shared<Matrix>();
  matrix->info = {key, "", m.storage, m.n_rows, m.n_cols, to_string(m.values.type), m.values.size};
  matrix->csr_or_dense = m;
  if (m.storage == MatrixStorage::dense) {
    if (m.values.size != m.n_rows * m.n_cols) fail(key, "holds fewer values than its shape");
    matrices_[key] = std::move(matrix);
    return;
  }
  const bool csr = m.storage == MatrixStorage::csr;
  const auto major = csr ? m.n_rows : m.n_cols;
  const auto minor = csr ? m.n_cols : m.n_rows;
  if (!is_integer(m.indptr.type) || !is_integer(m.indices.type)) {
    fail(key + "/indices", "indptr and indices must be integers");
  }
  if (m.indptr.size != major + 1) {
    fail(key + "/indptr", std::to_string(m.indptr.size) + " offsets for " + std::to_string(major) +
                              (csr ? " rows" : " columns"));
  }
  if (m.indices.size != m.values.size) fail(key + "/indices", "not one per stored value");
  if (integer_at(m.indptr, 0) != 0) fail(key + "/indptr", "must start at 0");
  for (std::int64_t i = 1; i <= major; ++i) {
    if (integer_at(m.indptr, i) < integer_at(m.indptr, i - 1)) {
      fail(key + "/indptr",
           "decreases at position " + std::to_string(i) + " (must be non-decreasing)");
    }
  }
  if (integer_at(m.indptr, major) != m.values.size) {
    fail(key + "/indptr", "ends at " + std::to_string(integer_at(m.indptr, major)) + " but " +
                              std::to_string(m.values.size) + " entries are stored");
  }
  if (!csr) {  // CSC: each column's entries go to their rows, columns ascending within a row
    auto& p = matrix->owned_indptr;
    p.assign(static_cast<std::size_t>(m.n_rows) + 1, 0);
    for (std::int64_t k = 0; k < m.values.size; ++k) {
      const auto row = integer_at(m.indices, k);
      if (row < 0 || row >= minor) {
        fail(key + "/indices",
             "index " + std::to_string(row) + " outside [0, " + std::to_string(minor) + ")");
      }
      ++p[static_cast<std::size_t>(row) + 1];
    }
    for (std::size_t r = 0; r < static_cast<std::size_t>(m.n_rows); ++r) p[r + 1] += p[r];
    auto next = p;
    matrix->owned_indices.resize(static_cast<std::size_t>(m.values.size));
    matrix->owned_values.resize(static_cast<std::size_t>(m.values.size));
    visit(m.values, [&](const auto* values) {
      for (std::int64_t c = 0; c < m.n_cols; ++c) {
        for (auto k = integer_at(m.indptr, c); k < integer_at(m.indptr, c + 1); ++k) {
          const auto at = next[static_cast<std::size_t>(integer_at(m.indices, k))]++;
          matrix->owned_indices[static_cast<std::size_t>(at)] = static_cast<std::int32_t>(c);
          matrix->owned_values[static_cast<std::size_t>(at)] = static_cast<float>(values[k]);
        }
      }
    });
    matrix->csr_or_dense = {MatrixStorage::csr,
                            m.n_rows,
                            m.n_cols,
                            {matrix->owned_values.data(), m.values.size, NumberType::float32},
                            {matrix->owned_indices.data(), m.values.size, NumberType::int32},
                            {p.data(), m.n_rows + 1, NumberType::int64}};
  }
  matrices_[key] = std::move(matrix);
}

const std::string& InMemoryAnnData::path() const { return name_; }
std::int64_t InMemoryAnnData::n_obs() const { return static_cast<std::int64_t>(obs_names_.size()); }
std::vector<std::string> InMemoryAnnData::obs_names() const { return obs_names_; }
std::vector<std::string> InMemoryAnnData::obs_column_names() const { return obs_column_names_; }

DataFrameColumn InMemoryAnnData::obs_column(const std::string& name) const {
  const auto found = obs_columns_.find(name);
  if (found == obs_columns_.end()) {
    throw InputError(name_, "obs",
                     "no column '" + name + "'; its columns are: " + join(obs_column_names_));
  }
  return found->second;
}

const InMemoryAnnData::Genes& InMemoryAnnData::genes_of(const std::string& matrix_key) const {
  const auto found = genes_.find(matrix_key == "raw/X" ? "raw/X" : "X");
  if (found == genes_.end()) {
    throw InputError(name_, matrix_key == "raw/X" ? "raw/var" : "var", "no gene names given");
  }
  return found->second;
}

std::vector<std::string> InMemoryAnnData::var_names(const std::string& matrix_key) const {
  return genes_of(resolve_matrix_key(matrix_key)).names;
}

std::vector<std::string> InMemoryAnnData::var_column_names(const std::string& matrix_key) const {
  return genes_of(resolve_matrix_key(matrix_key)).column_names;
}

DataFrameColumn InMemoryAnnData::var_column(const std::string& name,
                                            const std::string& matrix_key) const {
  const auto key = resolve_matrix_key(matrix_key);
  const auto& genes = genes_of(key);
  const auto found = genes.columns.find(name);
  if (found == genes.columns.end()) {
    throw InputError(name_, key == "raw/X" ? "raw/var" : "var",
                     "no column '" + name + "'; its columns are: " + join(genes.column_names));
  }
  return found->second;
}

void InMemoryAnnData::declare_matrices(std::vector<std::string> keys) {
  declared_ = std::move(keys);
}

std::vector<std::string> InMemoryAnnData::matrix_keys() const {
  auto keys = declared_;
  for (const auto* key : {"X", "raw/X"}) {
    if (matrices_.count(key) != 0 && std::count(keys.begin(), keys.end(), key) == 0) {
      keys.emplace_back(key);
    }
  }
  for (const auto& [key, matrix] : matrices_) {
    if (key.rfind("layers/", 0) == 0 && std::count(keys.begin(), keys.end(), key) == 0) {
      keys.push_back(key);
    }
  }
  return keys;
}

const InMemoryAnnData::Matrix& InMemoryAnnData::matrix(const std::string& key) const {
  const auto found = matrices_.find(resolve_matrix_key(key));
  if (found == matrices_.end()) throw no_matrix(key);
  return *found->second;
}

MatrixInfo InMemoryAnnData::matrix_info(const std::string& key) const { return matrix(key).info; }

CsrMatrix InMemoryAnnData::read_rows(const std::string& key,
                                     const std::vector<std::int64_t>& rows) const {
  const auto& stored = matrix(key);
  const auto& m = stored.csr_or_dense;
  check_row_numbers(rows, m.n_rows, "InMemoryAnnData::read_rows");
  CsrMatrix out;
  out.n_rows = static_cast<std::int64_t>(rows.size());
  out.n_cols = m.n_cols;
  visit(m.values, [&](const auto* values) {
    for (const auto r : rows) {
      if (m.storage == MatrixStorage::dense) {
        for (std::int64_t c = 0; c < m.n_cols; ++c) {
          const auto v = static_cast<float>(values[r * m.n_cols + c]);
          if (v != 0.0F) {  // as a file's dense rows are read: stored zeros dropped
            out.indices.push_back(static_cast<std::int32_t>(c));
            out.data.push_back(v);
          }
        }
      } else {
        for (auto k = integer_at(m.indptr, r); k < integer_at(m.indptr, r + 1); ++k) {
          const auto c = integer_at(m.indices, k);
          if (c < 0 || c >= m.n_cols) {
            throw InputError(
                name_, stored.info.key + "/indices",
                "index " + std::to_string(c) + " outside [0, " + std::to_string(m.n_cols) + ")");
          }
          out.indices.push_back(static_cast<std::int32_t>(c));
          out.data.push_back(static_cast<float>(values[k]));
        }
      }
      out.indptr.push_back(static_cast<std::int64_t>(out.data.size()));
    }
  });
  if (const auto defect = canonicalise_rows(out, rows)) {
    throw InputError(name_, stored.info.key + "/indices", *defect);
  }
  return out;
}

}  // namespace scgrad

#include "scgrad/io/h5ad_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>

#include "hdf5.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;

const char* to_string(MatrixStorage storage) {
  switch (storage) {
    case MatrixStorage::dense:
      return "dense";
    case MatrixStorage::csr:
      return "csr_matrix";
    case MatrixStorage::csc:
      return "csc_matrix";
  }
  return "unknown";
}

namespace {

// Selected rows closer than this many stored entries are read in one request and the gap is
// dropped: one larger read beats many small ones on chunked, compressed data.
constexpr std::int64_t kMaxGapEntries = 1 << 16;
// Reads of rows with gaps between them go through a staging buffer of at most this many entries.
constexpr std::int64_t kMaxStagedEntries = 1 << 22;
// Dense matrices are read in blocks of rows to bound the temporary buffer.
constexpr std::int64_t kDenseBlockRows = 1024;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

}  // namespace

struct H5adFile::Impl {
  std::string path;
  Handle file;
  // Checked indptr per sparse matrix: streaming reads a matrix chunk by chunk, and each chunk
  // would otherwise read and check the whole indptr again (8 MB per million cells).
  mutable std::map<std::string, std::vector<std::int64_t>> indptr_cache;

  Location at(const std::string& element) const { return {path, element}; }

  /// Path of a dataframe (obs, var, raw/var) — anndata 0.6 wrote "raw.var".
  std::string dataframe_path(const std::string& name) const {
    if (name == "raw/var" && !hdf5::exists(file.get(), "raw/var") &&
        hdf5::exists(file.get(), "raw.var")) {
      return "raw.var";
    }
    return name;
  }

  std::string var_dataframe_for(const std::string& matrix_key) const {
    return matrix_key == "raw/X" ? dataframe_path("raw/var") : "var";
  }

  bool is_legacy_dataframe(const std::string& df) const {
    return hdf5::is_dataset(file.get(), df);  // anndata < 0.7: a compound (record) dataset
  }

  std::string index_name(const std::string& df) const {
    if (is_legacy_dataframe(df)) return "index";
    Handle group = hdf5::open_group(file.get(), df, at(df));
    auto name = hdf5::string_attribute(group.get(), "_index", at(df));
    return name.value_or("_index");
  }

  std::vector<std::string> index(const std::string& df) const {
    if (!hdf5::exists(file.get(), df)) {
      hdf5::fail(at(df), "missing dataframe (an AnnData file has obs and var groups)");
    }
    if (is_legacy_dataframe(df)) return legacy_strings(df, "index");
    const auto name = index_name(df);
    const auto path = df + "/" + name;
    if (!hdf5::is_dataset(file.get(), path)) {
      hdf5::fail(at(path), "missing index dataset (named by the '_index' attribute of " + df + ")");
    }
    Handle ds = hdf5::open_dataset(file.get(), path, at(path));
    return hdf5::read_strings(ds.get(), at(path));
  }

  std::int64_t index_length(const std::string& df) const {
    if (is_legacy_dataframe(df)) {
      Handle ds = hdf5::open_dataset(file.get(), df, at(df));
      return hdf5::shape(ds.get()).at(0);
    }
    const auto path = df + "/" + index_name(df);
    if (!hdf5::is_dataset(file.get(), path)) hdf5::fail(at(path), "missing index dataset");
    Handle ds = hdf5::open_dataset(file.get(), path, at(path));
    const auto dims = hdf5::shape(ds.get());
    if (dims.size() != 1) hdf5::fail(at(path), "expected a 1-D index");
    return dims[0];
  }

  std::vector<std::string> column_names(const std::string& df) const {
    if (is_legacy_dataframe(df)) {
      Handle ds = hdf5::open_dataset(file.get(), df, at(df));
      Handle type(H5Dget_type(ds.get()));
      std::vector<std::string> names;
      const int n = H5Tget_nmembers(type.get());
      for (int i = 0; i < n; ++i) {
        char* name = H5Tget_member_name(type.get(), static_cast<unsigned>(i));
        if (std::string(name) != "index") names.emplace_back(name);
        H5free_memory(name);
      }
      return names;
    }
    Handle group = hdf5::open_group(file.get(), df, at(df));
    auto names = hdf5::string_array_attribute(group.get(), "column-order", at(df));
    if (!names.empty()) return names;
    const auto index = index_name(df);
    for (auto& member : hdf5::member_names(group.get(), at(df))) {
      if (member != index && member != "__categories") names.push_back(member);
    }
    return names;
  }

  std::vector<std::string> legacy_strings(const std::string& df, const std::string& member) const {
    Handle ds = hdf5::open_dataset(file.get(), df, at(df));
    Handle file_type(H5Dget_type(ds.get()));
    const int index = H5Tget_member_index(file_type.get(), member.c_str());
    if (index < 0) hdf5::fail(at(df), "no field '" + member + "' in the record array");
    Handle member_type(H5Tget_member_type(file_type.get(), static_cast<unsigned>(index)));
    if (H5Tget_class(member_type.get()) != H5T_STRING || H5Tis_variable_str(member_type.get())) {
      hdf5::fail(at(df + "/" + member), "expected a fixed-length string field");
    }
    const auto size = H5Tget_size(member_type.get());
    Handle mem(H5Tcreate(H5T_COMPOUND, size));
    H5Tinsert(mem.get(), member.c_str(), 0, member_type.get());
    const auto n = static_cast<std::size_t>(hdf5::shape(ds.get()).at(0));
    std::vector<char> buffer(n * size);
    if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) {
      hdf5::fail(at(df + "/" + member), "cannot read field");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = buffer.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
    return out;
  }

  DataFrameColumn legacy_column(const std::string& df, const std::string& name) const {
    Handle ds = hdf5::open_dataset(file.get(), df, at(df));
    Handle file_type(H5Dget_type(ds.get()));
    const int index = H5Tget_member_index(file_type.get(), name.c_str());
    if (index < 0) hdf5::fail(at(df), "no column '" + name + "'");
    Handle member_type(H5Tget_member_type(file_type.get(), static_cast<unsigned>(index)));
    DataFrameColumn column;
    column.name = name;
    const auto type_class = H5Tget_class(member_type.get());
    if (type_class == H5T_STRING) {
      column.kind = ColumnKind::string;
      column.dtype = "string";
      column.strings = legacy_strings(df, name);
      return column;
    }
    const auto n = static_cast<std::size_t>(hdf5::shape(ds.get()).at(0));
    if (type_class == H5T_ENUM && H5Tget_size(member_type.get()) == 1) {
      // a numpy bool field: h5py's int8 enum, read as stored (HDF5 converts enums only to enums)
      Handle mem(H5Tcreate(H5T_COMPOUND, 1));
      H5Tinsert(mem.get(), name.c_str(), 0, member_type.get());
      std::vector<std::int8_t> raw(n);
      if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) {
        hdf5::fail(at(df + "/" + name), "cannot read field");
      }
      column.kind = ColumnKind::boolean;
      column.dtype = "bool";
      column.numbers.assign(raw.begin(), raw.end());
      return column;
    }
    if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
      hdf5::fail(at(df + "/" + name), "unsupported field type in a record-array dataframe");
    }
    Handle mem(H5Tcreate(H5T_COMPOUND, sizeof(double)));
    H5Tinsert(mem.get(), name.c_str(), 0, H5T_NATIVE_DOUBLE);
    column.numbers.resize(n);
    if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, column.numbers.data()) < 0) {
      hdf5::fail(at(df + "/" + name), "cannot read field");
    }
    column.kind = ColumnKind::numeric;
    column.dtype = type_class == H5T_FLOAT ? "float" : "int";
    // anndata 0.6 kept categoricals as integer codes with categories in uns/<name>_categories.
    const auto categories_path = "uns/" + name + "_categories";
    if (type_class == H5T_INTEGER && hdf5::is_dataset(file.get(), categories_path)) {
      Handle cats = hdf5::open_dataset(file.get(), categories_path, at(categories_path));
      column.kind = ColumnKind::categorical;
      column.dtype = "int codes";
      column.categorical.categories = hdf5::read_strings(cats.get(), at(categories_path));
      for (const auto v : column.numbers) column.categorical.codes.push_back(static_cast<int>(v));
      column.numbers.clear();
      check_codes(column.categorical, df + "/" + name);
    }
    return column;
  }

  void check_codes(const Categorical& c, const std::string& element) const {
    const auto n = static_cast<std::int32_t>(c.categories.size());
    for (const auto code : c.codes) {
      if (code < -1 || code >= n) {
        hdf5::fail(at(element), "categorical code " + std::to_string(code) + " outside [-1, " +
                                    std::to_string(n) + ")");
      }
    }
  }

  std::vector<std::string> read_categories(hid_t ds, const std::string& element) const {
    if (hdf5::is_string_type(ds)) return hdf5::read_strings(ds, at(element));
    std::vector<std::string> out;
    for (const auto v : hdf5::read_1d<double>(ds, at(element))) out.push_back(format_number(v));
    return out;
  }

  DataFrameColumn column(const std::string& df, const std::string& name) const {
    if (!hdf5::exists(file.get(), df)) hdf5::fail(at(df), "missing dataframe");
    if (is_legacy_dataframe(df)) {
      const auto names = column_names(df);
      if (std::find(names.begin(), names.end(), name) == names.end()) missing_column(df, name);
      return legacy_column(df, name);
    }
    const auto path = df + "/" + name;
    if (!hdf5::exists(file.get(), path)) missing_column(df, name);
    DataFrameColumn column;
    column.name = name;
    if (hdf5::is_group(file.get(), path)) {
      Handle group = hdf5::open_group(file.get(), path, at(path));
      const auto encoding = hdf5::string_attribute(group.get(), "encoding-type", at(path));
      if (encoding == "categorical" ||
          (hdf5::exists(group.get(), "codes") && hdf5::exists(group.get(), "categories"))) {
        Handle codes = hdf5::open_dataset(group.get(), "codes", at(path + "/codes"));
        Handle cats = hdf5::open_dataset(group.get(), "categories", at(path + "/categories"));
        column.kind = ColumnKind::categorical;
        column.dtype = hdf5::dtype_name(codes.get()) + " codes";
        column.categorical.categories = read_categories(cats.get(), path + "/categories");
        column.categorical.codes = hdf5::read_1d<std::int32_t>(codes.get(), at(path + "/codes"));
        check_codes(column.categorical, path + "/codes");
        return column;
      }
      if (encoding == "nullable-integer" || encoding == "nullable-boolean") {
        Handle values = hdf5::open_dataset(group.get(), "values", at(path + "/values"));
        Handle mask = hdf5::open_dataset(group.get(), "mask", at(path + "/mask"));
        column.kind = encoding == "nullable-boolean" ? ColumnKind::boolean : ColumnKind::numeric;
        column.dtype = "nullable " + hdf5::dtype_name(values.get());
        column.numbers = hdf5::read_1d<double>(values.get(), at(path + "/values"));
        const auto masked = hdf5::read_1d<std::int8_t>(mask.get(), at(path + "/mask"));
        for (std::size_t i = 0; i < column.numbers.size() && i < masked.size(); ++i) {
          if (masked[i] != 0) column.numbers[i] = std::numeric_limits<double>::quiet_NaN();
        }
        return column;
      }
      hdf5::fail(at(path), "unsupported column encoding '" + encoding.value_or("(none)") + "'");
    }
    Handle ds = hdf5::open_dataset(file.get(), path, at(path));
    column.dtype = hdf5::dtype_name(ds.get());
    if (hdf5::is_string_type(ds.get())) {
      column.kind = ColumnKind::string;
      column.strings = hdf5::read_strings(ds.get(), at(path));
      return column;
    }
    if (H5Aexists(ds.get(), "categories") > 0) {
      // anndata 0.7: integer codes with an object reference to obs/__categories/<name>.
      Handle attr(H5Aopen(ds.get(), "categories", H5P_DEFAULT));
      hobj_ref_t ref{};
      if (H5Aread(attr.get(), H5T_STD_REF_OBJ, &ref) < 0) {
        hdf5::fail(at(path), "cannot read the 'categories' reference");
      }
      Handle cats(H5Rdereference2(ds.get(), H5P_DEFAULT, H5R_OBJECT, &ref));
      if (!cats.valid()) hdf5::fail(at(path), "broken 'categories' reference");
      column.kind = ColumnKind::categorical;
      column.dtype = column.dtype + " codes";
      column.categorical.categories = read_categories(cats.get(), path + " categories");
      column.categorical.codes = hdf5::read_1d<std::int32_t>(ds.get(), at(path));
      check_codes(column.categorical, path);
      return column;
    }
    column.kind = column.dtype == "bool" ? ColumnKind::boolean : ColumnKind::numeric;
    column.numbers = hdf5::read_1d<double>(ds.get(), at(path));
    return column;
  }

  [[noreturn]] void missing_column(const std::string& df, const std::string& name) const {
    throw Error(path + ": " + df + ": no column '" + name +
                "'; the columns are: " + join(column_names(df)));
  }

  // --- matrices ------------------------------------------------------------------------------

  std::string matrix_path(const std::string& key) const {
    if (key == "raw/X" && !hdf5::exists(file.get(), "raw/X") && hdf5::exists(file.get(), "raw.X")) {
      return "raw.X";
    }
    return key;
  }

  MatrixInfo info(const std::string& key) const {
    MatrixInfo out;
    out.key = key;
    out.hdf5_path = matrix_path(key);
    const auto& p = out.hdf5_path;
    if (!hdf5::exists(file.get(), p)) {
      throw Error(path + ": no matrix '" + key + "'; the matrices present are: " + join(keys()));
    }
    if (hdf5::is_dataset(file.get(), p)) {
      Handle ds = hdf5::open_dataset(file.get(), p, at(p));
      const auto dims = hdf5::shape(ds.get());
      if (dims.size() != 2) {
        hdf5::fail(at(p), "expected a 2-D matrix, found " + std::to_string(dims.size()) + "-D");
      }
      out.storage = MatrixStorage::dense;
      out.n_rows = dims[0];
      out.n_cols = dims[1];
      out.dtype = hdf5::dtype_name(ds.get());
      out.stored_values = dims[0] * dims[1];
      return checked(std::move(out));
    }
    Handle group = hdf5::open_group(file.get(), p, at(p));
    auto encoding = hdf5::string_attribute(group.get(), "encoding-type", at(p));
    if (!encoding) {
      const auto legacy = hdf5::string_attribute(group.get(), "h5sparse_format", at(p));
      if (legacy) encoding = *legacy + "_matrix";
    }
    if (encoding == "csr_matrix") {
      out.storage = MatrixStorage::csr;
    } else if (encoding == "csc_matrix") {
      out.storage = MatrixStorage::csc;
    } else {
      hdf5::fail(at(p),
                 "expected a dense dataset or a csr_matrix/csc_matrix group, found "
                 "encoding-type '" +
                     encoding.value_or("(none)") + "'");
    }
    auto dims = hdf5::integer_array_attribute(group.get(), "shape", at(p));
    if (!dims) dims = hdf5::integer_array_attribute(group.get(), "h5sparse_shape", at(p));
    if (!dims || dims->size() != 2) hdf5::fail(at(p), "missing or malformed 'shape' attribute");
    out.n_rows = (*dims)[0];
    out.n_cols = (*dims)[1];
    for (const char* part : {"data", "indices", "indptr"}) {
      if (!hdf5::is_dataset(group.get(), part)) {
        hdf5::fail(at(p + "/" + part), "missing (a sparse matrix needs data, indices, indptr)");
      }
    }
    Handle data = hdf5::open_dataset(group.get(), "data", at(p + "/data"));
    Handle indices = hdf5::open_dataset(group.get(), "indices", at(p + "/indices"));
    Handle indptr = hdf5::open_dataset(group.get(), "indptr", at(p + "/indptr"));
    out.dtype = hdf5::dtype_name(data.get());
    out.stored_values = hdf5::shape(data.get()).at(0);
    const auto n_indices = hdf5::shape(indices.get()).at(0);
    const auto n_indptr = hdf5::shape(indptr.get()).at(0);
    const auto major = out.storage == MatrixStorage::csr ? out.n_rows : out.n_cols;
    if (n_indptr != major + 1) {
      hdf5::fail(at(p + "/indptr"), "has " + std::to_string(n_indptr) + " entries; shape (" +
                                        std::to_string(out.n_rows) + ", " +
                                        std::to_string(out.n_cols) + ") needs " +
                                        std::to_string(major + 1));
    }
    if (n_indices != out.stored_values) {
      hdf5::fail(at(p + "/indices"), "has " + std::to_string(n_indices) + " entries but " + p +
                                         "/data has " + std::to_string(out.stored_values) +
                                         " (they must pair up)");
    }
    return checked(std::move(out));
  }

  /// A matrix's values are numbers, and its shape agrees with the obs and var dataframes.
  MatrixInfo checked(MatrixInfo m) const {
    const bool numeric = m.dtype.rfind("float", 0) == 0 || m.dtype.rfind("int", 0) == 0 ||
                         m.dtype.rfind("uint", 0) == 0 || m.dtype == "bool";
    if (!numeric) {
      hdf5::fail(at(m.storage == MatrixStorage::dense ? m.hdf5_path : m.hdf5_path + "/data"),
                 "expected numbers, found " + m.dtype + " values");
    }
    const auto n_obs = index_length("obs");
    const auto var = var_dataframe_for(m.key);
    const auto n_vars = index_length(var);
    if (m.n_rows != n_obs || m.n_cols != n_vars) {
      hdf5::fail(at(m.hdf5_path), "is " + std::to_string(m.n_rows) + " x " +
                                      std::to_string(m.n_cols) + " but obs has " +
                                      std::to_string(n_obs) + " cells and " + var + " has " +
                                      std::to_string(n_vars) + " genes");
    }
    return m;
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    if (hdf5::exists(file.get(), "X")) out.emplace_back("X");
    if (hdf5::exists(file.get(), "raw/X") || hdf5::exists(file.get(), "raw.X")) {
      out.emplace_back("raw/X");
    }
    if (hdf5::is_group(file.get(), "layers")) {
      Handle layers = hdf5::open_group(file.get(), "layers", at("layers"));
      for (const auto& name : hdf5::member_names(layers.get(), at("layers"))) {
        out.push_back("layers/" + name);
      }
    }
    return out;
  }

  /// indptr read whole and checked (once per matrix): starts at 0, never decreases, ends at
  /// the entry count.
  const std::vector<std::int64_t>& read_indptr(const MatrixInfo& m, hid_t group) const {
    const auto cached = indptr_cache.find(m.hdf5_path);
    if (cached != indptr_cache.end()) return cached->second;
    const auto element = m.hdf5_path + "/indptr";
    Handle ds = hdf5::open_dataset(group, "indptr", at(element));
    auto indptr = hdf5::read_1d<std::int64_t>(ds.get(), at(element));
    if (indptr.front() != 0) hdf5::fail(at(element), "must start at 0");
    for (std::size_t i = 1; i < indptr.size(); ++i) {
      if (indptr[i] < indptr[i - 1]) {
        hdf5::fail(at(element),
                   "decreases at position " + std::to_string(i) + " (must be non-decreasing)");
      }
    }
    if (indptr.back() != m.stored_values) {
      hdf5::fail(at(element), "ends at " + std::to_string(indptr.back()) + " but " +
                                  std::to_string(m.stored_values) + " entries are stored");
    }
    return indptr_cache.emplace(m.hdf5_path, std::move(indptr)).first->second;
  }

  void check_index_range(const std::vector<std::int32_t>& indices, std::int64_t bound,
                         const std::string& element) const {
    for (const auto i : indices) {
      if (i < 0 || i >= bound) {
        hdf5::fail(at(element),
                   "index " + std::to_string(i) + " outside [0, " + std::to_string(bound) + ")");
      }
    }
  }

  /// Each row's columns in range, in ascending order (rows stored unsorted, as anndata writes
  /// them after reordering genes, are sorted) and never repeated: a repeated column would be
  /// summed by scipy but normalised twice here, so it is refused with the fix. Row i of `m` is
  /// row rows[i] of the file.
  void canonicalise_rows(CsrMatrix& m, const std::vector<std::int64_t>& rows,
                         const std::string& element) const {
    check_index_range(m.indices, m.n_cols, element);
    // Row r's columns: strictly ascending (the common case, one pass), out of order, or with
    // a repeat at position k >= 0.
    constexpr std::int64_t kAscending = -2;
    constexpr std::int64_t kOutOfOrder = -1;
    auto inspect_row = [&](std::int64_t r) {
      for (auto k = m.indptr[r] + 1; k < m.indptr[r + 1]; ++k) {
        if (m.indices[k] == m.indices[k - 1]) return k;
        if (m.indices[k] < m.indices[k - 1]) return kOutOfOrder;
      }
      return kAscending;
    };
    for (std::int64_t r = 0; r < m.n_rows; ++r) {
      auto found = inspect_row(r);
      if (found == kOutOfOrder) {  // sort this row, then look for repeats
        sort_row_entries(m, r);
        found = inspect_row(r);
      }
      if (found >= 0) {
        hdf5::fail(at(element), "row " + std::to_string(rows[static_cast<std::size_t>(r)]) +
                                    " lists column " + std::to_string(m.indices[found]) +
                                    " twice; merge the duplicates (in Python: "
                                    "adata.X.sum_duplicates()) and write the file again");
      }
    }
  }

  CsrMatrix read_csr_rows(const MatrixInfo& m, const std::vector<std::int64_t>& rows) const {
    Handle group = hdf5::open_group(file.get(), m.hdf5_path, at(m.hdf5_path));
    const auto& indptr = read_indptr(m, group.get());
    const auto data_element = m.hdf5_path + "/data";
    const auto indices_element = m.hdf5_path + "/indices";
    Handle data = hdf5::open_dataset(group.get(), "data", at(data_element), /*cache_chunks=*/false);
    Handle indices =
        hdf5::open_dataset(group.get(), "indices", at(indices_element), /*cache_chunks=*/false);
    CsrMatrix out;
    out.n_rows = static_cast<std::int64_t>(rows.size());
    out.n_cols = m.n_cols;
    out.indptr.resize(rows.size() + 1);
    out.indptr[0] = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out.indptr[i + 1] = out.indptr[i] + indptr[rows[i] + 1] - indptr[rows[i]];
    }
    out.indices.resize(static_cast<std::size_t>(out.indptr.back()));
    out.data.resize(out.indices.size());
    for (std::size_t first = 0; first < rows.size();) {
      std::size_t last = first;
      bool contiguous = true;
      while (last + 1 < rows.size() &&
             indptr[rows[last + 1]] - indptr[rows[last] + 1] <= kMaxGapEntries) {
        const bool next_contiguous = contiguous && rows[last + 1] == rows[last] + 1;
        // A block that must be staged (it has gaps) stays small: it is a second copy.
        if (!next_contiguous &&
            indptr[rows[last + 1] + 1] - indptr[rows[first]] > kMaxStagedEntries) {
          break;
        }
        contiguous = next_contiguous;
        ++last;
      }
      const auto begin = indptr[rows[first]];
      const auto end = indptr[rows[last] + 1];
      if (contiguous) {
        // Consecutive rows: HDF5 writes straight into the output, no staging copy.
        hdf5::read_1d_into(data.get(), at(data_element), begin, end - begin,
                           out.data.data() + out.indptr[first]);
        hdf5::read_1d_into(indices.get(), at(indices_element), begin, end - begin,
                           out.indices.data() + out.indptr[first]);
      } else {
        const auto block_data =
            hdf5::read_1d<float>(data.get(), at(data_element), begin, end - begin);
        const auto block_indices =
            hdf5::read_1d<std::int32_t>(indices.get(), at(indices_element), begin, end - begin);
        for (auto k = first; k <= last; ++k) {
          const auto row_begin = indptr[rows[k]] - begin;
          const auto row_end = indptr[rows[k] + 1] - begin;
          std::copy(block_data.begin() + row_begin, block_data.begin() + row_end,
                    out.data.begin() + out.indptr[k]);
          std::copy(block_indices.begin() + row_begin, block_indices.begin() + row_end,
                    out.indices.begin() + out.indptr[k]);
        }
      }
      first = last + 1;
    }
    canonicalise_rows(out, rows, indices_element);
    return out;
  }

  CsrMatrix read_csc_rows(const MatrixInfo& m, const std::vector<std::int64_t>& rows) const {
    Handle group = hdf5::open_group(file.get(), m.hdf5_path, at(m.hdf5_path));
    const auto& indptr = read_indptr(m, group.get());
    const auto indices_element = m.hdf5_path + "/indices";
    Handle data_ds = hdf5::open_dataset(group.get(), "data", at(m.hdf5_path + "/data"));
    Handle indices_ds = hdf5::open_dataset(group.get(), "indices", at(indices_element));
    const auto data = hdf5::read_1d<float>(data_ds.get(), at(m.hdf5_path + "/data"));
    const auto row_of = hdf5::read_1d<std::int32_t>(indices_ds.get(), at(indices_element));
    check_index_range(row_of, m.n_rows, indices_element);
    std::vector<std::int64_t> new_row(static_cast<std::size_t>(m.n_rows), -1);
    for (std::size_t i = 0; i < rows.size(); ++i) new_row[rows[i]] = static_cast<std::int64_t>(i);
    // Counting sort of the kept entries by output row; columns come out ascending.
    CsrMatrix out;
    out.n_rows = static_cast<std::int64_t>(rows.size());
    out.n_cols = m.n_cols;
    out.indptr.assign(rows.size() + 1, 0);
    for (const auto r : row_of) {
      if (new_row[r] >= 0) ++out.indptr[new_row[r] + 1];
    }
    for (std::size_t i = 0; i < rows.size(); ++i) out.indptr[i + 1] += out.indptr[i];
    out.indices.resize(static_cast<std::size_t>(out.indptr.back()));
    out.data.resize(out.indices.size());
    auto next = out.indptr;
    for (std::int64_t col = 0; col < m.n_cols; ++col) {
      for (auto k = indptr[col]; k < indptr[col + 1]; ++k) {
        const auto r = new_row[row_of[k]];
        if (r < 0) continue;
        const auto slot = next[r]++;
        out.indices[slot] = static_cast<std::int32_t>(col);
        out.data[slot] = data[k];
      }
    }
    canonicalise_rows(out, rows, indices_element);  // a row twice in a column
    return out;
  }

  CsrMatrix read_dense_rows(const MatrixInfo& m, const std::vector<std::int64_t>& rows) const {
    Handle ds =
        hdf5::open_dataset(file.get(), m.hdf5_path, at(m.hdf5_path), /*cache_chunks=*/false);
    CsrMatrix out;
    out.n_rows = static_cast<std::int64_t>(rows.size());
    out.n_cols = m.n_cols;
    for (std::size_t first = 0; first < rows.size();) {
      std::size_t last = first;
      while (last + 1 < rows.size() && rows[last + 1] == rows[last] + 1 &&
             static_cast<std::int64_t>(last + 1 - first) < kDenseBlockRows) {
        ++last;
      }
      const auto count = static_cast<std::int64_t>(last - first + 1);
      const auto block = hdf5::read_rows_2d(ds.get(), at(m.hdf5_path), rows[first], count);
      for (std::int64_t r = 0; r < count; ++r) {
        for (std::int64_t c = 0; c < m.n_cols; ++c) {
          const float v = block[static_cast<std::size_t>(r * m.n_cols + c)];
          if (v != 0.0F) {
            out.indices.push_back(static_cast<std::int32_t>(c));
            out.data.push_back(v);
          }
        }
        out.indptr.push_back(static_cast<std::int64_t>(out.data.size()));
      }
      first = last + 1;
    }
    return out;
  }
};

H5adFile::H5adFile(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = hdf5::open_file_read_only(path);
  for (const char* df : {"obs", "var"}) {
    if (!hdf5::exists(impl_->file.get(), df)) {
      throw Error(path + ": not an AnnData file: no '" + std::string(df) +
                  "' element (an .h5ad file has obs and var dataframes)");
    }
  }
}

H5adFile::~H5adFile() = default;
H5adFile::H5adFile(H5adFile&&) noexcept = default;
H5adFile& H5adFile::operator=(H5adFile&&) noexcept = default;

const std::string& H5adFile::path() const { return impl_->path; }
std::int64_t H5adFile::n_obs() const { return impl_->index_length("obs"); }
std::int64_t H5adFile::n_vars() const { return impl_->index_length("var"); }
std::vector<std::string> H5adFile::obs_names() const { return impl_->index("obs"); }
std::vector<std::string> H5adFile::obs_column_names() const { return impl_->column_names("obs"); }
DataFrameColumn H5adFile::obs_column(const std::string& name) const {
  auto column = impl_->column("obs", name);
  if (column.size() != n_obs()) {
    hdf5::fail(impl_->at("obs/" + name), "has " + std::to_string(column.size()) + " values for " +
                                             std::to_string(n_obs()) + " cells");
  }
  return column;
}

std::vector<std::string> H5adFile::var_names(const std::string& matrix_key) const {
  return impl_->index(impl_->var_dataframe_for(resolve_matrix_key(matrix_key)));
}
std::vector<std::string> H5adFile::var_column_names(const std::string& matrix_key) const {
  return impl_->column_names(impl_->var_dataframe_for(resolve_matrix_key(matrix_key)));
}
DataFrameColumn H5adFile::var_column(const std::string& name, const std::string& matrix_key) const {
  return impl_->column(impl_->var_dataframe_for(resolve_matrix_key(matrix_key)), name);
}

std::vector<std::string> H5adFile::matrix_keys() const { return impl_->keys(); }

std::string H5adFile::resolve_matrix_key(const std::string& key) const {
  if (key == "X" || key == "raw/X" || key.rfind("layers/", 0) == 0) return key;
  if (key == "raw") return "raw/X";
  if (hdf5::exists(impl_->file.get(), "layers/" + key)) return "layers/" + key;
  throw Error(impl_->path + ": no matrix '" + key + "'; the matrices present are: " +
              join(matrix_keys()) + " (use X, raw, or a layer name)");
}

MatrixInfo H5adFile::matrix_info(const std::string& key) const {
  return impl_->info(resolve_matrix_key(key));  // shape checked against obs and var there
}

CsrMatrix H5adFile::read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const {
  const auto info = matrix_info(key);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= info.n_rows || (i > 0 && rows[i] <= rows[i - 1])) {
      throw Error("read_rows: row numbers must be ascending, distinct and below " +
                  std::to_string(info.n_rows));
    }
  }
  if (info.n_cols > std::numeric_limits<std::int32_t>::max()) {
    hdf5::fail(impl_->at(info.hdf5_path), "more than 2^31 genes is not supported");
  }
  switch (info.storage) {
    case MatrixStorage::csr:
      return impl_->read_csr_rows(info, rows);
    case MatrixStorage::csc:
      return impl_->read_csc_rows(info, rows);
    case MatrixStorage::dense:
      return impl_->read_dense_rows(info, rows);
  }
  return {};
}

ValueSummary H5adFile::value_summary(const std::string& key) const {
  const auto info = matrix_info(key);
  ValueSummary summary;
  summary.min = std::numeric_limits<double>::infinity();
  summary.max = -std::numeric_limits<double>::infinity();
  auto take = [&summary](const std::vector<double>& values) {
    for (const auto v : values) {
      if (!std::isfinite(v)) {
        ++summary.non_finite;
        continue;
      }
      summary.min = std::min(summary.min, v);
      summary.max = std::max(summary.max, v);
      if (v < 0) ++summary.negative;
      if (v == 0) ++summary.zeros_stored;
      if (summary.all_integer && v != std::floor(v)) summary.all_integer = false;
    }
  };
  constexpr std::int64_t kBlock = 1 << 20;
  if (info.storage == MatrixStorage::dense) {
    Handle ds = hdf5::open_dataset(impl_->file.get(), info.hdf5_path, impl_->at(info.hdf5_path));
    const auto rows_per_block =
        std::max<std::int64_t>(1, kBlock / std::max<std::int64_t>(1, info.n_cols));
    for (std::int64_t r = 0; r < info.n_rows; r += rows_per_block) {
      const auto block = hdf5::read_rows_2d(ds.get(), impl_->at(info.hdf5_path), r,
                                            std::min(rows_per_block, info.n_rows - r));
      take(std::vector<double>(block.begin(), block.end()));
    }
  } else {
    const auto element = info.hdf5_path + "/data";
    Handle ds = hdf5::open_dataset(impl_->file.get(), element, impl_->at(element));
    for (std::int64_t k = 0; k < info.stored_values; k += kBlock) {
      take(hdf5::read_1d<double>(ds.get(), impl_->at(element), k,
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

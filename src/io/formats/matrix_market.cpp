#include "scgrad/io/matrix_market.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>

#include "scgrad/error.hpp"
#include "scgrad/io/text_lines.hpp"

namespace scgrad {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// A whole token as a non-negative integer, or -1.
std::int64_t whole_number(const std::string& token) {
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos ||
      token.size() > 18) {
    return -1;
  }
  return std::stoll(token);
}

/// "12 MB", "3.5 GB", "512 bytes": a size as the messages say it.
std::string readable_bytes(std::int64_t bytes) {
  char text[32];
  if (bytes >= (std::int64_t{1} << 30)) {
    std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / (1 << 30));
  } else if (bytes >= (1 << 20)) {
    std::snprintf(text, sizeof text, "%.0f MB", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(text, sizeof text, "%lld bytes", static_cast<long long>(bytes));
  }
  return text;
}

struct Triplet {
  std::int64_t cell;
  std::int32_t gene;
  float value;
};

/// The first line: "%%MatrixMarket matrix coordinate FIELD general"; true for a pattern matrix.
bool read_banner(const std::string& line, const std::string& path) {
  std::istringstream words(lower(line));
  std::string banner, object, format, field, symmetry;
  words >> banner >> object >> format >> field >> symmetry;
  if (banner != "%%matrixmarket" || object != "matrix") {
    throw InputError(path, "line 1",
                     "not a Matrix Market file (expected '%%MatrixMarket matrix coordinate ...')");
  }
  if (format != "coordinate") {
    throw InputError(path, "line 1",
                     "a '" + format + "' Matrix Market matrix; expected 'coordinate' (sparse)");
  }
  if (field != "integer" && field != "real" && field != "double" && field != "pattern") {
    throw InputError(path, "line 1",
                     "values of type '" + field + "'; expected integer, real or pattern");
  }
  if (symmetry != "general") {
    throw InputError(path, "line 1", "a '" + symmetry + "' matrix; expected 'general'");
  }
  return field == "pattern";
}

/// Triplets by cell, then gene; repeated entries summed; as CSR.
CsrMatrix to_csr(std::vector<Triplet> entries, std::int64_t n_cells, std::int64_t n_genes) {
  std::sort(entries.begin(), entries.end(), [](const Triplet& a, const Triplet& b) {
    return a.cell != b.cell ? a.cell < b.cell : a.gene < b.gene;
  });
  CsrMatrix m;
  m.n_rows = n_cells;
  m.n_cols = n_genes;
  m.indptr.assign(static_cast<std::size_t>(n_cells) + 1, 0);
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto& e = entries[k];
    if (k > 0 && entries[k - 1].cell == e.cell && entries[k - 1].gene == e.gene) {
      m.data.back() += e.value;  // scipy's coo → csr sums repeated entries
      continue;
    }
    m.indices.push_back(e.gene);
    m.data.push_back(e.value);
    ++m.indptr[static_cast<std::size_t>(e.cell) + 1];
  }
  for (std::size_t r = 1; r < m.indptr.size(); ++r) m.indptr[r] += m.indptr[r - 1];
  return m;
}

/// The file beside the matrix called PREFIX + one of `names` (the first present).
std::string sibling(const fs::path& folder, const std::string& prefix,
                    std::initializer_list<const char*> names, const std::string& matrix) {
  std::string tried;
  for (const auto* name : names) {
    const auto candidate = folder / (prefix + name);
    std::error_code error;
    if (fs::is_regular_file(candidate, error)) return candidate.string();
    tried += (tried.empty() ? "" : ", ") + prefix + name;
  }
  throw InputError(matrix, "", "no " + tried + " beside it in " + folder.string());
}

/// Each line's tab-separated fields.
std::vector<std::vector<std::string>> tab_lines(const std::string& path) {
  TextLines lines(path);
  std::vector<std::vector<std::string>> out;
  std::string line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream in(line);
    std::string field;
    while (std::getline(in, field, '\t')) fields.push_back(field);
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace

CsrMatrix parse_matrix_market(const std::function<bool(std::string&)>& next_line,
                              const std::string& path, std::int64_t max_bytes) {
  std::string line;
  if (!next_line(line)) throw InputError(path, "", "empty: expected a Matrix Market header");
  const bool pattern = read_banner(line, path);
  std::size_t number = 1;
  std::int64_t n_genes = -1, n_cells = -1, declared = -1;
  std::vector<Triplet> entries;
  while (next_line(line)) {
    ++number;
    if (line.empty() || line[0] == '%') continue;
    std::istringstream words(line);
    std::string a, b, c, extra;
    words >> a >> b >> c >> extra;
    const auto where = "line " + std::to_string(number);
    if (declared < 0) {  // the size line
      n_genes = whole_number(a);
      n_cells = whole_number(b);
      declared = whole_number(c);
      if (n_genes < 0 || n_cells < 0 || declared < 0 || !extra.empty() ||
          n_genes > std::numeric_limits<std::int32_t>::max()) {
        throw InputError(path, where,
                         "expected the size line 'genes cells entries' (three whole numbers), "
                         "found '" +
                             line + "'");
      }
      if (matrix_market_bytes(declared) > max_bytes) {
        throw InputError(path, where,
                         std::to_string(declared) + " entries need " +
                             readable_bytes(matrix_market_bytes(declared)) +
                             " to read, above the memory budget of " + readable_bytes(max_bytes) +
                             ": a Matrix Market file is read whole (convert it to .h5ad or "
                             "10x HDF5 to stream it, or allow more memory)",
                         {"max_memory"});
      }
      entries.reserve(static_cast<std::size_t>(declared));
      continue;
    }
    if (static_cast<std::int64_t>(entries.size()) == declared) {
      throw InputError(
          path, where,
          "more entries than the " + std::to_string(declared) + " the size line declares");
    }
    const auto gene = whole_number(a);
    const auto cell = whole_number(b);
    if (gene < 1 || gene > n_genes || cell < 1 || cell > n_cells ||
        (pattern ? !c.empty() : c.empty()) || !extra.empty()) {
      throw InputError(path, where,
                       "expected 'gene cell" + std::string(pattern ? "" : " value") +
                           "' with gene in 1.." + std::to_string(n_genes) + " and cell in 1.." +
                           std::to_string(n_cells) + ", found '" + line + "'");
    }
    double value = 1;
    if (!pattern) {
      char* end = nullptr;
      errno = 0;
      value = std::strtod(c.c_str(), &end);
      if (end != c.c_str() + c.size() || errno == ERANGE || !std::isfinite(value)) {
        throw InputError(path, where, "the value '" + c + "' is not a finite number");
      }
    }
    entries.push_back({cell - 1, static_cast<std::int32_t>(gene - 1), static_cast<float>(value)});
  }
  if (declared < 0) throw InputError(path, "", "ends before its size line");
  if (static_cast<std::int64_t>(entries.size()) != declared) {
    throw InputError(path, "line " + std::to_string(number),
                     "the file ends after " + std::to_string(entries.size()) + " of the " +
                         std::to_string(declared) +
                         " entries its size line declares (a truncated file?)");
  }
  return to_csr(std::move(entries), n_cells, n_genes);
}

struct MatrixMarketSource::Impl {
  std::string path;  ///< the matrix file
  CsrMatrix matrix;  ///< cells × kept genes
};

std::vector<std::string> MatrixMarketSource::files_of(const std::string& path) {
  std::error_code error;
  fs::path folder = path;
  std::string matrix = path;
  std::string prefix;
  if (fs::is_directory(path, error)) {
    matrix = sibling(folder, "", {"matrix.mtx.gz", "matrix.mtx"}, path);
  } else {
    if (!fs::exists(path, error)) {
      throw InputError(path, "", std::string("cannot open file: ") + std::strerror(ENOENT));
    }
    folder = fs::path(path).parent_path();
    const auto name = fs::path(path).filename().string();
    const auto at = name.rfind("matrix.mtx");
    prefix = at == std::string::npos ? "" : name.substr(0, at);
  }
  return {matrix,
          sibling(folder, prefix, {"features.tsv.gz", "features.tsv", "genes.tsv.gz", "genes.tsv"},
                  matrix),
          sibling(folder, prefix, {"barcodes.tsv.gz", "barcodes.tsv"}, matrix)};
}

MatrixMarketSource::MatrixMarketSource(const std::string& path, std::int64_t max_bytes)
    : BarcodedMatrix("a Matrix Market folder"), impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  const auto files = files_of(path);
  s.path = files[0];
  const auto& features = files[1];
  const auto& barcodes = files[2];
  TextLines lines(s.path);
  auto all =
      parse_matrix_market([&](std::string& line) { return lines.next(line); }, s.path, max_bytes);
  for (auto& fields : tab_lines(barcodes)) barcodes_.push_back(fields[0]);
  if (static_cast<std::int64_t>(barcodes_.size()) != all.n_rows) {
    throw InputError(barcodes, "",
                     std::to_string(barcodes_.size()) + " barcodes, the matrix has " +
                         std::to_string(all.n_rows) + " cells (columns)");
  }
  const auto feature_lines = tab_lines(features);
  if (static_cast<std::int64_t>(feature_lines.size()) != all.n_cols) {
    throw InputError(features, "",
                     std::to_string(feature_lines.size()) + " features, the matrix has " +
                         std::to_string(all.n_cols) + " genes (rows)");
  }
  std::vector<std::string> ids, names, types;
  for (const auto& fields : feature_lines) {
    ids.push_back(fields[0]);
    names.push_back(fields.size() > 1 ? fields[1] : fields[0]);
    types.push_back(fields.size() > 2 ? fields[2] : std::string(kGeneExpression));
  }
  const auto kept = gene_expression_rows(types, features, "");
  features_ = FeatureList::of(kept, ids, names, types, {});
  s.matrix = static_cast<std::int64_t>(kept.size()) == all.n_cols
                 ? std::move(all)
                 : select_columns(std::move(all), kept);
}

MatrixMarketSource::~MatrixMarketSource() = default;

bool MatrixMarketSource::recognises(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) {
    return fs::exists(fs::path(path) / "matrix.mtx.gz", error) ||
           fs::exists(fs::path(path) / "matrix.mtx", error);
  }
  const auto name = fs::path(path).filename().string();
  const auto ends = [&](const std::string& end) {
    return name.size() >= end.size() &&
           name.compare(name.size() - end.size(), end.size(), end) == 0;
  };
  return ends(".mtx") || ends(".mtx.gz");
}

const std::string& MatrixMarketSource::path() const { return impl_->path; }
std::int64_t MatrixMarketSource::n_obs() const { return impl_->matrix.n_rows; }
MatrixInfo MatrixMarketSource::matrix_info(const std::string& key) const {
  if (key != "X") throw no_matrix(key);
  MatrixInfo info;
  info.key = "X";
  info.storage = MatrixStorage::csr;
  info.n_rows = impl_->matrix.n_rows;
  info.n_cols = impl_->matrix.n_cols;
  info.dtype = "float32";
  info.stored_values = impl_->matrix.nonzeros();
  return info;
}

CsrMatrix MatrixMarketSource::read_rows(const std::string& key,
                                        const std::vector<std::int64_t>& rows) const {
  if (key != "X") throw no_matrix(key);
  check_row_numbers(rows, impl_->matrix.n_rows, "MatrixMarketSource::read_rows");
  return select_rows(impl_->matrix, rows);
}

}  // namespace scgrad

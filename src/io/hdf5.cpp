#include "hdf5.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "lzf_filter.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/reading_guard.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad::hdf5 {

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Handle doomed(id_);
    id_ = other.id_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      H5Fclose(id_);
      break;
    case H5I_GROUP:
      H5Gclose(id_);
      break;
    case H5I_DATASET:
      H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      H5Tclose(id_);
      break;
    case H5I_ATTR:
      H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id_);
      break;
    default:
      H5Idec_ref(id_);
      break;
  }
}

void silence_library_errors() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    // HDF5 keeps freed read buffers on free lists with no limit by default; streaming reads of
    // hundreds of MB would pile up there. Cap each list at 16 MB.
    constexpr int kFreeListBytes = 16 << 20;
    H5set_free_list_limits(kFreeListBytes, kFreeListBytes, kFreeListBytes, kFreeListBytes,
                           kFreeListBytes, kFreeListBytes);
  });
}

namespace {

herr_t keep_first_message(unsigned /*n*/, const H5E_error2_t* error, void* out) {
  auto* message = static_cast<std::string*>(out);
  if (message->empty() && error->desc != nullptr) *message = error->desc;
  return 0;
}

template <typename T>
hid_t native_type();
template <>
hid_t native_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t native_type<std::int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
hid_t native_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}

Handle checked(hid_t id, const Location& where, const std::string& what) {
  if (id < 0) fail(where, what);
  return Handle(id);
}

void check(herr_t status, const Location& where, const std::string& what) {
  if (status < 0) fail(where, what);
}

Handle variable_string_type() {
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

std::string trim_fixed(const char* begin, std::size_t size) {
  const auto* end = static_cast<const char*>(std::memchr(begin, '\0', size));
  std::string s(begin, end == nullptr ? size : static_cast<std::size_t>(end - begin));
  while (!s.empty() && s.back() == ' ') s.pop_back();  // space-padded fixed strings
  return s;
}

/// Reads strings of type `file_type` through `read` (a dataset or attribute reader).
template <typename Reader>
std::vector<std::string> read_string_elements(hid_t file_type, std::size_t n, Reader read,
                                              hid_t space, const Location& where) {
  std::vector<std::string> out;
  if (n == 0) return out;
  out.reserve(n);
  if (H5Tis_variable_str(file_type) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(file_type));
    std::vector<char*> buffer(n, nullptr);
    check(read(mem.get(), buffer.data()), where, "cannot read strings");
    for (auto* s : buffer) out.emplace_back(s == nullptr ? "" : s);
    H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, buffer.data());
  } else {
    const std::size_t size = H5Tget_size(file_type);
    Handle mem(H5Tcopy(file_type));
    std::vector<char> buffer(n * size);
    check(read(mem.get(), buffer.data()), where, "cannot read strings");
    for (std::size_t i = 0; i < n; ++i) out.push_back(trim_fixed(buffer.data() + i * size, size));
  }
  return out;
}

}  // namespace

std::string library_error_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first_message, &message);
  return message;
}

void fail(const Location& where, const std::string& what) {
  std::ostringstream out;
  out << where.file;
  if (!where.element.empty()) out << ": " << where.element;
  out << ": " << what;
  const auto detail = library_error_message();
  // A failed read or write of the file itself: libhdf5's message carries the system's errno
  // ("... errno = 28, error message = 'No space left on device' ..."): say that in words.
  const auto at = detail.find("errno = ");
  if (at != std::string::npos) {
    out << ": " << plain_cause(std::atoi(detail.c_str() + at + 8));
  } else if (!detail.empty()) {
    out << " (HDF5: " << detail << ")";
  }
  H5Eclear2(H5E_DEFAULT);
  throw Error(out.str());
}

Handle open_file_read_only(const std::string& path) {
  silence_library_errors();
  register_lzf_filter();
  const Location where{path, ""};
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    FILE* probe = std::fopen(path.c_str(), "rb");
    if (probe == nullptr) {
      throw Error(path + ": cannot open file: " + std::strerror(errno));
    }
    std::fclose(probe);
    throw Error(path + ": not an HDF5 file (an .h5ad file is HDF5; was it fully downloaded?)");
  }
  hid_t file = -1;
  {
    const ReadingScope reading(path);
    file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  }
  if (file < 0 && library_error_message().find("truncated file") != std::string::npos) {
    H5Eclear2(H5E_DEFAULT);
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    throw Error(path + ": truncated: the file ends after " + std::to_string(size) +
                " bytes, before the data its header describes (an interrupted download or "
                "copy?); get or write it again");
  }
  return checked(file, where, "cannot open HDF5 file");
}

Handle create_file(const std::string& path, const std::string& shown_as) {
  silence_library_errors();
  return checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                 Location{shown_as.empty() ? path : shown_as, ""}, "cannot create HDF5 file");
}

Handle open_file_read_write(const std::string& path, const std::string& shown_as) {
  silence_library_errors();
  register_lzf_filter();
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                 Location{shown_as.empty() ? path : shown_as, ""},
                 "cannot open HDF5 file for writing");
}

/// The name of the file an object belongs to (for crash messages).
static std::string file_name(hid_t obj) {
  const auto size = H5Fget_name(obj, nullptr, 0);
  if (size <= 0) return "(unknown file)";
  std::string name(static_cast<std::size_t>(size), '\0');
  H5Fget_name(obj, name.data(), name.size() + 1);
  return name;
}

namespace {

/// Every link on the way to `path` exists (H5Lexists fails on a missing intermediate group).
bool links_exist(hid_t loc, const std::string& path) {
  std::string prefix;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    prefix += (prefix.empty() ? "" : "/") + part;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  return true;
}

H5O_type_t object_type(hid_t loc, const std::string& path) {
  const ReadingScope reading(file_name(loc));
  if (!links_exist(loc, path)) return H5O_TYPE_UNKNOWN;
  H5O_info_t info;
  if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return H5O_TYPE_UNKNOWN;
  }
  return info.type;
}

}  // namespace

bool exists(hid_t loc, const std::string& path) {
  const ReadingScope reading(file_name(loc));
  return links_exist(loc, path);
}

bool is_group(hid_t loc, const std::string& path) {
  return object_type(loc, path) == H5O_TYPE_GROUP;
}
bool is_dataset(hid_t loc, const std::string& path) {
  return object_type(loc, path) == H5O_TYPE_DATASET;
}

Handle open_group(hid_t loc, const std::string& path, const Location& where) {
  const ReadingScope reading(where.file);
  return checked(H5Gopen2(loc, path.c_str(), H5P_DEFAULT), where, "cannot open group");
}

namespace {

/// Where to get the filters anndata and h5py users meet, by HDF5 filter id.
std::string filter_hint(H5Z_filter_t id) {
  switch (id) {
    case 32001:
      return "install Debian's hdf5-filter-plugin-blosc-serial";
    case 32004:
    case 32008:
    case 307:
      return "install Debian's hdf5-filter-plugin";
    case 32013:
      return "install Debian's hdf5-filter-plugin-zfp-serial";
    default:
      return "install its HDF5 plugin";
  }
}

/// A damaged header can declare more elements than the file could hold; reading would then
/// try to allocate them. Declared bytes are checked against the bytes stored, allowing for
/// compression (gzip's best ratio is about 1000:1) and for small unallocated datasets.
void check_plausible_size(hid_t dataset, const Location& where) {
  Handle space(H5Dget_space(dataset));
  const auto points = H5Sget_simple_extent_npoints(space.get());
  Handle type(H5Dget_type(dataset));
  const double declared =
      static_cast<double>(points) * static_cast<double>(H5Tget_size(type.get()));
  const double stored = static_cast<double>(H5Dget_storage_size(dataset));
  constexpr double kMaxRatio = 1e4;
  constexpr double kUnallocatedAllowance = 64.0 * 1024 * 1024;
  if (points < 0 || declared > kMaxRatio * stored + kUnallocatedAllowance) {
    fail(where, "declares " + std::to_string(points) + " elements but stores only " +
                    std::to_string(static_cast<long long>(stored)) +
                    " bytes: the file is damaged or truncated");
  }
}

/// A dataset whose compression filter is not installed would fail at its first read with
/// HDF5's generic "can't open directory" message; name the filter and the fix up front.
void check_filters_available(hid_t dataset, const Location& where) {
  Handle create(H5Dget_create_plist(dataset));
  const int n = H5Pget_nfilters(create.get());
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0;
    std::size_t n_values = 0;
    char name[128] = {};
    const auto id = H5Pget_filter2(create.get(), static_cast<unsigned>(i), &flags, &n_values,
                                   nullptr, sizeof name, name, nullptr);
    if (id >= 0 && H5Zfilter_avail(id) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      char search_path[1024] = {};
      H5PLget(0, search_path, sizeof search_path);
      throw Error(where.file + ": " + where.element + ": compressed with the HDF5 filter '" +
                  (name[0] != 0 ? std::string(name) : std::string("unnamed")) + "' (id " +
                  std::to_string(id) + "), which is not installed here: " + filter_hint(id) +
                  " (HDF5 looks for plugins in " + search_path + "; set HDF5_PLUGIN_PATH)");
    }
  }
}

}  // namespace

Handle open_dataset(hid_t loc, const std::string& path, const Location& where, bool cache_chunks) {
  const ReadingScope reading(where.file);
  Handle access(H5Pcreate(H5P_DATASET_ACCESS));
  if (!cache_chunks) H5Pset_chunk_cache(access.get(), 0, 0, 1.0);
  auto dataset = checked(H5Dopen2(loc, path.c_str(), access.get()), where, "cannot open dataset");
  check_filters_available(dataset.get(), where);
  check_plausible_size(dataset.get(), where);
  return dataset;
}

std::vector<std::string> member_names(hid_t group, const Location& where) {
  const ReadingScope reading(where.file);
  H5G_info_t info;
  check(H5Gget_info(group, &info), where, "cannot list group");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const auto size =
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) fail(where, "cannot read the name of member " + std::to_string(i));
    std::string name(static_cast<std::size_t>(size), '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1,
                       H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

std::vector<std::int64_t> shape(hid_t dataset) {
  Handle space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::string dtype_name(hid_t dataset) {
  Handle type(H5Dget_type(dataset));
  const auto size = H5Tget_size(type.get());
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT:
      return "float" + std::to_string(8 * size);
    case H5T_INTEGER:
      return (H5Tget_sign(type.get()) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
    case H5T_ENUM:
      return "bool";
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    default:
      return "other";
  }
}

bool is_string_type(hid_t dataset) {
  Handle type(H5Dget_type(dataset));
  return H5Tget_class(type.get()) == H5T_STRING;
}

bool is_integer_type(hid_t dataset) {
  Handle type(H5Dget_type(dataset));
  return H5Tget_class(type.get()) == H5T_INTEGER;
}

bool is_numeric_type(hid_t dataset) {
  Handle type(H5Dget_type(dataset));
  const auto c = H5Tget_class(type.get());
  return c == H5T_INTEGER || c == H5T_FLOAT;
}

std::optional<std::string> string_attribute(hid_t obj, const std::string& name,
                                            const Location& where) {
  auto values = string_array_attribute(obj, name, where);
  if (values.empty()) return std::nullopt;
  return values.front();
}

std::vector<std::string> string_array_attribute(hid_t obj, const std::string& name,
                                                const Location& where) {
  const ReadingScope reading(where.file);
  if (H5Aexists(obj, name.c_str()) <= 0) return {};
  Handle attr = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), where,
                        "cannot open attribute '" + name + "'");
  Handle type(H5Aget_type(attr.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  Handle space(H5Aget_space(attr.get()));
  const auto points = H5Sget_simple_extent_npoints(space.get());
  // Attributes live in object headers (kilobytes); a count beyond that is a damaged header.
  if (points < 0 || points > (1 << 24)) {
    fail(where, "attribute '" + name + "' declares " + std::to_string(points) +
                    " strings (damaged file?)");
  }
  const auto n = static_cast<std::size_t>(points);
  const hid_t attr_id = attr.get();
  return read_string_elements(
      type.get(), n, [attr_id](hid_t mem, void* buf) { return H5Aread(attr_id, mem, buf); },
      space.get(), where);
}

std::optional<std::vector<std::int64_t>> integer_array_attribute(hid_t obj, const std::string& name,
                                                                 const Location& where) {
  const ReadingScope reading(where.file);
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  Handle attr = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), where,
                        "cannot open attribute '" + name + "'");
  Handle type(H5Aget_type(attr.get()));
  const auto type_class = H5Tget_class(type.get());
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) return std::nullopt;
  Handle space(H5Aget_space(attr.get()));
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::vector<std::int64_t> values(n);
  check(H5Aread(attr.get(), H5T_NATIVE_INT64, values.data()), where,
        "cannot read attribute '" + name + "'");
  return values;
}

template <typename T>
void read_piece(hid_t dataset, const Location& where, std::int64_t offset, std::int64_t count,
                T* out) {
  const auto dims = shape(dataset);
  if (dims.size() != 1) fail(where, "expected a 1-D dataset");
  if (offset < 0 || count < 0 || offset + count > dims[0]) {
    fail(where, "read past the end of the dataset");
  }
  if (count == 0) return;
  Handle file_space(H5Dget_space(dataset));
  const hsize_t start = static_cast<hsize_t>(offset);
  const hsize_t n = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  Handle mem_space(H5Screate_simple(1, &n, nullptr));
  Handle file_type(H5Dget_type(dataset));
  if (H5Tget_class(file_type.get()) == H5T_ENUM) {
    // h5py stores numpy bools as an int8 enum; HDF5 converts enums only to enums.
    Handle mem(H5Tget_native_type(file_type.get(), H5T_DIR_ASCEND));
    std::vector<std::int8_t> raw(static_cast<std::size_t>(count));
    if (H5Tget_size(mem.get()) != 1) fail(where, "unsupported enum type");
    check(H5Dread(dataset, mem.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, raw.data()),
          where, "cannot read dataset");
    std::transform(raw.begin(), raw.end(), out, [](auto v) { return static_cast<T>(v); });
    return;
  }
  check(H5Dread(dataset, native_type<T>(), mem_space.get(), file_space.get(), H5P_DEFAULT, out),
        where, "cannot read dataset");
}

template <typename T>
void read_1d_into(hid_t dataset, const Location& where, std::int64_t offset, std::int64_t count,
                  T* out) {
  const ReadingScope reading(where.file);
  // Large selections are read in pieces: HDF5 holds a buffer per chunk a read touches, so one
  // read of gigabytes would hold gigabytes (measured: 1 GB for a 512 MB read of a chunked file).
  constexpr std::int64_t kPiece = 1 << 22;
  for (std::int64_t done = 0; done < count; done += kPiece) {
    read_piece(dataset, where, offset + done, std::min(kPiece, count - done), out + done);
  }
  H5garbage_collect();  // HDF5 keeps its read buffers on free lists otherwise
  if (count == 0) read_piece(dataset, where, offset, 0, out);
}

template <typename T>
std::vector<T> read_1d(hid_t dataset, const Location& where, std::int64_t offset,
                       std::int64_t count) {
  const auto dims = shape(dataset);
  if (dims.size() != 1) fail(where, "expected a 1-D dataset");
  if (count < 0) count = dims[0] - offset;
  std::vector<T> values(static_cast<std::size_t>(std::max<std::int64_t>(count, 0)));
  read_1d_into(dataset, where, offset, count, values.data());
  return values;
}

template void read_1d_into(hid_t, const Location&, std::int64_t, std::int64_t, float*);
template void read_1d_into(hid_t, const Location&, std::int64_t, std::int64_t, std::int32_t*);
template std::vector<float> read_1d(hid_t, const Location&, std::int64_t, std::int64_t);
template std::vector<double> read_1d(hid_t, const Location&, std::int64_t, std::int64_t);
template std::vector<std::int8_t> read_1d(hid_t, const Location&, std::int64_t, std::int64_t);
template std::vector<std::int32_t> read_1d(hid_t, const Location&, std::int64_t, std::int64_t);
template std::vector<std::int64_t> read_1d(hid_t, const Location&, std::int64_t, std::int64_t);

std::vector<float> read_rows_2d(hid_t dataset, const Location& where, std::int64_t row_begin,
                                std::int64_t row_count) {
  const ReadingScope reading(where.file);
  const auto dims = shape(dataset);
  if (dims.size() != 2) fail(where, "expected a 2-D dataset");
  std::vector<float> values(static_cast<std::size_t>(row_count * dims[1]));
  if (values.empty()) return values;
  Handle file_space(H5Dget_space(dataset));
  const hsize_t start[2] = {static_cast<hsize_t>(row_begin), 0};
  const hsize_t count[2] = {static_cast<hsize_t>(row_count), static_cast<hsize_t>(dims[1])};
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  Handle mem_space(H5Screate_simple(2, count, nullptr));
  check(H5Dread(dataset, H5T_NATIVE_FLOAT, mem_space.get(), file_space.get(), H5P_DEFAULT,
                values.data()),
        where, "cannot read dataset");
  return values;
}

std::vector<std::string> read_strings(hid_t dataset, const Location& where) {
  const ReadingScope reading(where.file);
  Handle type(H5Dget_type(dataset));
  if (H5Tget_class(type.get()) != H5T_STRING) fail(where, "expected a dataset of strings");
  Handle space(H5Dget_space(dataset));
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  return read_string_elements(
      type.get(), n,
      [dataset](hid_t mem, void* buf) {
        return H5Dread(dataset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
      },
      space.get(), where);
}

// --- writing ----------------------------------------------------------------------------------

Handle create_group(hid_t loc, const std::string& name, const Location& where) {
  return checked(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), where,
                 "cannot create group '" + name + "'");
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const Location& where) {
  auto type = variable_string_type();
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  const char* data = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &data), where, "cannot write attribute '" + name + "'");
}

void write_string_array_attribute(hid_t obj, const std::string& name,
                                  const std::vector<std::string>& values, const Location& where) {
  auto type = variable_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  const char* none = "";  // HDF5 refuses a null buffer, even for zero elements
  check(H5Awrite(attr.get(), type.get(), data.empty() ? &none : data.data()), where,
        "cannot write attribute '" + name + "'");
}

void write_integer_array_attribute(hid_t obj, const std::string& name,
                                   const std::vector<std::int64_t>& values, const Location& where) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, values.data()), where,
        "cannot write attribute '" + name + "'");
}

void write_bool_attribute(hid_t obj, const std::string& name, bool value, const Location& where) {
  Handle type(H5Tenum_create(H5T_NATIVE_INT8));
  const std::int8_t no = 0;
  const std::int8_t yes = 1;
  H5Tenum_insert(type.get(), "FALSE", &no);
  H5Tenum_insert(type.get(), "TRUE", &yes);
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  const std::int8_t stored = value ? yes : no;
  check(H5Awrite(attr.get(), type.get(), &stored), where, "cannot write attribute '" + name + "'");
}

void write_double_attribute(hid_t obj, const std::string& name, double value,
                            const Location& where) {
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), where,
        "cannot write attribute '" + name + "'");
}

void write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                   const Location& where) {
  auto type = variable_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle dataset = checked(
      H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      where, "cannot create dataset '" + name + "'");
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), where,
        "cannot write dataset '" + name + "'");
}

template <typename T>
void write_1d(hid_t loc, const std::string& name, const std::vector<T>& values,
              const Location& where) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle dataset = checked(H5Dcreate2(loc, name.c_str(), native_type<T>(), space.get(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                           where, "cannot create dataset '" + name + "'");
  check(H5Dwrite(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        where, "cannot write dataset '" + name + "'");
}

template void write_1d(hid_t, const std::string&, const std::vector<float>&, const Location&);
template void write_1d(hid_t, const std::string&, const std::vector<double>&, const Location&);
template void write_1d(hid_t, const std::string&, const std::vector<std::int8_t>&, const Location&);
template void write_1d(hid_t, const std::string&, const std::vector<std::int32_t>&,
                       const Location&);
template void write_1d(hid_t, const std::string&, const std::vector<std::int64_t>&,
                       const Location&);

void write_float_array(hid_t loc, const std::string& name, const std::vector<float>& values,
                       const std::vector<std::int64_t>& shape, const Location& where) {
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle dataset = checked(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                           where, "cannot create dataset '" + name + "'");
  if (values.empty()) return;
  check(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        where, "cannot write dataset '" + name + "'");
}

std::vector<float> read_float_array(hid_t dataset, const Location& where,
                                    std::vector<std::int64_t>* shape_out) {
  const ReadingScope reading(where.file);
  const auto dims = shape(dataset);
  std::int64_t n = 1;
  for (const auto d : dims) n *= d;
  std::vector<float> values(static_cast<std::size_t>(n));
  if (n > 0) {
    check(H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), where,
          "cannot read dataset");
  }
  if (shape_out != nullptr) *shape_out = dims;
  return values;
}

void remove_if_exists(hid_t loc, const std::string& name) {
  if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0) H5Ldelete(loc, name.c_str(), H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
}

AppendableDataset::AppendableDataset(hid_t loc, const std::string& name, hid_t mem_type,
                                     std::size_t element_size, bool gzip, Location where)
    : mem_type_(mem_type), where_(std::move(where)) {
  const hsize_t zero = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  // About 256 KiB per chunk: large enough for fast sequential reads, small enough for slices.
  const hsize_t chunk = std::max<hsize_t>(1, (256 * 1024) / element_size);
  Handle space(H5Screate_simple(1, &zero, &unlimited));
  Handle create(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(create.get(), 1, &chunk);
  if (gzip) H5Pset_deflate(create.get(), 4);
  dataset_ = checked(
      H5Dcreate2(loc, name.c_str(), mem_type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
      where_, "cannot create dataset '" + name + "'");
}

void AppendableDataset::append(const void* values, std::int64_t count) {
  if (count <= 0) return;
  const hsize_t new_size = static_cast<hsize_t>(size_ + count);
  check(H5Dset_extent(dataset_.get(), &new_size), where_, "cannot extend dataset");
  Handle file_space(H5Dget_space(dataset_.get()));
  const hsize_t start = static_cast<hsize_t>(size_);
  const hsize_t n = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  Handle mem_space(H5Screate_simple(1, &n, nullptr));
  check(H5Dwrite(dataset_.get(), mem_type_, mem_space.get(), file_space.get(), H5P_DEFAULT, values),
        where_, "cannot write dataset");
  size_ += count;
}

}  // namespace scgrad::hdf5

#include "hdf5.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "lzf_filter.hpp"
#include "reading_scope.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/hdf5_printing.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad::hdf5 {

namespace {

/// Held by every function of the door while it is in libhdf5 (recursive: door functions call
/// each other). tatami_hdf5 serialises its libhdf5 calls the same way.
std::recursive_mutex& library_lock() {
  static std::recursive_mutex lock;
  return lock;
}

/// One pass through the door (see hdf5.hpp): the lock, libhdf5's error printing off for the
/// outermost pass and the caller's setting restored after it, and the reading guard's scope
/// when `reading` names a file.
class Door {
 public:
  Door() : lock_(library_lock()) {
    if (depth_++ == 0) {
      H5Eget_auto2(H5E_DEFAULT, &saved_printer_, &saved_data_);
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
  }
  explicit Door(const std::string& reading) : Door() { scope_.emplace(reading); }
  ~Door() {
    scope_.reset();
    if (--depth_ == 0) H5Eset_auto2(H5E_DEFAULT, saved_printer_, saved_data_);
  }
  Door(const Door&) = delete;
  Door& operator=(const Door&) = delete;

 private:
  std::lock_guard<std::recursive_mutex> lock_;
  std::optional<ReadingScope> scope_;
  // Changed only under the lock.
  static inline int depth_ = 0;
  static inline H5E_auto2_t saved_printer_ = nullptr;
  static inline void* saved_data_ = nullptr;
};

/// The one libhdf5-wide setting the library makes, once: each free list may keep 16 MB (the
/// defaults keep at most 1 MB per block list, so every larger block was allocated and zeroed
/// afresh; measured: 6x slower reading and writing small files). It changes how much freed
/// memory libhdf5 keeps for reuse, nothing else; reads end in H5garbage_collect.
void tune_free_lists() {
  static std::once_flag once;
  std::call_once(once, [] {
    constexpr int kFreeListBytes = 16 << 20;
    H5set_free_list_limits(kFreeListBytes, kFreeListBytes, kFreeListBytes, kFreeListBytes,
                           kFreeListBytes, kFreeListBytes);
  });
}

}  // namespace
}  // namespace scgrad::hdf5

void scgrad::silence_hdf5_error_printing() {
  const std::lock_guard<std::recursive_mutex> lock(hdf5::library_lock());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

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
  const Door door;
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
  const Door door;
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

/// HDF5's innermost error message for the current error stack ("" if none).
static std::string library_error_message() {
  const Door door;
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first_message, &message);
  return message;
}

void fail(const Location& where, const std::string& what) {
  const Door door;
  std::ostringstream out;
  out << what;
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
  throw InputError(where.file, where.element, out.str());
}

Handle open_file_read_only(const std::string& path) {
  const Door door(path);
  tune_free_lists();
  register_lzf_filter();
  const Location where{path, ""};
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    FILE* probe = std::fopen(path.c_str(), "rb");
    if (probe == nullptr)
      throw InputError(path, "", std::string("cannot open file: ") + std::strerror(errno));
    std::fclose(probe);
    throw InputError(path, "",
                     "not an HDF5 file (an .h5ad file is HDF5; was it fully downloaded?)");
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0 && library_error_message().find("truncated file") != std::string::npos) {
    H5Eclear2(H5E_DEFAULT);
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    throw InputError(path, "",
                     "truncated: the file ends after " + std::to_string(size) +
                         " bytes, before the data its header describes (an interrupted "
                         "download or copy?); get or write it again");
  }
  return checked(file, where, "cannot open HDF5 file");
}

Handle create_file(const std::string& path, const std::string& shown_as) {
  const Door door;
  tune_free_lists();
  return checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                 Location{shown_as.empty() ? path : shown_as, ""}, "cannot create HDF5 file");
}

Handle open_file_read_write(const std::string& path, const std::string& shown_as) {
  const Door door;
  tune_free_lists();
  register_lzf_filter();
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                 Location{shown_as.empty() ? path : shown_as, ""},
                 "cannot open HDF5 file for writing");
}

/// The name of the file an object belongs to (for crash messages).
static std::string file_name(hid_t obj) {
  const Door door;
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
  const Door door(file_name(loc));
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
  const Door door(file_name(loc));
  return links_exist(loc, path);
}

bool is_group(hid_t loc, const std::string& path) {
  return object_type(loc, path) == H5O_TYPE_GROUP;
}
bool is_dataset(hid_t loc, const std::string& path) {
  return object_type(loc, path) == H5O_TYPE_DATASET;
}

Handle open_group(hid_t loc, const std::string& path, const Location& where) {
  const Door door(where.file);
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
  const Door door;
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
  const Door door;
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
      throw InputError(
          where.file, where.element,
          "compressed with the HDF5 filter '" +
              (name[0] != 0 ? std::string(name) : std::string("unnamed")) + "' (id " +
              std::to_string(id) + "), which is not installed here: " + filter_hint(id) +
              " (HDF5 looks for plugins in " + search_path + "; set HDF5_PLUGIN_PATH)");
    }
  }
}

}  // namespace

Handle open_dataset(hid_t loc, const std::string& path, const Location& where, bool cache_chunks) {
  const Door door(where.file);
  Handle access(H5Pcreate(H5P_DATASET_ACCESS));
  if (!cache_chunks) H5Pset_chunk_cache(access.get(), 0, 0, 1.0);
  auto dataset = checked(H5Dopen2(loc, path.c_str(), access.get()), where, "cannot open dataset");
  check_filters_available(dataset.get(), where);
  check_plausible_size(dataset.get(), where);
  return dataset;
}

std::vector<std::string> member_names(hid_t group, const Location& where) {
  const Door door(where.file);
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
  const Door door;
  Handle space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::string dtype_name(hid_t dataset) {
  const Door door;
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
  const Door door;
  Handle type(H5Dget_type(dataset));
  return H5Tget_class(type.get()) == H5T_STRING;
}

bool is_numeric_type(hid_t dataset) {
  const Door door;
  Handle type(H5Dget_type(dataset));
  const auto c = H5Tget_class(type.get());
  return c == H5T_INTEGER || c == H5T_FLOAT;
}

namespace {

/// An attribute opened for reading, with its type, class and element count.
struct OpenAttribute {
  Handle attr;
  Handle type;
  Handle space;
  H5T_class_t type_class = H5T_NO_CLASS;
  hssize_t points = 0;
};

/// The attribute `name` of `obj`, or nullopt when it is absent (the caller holds the door).
std::optional<OpenAttribute> open_attribute(hid_t obj, const std::string& name,
                                            const Location& where) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  OpenAttribute a;
  a.attr = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), where,
                   "cannot open attribute '" + name + "'");
  a.type = Handle(H5Aget_type(a.attr.get()));
  a.space = Handle(H5Aget_space(a.attr.get()));
  a.type_class = H5Tget_class(a.type.get());
  a.points = H5Sget_simple_extent_npoints(a.space.get());
  return a;
}

}  // namespace

std::optional<std::string> string_attribute(hid_t obj, const std::string& name,
                                            const Location& where) {
  auto values = string_array_attribute(obj, name, where);
  if (values.empty()) return std::nullopt;
  return values.front();
}

std::vector<std::string> string_array_attribute(hid_t obj, const std::string& name,
                                                const Location& where) {
  const Door door(where.file);
  const auto a = open_attribute(obj, name, where);
  if (!a || a->type_class != H5T_STRING) return {};
  // Attributes live in object headers (kilobytes); a count beyond that is a damaged header.
  if (a->points < 0 || a->points > (1 << 24)) {
    fail(where, "attribute '" + name + "' declares " + std::to_string(a->points) +
                    " strings (damaged file?)");
  }
  const hid_t attr_id = a->attr.get();
  return read_string_elements(
      a->type.get(), static_cast<std::size_t>(a->points),
      [attr_id](hid_t mem, void* buf) { return H5Aread(attr_id, mem, buf); }, a->space.get(),
      where);
}

std::optional<std::vector<std::int64_t>> integer_array_attribute(hid_t obj, const std::string& name,
                                                                 const Location& where) {
  const Door door(where.file);
  const auto a = open_attribute(obj, name, where);
  if (!a || (a->type_class != H5T_INTEGER && a->type_class != H5T_FLOAT)) return std::nullopt;
  std::vector<std::int64_t> values(static_cast<std::size_t>(a->points));
  check(H5Aread(a->attr.get(), H5T_NATIVE_INT64, values.data()), where,
        "cannot read attribute '" + name + "'");
  return values;
}

std::optional<double> double_attribute(hid_t obj, const std::string& name, const Location& where) {
  const Door door(where.file);
  const auto a = open_attribute(obj, name, where);
  if (!a) return std::nullopt;
  if ((a->type_class != H5T_INTEGER && a->type_class != H5T_FLOAT) || a->points != 1) {
    fail(where, "attribute '" + name + "' is not a number");
  }
  double value = 0;
  check(H5Aread(a->attr.get(), H5T_NATIVE_DOUBLE, &value), where,
        "cannot read attribute '" + name + "'");
  return value;
}

std::optional<Handle> referenced_object(hid_t obj, const std::string& name, const Location& where) {
  const Door door(where.file);
  const auto a = open_attribute(obj, name, where);
  if (!a) return std::nullopt;
  if (a->type_class != H5T_REFERENCE || a->points != 1) {
    fail(where, "attribute '" + name + "' is not an object reference");
  }
  hobj_ref_t reference{};
  check(H5Aread(a->attr.get(), H5T_STD_REF_OBJ, &reference), where,
        "cannot read the '" + name + "' reference");
  return checked(H5Rdereference2(obj, H5P_DEFAULT, H5R_OBJECT, &reference), where,
                 "broken '" + name + "' reference");
}

std::int64_t storage_size(hid_t dataset) {
  const Door door;
  return static_cast<std::int64_t>(H5Dget_storage_size(dataset));
}

std::vector<Field> compound_fields(hid_t dataset, const Location& where) {
  const Door door(where.file);
  Handle type(H5Dget_type(dataset));
  if (H5Tget_class(type.get()) != H5T_COMPOUND) fail(where, "expected a record array");
  std::vector<Field> fields;
  const int n = H5Tget_nmembers(type.get());
  for (int i = 0; i < n; ++i) {
    char* name = H5Tget_member_name(type.get(), static_cast<unsigned>(i));
    Field field{name == nullptr ? "" : name, FieldKind::other};
    H5free_memory(name);
    Handle member(H5Tget_member_type(type.get(), static_cast<unsigned>(i)));
    switch (H5Tget_class(member.get())) {
      case H5T_STRING:
        field.kind = H5Tis_variable_str(member.get()) > 0 ? FieldKind::variable_string
                                                          : FieldKind::fixed_string;
        break;
      case H5T_ENUM:  // a numpy bool: h5py's int8 enum
        field.kind = H5Tget_size(member.get()) == 1 ? FieldKind::boolean : FieldKind::other;
        break;
      case H5T_INTEGER:
        field.kind = FieldKind::integer;
        break;
      case H5T_FLOAT:
        field.kind = FieldKind::floating;
        break;
      default:
        break;
    }
    fields.push_back(field);
  }
  return fields;
}

namespace {

/// The type of field `field` of a compound dataset (an error when there is none).
Handle field_type(hid_t dataset, const std::string& field, const Location& where) {
  Handle type(H5Dget_type(dataset));
  const int index = H5Tget_member_index(type.get(), field.c_str());
  if (index < 0) fail(where, "no field '" + field + "' in the record array");
  return Handle(H5Tget_member_type(type.get(), static_cast<unsigned>(index)));
}

/// Reads field `field` alone into `out` (n elements of `memory_type`'s size).
void read_field(hid_t dataset, const std::string& field, hid_t memory_type, void* out,
                const Location& where) {
  Handle record(H5Tcreate(H5T_COMPOUND, H5Tget_size(memory_type)));
  H5Tinsert(record.get(), field.c_str(), 0, memory_type);
  check(H5Dread(dataset, record.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out), where,
        "cannot read field '" + field + "'");
}

std::size_t record_count(hid_t dataset, const Location& where) {
  const auto dims = shape(dataset);
  if (dims.size() != 1) fail(where, "expected a 1-D record array");
  return static_cast<std::size_t>(dims[0]);
}

}  // namespace

std::vector<std::string> read_string_field(hid_t dataset, const std::string& field,
                                           const Location& where) {
  const Door door(where.file);
  Handle type = field_type(dataset, field, where);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0) {
    fail(where, "field '" + field + "': expected fixed-length strings");
  }
  const auto size = H5Tget_size(type.get());
  const auto n = record_count(dataset, where);
  std::vector<char> buffer(n * size);
  if (n > 0) read_field(dataset, field, type.get(), buffer.data(), where);
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const char* s = buffer.data() + i * size;
    out.emplace_back(s, strnlen(s, size));
  }
  return out;
}

std::vector<double> read_number_field(hid_t dataset, const std::string& field,
                                      const Location& where) {
  const Door door(where.file);
  Handle type = field_type(dataset, field, where);
  const auto n = record_count(dataset, where);
  const auto type_class = H5Tget_class(type.get());
  if (type_class == H5T_ENUM && H5Tget_size(type.get()) == 1) {
    // a numpy bool: read as stored (HDF5 converts enums only to enums)
    std::vector<std::int8_t> raw(n);
    if (n > 0) read_field(dataset, field, type.get(), raw.data(), where);
    return {raw.begin(), raw.end()};
  }
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
    fail(where, "field '" + field + "': expected numbers");
  }
  std::vector<double> values(n);
  if (n > 0) read_field(dataset, field, H5T_NATIVE_DOUBLE, values.data(), where);
  return values;
}

template <typename T>
void read_piece(hid_t dataset, const Location& where, std::int64_t offset, std::int64_t count,
                T* out) {
  const Door door(where.file);
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
  const Door door(where.file);
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
  const Door door(where.file);
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
  const Door door(where.file);
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
  const Door door;
  return checked(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), where,
                 "cannot create group '" + name + "'");
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const Location& where) {
  const Door door;
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
  const Door door;
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
  const Door door;
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, values.data()), where,
        "cannot write attribute '" + name + "'");
}

void write_bool_attribute(hid_t obj, const std::string& name, bool value, const Location& where) {
  const Door door;
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
  const Door door;
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              where, "cannot create attribute '" + name + "'");
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), where,
        "cannot write attribute '" + name + "'");
}

void write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                   const Location& where) {
  const Door door;
  auto type = variable_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle dataset = checked(
      H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      where, "cannot create dataset '" + name + "'");
  if (values.empty()) return;  // HDF5 refuses a null buffer, even for zero elements
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), where,
        "cannot write dataset '" + name + "'");
}

template <typename T>
void write_1d(hid_t loc, const std::string& name, const std::vector<T>& values,
              const Location& where) {
  const Door door;
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
  const Door door;
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
  const Door door(where.file);
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
  const Door door;
  if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0) H5Ldelete(loc, name.c_str(), H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
}

void remove_attribute_if_exists(hid_t obj, const std::string& name, const Location& where) {
  const Door door;
  if (H5Aexists(obj, name.c_str()) > 0) {
    check(H5Adelete(obj, name.c_str()), where, "cannot delete attribute '" + name + "'");
  }
  H5Eclear2(H5E_DEFAULT);
}

void flush(hid_t file, const Location& where) {
  const Door door;
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), where, "cannot flush");
}

template <typename T>
AppendableDataset<T>::AppendableDataset(hid_t loc, const std::string& name, bool gzip,
                                        Location where)
    : where_(std::move(where)) {
  const Door door;
  const hsize_t zero = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  // About 256 KiB per chunk: large enough for fast sequential reads, small enough for slices.
  const hsize_t chunk = (256 * 1024) / sizeof(T);
  Handle space(H5Screate_simple(1, &zero, &unlimited));
  Handle create(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(create.get(), 1, &chunk);
  if (gzip) H5Pset_deflate(create.get(), 4);
  dataset_ = checked(H5Dcreate2(loc, name.c_str(), native_type<T>(), space.get(), H5P_DEFAULT,
                                create.get(), H5P_DEFAULT),
                     where_, "cannot create dataset '" + name + "'");
}

template <typename T>
void AppendableDataset<T>::append(const T* values, std::int64_t count) {
  if (count <= 0) return;
  const Door door;
  const hsize_t new_size = static_cast<hsize_t>(size_ + count);
  check(H5Dset_extent(dataset_.get(), &new_size), where_, "cannot extend dataset");
  Handle file_space(H5Dget_space(dataset_.get()));
  const hsize_t start = static_cast<hsize_t>(size_);
  const hsize_t n = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  Handle mem_space(H5Screate_simple(1, &n, nullptr));
  check(H5Dwrite(dataset_.get(), native_type<T>(), mem_space.get(), file_space.get(), H5P_DEFAULT,
                 values),
        where_, "cannot write dataset");
  size_ += count;
}

template class AppendableDataset<float>;
template class AppendableDataset<std::int32_t>;

}  // namespace scgrad::hdf5

#pragma once
// The door's own parts, shared by its files (src/io/hdf5/*.cpp) and private to them: the lock
// and error-printing guard every call into libhdf5 passes through, and the small helpers every
// part uses. Nothing outside src/io/hdf5 includes this.

#include <hdf5.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../hdf5.hpp"
#include "../reading_scope.hpp"

namespace scgrad::hdf5::internal {

/// Held by every function of the door while it is in libhdf5 (recursive: door functions call
/// each other). tatami_hdf5 serialises its libhdf5 calls the same way.
std::recursive_mutex& library_lock();

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

/// The one libhdf5-wide setting the library makes, once (door.cpp).
void tune_free_lists();

/// HDF5's innermost error message for the current error stack ("" if none).
std::string library_error_message();

/// The name of the file an object belongs to (for crash messages).
std::string file_name(hid_t obj);

template <typename T>
hid_t native_type();
template <>
inline hid_t native_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
inline hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
inline hid_t native_type<std::int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
inline hid_t native_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
inline hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}

inline Handle checked(hid_t id, const Location& where, const std::string& what) {
  if (id < 0) fail(where, what);
  return Handle(id);
}

inline void check(herr_t status, const Location& where, const std::string& what) {
  if (status < 0) fail(where, what);
}

/// A UTF-8 variable-length string type, for writing.
Handle variable_string_type();

/// A fixed-length string without its NUL padding and trailing spaces.
std::string trim_fixed(const char* begin, std::size_t size);

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

}  // namespace scgrad::hdf5::internal

#include "door.hpp"

#include <cstdlib>
#include <sstream>

#include "scgrad/error.hpp"
#include "scgrad/io/hdf5_printing.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad::hdf5::internal {

std::recursive_mutex& library_lock() {
  static std::recursive_mutex lock;
  return lock;
}

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

namespace {

herr_t keep_first_message(unsigned /*n*/, const H5E_error2_t* error, void* out) {
  auto* message = static_cast<std::string*>(out);
  if (message->empty() && error->desc != nullptr) *message = error->desc;
  return 0;
}

}  // namespace

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

std::string library_error_message() {
  const Door door;
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first_message, &message);
  return message;
}

std::string file_name(hid_t obj) {
  const Door door;
  const auto size = H5Fget_name(obj, nullptr, 0);
  if (size <= 0) return "(unknown file)";
  std::string name(static_cast<std::size_t>(size), '\0');
  H5Fget_name(obj, name.data(), name.size() + 1);
  return name;
}

}  // namespace scgrad::hdf5::internal

void scgrad::silence_hdf5_error_printing() {
  const std::lock_guard<std::recursive_mutex> lock(hdf5::internal::library_lock());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace scgrad::hdf5 {

using namespace internal;

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

}  // namespace scgrad::hdf5

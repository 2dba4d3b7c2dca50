// Files, groups and datasets: opening them, what exists, shapes and types.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "../lzf_filter.hpp"
#include "door.hpp"
#include "scgrad/error.hpp"

namespace scgrad::hdf5 {

using namespace internal;

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

bool is_hdf5_file(const std::string& path) {
  const Door door;
  const bool hdf5 = H5Fis_hdf5(path.c_str()) > 0;
  H5Eclear2(H5E_DEFAULT);
  return hdf5;
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

}  // namespace scgrad::hdf5

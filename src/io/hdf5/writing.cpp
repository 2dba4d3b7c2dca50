// Writing: groups, datasets (whole or appended to), removal, flush.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "door.hpp"
#include "scgrad/error.hpp"

namespace scgrad::hdf5 {

using namespace internal;

// --- writing ----------------------------------------------------------------------------------

Handle create_group(hid_t loc, const std::string& name, const Location& where) {
  const Door door;
  return checked(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), where,
                 "cannot create group '" + name + "'");
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

void remove_if_exists(hid_t loc, const std::string& name) {
  const Door door;
  if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0) H5Ldelete(loc, name.c_str(), H5P_DEFAULT);
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

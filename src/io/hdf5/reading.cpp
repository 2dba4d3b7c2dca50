// Reading datasets: slices of 1-d arrays, rows of 2-d ones, strings, compound fields.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "door.hpp"
#include "scgrad/error.hpp"

namespace scgrad::hdf5 {

using namespace internal;

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

namespace {

/// The block [start, start + count) of a 2-d dataset as float32, row-major.
std::vector<float> read_block_2d(hid_t dataset, const Location& where, const hsize_t start[2],
                                 const hsize_t count[2]) {
  std::vector<float> values(static_cast<std::size_t>(count[0] * count[1]));
  if (values.empty()) return values;
  Handle file_space(H5Dget_space(dataset));
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  Handle mem_space(H5Screate_simple(2, count, nullptr));
  check(H5Dread(dataset, H5T_NATIVE_FLOAT, mem_space.get(), file_space.get(), H5P_DEFAULT,
                values.data()),
        where, "cannot read dataset");
  return values;
}

/// The dataset's two dimensions; fails naming `where` when it has another number.
std::vector<std::int64_t> shape_2d(hid_t dataset, const Location& where) {
  const auto dims = shape(dataset);
  if (dims.size() != 2) fail(where, "expected a 2-D dataset");
  return dims;
}

}  // namespace

std::vector<float> read_rows_2d(hid_t dataset, const Location& where, std::int64_t row_begin,
                                std::int64_t row_count) {
  const Door door(where.file);
  const auto dims = shape_2d(dataset, where);
  const hsize_t start[2] = {static_cast<hsize_t>(row_begin), 0};
  const hsize_t count[2] = {static_cast<hsize_t>(row_count), static_cast<hsize_t>(dims[1])};
  return read_block_2d(dataset, where, start, count);
}

std::vector<float> read_columns_2d(hid_t dataset, const Location& where, std::int64_t col_begin,
                                   std::int64_t col_count) {
  const Door door(where.file);
  const auto dims = shape_2d(dataset, where);
  if (col_begin < 0 || col_count < 0 || col_begin + col_count > dims[1]) {
    fail(where, "columns outside the dataset");
  }
  const hsize_t start[2] = {0, static_cast<hsize_t>(col_begin)};
  const hsize_t count[2] = {static_cast<hsize_t>(dims[0]), static_cast<hsize_t>(col_count)};
  return read_block_2d(dataset, where, start, count);
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

}  // namespace scgrad::hdf5

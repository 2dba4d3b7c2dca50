// Attributes: read (absent ones as nullopt) and written.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "door.hpp"
#include "scgrad/error.hpp"

namespace scgrad::hdf5 {

using namespace internal;

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

void remove_attribute_if_exists(hid_t obj, const std::string& name, const Location& where) {
  const Door door;
  if (H5Aexists(obj, name.c_str()) > 0) {
    check(H5Adelete(obj, name.c_str()), where, "cannot delete attribute '" + name + "'");
  }
  H5Eclear2(H5E_DEFAULT);
}

}  // namespace scgrad::hdf5

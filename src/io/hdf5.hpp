#pragma once
// The one door to libhdf5, private to src/io and the model file's reader (src/saved): every
// call scgrad makes into libhdf5 goes through a function declared here (src/io/hdf5/; the LZF
// filter's registration in lzf_filter.cpp is the one other file that calls libhdf5, from
// inside this door). Each function
//  - holds one process-wide lock while it is in libhdf5: Debian's libhdf5 is built without its
//    own thread-safety, so two threads reading two files would corrupt its global state;
//  - silences libhdf5's automatic error printing for the call and restores the caller's
//    setting after it (scgrad reports errors itself; a host program keeps its own);
//  - when it reads a file, holds a ReadingScope naming it (a libhdf5 crash on a damaged file
//    becomes one line where the program installed the reading guard);
//  - turns a failed status into an InputError naming the file and the element, with libhdf5's
//    innermost message or the system's cause ("No space left on device").
// scripts/check_sources.py (test source_rules_hdf5_door) fails on any other file under src/ or
// app/ that calls libhdf5.

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scgrad::hdf5 {

/// Owns one HDF5 identifier and closes it with the matching H5*close.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle();
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Where an error happened: the file and the element inside it.
struct Location {
  std::string file;
  std::string element;
};

/// Throws an InputError "FILE: ELEMENT: WHAT", with libhdf5's innermost message when it has one.
[[noreturn]] void fail(const Location& where, const std::string& what);

Handle open_file_read_only(const std::string& path);

/// True when the file at `path` is HDF5 (false when it is not, or cannot be read): what the
/// opener asks before telling HDF5 layouts apart.
bool is_hdf5_file(const std::string& path);
/// `shown_as`: the name errors use (the destination of a temporary output file).
Handle create_file(const std::string& path, const std::string& shown_as = "");
Handle open_file_read_write(const std::string& path, const std::string& shown_as = "");

/// True when every component of `path` below `loc` exists (H5Lexists one level at a time).
bool exists(hid_t loc, const std::string& path);
bool is_group(hid_t loc, const std::string& path);
bool is_dataset(hid_t loc, const std::string& path);

Handle open_group(hid_t loc, const std::string& path, const Location& where);
/// `cache_chunks` false turns HDF5's chunk cache off: for reads coalesced into large blocks,
/// which touch each chunk once. (HDF5 1.10's cache was measured holding ~1 GB while streaming
/// a 16 GB file, far above its configured size.)
Handle open_dataset(hid_t loc, const std::string& path, const Location& where,
                    bool cache_chunks = true);

/// Names of the members of a group, in HDF5's (alphabetical) order.
std::vector<std::string> member_names(hid_t group, const Location& where);

/// Dimensions of a dataset (empty for a scalar).
std::vector<std::int64_t> shape(hid_t dataset);

/// A short numpy-style name of a dataset's element type: "float32", "int64", "bool", "string", ...
std::string dtype_name(hid_t dataset);
bool is_string_type(hid_t dataset);
bool is_numeric_type(hid_t dataset);  ///< integer or floating point

std::optional<std::string> string_attribute(hid_t obj, const std::string& name,
                                            const Location& where);
std::vector<std::string> string_array_attribute(hid_t obj, const std::string& name,
                                                const Location& where);
std::optional<std::vector<std::int64_t>> integer_array_attribute(hid_t obj, const std::string& name,
                                                                 const Location& where);
/// A numeric attribute converted to double (absent: nullopt; not a number: an error).
std::optional<double> double_attribute(hid_t obj, const std::string& name, const Location& where);
/// The object an attribute holding an HDF5 object reference points to (anndata 0.7 kept a
/// categorical column's categories this way); nullopt when the attribute is absent.
std::optional<Handle> referenced_object(hid_t obj, const std::string& name, const Location& where);

/// Bytes a dataset occupies in the file (after compression).
std::int64_t storage_size(hid_t dataset);

// --- record arrays (anndata 0.6 stored a dataframe as one compound dataset) ----------------

enum class FieldKind { fixed_string, variable_string, boolean, integer, floating, other };
struct Field {
  std::string name;
  FieldKind kind = FieldKind::other;
};
/// The fields of a compound dataset, in order.
std::vector<Field> compound_fields(hid_t dataset, const Location& where);
/// One fixed-length string field of a 1-D compound dataset.
std::vector<std::string> read_string_field(hid_t dataset, const std::string& field,
                                           const Location& where);
/// One numeric or boolean field of a 1-D compound dataset, as double.
std::vector<double> read_number_field(hid_t dataset, const std::string& field,
                                      const Location& where);

/// Reads `count` elements from `offset` of a 1-D dataset (all of it when count < 0),
/// converted by HDF5 to T (float, double, int32_t, int64_t, int8_t).
template <typename T>
std::vector<T> read_1d(hid_t dataset, const Location& where, std::int64_t offset = 0,
                       std::int64_t count = -1);

/// Like read_1d, into caller-owned memory of `count` elements.
template <typename T>
void read_1d_into(hid_t dataset, const Location& where, std::int64_t offset, std::int64_t count,
                  T* out);

/// Reads rows [row_begin, row_begin + row_count) of a 2-D dataset as row-major floats.
std::vector<float> read_rows_2d(hid_t dataset, const Location& where, std::int64_t row_begin,
                                std::int64_t row_count);

/// Reads a 1-D dataset of strings, variable- or fixed-length.
std::vector<std::string> read_strings(hid_t dataset, const Location& where);

/// Columns [col_begin, col_begin + col_count) of a 2-d numeric dataset as float32, row-major
/// (rows × col_count): a block of cells of a genes × cells matrix (loom).
std::vector<float> read_columns_2d(hid_t dataset, const Location& where, std::int64_t col_begin,
                                   std::int64_t col_count);

// --- writing (the simulator and, later, predictions) -----------------------------------------

Handle create_group(hid_t loc, const std::string& name, const Location& where);
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const Location& where);
void write_string_array_attribute(hid_t obj, const std::string& name,
                                  const std::vector<std::string>& values, const Location& where);
void write_integer_array_attribute(hid_t obj, const std::string& name,
                                   const std::vector<std::int64_t>& values, const Location& where);
/// A numpy bool as h5py writes it (an int8 enum FALSE/TRUE): pandas needs a real bool.
void write_bool_attribute(hid_t obj, const std::string& name, bool value, const Location& where);
void write_double_attribute(hid_t obj, const std::string& name, double value,
                            const Location& where);
void write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                   const Location& where);
template <typename T>
void write_1d(hid_t loc, const std::string& name, const std::vector<T>& values,
              const Location& where);

/// An N-D float32 dataset (row-major values).
void write_float_array(hid_t loc, const std::string& name, const std::vector<float>& values,
                       const std::vector<std::int64_t>& shape, const Location& where);
/// Reads any numeric dataset whole as float32, with its shape.
std::vector<float> read_float_array(hid_t dataset, const Location& where,
                                    std::vector<std::int64_t>* shape);
/// Deletes a link if it exists (for rewriting an element).
void remove_if_exists(hid_t loc, const std::string& name);
void remove_attribute_if_exists(hid_t obj, const std::string& name, const Location& where);
/// Writes a file's buffers to the operating system (errors name `where`).
void flush(hid_t file, const Location& where);

/// A 1-D dataset of T (float or int32_t) that grows by appending (chunked, optionally
/// gzip-compressed).
template <typename T>
class AppendableDataset {
 public:
  AppendableDataset(hid_t loc, const std::string& name, bool gzip, Location where);
  void append(const T* values, std::int64_t count);
  std::int64_t size() const { return size_; }

 private:
  Handle dataset_;
  std::int64_t size_ = 0;
  Location where_;
};

}  // namespace scgrad::hdf5

#pragma once
// The open .h5ad file as the reader's parts see it: the file and how to name its elements in
// errors. Private to src/io; every libhdf5 call goes through ../hdf5.hpp.

#include <string>
#include <vector>

#include "../hdf5.hpp"

namespace scgrad::h5ad {

struct H5adSource {
  std::string path;
  hdf5::Handle file;

  hdf5::Location at(const std::string& element) const { return {path, element}; }
  hid_t root() const { return file.get(); }
};

/// "a, b, c" or "(none)", for messages that list what a file has.
std::string join(const std::vector<std::string>& items);

}  // namespace scgrad::h5ad

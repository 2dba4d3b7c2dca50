#include "standard_output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "scgrad/util/output_set.hpp"

namespace scgrad::app {

bool is_standard_output(const std::string& path) {
  if (path.empty()) return false;
  int descriptor = -1;
  if (names_descriptor(path, descriptor)) return descriptor == STDOUT_FILENO;
  struct stat out {
  }, named{};
  return ::fstat(STDOUT_FILENO, &out) == 0 && ::stat(path.c_str(), &named) == 0 &&
         out.st_dev == named.st_dev && out.st_ino == named.st_ino;
}

void keep_standard_output_for(const std::vector<std::string>& outputs) {
  for (const auto& path : outputs) {
    if (is_standard_output(path)) {
      std::cout.flush();
      std::cout.rdbuf(std::cerr.rdbuf());
      return;
    }
  }
}

}  // namespace scgrad::app

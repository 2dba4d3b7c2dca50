#include "scgrad/util/atomic_output.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "scgrad/error.hpp"

namespace scgrad {

AtomicOutput::AtomicOutput(std::string destination) : destination_(std::move(destination)) {
  const std::filesystem::path path(destination_);
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(folder)) {
    throw Error(destination_ + ": cannot write: folder '" + folder.string() + "' does not exist");
  }
  temporary_ =
      (folder / ("." + path.filename().string() + ".tmp-" + std::to_string(getpid()))).string();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) std::remove(temporary_.c_str());
}

void AtomicOutput::commit() {
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    throw Error(destination_ +
                ": cannot move the finished output into place: " + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace scgrad

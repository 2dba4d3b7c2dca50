#include "scgrad/util/output_paths.hpp"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "scgrad/error.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad {

namespace fs = std::filesystem;

namespace {

/// Same file: by device and inode when both exist (hard links, symlinks, "./x" vs "x"),
/// otherwise by the absolute path with links in the existing part resolved.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error);
  const auto canonical_a = fs::weakly_canonical(a, error);
  if (error) return false;
  const auto canonical_b = fs::weakly_canonical(b, error);
  return !error && canonical_a == canonical_b;
}

std::string quoted(const NamedPath& p) { return p.option + " '" + p.path + "'"; }

}  // namespace

void check_outputs_apart(const std::vector<NamedPath>& inputs,
                         const std::vector<NamedPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& out = outputs[i];
    if (out.path.empty()) continue;
    std::error_code error;
    if (fs::is_directory(out.path, error)) {
      throw Error(quoted(out) + " is a directory; give a file name inside it");
    }
    // Refused now rather than after an hour of training.
    const fs::path path(out.path);
    const auto folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, error)) {
      throw Error(quoted(out) + ": the folder '" + folder.string() + "' does not exist");
    }
    if (::access(folder.c_str(), W_OK) != 0) {
      throw Error(quoted(out) + ": cannot write in '" + folder.string() + "': " +
                  plain_cause(errno));
    }
    for (const auto& in : inputs) {
      if (!in.path.empty() && same_file(in.path, out.path)) {
        throw Error(quoted(out) + " is the input " + quoted(in) +
                    ": writing it would replace the data this run reads; choose another "
                    "output path (nothing was written)");
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && same_file(outputs[j].path, out.path)) {
        throw Error(quoted(out) + " is also " + quoted(outputs[j]) +
                    ": one would overwrite the other; give each output its own path");
      }
    }
  }
}

}  // namespace scgrad

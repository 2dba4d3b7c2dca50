#include "scgrad/util/output_paths.hpp"

#include <system_error>

#include "scgrad/error.hpp"

namespace scgrad {

namespace fs = std::filesystem;

std::optional<fs::path> link_target(const std::string& path) {
  fs::path p = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(p, error))) return p;
    const auto next = fs::read_symlink(p, error);
    if (error) return std::nullopt;
    p = next.is_absolute() ? next : p.parent_path() / next;
  }
  return std::nullopt;
}

namespace {

/// Same file: by device and inode when both exist (hard links, symlinks, "./x" vs "x"),
/// otherwise by the absolute path of what their links name (a dangling link is the file it
/// would create), links in the existing part resolved.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error);
  const auto canonical_a = fs::weakly_canonical(link_target(a).value_or(a), error);
  if (error) return false;
  const auto canonical_b = fs::weakly_canonical(link_target(b).value_or(b), error);
  return !error && canonical_a == canonical_b;
}

std::string quoted(const NamedPath& p) { return p.option + " '" + p.path + "'"; }

}  // namespace

void check_outputs_apart(const std::vector<NamedPath>& inputs,
                         const std::vector<NamedPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& out = outputs[i];
    if (out.path.empty()) continue;
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

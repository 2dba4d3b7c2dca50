#pragma once
/// @file output_paths.hpp
/// A run's outputs must never replace its inputs: `scgrad train data.h5ad --out data.h5ad`
/// once replaced the dataset with the model file. Checked before any work, for every output
/// option of every command. What an output path may be (a file, a link, a device; its folder
/// writable) is OutputSet::add's to check (output_set.hpp).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace scgrad {

/// A path given on the command line and the option (or argument) that gave it.
struct NamedPath {
  std::string option;  ///< e.g. "--out", or "DATA" for a positional argument
  std::string path;    ///< "" = not given (skipped)
};

/// Throws scgrad::Error naming both options when an output is the same file as an input (after
/// links: same device and inode) or as another output (OutputSet::add applies the same rule to
/// a run's outputs).
void check_outputs_apart(const std::vector<NamedPath>& inputs,
                         const std::vector<NamedPath>& outputs);

/// The name a chain of symbolic links ends at (the path itself when it is no link; a dangling
/// link's missing target); none after 40 links or when a link cannot be read.
std::optional<std::filesystem::path> link_target(const std::string& path);

}  // namespace scgrad

#pragma once
/// @file output_paths.hpp
/// A run's outputs must never replace its inputs: `scgrad train data.h5ad --out data.h5ad`
/// once replaced the dataset with the model file. Checked before any work, for every output
/// option of every command.

#include <string>
#include <vector>

namespace scgrad {

/// A path given on the command line and the option (or argument) that gave it.
struct NamedPath {
  std::string option;  ///< e.g. "--out", or "DATA" for a positional argument
  std::string path;    ///< "" = not given (skipped)
};

/// Throws scgrad::Error naming both options when an output is the same file as an input (after
/// links: same device and inode) or as another output, when an output is a directory, or when
/// its folder does not exist or cannot be written.
void check_outputs_apart(const std::vector<NamedPath>& inputs,
                         const std::vector<NamedPath>& outputs);

}  // namespace scgrad

#pragma once
// `--csv /dev/stdout | head`: when an output is the program's standard output, the report the
// command would print there goes to standard error instead, so the pipe carries the output alone.

#include <string>
#include <vector>

namespace scgrad::app {

/// True when `path` is this process's standard output (/dev/stdout, /dev/fd/1, or the same
/// file, pipe or terminal by device and inode).
bool is_standard_output(const std::string& path);

/// Sends std::cout to standard error for the rest of the run when one of `outputs` is standard
/// output.
void keep_standard_output_for(const std::vector<std::string>& outputs);

}  // namespace scgrad::app

#pragma once
/// @file plain_cause.hpp
/// Why a file could not be read or written, in words a user acts on: "no space left on
/// device" rather than "filesystem error: cannot copy file: Input/output error".

#include <string>

namespace scgrad {

/// An errno in plain words: "no space left on device", "read-only file system",
/// "permission denied", "input/output error (the disk or file system failed)", ...
std::string plain_cause(int errnum);

}  // namespace scgrad

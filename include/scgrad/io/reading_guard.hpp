#pragma once
/// @file reading_guard.hpp
/// The HDF5 library (1.10 in Debian 12) can crash on a damaged file instead of returning an
/// error: fuzzing scgrad's reader found crashes inside libhdf5 (e.g. in H5HG_read, the heap of
/// variable-length strings), a known class of upstream bugs. A program that reads user files
/// installs this guard once. Code that calls into libhdf5 to read a file holds a ReadingScope;
/// if the process dies of SIGSEGV, SIGBUS, SIGFPE or SIGILL inside one, it prints one line
/// naming the file and exits with status 1. Outside a scope a crash stays a crash (a bug in
/// scgrad is not blamed on the file). libhdf5 can also loop forever on a damaged file: a single
/// outermost scope lasting longer than SCGRAD_HDF5_TIMEOUT seconds (default 600; reads are
/// done in pieces of at most 4 M values) ends the same way. The messages are prepared in
/// advance: the handlers only write them.

#include <string>

namespace scgrad {

/// Installs the handler (idempotent).
void install_reading_guard();

/// Marks a call into libhdf5 that reads `file` (scopes nest; the innermost file is named).
class ReadingScope {
 public:
  explicit ReadingScope(const std::string& file);
  ~ReadingScope();
  ReadingScope(const ReadingScope&) = delete;
  ReadingScope& operator=(const ReadingScope&) = delete;
};

}  // namespace scgrad

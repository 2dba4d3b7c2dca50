#pragma once
// Marks a call into libhdf5 that reads a file, for the reading guard
// (include/scgrad/io/reading_guard.hpp). Private to src/io: only the door to libhdf5
// (src/io/hdf5/) opens scopes, under its lock, so one thread at a time changes the guard's state.

#include <string>

namespace scgrad {

class ReadingScope {
 public:
  /// Scopes nest; the innermost file is the one named. Does nothing visible unless the guard
  /// is installed.
  explicit ReadingScope(const std::string& file);
  ~ReadingScope();
  ReadingScope(const ReadingScope&) = delete;
  ReadingScope& operator=(const ReadingScope&) = delete;
};

}  // namespace scgrad

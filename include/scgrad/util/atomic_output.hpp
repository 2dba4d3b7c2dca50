#pragma once
/// @file atomic_output.hpp
/// Outputs are written to a temporary file beside their destination and renamed into place,
/// so an interrupted or failed run leaves the old file or the new one, never a broken one.

#include <string>

namespace scgrad {

class AtomicOutput {
 public:
  /// Picks a temporary name in the destination's folder (".NAME.tmp-PID").
  explicit AtomicOutput(std::string destination);
  /// Removes the temporary file unless commit() was called.
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temporary_path() const { return temporary_; }
  const std::string& destination() const { return destination_; }
  /// Renames the temporary file onto the destination (atomic on one file system).
  void commit();

 private:
  std::string destination_;
  std::string temporary_;
  bool committed_ = false;
};

}  // namespace scgrad

#pragma once
/// @file atomic_output.hpp
/// Outputs are written to a temporary file beside their destination and renamed into place,
/// so an interrupted or failed run leaves the old file or the new one, never a broken one.
/// On SIGINT, SIGTERM or SIGHUP the temporary files are removed before the program dies; a
/// SIGKILL (or a power cut) can leave a ".NAME.tmp-PID" file beside the destination, which is
/// safe to delete.

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
  /// Flushes the temporary file to disk and renames it onto the destination (atomic on one
  /// file system).
  void commit();

 private:
  std::string destination_;
  std::string temporary_;
  bool committed_ = false;
  int slot_ = -1;  ///< registration for removal on a signal
};

/// Writes `text` to `path` through an AtomicOutput; `what` names the option in errors.
void write_text_atomically(const std::string& path, const std::string& text,
                           const std::string& what);

/// Copies the bytes of `from` into the new file `to` (a temporary output; errors name
/// `destination`, the path the user gave).
void copy_into_output(const std::string& from, const std::string& to,
                      const std::string& destination);

}  // namespace scgrad

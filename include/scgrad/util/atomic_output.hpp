#pragma once
/// @file atomic_output.hpp
/// Outputs are written to a temporary file beside their destination and renamed into place,
/// so an interrupted or failed run leaves the old file or the new one, never a broken one.
/// A failed write (an exception) removes its temporary file. A program that wants the same on
/// SIGINT, SIGTERM or SIGHUP calls install_interrupt_cleanup() (the scgrad program does, in
/// main; the library never touches signal dispositions). A SIGKILL (or a power cut) can leave a
/// ".NAME.tmp-PID" file beside the destination, which is safe to delete.
///
/// Thread safety: AtomicOutput objects may be created, committed and destroyed on any threads.

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

/// Opt-in, process-wide: handlers for SIGINT, SIGTERM and SIGHUP that remove the temporary
/// files being written (at most 16 at once), then end the process by the same signal, as the
/// default action would. Replaces the program's own handlers for those signals; idempotent.
void install_interrupt_cleanup();

/// Writes `text` to `path` through an AtomicOutput; `what` names the output in errors.
void write_text_atomically(const std::string& path, const std::string& text,
                           const std::string& what);

/// Copies the bytes of `from` into the new file `to` (a temporary output; errors name
/// `destination`, the path the user gave).
void copy_into_output(const std::string& from, const std::string& to,
                      const std::string& destination);

}  // namespace scgrad

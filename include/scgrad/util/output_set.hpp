#pragma once
/// @file output_set.hpp
/// The outputs of one run, written all or nothing. Every output path is examined and a staging
/// file made for it before any work, so a path that cannot be written fails the run before it
/// starts; the writers fill the staging files; commit() puts them all in place at the end. A
/// run that fails or is interrupted before commit() leaves every pre-existing file as it was.
///
/// What happens to a path depends on what it names:
/// - a regular file or a new name: staged beside it (".NAME.tmp-PID-N"), fsync'ed and renamed
///   over it, keeping the old file's permission bits;
/// - a symbolic link: the same, done to the file the link names (the link is kept);
/// - a character device, a FIFO, or /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N:
///   staged in the temporary folder and copied into it at commit (a device or pipe is never
///   replaced; a reader that closes a pipe early just ends the copy);
/// - a directory, socket or block device, or a read-only file: refused when added.
/// Two outputs are put in place one after the other; if one fails, the files already replaced
/// get their old contents back (kept as hard links until the end of commit()).
///
/// A program that also wants the staging files removed on SIGINT, SIGTERM or SIGHUP calls
/// install_interrupt_cleanup() (the scgrad program does, in main; the library never touches
/// signal dispositions). A SIGKILL can leave a ".NAME.tmp-PID-N" file, which is safe to delete.
///
/// Thread safety: one OutputSet per thread; distinct sets may live on any threads.

#include <memory>
#include <string>
#include <vector>

namespace scgrad {

/// One output of a run.
class StagedOutput {
 public:
  /// How errors name it: the option ("--csv") or what it is ("the model file").
  const std::string& name() const { return name_; }
  /// The path the user gave.
  const std::string& destination() const { return destination_; }
  /// Where to write now: an empty file that exists; writers may truncate or recreate it.
  const std::string& path() const { return staging_; }
  /// Copied into a device or pipe at commit rather than renamed.
  bool is_stream() const { return stream_; }

 private:
  friend class OutputSet;
  std::string name_;
  std::string destination_;
  std::string staging_;
  std::string target_;   ///< the file renamed over (links followed); "" for a stream
  int descriptor_ = -1;  ///< /dev/stdout and the like: this process's descriptor
  bool stream_ = false;
  bool existed_ = false;
  unsigned mode_ = 0;  ///< permission bits of the file replaced
  int signal_slot_ = -1;
};

class OutputSet {
 public:
  OutputSet() = default;
  /// Removes every staging file unless commit() succeeded.
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  /// Examines `destination` and creates its staging file. Throws scgrad::Error
  /// "NAME 'PATH': CAUSE" when it cannot be written (a missing or read-only folder, a
  /// pseudo-filesystem such as /proc, a directory, a socket, permission denied).
  const StagedOutput& add(const std::string& name, const std::string& destination);

  /// Leaves the destination of an output added here alone after all (an output the run turned
  /// out not to produce) and removes its staging file.
  void drop(const StagedOutput& out);

  /// Copies the streams, then renames the files into place; all of them or (for files) none.
  void commit();

  bool empty() const { return outputs_.empty(); }

 private:
  std::vector<std::unique_ptr<StagedOutput>> outputs_;
  bool committed_ = false;
};

/// Opt-in, process-wide: handlers for SIGINT, SIGTERM and SIGHUP that remove the staging files
/// being written (at most 16 at once), then end the process by the same signal, as the default
/// action would. Replaces the program's own handlers for those signals; idempotent.
void install_interrupt_cleanup();

/// Writes `text` into a staged output.
void write_text(const StagedOutput& out, const std::string& text);

/// Writes `text` to `path` as a run of one output; `name` names it in errors.
void write_text_file(const std::string& name, const std::string& path, const std::string& text);

/// Copies the bytes of the file `from` into a staged output.
void copy_into(const std::string& from, const StagedOutput& out);

/// True for the paths that name one of this process's descriptors: /dev/stdout, /dev/stderr,
/// /dev/fd/N, /proc/self/fd/N; `descriptor` receives N.
bool names_descriptor(const std::string& path, int& descriptor);

}  // namespace scgrad

#pragma once
/// @file reading_guard.hpp
/// The HDF5 library (1.10 in Debian 12) can crash on a damaged file instead of returning an
/// error: fuzzing scgrad's reader found crashes inside libhdf5 (e.g. in H5HG_read, the heap of
/// variable-length strings), a known class of upstream bugs. A program that reads user files
/// installs this guard once: if the process then dies of SIGSEGV, SIGBUS, SIGFPE or SIGILL, it
/// prints one line naming the file being read and exits with status 1 instead of dumping core.
/// The reader records the file it opens; the message is prepared in advance, so the handler
/// only writes it.

#include <string>

namespace scgrad {

/// Installs the handler (idempotent).
void install_reading_guard();

/// The file named in the message (the reader calls this when it opens a file).
void note_file_being_read(const std::string& path);

}  // namespace scgrad

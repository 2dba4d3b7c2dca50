#pragma once
/// @file reading_guard.hpp
/// An opt-in, process-wide guard for programs that read files they did not write. The library
/// never installs it: a host program (a GUI, a Python interpreter) keeps its own signal
/// handlers unless it calls this. The scgrad program calls it first thing in `main`.
///
/// The HDF5 library (1.10 in Debian 12) can crash on a damaged file instead of returning an
/// error: fuzzing scgrad's reader found crashes inside libhdf5 (e.g. in H5HG_read, the heap of
/// variable-length strings), a known class of upstream bugs. Every call scgrad makes into
/// libhdf5 to read a file marks itself (src/io/hdf5/, the one door to libhdf5); once the
/// guard is installed, a SIGSEGV, SIGBUS, SIGFPE or SIGILL on the thread inside such a call
/// prints one line naming the file and exits with status 1. A crash anywhere else stays a
/// crash (a bug in scgrad, or in the host, is not blamed on the file). libhdf5 can also loop
/// forever on a damaged file: a read lasting longer than SCGRAD_HDF5_TIMEOUT seconds (default
/// 600; reads are done in pieces of at most 4 M values) ends the same way — through alarm(2),
/// so a host that uses SIGALRM itself should not install the guard.

namespace scgrad {

/// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGALRM (idempotent). Not
/// thread-safe: call it before starting threads.
void install_reading_guard();

}  // namespace scgrad

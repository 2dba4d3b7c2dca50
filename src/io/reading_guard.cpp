#include "scgrad/io/reading_guard.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace scgrad {

namespace {

// Written before any crash, read only by the handler: fixed storage, no allocation there.
char message[8192];
volatile std::sig_atomic_t message_length = 0;

extern "C" void report_crash(int) {
  if (message_length > 0) {
    (void)!::write(STDERR_FILENO, message, static_cast<std::size_t>(message_length));
  }
  ::_exit(1);
}

}  // namespace

void note_file_being_read(const std::string& path) {
  const std::string text =
      "scgrad: error: " + path +
      ": the HDF5 library crashed while reading this file, so the file is damaged (a partial "
      "download or an interrupted write?); download or write it again, and check it with "
      "`h5dump -H` or Python's h5py\n";
  const auto length = std::min(text.size(), sizeof message);
  message_length = 0;  // never a half-written message
  std::memcpy(message, text.data(), length);
  message_length = static_cast<std::sig_atomic_t>(length);
}

void install_reading_guard() {
  struct sigaction action {};
  action.sa_handler = report_crash;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (const int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) ::sigaction(s, &action, nullptr);
}

}  // namespace scgrad

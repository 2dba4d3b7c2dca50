#include "scgrad/io/reading_guard.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "reading_scope.hpp"

namespace scgrad {

namespace {

// Written before any crash, read only by the handler: fixed storage, no allocation there.
// Scopes are opened and closed only under the lock of the door to libhdf5 (src/io/hdf5/), so one
// thread at a time writes this state; the handlers only read it.
char message[8192];
volatile std::sig_atomic_t message_length = 0;
volatile std::sig_atomic_t depth = 0;  // open ReadingScopes
std::atomic<long> reading_thread{0};   // the thread inside the outermost scope (gettid)
static_assert(std::atomic<long>::is_always_lock_free, "read in a signal handler");
std::string* file_in_message = nullptr;
bool guard_installed = false;  // alarms only where the SIGALRM handler is in place

char hang_message[8192];
volatile std::sig_atomic_t hang_message_length = 0;

/// Seconds one call into libhdf5 may take before it counts as hung: SCGRAD_HDF5_TIMEOUT, or 600
/// (read when a file's messages are prepared).
unsigned hang_timeout_seconds = 600;

unsigned hang_timeout_from_environment() {
  const char* text = std::getenv("SCGRAD_HDF5_TIMEOUT");
  const long value = text != nullptr ? std::strtol(text, nullptr, 10) : 0;
  return value > 0 ? static_cast<unsigned>(value) : 600U;
}

extern "C" void report_hang(int) {
  if (depth == 0 || hang_message_length == 0) return;  // not reading: ignore a stray alarm
  (void)!::write(STDERR_FILENO, hang_message, static_cast<std::size_t>(hang_message_length));
  ::_exit(1);
}

long this_thread() { return ::syscall(SYS_gettid); }

extern "C" void report_crash(int) {
  // SA_RESETHAND has restored the default action: returning re-runs the faulting instruction,
  // which then ends the program the usual way. Only the thread reading a file blames the file.
  if (depth == 0 || message_length == 0 || this_thread() != reading_thread.load()) return;
  (void)!::write(STDERR_FILENO, message, static_cast<std::size_t>(message_length));
  ::_exit(1);
}

void prepare_message(const std::string& path) {
  if (file_in_message == nullptr) file_in_message = new std::string();  // lives to exit
  if (*file_in_message == path) return;
  const std::string text =
      "scgrad: error: " + path +
      ": the HDF5 library crashed while reading this file, so the file is damaged (a partial "
      "download or an interrupted write?); download or write it again, and check it with "
      "`h5dump -H` or Python's h5py\n";
  const auto length = std::min(text.size(), sizeof message);
  message_length = 0;  // never a half-written message
  std::memcpy(message, text.data(), length);
  message_length = static_cast<std::sig_atomic_t>(length);
  hang_timeout_seconds = hang_timeout_from_environment();
  const std::string hang =
      "scgrad: error: " + path + ": the HDF5 library did not return within " +
      std::to_string(hang_timeout_seconds) +
      " s while reading this file, so the file is probably damaged; download or write it "
      "again (a slow disk? raise the limit with SCGRAD_HDF5_TIMEOUT=SECONDS)\n";
  const auto hang_length = std::min(hang.size(), sizeof hang_message);
  hang_message_length = 0;
  std::memcpy(hang_message, hang.data(), hang_length);
  hang_message_length = static_cast<std::sig_atomic_t>(hang_length);
  *file_in_message = path;
}

}  // namespace

ReadingScope::ReadingScope(const std::string& file) {
  prepare_message(file);
  if (depth == 0) {  // the outermost scope
    reading_thread.store(this_thread());
    if (guard_installed) ::alarm(hang_timeout_seconds);
  }
  depth = depth + 1;
}

ReadingScope::~ReadingScope() {
  depth = depth - 1;
  if (depth == 0) {
    if (guard_installed) ::alarm(0);
    reading_thread.store(0);
  }
}

void install_reading_guard() {
  struct sigaction action {};
  action.sa_handler = report_crash;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (const int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) ::sigaction(s, &action, nullptr);
  struct sigaction alarm_action {};
  alarm_action.sa_handler = report_hang;
  sigemptyset(&alarm_action.sa_mask);
  ::sigaction(SIGALRM, &alarm_action, nullptr);
  guard_installed = true;
}

}  // namespace scgrad

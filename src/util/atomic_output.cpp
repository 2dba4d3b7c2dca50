#include "scgrad/util/atomic_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "scgrad/error.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad {

namespace {

// Temporary files being written, for the signal handler: fixed storage, because a handler may
// only touch memory it does not allocate.
constexpr int kSlots = 16;
constexpr std::size_t kPathBytes = 4096;
char temporary_paths[kSlots][kPathBytes];
std::atomic<bool> slot_used[kSlots];

/// Ctrl-C or a kill: remove the temporary files, then die of the same signal (SA_RESETHAND
/// has restored the default action).
extern "C" void remove_temporaries(int signal_number) {
  for (int i = 0; i < kSlots; ++i) {
    if (slot_used[i].load(std::memory_order_acquire)) ::unlink(temporary_paths[i]);
  }
  ::raise(signal_number);
}

int register_temporary(const std::string& path) {
  if (path.size() >= kPathBytes) return -1;
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (slot_used[i].load(std::memory_order_relaxed)) continue;
    std::memcpy(temporary_paths[i], path.c_str(), path.size() + 1);
    slot_used[i].store(true, std::memory_order_release);
    return i;
  }
  return -1;  // more than kSlots outputs at once: this one is not cleaned up on a signal
}

void unregister_temporary(int slot) {
  if (slot >= 0) slot_used[slot].store(false, std::memory_order_release);
}

[[noreturn]] void cannot_write(const std::string& destination, int errnum) {
  throw Error(destination + ": cannot write: " + plain_cause(errnum) + " (nothing was replaced)");
}

/// write(2) until done, retrying on EINTR.
void write_all(int fd, const char* data, std::size_t size, const std::string& destination) {
  while (size > 0) {
    const auto n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      cannot_write(destination, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

/// A file descriptor closed on scope exit.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

AtomicOutput::AtomicOutput(std::string destination) : destination_(std::move(destination)) {
  const std::filesystem::path path(destination_);
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(folder)) {
    throw Error(destination_ + ": cannot write: folder '" + folder.string() + "' does not exist");
  }
  temporary_ =
      (folder / ("." + path.filename().string() + ".tmp-" + std::to_string(getpid()))).string();
  slot_ = register_temporary(temporary_);
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) std::remove(temporary_.c_str());
  unregister_temporary(slot_);
}

void AtomicOutput::commit() {
  // Data first, then the name: after a crash the destination is the old file or the whole
  // new one.
  const int fd = ::open(temporary_.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    cannot_write(destination_, error);
  }
  ::close(fd);
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    throw Error(destination_ + ": cannot move the finished output into place: " +
                plain_cause(errno) + " (nothing was replaced)");
  }
  committed_ = true;
  unregister_temporary(slot_);
  slot_ = -1;
}

void install_interrupt_cleanup() {
  struct sigaction action {};
  action.sa_handler = remove_temporaries;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (const int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &action, nullptr);
}

void write_text_atomically(const std::string& path, const std::string& text,
                           const std::string& what) {
  AtomicOutput out(path);
  {
    const Descriptor file{::open(out.temporary_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)};
    if (file.fd < 0) {
      throw Error(path + ": cannot write (" + what + "): " + plain_cause(errno));
    }
    write_all(file.fd, text.data(), text.size(), path);
  }
  out.commit();
}

void copy_into_output(const std::string& from, const std::string& to,
                      const std::string& destination) {
  const Descriptor in{::open(from.c_str(), O_RDONLY)};
  if (in.fd < 0) throw Error(from + ": cannot read: " + plain_cause(errno));
  const Descriptor out{::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)};
  if (out.fd < 0) cannot_write(destination, errno);
  std::vector<char> buffer(std::size_t{1} << 20);
  for (;;) {
    const auto n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(from + ": cannot read: " + plain_cause(errno));
    }
    if (n == 0) break;
    write_all(out.fd, buffer.data(), static_cast<std::size_t>(n), destination);
  }
}

}  // namespace scgrad

#include "scgrad/util/atomic_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

// Temporary files being written, for the signal handler: fixed storage, because a handler may
// only touch memory it does not allocate.
constexpr int kSlots = 16;
constexpr std::size_t kPathBytes = 4096;
char temporary_paths[kSlots][kPathBytes];
std::atomic<bool> slot_used[kSlots];

/// Ctrl-C or a kill: remove the temporary files, then die of the same signal as before.
extern "C" void remove_temporaries(int signal_number) {
  for (int i = 0; i < kSlots; ++i) {
    if (slot_used[i].load(std::memory_order_acquire)) ::unlink(temporary_paths[i]);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

int register_temporary(const std::string& path) {
  static std::once_flag installed;
  std::call_once(installed, [] {
    for (const int s : {SIGINT, SIGTERM, SIGHUP}) ::signal(s, remove_temporaries);
  });
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
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw Error(destination_ + ": cannot write: " + reason);
  }
  ::close(fd);
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    throw Error(destination_ +
                ": cannot move the finished output into place: " + std::strerror(errno));
  }
  committed_ = true;
  unregister_temporary(slot_);
  slot_ = -1;
}

void write_text_atomically(const std::string& path, const std::string& text,
                           const std::string& what) {
  AtomicOutput out(path);
  {
    std::ofstream file(out.temporary_path());
    file << text;
    file.flush();
    if (!file) throw Error(path + ": cannot write (" + what + ")");
  }
  out.commit();
}

}  // namespace scgrad

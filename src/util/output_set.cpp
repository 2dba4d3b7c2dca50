#include "scgrad/util/output_set.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>

#include "scgrad/error.hpp"
#include "scgrad/util/output_paths.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad {

namespace fs = std::filesystem;

namespace {

// Staging files being written, for the signal handler: fixed storage, because a handler may
// only touch memory it does not allocate.
constexpr int kSlots = 16;
constexpr std::size_t kPathBytes = 4096;
char staging_paths[kSlots][kPathBytes];
std::atomic<bool> slot_used[kSlots];

/// Ctrl-C or a kill: remove the staging files, then die of the same signal (SA_RESETHAND has
/// restored the default action).
extern "C" void remove_staging_files(int signal_number) {
  for (int i = 0; i < kSlots; ++i) {
    if (slot_used[i].load(std::memory_order_acquire)) ::unlink(staging_paths[i]);
  }
  ::raise(signal_number);
}

int register_staging(const std::string& path) {
  if (path.size() >= kPathBytes) return -1;
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (slot_used[i].load(std::memory_order_relaxed)) continue;
    std::memcpy(staging_paths[i], path.c_str(), path.size() + 1);
    slot_used[i].store(true, std::memory_order_release);
    return i;
  }
  return -1;  // more than kSlots outputs at once: this one is not removed on a signal
}

void unregister_staging(int& slot) {
  if (slot >= 0) slot_used[slot].store(false, std::memory_order_release);
  slot = -1;
}

std::string quoted(const StagedOutput& out) { return out.name() + " '" + out.destination() + "'"; }

/// A file descriptor closed on scope exit.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

/// SIGPIPE held back on this thread while writing to a pipe, so a reader that stops early
/// (`| head`) gives EPIPE instead of killing the process; the process's disposition is untouched.
class PipeSignalBlocked {
 public:
  PipeSignalBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~PipeSignalBlocked() {
    if (broke_ && !was_pending_) {  // take back the SIGPIPE our write raised
      const timespec now{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &now) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  PipeSignalBlocked(const PipeSignalBlocked&) = delete;
  PipeSignalBlocked& operator=(const PipeSignalBlocked&) = delete;
  void broke() { broke_ = true; }

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool was_pending_ = false;
  bool broke_ = false;
};

/// write(2) until done, retrying on EINTR; returns 0 or the errno that stopped it.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

/// Copies the file `from` to `fd`; returns 0 or the errno of the failed write (a failed read
/// throws). EPIPE is returned like any other: the caller decides what a closed pipe means.
int copy_file_to(const std::string& from, int fd) {
  const Descriptor in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) throw Error(from + ": cannot read: " + plain_cause(errno));
  std::vector<char> buffer(std::size_t{1} << 20);
  for (;;) {
    const auto n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(from + ": cannot read: " + plain_cause(errno));
    }
    if (n == 0) return 0;
    if (const int error = write_all(fd, buffer.data(), static_cast<std::size_t>(n))) return error;
  }
}

/// Why no file can be created in `folder`, in words: a pseudo-filesystem is named as one
/// (creating a file in /proc fails with "no such file", which would blame the folder).
std::string cannot_create_cause(const fs::path& folder, int errnum) {
  struct statfs info {};
  if (::statfs(folder.c_str(), &info) == 0) {
    const char* pseudo = nullptr;
    switch (static_cast<unsigned long>(info.f_type)) {
      case 0x9fa0:
        pseudo = "proc";
        break;
      case 0x62656572:
        pseudo = "sysfs";
        break;
      case 0x1cd1:
        pseudo = "devpts";
        break;
      case 0x63677270:
      case 0x27e0eb:
        pseudo = "cgroup";
        break;
      default:
        break;
    }
    if (pseudo != nullptr) {
      return "cannot create a file in '" + folder.string() + "': it is on " + pseudo +
             ", a pseudo-filesystem of the kernel, not a place for files";
    }
  }
  if (errnum == EACCES || errnum == EPERM) {
    return "cannot create a file in '" + folder.string() + "': permission denied";
  }
  if (errnum == EROFS) return "'" + folder.string() + "' is on a read-only file system";
  return "cannot create a file in '" + folder.string() + "': " + plain_cause(errnum);
}

std::string staging_name(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  return "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

/// The staging name beside `target`; throws naming `what` when its folder does not exist.
std::string staging_beside(const fs::path& target, const std::string& what) {
  const auto folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    throw Error(what + ": the folder '" + folder.string() + "' does not exist");
  }
  return (folder / staging_name(target)).string();
}

/// Creates the empty staging file; throws naming `what`.
void create_staging(const std::string& staging, const std::string& what) {
  const int fd = ::open(staging.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    throw Error(what + ": " + cannot_create_cause(fs::path(staging).parent_path(), error));
  }
  ::close(fd);
}

/// A new, empty staging file in the temporary folder (for a device or pipe).
std::string create_in_temporary_folder(const std::string& what) {
  std::error_code error;
  auto folder = fs::temp_directory_path(error);
  if (error) folder = "/tmp";
  std::string name = (folder / "scgrad-output-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    throw Error(what + ": cannot stage it in the temporary folder '" + folder.string() +
                "' (TMPDIR): " + plain_cause(errno));
  }
  ::close(fd);
  return name;
}

bool is_number(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

bool names_descriptor(const std::string& path, int& descriptor) {
  if (path == "/dev/stdin")
    descriptor = 0;
  else if (path == "/dev/stdout")
    descriptor = 1;
  else if (path == "/dev/stderr")
    descriptor = 2;
  else {
    std::string number;
    for (const std::string prefix : {"/dev/fd/", "/proc/self/fd/"}) {
      if (path.rfind(prefix, 0) == 0) number = path.substr(prefix.size());
    }
    if (!is_number(number) || number.size() > 6) return false;
    descriptor = std::stoi(number);
  }
  return true;
}

const StagedOutput& OutputSet::add(const std::string& name, const std::string& destination) {
  auto out = std::make_unique<StagedOutput>();
  out->name_ = name;
  out->destination_ = destination;
  const auto what = quoted(*out);
  if (destination.empty()) throw Error(name + ": no path given");
  std::vector<NamedPath> named;  // one rule for "the same file" (output_paths.hpp)
  for (const auto& other : outputs_) named.push_back({other->name_, other->destination_});
  named.push_back({name, destination});
  check_outputs_apart({}, named);

  struct stat info {};
  if (names_descriptor(destination, out->descriptor_)) {
    const int flags = ::fcntl(out->descriptor_, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
      throw Error(what + ": descriptor " + std::to_string(out->descriptor_) +
                  " of this process is not open for writing");
    }
    out->stream_ = true;
  } else if (::stat(destination.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) throw Error(what + " is a directory; give a file name inside it");
    if (S_ISSOCK(info.st_mode) || S_ISBLK(info.st_mode)) {
      throw Error(what + " is a " + (S_ISSOCK(info.st_mode) ? "socket" : "block device (a disk)") +
                  "; scgrad writes regular files, character devices and pipes");
    }
    if (::access(destination.c_str(), W_OK) != 0) {
      throw Error(what + (errno == EROFS ? " is on a read-only file system"
                                         : " is not writable (" + plain_cause(errno) +
                                               "); make it writable or choose another path"));
    }
    out->stream_ = S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode);
    out->existed_ = !out->stream_;
    out->mode_ = info.st_mode & 07777;
  } else if (errno != ENOENT) {
    throw Error(what + ": " + plain_cause(errno));
  }

  if (out->stream_) {
    out->staging_ = create_in_temporary_folder(what);  // mkstemp names it as it creates it
    out->signal_slot_ = register_staging(out->staging_);
  } else {
    const auto target = link_target(destination);  // a link: write what it names
    if (!target) throw Error(what + ": a link that cannot be read, or more than 40 in a chain");
    out->target_ = target->string();
    out->staging_ = staging_beside(*target, what);
    // Registered before it exists: a signal between creating and registering would leave it.
    out->signal_slot_ = register_staging(out->staging_);
    try {
      create_staging(out->staging_, what);
    } catch (...) {
      unregister_staging(out->signal_slot_);
      throw;
    }
  }
  outputs_.push_back(std::move(out));
  return *outputs_.back();
}

void OutputSet::drop(const StagedOutput& out) {
  for (auto it = outputs_.begin(); it != outputs_.end(); ++it) {
    if (it->get() != &out) continue;
    ::unlink((*it)->staging_.c_str());
    unregister_staging((*it)->signal_slot_);
    outputs_.erase(it);
    return;
  }
}

OutputSet::~OutputSet() {
  for (auto& out : outputs_) {
    if (!committed_ || out->stream_) ::unlink(out->staging_.c_str());
    unregister_staging(out->signal_slot_);
  }
}

void OutputSet::commit() {
  // Data first, then names: after a crash each destination is its old file or the whole new one.
  for (const auto& out : outputs_) {
    if (out->stream_) continue;
    const Descriptor file{::open(out->staging_.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0 || ::fsync(file.fd) != 0) {
      throw Error(quoted(*out) + ": cannot write: " + plain_cause(errno) +
                  " (no file was replaced)");
    }
    if (out->existed_) ::chmod(out->staging_.c_str(), out->mode_);
  }
  // Streams next: they cannot be taken back, so they go before any file is replaced.
  for (const auto& out : outputs_) {
    if (!out->stream_) continue;
    const bool own = out->descriptor_ < 0;
    const Descriptor opened{own ? ::open(out->destination_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC)
                                : -1};
    const int fd = own ? opened.fd : out->descriptor_;
    if (fd < 0) {
      throw Error(quoted(*out) + ": cannot open: " + plain_cause(errno) +
                  " (no file was replaced)");
    }
    PipeSignalBlocked guard;
    const int error = copy_file_to(out->staging_, fd);
    if (error == EPIPE) {
      guard.broke();  // the reader stopped reading (`| head`): what it wanted, it has
    } else if (error != 0) {
      throw Error(quoted(*out) + ": cannot write: " + plain_cause(error) +
                  " (no file was replaced)");
    }
  }
  // Files last, each old file kept as a hard link until all are in place.
  std::vector<std::string> backups(outputs_.size());
  std::size_t i = 0;
  auto restore = [&](std::size_t upto) {
    for (std::size_t j = 0; j < upto; ++j) {
      const auto& out = *outputs_[j];
      if (out.stream_) continue;
      if (!backups[j].empty()) {
        ::rename(backups[j].c_str(), out.target_.c_str());
      } else if (!out.existed_) {
        ::unlink(out.target_.c_str());
      }
    }
  };
  for (; i < outputs_.size(); ++i) {
    const auto& out = *outputs_[i];
    if (out.stream_) continue;
    if (out.existed_) {
      const auto backup = out.staging_ + ".old";
      if (::link(out.target_.c_str(), backup.c_str()) == 0) backups[i] = backup;
    }
    if (::rename(out.staging_.c_str(), out.target_.c_str()) != 0) {
      const int error = errno;
      restore(i);
      for (const auto& b : backups) {
        if (!b.empty()) ::unlink(b.c_str());
      }
      throw Error(quoted(out) + ": cannot move the finished output into place: " +
                  plain_cause(error) + " (no file was replaced)");
    }
  }
  for (const auto& b : backups) {
    if (!b.empty()) ::unlink(b.c_str());
  }
  committed_ = true;
  for (auto& out : outputs_) unregister_staging(out->signal_slot_);
}

void install_interrupt_cleanup() {
  struct sigaction action {};
  action.sa_handler = remove_staging_files;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (const int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &action, nullptr);
}

void write_text(const StagedOutput& out, const std::string& text) {
  const Descriptor file{::open(out.path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC)};
  const int error = file.fd < 0 ? errno : write_all(file.fd, text.data(), text.size());
  if (error != 0) {
    throw Error(quoted(out) + ": cannot write: " + plain_cause(error) + " (nothing was replaced)");
  }
}

void write_text_file(const std::string& name, const std::string& path, const std::string& text) {
  OutputSet outputs;
  write_text(outputs.add(name, path), text);
  outputs.commit();
}

void copy_into(const std::string& from, const StagedOutput& out) {
  const Descriptor file{::open(out.path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC)};
  const int error = file.fd < 0 ? errno : copy_file_to(from, file.fd);
  if (error != 0) {
    throw Error(quoted(out) + ": cannot write: " + plain_cause(error) + " (nothing was replaced)");
  }
}

}  // namespace scgrad

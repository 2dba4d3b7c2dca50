// Test-only LD_PRELOAD shim: makes writes to chosen files fail with a chosen errno, as a full
// disk (ENOSPC), a read-only file system (EROFS) or a refused permission (EACCES) would, so
// that tests running as root on a roomy disk can check what scgrad says and what it leaves.
//
//   SCGRAD_FAIL_ERRNO=28            the errno to fail with
//   SCGRAD_FAIL_PATHS=".tmp-"       fail only for files whose path contains this text
//   SCGRAD_FAIL_CALLS=write,fsync,rename,open   which calls fail (default: write,fsync,rename)
//
// write-family calls (write, pwrite, pwrite64, writev, copy_file_range, sendfile) count as
// "write"; fsync and fdatasync as "fsync"; rename as "rename" (either path); open, open64 and
// openat with O_WRONLY/O_RDWR/O_CREAT as "open".
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int enabled(const char* call) {
  const char* calls = getenv("SCGRAD_FAIL_CALLS");
  if (getenv("SCGRAD_FAIL_ERRNO") == NULL) return 0;
  if (calls == NULL) calls = "write,fsync,rename";
  const size_t n = strlen(call);
  for (const char* p = strstr(calls, call); p != NULL; p = strstr(p + 1, call)) {
    if ((p == calls || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  }
  return 0;
}

static int matches_path(const char* path) {
  const char* wanted = getenv("SCGRAD_FAIL_PATHS");
  return path != NULL && (wanted == NULL || strstr(path, wanted) != NULL);
}

static int matches_fd(int fd) {
  char link[64], target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return 0;
  target[n] = '\0';
  return matches_path(target);
}

static int fail(void) {
  errno = atoi(getenv("SCGRAD_FAIL_ERRNO"));
  return -1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t count) {
  if (enabled("write") && matches_fd(fd)) return fail();
  return REAL(write)(fd, buf, count);
}
ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  if (enabled("write") && matches_fd(fd)) return fail();
  return REAL(pwrite)(fd, buf, count, offset);
}
ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  if (enabled("write") && matches_fd(fd)) return fail();
  return REAL(pwrite64)(fd, buf, count, offset);
}
ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  if (enabled("write") && matches_fd(fd)) return fail();
  return REAL(writev)(fd, iov, iovcnt);
}
ssize_t copy_file_range(int in, off64_t* in_off, int out, off64_t* out_off, size_t len,
                        unsigned flags) {
  if (enabled("write") && matches_fd(out)) return fail();
  return REAL(copy_file_range)(in, in_off, out, out_off, len, flags);
}
ssize_t sendfile(int out, int in, off_t* offset, size_t count) {
  if (enabled("write") && matches_fd(out)) return fail();
  return REAL(sendfile)(out, in, offset, count);
}
ssize_t sendfile64(int out, int in, off64_t* offset, size_t count) {
  if (enabled("write") && matches_fd(out)) return fail();
  return REAL(sendfile64)(out, in, offset, count);
}
int fsync(int fd) {
  if (enabled("fsync") && matches_fd(fd)) return fail();
  return REAL(fsync)(fd);
}
int fdatasync(int fd) {
  if (enabled("fsync") && matches_fd(fd)) return fail();
  return REAL(fdatasync)(fd);
}
int rename(const char* from, const char* to) {
  if (enabled("rename") && (matches_path(from) || matches_path(to))) return fail();
  return REAL(rename)(from, to);
}

static int writing(int flags) { return (flags & (O_WRONLY | O_RDWR | O_CREAT)) != 0; }

int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = (flags & O_CREAT) ? va_arg(args, mode_t) : 0;
  va_end(args);
  if (enabled("open") && writing(flags) && matches_path(path)) return fail();
  return REAL(open)(path, flags, mode);
}
int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = (flags & O_CREAT) ? va_arg(args, mode_t) : 0;
  va_end(args);
  if (enabled("open") && writing(flags) && matches_path(path)) return fail();
  return REAL(open64)(path, flags, mode);
}

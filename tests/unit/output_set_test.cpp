// OutputSet: files replaced whole and only at commit, links followed, devices and pipes written
// into (never replaced), and a run that fails leaving every file as it was.

#include "scgrad/util/output_set.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "scgrad/error.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

namespace fs = std::filesystem;

std::string content(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t entries(const fs::path& folder) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OutputSet, ReplacesAFileOnlyAtCommitAndKeepsItsPermissions) {
  test::TempDir dir;
  const auto path = dir.file("out.txt");
  std::ofstream(path) << "old";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  OutputSet outputs;
  write_text(outputs.add("--out", path), "new");
  EXPECT_EQ(content(path), "old");
  outputs.commit();
  EXPECT_EQ(content(path), "new");
  EXPECT_EQ(fs::status(path).permissions(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(entries(dir.path), 1U) << "no staging file left";
}

TEST(OutputSet, WithoutCommitNothingChanges) {
  test::TempDir dir;
  const auto path = dir.file("out.txt");
  std::ofstream(path) << "old";
  {
    OutputSet outputs;
    write_text(outputs.add("--out", path), "half-written");
    write_text(outputs.add("--csv", dir.file("new.csv")), "never seen");
  }
  EXPECT_EQ(content(path), "old");
  EXPECT_EQ(entries(dir.path), 1U);
}

TEST(OutputSet, ALinkIsKeptAndTheFileItNamesReplaced) {
  test::TempDir dir;
  fs::create_directory(dir.path / "results");
  const auto target = dir.file("results/model.h5");
  std::ofstream(target) << "old";
  fs::create_symlink("results/model.h5", dir.path / "latest.h5");
  fs::create_symlink(dir.path / "results" / "new.h5", dir.path / "dangling.h5");
  OutputSet outputs;
  write_text(outputs.add("--out", dir.file("latest.h5")), "new");
  write_text(outputs.add("--csv", dir.file("dangling.h5")), "created");
  outputs.commit();
  EXPECT_TRUE(fs::is_symlink(dir.path / "latest.h5"));
  EXPECT_TRUE(fs::is_symlink(dir.path / "dangling.h5"));
  EXPECT_EQ(content(target), "new");
  EXPECT_EQ(content(dir.file("results/new.h5")), "created");
  EXPECT_EQ(entries(dir.path / "results"), 2U);
}

TEST(OutputSet, APipeReceivesTheBytesAndStaysAPipe) {
  test::TempDir dir;
  const auto fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = content(fifo); });
  {
    OutputSet outputs;
    write_text(outputs.add("--csv", fifo), "cell,label\nc1,Astrocytes\n");
    outputs.commit();
  }
  reader.join();
  EXPECT_EQ(received, "cell,label\nc1,Astrocytes\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(OutputSet, ADeviceIsNeverReplacedAndAFailedWriteReplacesNoFile) {
  test::TempDir dir;
  // A node like /dev/full (every write fails with ENOSPC) made where a rename could replace it;
  // /dev/full itself when not root.
  auto full = dir.file("full");
  if (::mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) full = "/dev/full";
  const auto file = dir.file("labelled.h5ad");
  std::ofstream(file) << "old";
  OutputSet outputs;
  write_text(outputs.add("--out", file), "new");
  write_text(outputs.add("--csv", full), "cell,label\n");
  const auto error = error_of([&] { outputs.commit(); });
  EXPECT_NE(error.find("--csv '" + full + "': cannot write: no space left on device"),
            std::string::npos)
      << error;
  EXPECT_TRUE(fs::is_character_file(full));
  EXPECT_EQ(content(file), "old");
}

TEST(OutputSet, AReaderThatStopsEarlyEndsTheCopyQuietly) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  ::close(ends[0]);  // `| head` that has read what it wanted
  OutputSet outputs;
  write_text(outputs.add("--csv", "/dev/fd/" + std::to_string(ends[1])), std::string(1 << 20, 'x'));
  EXPECT_NO_THROW(outputs.commit());  // and the process was not killed by SIGPIPE
  sigset_t pending;
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0) << "the SIGPIPE the write raised was taken back";
  ::close(ends[1]);
}

TEST(OutputSet, ADescriptorPathWritesIntoTheDescriptor) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  {
    OutputSet outputs;
    const auto& out = outputs.add("--csv", "/proc/self/fd/" + std::to_string(ends[1]));
    EXPECT_TRUE(out.is_stream());
    write_text(out, "through the pipe");
    outputs.commit();
  }
  ::close(ends[1]);
  char buffer[64] = {};
  EXPECT_EQ(::read(ends[0], buffer, sizeof buffer), 16);
  EXPECT_STREQ(buffer, "through the pipe");
  ::close(ends[0]);
}

TEST(OutputSet, RefusesWhatIsNoFileBeforeAnyWork) {
  test::TempDir dir;
  OutputSet outputs;
  EXPECT_NE(error_of([&] { outputs.add("--out", dir.path.string()); }).find("is a directory"),
            std::string::npos);
  const auto socket_path = dir.file("socket");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_NE(error_of([&] { outputs.add("--csv", socket_path); }).find("is a socket"),
            std::string::npos);
  ::close(fd);
  EXPECT_NE(error_of([&] {
              outputs.add("--out", dir.file("absent/x.h5"));
            }).find("the folder '" + dir.file("absent") + "' does not exist"),
            std::string::npos);
  // /proc takes no new files: root may "write" /proc/version, but nothing can be created there.
  const auto proc = error_of([&] { outputs.add("--metrics-out", "/proc/version"); });
  EXPECT_TRUE(proc.find("pseudo-filesystem") != std::string::npos ||
              proc.find("not writable") != std::string::npos)
      << proc;
  EXPECT_EQ(proc.find("does not exist"), std::string::npos) << proc;
  EXPECT_TRUE(outputs.empty());
}

TEST(OutputSet, TwoOutputsOnOneFileAreRefused) {
  test::TempDir dir;
  fs::create_symlink("a.txt", dir.path / "b.txt");
  OutputSet outputs;
  outputs.add("--out", dir.file("a.txt"));
  EXPECT_NE(error_of([&] { outputs.add("--csv", dir.file("b.txt")); }).find("is also --out"),
            std::string::npos);
}

TEST(OutputSet, AFailedRenameRestoresTheFilesAlreadyReplaced) {
  test::TempDir dir;
  const auto first = dir.file("first.txt");
  const auto second = dir.file("second.txt");
  std::ofstream(first) << "old first";
  std::ofstream(second) << "old second";
  {
    OutputSet outputs;
    write_text(outputs.add("--out", first), "new first");
    write_text(outputs.add("--csv", second), "new second");
    // Between staging and commit the second path became a folder that is not empty: its rename
    // fails after the first file was replaced.
    fs::remove(second);
    fs::create_directory(second);
    std::ofstream(dir.file("second.txt/keep")) << "";
    EXPECT_NE(error_of([&] { outputs.commit(); }).find("--csv '" + second + "'"),
              std::string::npos);
    EXPECT_EQ(content(first), "old first");
  }
  EXPECT_EQ(entries(dir.path), 2U) << "no staging file or backup left";
}

TEST(OutputSet, ADroppedOutputLeavesItsDestinationAlone) {
  test::TempDir dir;
  const auto kept = dir.file("curves.png");
  const auto dropped = dir.file("curves.confusion.png");
  std::ofstream(dropped) << "an earlier run's";
  OutputSet outputs;
  write_text(outputs.add("--plot", kept), "png");
  outputs.drop(outputs.add("--plot (confusion matrix)", dropped));
  outputs.commit();
  EXPECT_EQ(content(kept), "png");
  EXPECT_EQ(content(dropped), "an earlier run's");
  EXPECT_EQ(entries(dir.path), 2U);
}

}  // namespace
}  // namespace scgrad

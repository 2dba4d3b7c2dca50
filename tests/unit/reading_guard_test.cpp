// A crash while a file is being read ends in one error line naming the file, exit status 1;
// a crash elsewhere is not blamed on a file.

#include "scgrad/io/reading_guard.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace scgrad {
namespace {

TEST(ReadingGuardDeathTest, CrashWhileReadingBecomesOneLineNamingTheFile) {
  EXPECT_EXIT(
      {
        install_reading_guard();
        const ReadingScope reading("/data/damaged.h5ad");
        std::raise(SIGSEGV);
      },
      ::testing::ExitedWithCode(1),
      "^scgrad: error: /data/damaged.h5ad: the HDF5 library crashed while reading this file");
}

TEST(ReadingGuardDeathTest, ReadingThatNeverReturnsEndsInOneLine) {
  EXPECT_EXIT(
      {
        setenv("SCGRAD_HDF5_TIMEOUT", "1", 1);
        install_reading_guard();
        const ReadingScope reading("/data/looping.h5ad");
        for (;;) pause();  // as libhdf5 looping on a damaged file
      },
      ::testing::ExitedWithCode(1),
      "^scgrad: error: /data/looping.h5ad: the HDF5 library did not return within 1 s");
}

TEST(ReadingGuardDeathTest, CrashOutsideReadingStaysACrash) {
  EXPECT_EXIT(
      {
        install_reading_guard();
        { const ReadingScope reading("/data/fine.h5ad"); }
        std::raise(SIGSEGV);  // the handler declines and restores the default action
        std::raise(SIGSEGV);
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

}  // namespace
}  // namespace scgrad

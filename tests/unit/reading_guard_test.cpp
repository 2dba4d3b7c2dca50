// A crash while a file is being read ends in one error line naming the file, exit status 1.

#include "scgrad/io/reading_guard.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace scgrad {
namespace {

TEST(ReadingGuardDeathTest, SegfaultBecomesOneLineNamingTheFile) {
  EXPECT_EXIT(
      {
        install_reading_guard();
        note_file_being_read("/data/damaged.h5ad");
        std::raise(SIGSEGV);
      },
      ::testing::ExitedWithCode(1),
      "^scgrad: error: /data/damaged.h5ad: the HDF5 library crashed while reading this file");
}

}  // namespace
}  // namespace scgrad

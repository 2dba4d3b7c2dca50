// A crash while a file is being read ends in one error line naming the file, exit status 1;
// a crash elsewhere (another thread, or no read under way) is not blamed on a file.

#include "scgrad/io/reading_guard.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "io/reading_scope.hpp"
#include "scgrad/io/h5ad_reader.hpp"

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

TEST(ReadingGuardDeathTest, CrashOnAnotherThreadIsNotBlamedOnTheFileBeingRead) {
  EXPECT_EXIT(
      {
        install_reading_guard();
        const ReadingScope reading("/data/fine.h5ad");  // this thread reads
        std::thread other([] {
          std::raise(SIGSEGV);  // declined: not the reading thread
          std::raise(SIGSEGV);
        });
        other.join();
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

// --- a crash inside libhdf5 during a real read --------------------------------------------

constexpr H5Z_filter_t kCrashingFilter = 40000;  // a private id, never in a real file

/// Stores chunks as they are; crashes when asked to decode one, as libhdf5 does on some
/// damaged files.
size_t crash_on_read(unsigned flags, size_t, const unsigned[], size_t nbytes, size_t*, void**) {
  if ((flags & H5Z_FLAG_REVERSE) != 0) std::raise(SIGSEGV);
  return nbytes;
}

/// An anndata 0.6 file (obs and var as record arrays) whose obs record array is stored
/// through the crashing filter. Reading its fields was a raw libhdf5 call outside the door
/// before the reader was split (H5Dread in h5ad_reader.cpp).
std::string write_file_that_crashes_libhdf5() {
  static const H5Z_class2_t filter = {H5Z_CLASS_T_VERS, kCrashingFilter, 1,       1,
                                      "crash-on-read",  nullptr,         nullptr, crash_on_read};
  H5Zregister(&filter);
  const auto path =
      (std::filesystem::temp_directory_path() / ("crashing-" + std::to_string(getpid()) + ".h5ad"))
          .string();
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  struct Record {
    char index[8];
    double n_counts;
  };
  const Record records[4] = {{"c1", 1}, {"c2", 2}, {"c3", 3}, {"c4", 4}};
  const hid_t name = H5Tcopy(H5T_C_S1);
  H5Tset_size(name, 8);
  const hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(Record));
  H5Tinsert(type, "index", HOFFSET(Record, index), name);
  H5Tinsert(type, "n_counts", HOFFSET(Record, n_counts), H5T_NATIVE_DOUBLE);
  const hsize_t n = 4;
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t create = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(create, 1, &n);
  H5Pset_filter(create, kCrashingFilter, H5Z_FLAG_MANDATORY, 0, nullptr);
  for (const char* df : {"obs", "var"}) {
    const hid_t ds = H5Dcreate2(file, df, type, space, H5P_DEFAULT,
                                std::string(df) == "obs" ? create : H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, records);
    H5Dclose(ds);
  }
  H5Pclose(create);
  H5Sclose(space);
  H5Tclose(type);
  H5Tclose(name);
  H5Fclose(file);
  return path;
}

TEST(ReadingGuardDeathTest, CrashInsideLibhdf5DuringAColumnReadIsOneLine) {
  const auto path = write_file_that_crashes_libhdf5();
  EXPECT_EXIT(
      {
        install_reading_guard();
        const H5adFile file(path);  // opening reads only metadata
        (void)file.obs_column("n_counts");
      },
      ::testing::ExitedWithCode(1),
      "^scgrad: error: " + path + ": the HDF5 library crashed while reading this file");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace scgrad

#include "read_like_scgrad.hpp"

#include <unistd.h>

#include <filesystem>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"

namespace scgrad::fuzz {

namespace {

// Files may declare matrices of any size; the harness reads only those a fuzz run can hold
// (a real file that large is read the same way, just slower).
constexpr std::int64_t kMaxEntries = 1 << 20;

template <typename Step>
void attempt(Step step) {
  try {
    step();
  } catch (const Error&) {
    // the expected end for a malformed element
  }
}

}  // namespace

const std::string& scratch_path() {
  static const std::string path =
      (std::filesystem::is_directory("/dev/shm") ? std::string("/dev/shm") : std::string("/tmp")) +
      "/scgrad-fuzz-" + std::to_string(getpid()) + ".h5ad";
  return path;
}

void read_like_scgrad(const std::string& path) {
  std::unique_ptr<H5adFile> file;
  attempt([&] { file = std::make_unique<H5adFile>(path); });
  if (!file) return;
  attempt([&] { file->obs_names(); });
  attempt([&] {
    for (const auto& name : file->obs_column_names()) {
      attempt([&] { file->obs_column(name).as_categorical(); });
    }
  });
  attempt([&] {
    for (const auto& key : file->matrix_keys()) {
      attempt([&] { file->var_names(key); });
      attempt([&] {
        const auto info = file->matrix_info(key);
        if (info.stored_values > kMaxEntries || info.n_rows > kMaxEntries ||
            info.n_cols > kMaxEntries) {
          return;
        }
        file->value_summary(key);
        file->read_all(key);
        std::vector<std::int64_t> odd_rows;  // a selection with gaps, as train's split reads
        for (std::int64_t r = 1; r < info.n_rows; r += 2) odd_rows.push_back(r);
        file->read_rows(key, odd_rows);
      });
    }
  });
}

}  // namespace scgrad::fuzz

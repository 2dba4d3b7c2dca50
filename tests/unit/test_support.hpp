#pragma once
// Paths and helpers shared by the unit tests.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "scgrad/simulate/simulate_counts.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad::test {

/// The project's folder. Defined in a file CMake writes into the build folder
/// (tests/source_dir.cpp.in), not as a compiler flag: every other test file then compiles to the
/// same object in any clone, and ccache serves a fresh clone what an earlier one compiled.
const char* source_dir();

/// The repository's data/ (the glia subset and anndata's format fixtures).
inline std::filesystem::path repository_data() {
  return std::filesystem::path(source_dir()) / "data";
}

/// A random CSR matrix: each entry stored when the generator's next draw is divisible by
/// `one_in`, its value uniform in [low, high) times 1 + column % column_spread (columns of
/// unequal variance when column_spread > 1). The same arguments give the same matrix.
inline std::shared_ptr<CsrMatrix> random_csr(std::int64_t rows, std::int64_t cols, unsigned seed,
                                             unsigned one_in, float low, float high,
                                             std::int64_t column_spread = 1) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> value(low, high);
  auto m = std::make_shared<CsrMatrix>();
  m->n_rows = rows;
  m->n_cols = cols;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      if (random() % one_in == 0) {
        m->indices.push_back(static_cast<std::int32_t>(c));
        m->data.push_back(value(random) * static_cast<float>(1 + c % column_spread));
      }
    }
    m->indptr.push_back(static_cast<std::int64_t>(m->data.size()));
  }
  return m;
}

/// A fresh temporary folder, removed when the object goes.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("scgrad-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

/// Writes a simulated .h5ad (the simulator's default cell types) in `dir`; returns its path.
inline std::string simulated_file(const TempDir& dir, std::int64_t cells, std::int64_t genes,
                                  std::uint64_t seed = 0) {
  SimulateOptions options;
  options.cells = cells;
  options.genes = genes;
  options.seed = seed;
  const auto path = dir.file("simulated.h5ad");
  simulate_h5ad(path, options);
  return path;
}

/// Runs Debian's python (with torch/anndata) on a script of tests/python; true on success.
inline bool run_python(const std::string& script_and_args) {
  const auto command =
      std::string("/usr/bin/python3 ") + source_dir() + "/tests/python/" + script_and_args;
  return std::system(command.c_str()) == 0;
}

}  // namespace scgrad::test

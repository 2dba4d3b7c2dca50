#include <gtest/gtest.h>

#include <cmath>

#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/simulate/simulate_counts.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

SimulateOptions small(std::uint64_t seed) {
  SimulateOptions o;
  o.cells = 300;
  o.genes = 400;
  o.seed = seed;
  return o;
}

TEST(Simulate, SameSeedSameFileContents) {
  test::TempDir dir;
  simulate_h5ad(dir.file("a.h5ad"), small(7));
  simulate_h5ad(dir.file("b.h5ad"), small(7));
  simulate_h5ad(dir.file("c.h5ad"), small(8));
  const auto a = H5adFile(dir.file("a.h5ad")).read_all("X");
  const auto b = H5adFile(dir.file("b.h5ad")).read_all("X");
  const auto c = H5adFile(dir.file("c.h5ad")).read_all("X");
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.indices, b.indices);
  EXPECT_NE(a.data, c.data);
}

TEST(Simulate, IntegerCountsLabelsAndMarkers) {
  test::TempDir dir;
  const auto results = simulate_h5ad(dir.file("s.h5ad"), small(1));
  const H5adFile f(dir.file("s.h5ad"));
  const auto labels = f.obs_column("author_cell_type").categorical;
  EXPECT_EQ(labels.categories, default_cell_types());
  EXPECT_EQ(labels.counts(), results.cells_per_type);
  const auto x = f.read_all("X");
  EXPECT_EQ(x.nonzeros(), results.nonzeros);
  for (const auto v : x.data) ASSERT_EQ(v, std::floor(v));
  // A type's markers are higher in that type: compare Astrocytes_marker_1's mean.
  EXPECT_EQ(f.var_names()[0], "Astrocytes_marker_1");
  double in_type = 0, elsewhere = 0;
  for (std::int64_t r = 0; r < x.n_rows; ++r) {
    (labels.codes[r] == 0 ? in_type : elsewhere) += x.at(r, 0);
  }
  const auto n_in = static_cast<double>(results.cells_per_type[0]);
  EXPECT_GT(in_type / n_in, 2.0 * elsewhere / (static_cast<double>(x.n_rows) - n_in));
}

}  // namespace
}  // namespace scgrad

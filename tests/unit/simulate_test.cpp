#include <gtest/gtest.h>

#include <cmath>

#include "scgrad/error.hpp"
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

TEST(Simulate, ProportionsMakeRareTypes) {
  test::TempDir dir;
  auto o = small(2);
  o.cells = 4000;
  o.cell_types = {"A", "B", "C"};
  o.proportions = {0.665, 0.33, 0.005};
  const auto results = simulate_h5ad(dir.file("rare.h5ad"), o);
  // Binomial(4000, p): within five standard deviations of n p.
  for (std::size_t t = 0; t < 3; ++t) {
    const double expected = 4000 * o.proportions[t];
    const double sd = std::sqrt(expected * (1 - o.proportions[t]));
    EXPECT_NEAR(static_cast<double>(results.cells_per_type[t]), expected, 5 * sd) << t;
  }
  EXPECT_GT(results.cells_per_type[2], 0);
  o.proportions = {1, 2};  // one share per type
  EXPECT_THROW(simulate_h5ad(dir.file("bad.h5ad"), o), OptionError);
  o.proportions = {1, 0, 1};
  EXPECT_THROW(simulate_h5ad(dir.file("bad.h5ad"), o), OptionError);
}

TEST(Simulate, QueryBatchSharesGenesAndMarkersWithOtherCellsAndShiftedGenes) {
  test::TempDir dir;
  auto o = small(5);
  o.cells = 600;
  simulate_h5ad(dir.file("ref.h5ad"), o);
  o.batch_seed = 11;
  simulate_h5ad(dir.file("query_unshifted.h5ad"), o);
  o.shift_genes = 0.5;
  o.shift_sd = 1.5;
  simulate_h5ad(dir.file("query.h5ad"), o);
  const H5adFile ref(dir.file("ref.h5ad"));
  const H5adFile plain(dir.file("query_unshifted.h5ad"));
  const H5adFile shifted(dir.file("query.h5ad"));
  EXPECT_EQ(ref.var_names(), shifted.var_names());  // same genes, markers in the same places
  const auto r = ref.read_all("X");
  const auto p = plain.read_all("X");
  const auto q = shifted.read_all("X");
  EXPECT_NE(r.data, p.data);  // other cells
  // Per-gene means: an unshifted batch matches the reference closely, a shifted one does not.
  auto gene_means = [](const CsrMatrix& x) {
    std::vector<double> m(static_cast<std::size_t>(x.n_cols), 0);
    for (std::size_t i = 0; i < x.data.size(); ++i)
      m[static_cast<std::size_t>(x.indices[i])] += x.data[i];
    for (auto& v : m) v /= static_cast<double>(x.n_rows);
    return m;
  };
  auto log_distance = [](const std::vector<double>& a, const std::vector<double>& b) {
    double sum = 0;
    for (std::size_t g = 0; g < a.size(); ++g) sum += std::abs(std::log1p(a[g]) - std::log1p(b[g]));
    return sum / static_cast<double>(a.size());
  };
  const auto reference = gene_means(r);
  EXPECT_GT(log_distance(reference, gene_means(q)), 3 * log_distance(reference, gene_means(p)));
}

}  // namespace
}  // namespace scgrad

// The fitted preprocessing is applied the same way by every path: predict on the training file
// gives training's log-CPM bit for bit, whatever the file's column order.

#include "scgrad/preprocess/preprocessing.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/h5ad_writer.hpp"
#include "scgrad/preprocess/prepare_data.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

void expect_same(const NormalisedCells& a, const CsrMatrix& values,
                 const std::vector<double>& library) {
  EXPECT_EQ(a.values.n_cols, values.n_cols);
  EXPECT_EQ(a.values.indptr, values.indptr);
  EXPECT_EQ(a.values.indices, values.indices);
  EXPECT_EQ(a.values.data, values.data);  // exact: the same step, not a second implementation
  EXPECT_EQ(a.library_size, library);
}

TEST(Preprocessing, PredictAppliesTrainingsPreprocessingBitForBit) {
  test::TempDir dir;
  const H5adFile file(test::simulated_file(dir, 300, 200, /*seed=*/2));
  PrepareOptions options;
  options.classes = {"all"};
  options.gene_filter.min_counts = 40;
  const auto data = prepare_data(file, options);
  ASSERT_LT(data.genes().size(), 200U);  // some genes filtered: the columns are a subset
  // predict's way in: the model's genes found by name
  const CellNormaliser by_name(file, data.preprocessing,
                               match_genes(data.genes(), file.var_names()), false);
  expect_same(by_name.read(data.cells.rows), data.log_cpm, data.library_size);
}

/// Three cells; `order` lists which of the genes a, b, c, d each column holds.
std::string write_genes(const test::TempDir& dir, const std::string& name,
                        const std::vector<std::size_t>& order) {
  const std::vector<std::string> genes{"a", "b", "c", "d"};
  const std::vector<std::vector<float>> counts{{3, 0, 7, 1}, {0, 5, 2, 9}, {4, 1, 0, 0}};
  H5adWriter writer(dir.file(name), 4);
  writer.write_obs({"c0", "c1", "c2"}, {});
  std::vector<std::string> names;
  for (const auto g : order) names.push_back(genes[g]);
  writer.write_var(names);
  for (const auto& cell : counts) {
    std::vector<std::int32_t> indices;
    std::vector<float> values;
    for (std::size_t j = 0; j < order.size(); ++j) {
      if (cell[order[j]] != 0) {
        indices.push_back(static_cast<std::int32_t>(j));
        values.push_back(cell[order[j]]);
      }
    }
    writer.append_row(indices, values);
  }
  writer.finish();
  return dir.file(name);
}

TEST(Preprocessing, ColumnOrderAndMissingGenesDoNotChangeTheNumbers) {
  test::TempDir dir;
  const H5adFile in_order(write_genes(dir, "ordered.h5ad", {0, 1, 2, 3}));
  const H5adFile shuffled(write_genes(dir, "shuffled.h5ad", {3, 1, 0, 2}));
  Preprocessing p;
  p.genes = {"c", "a", "e", "b"};  // "e" is in neither file: an empty column, reported missing
  p.log_cpm.target_sum = 1e4;
  const auto columns = match_genes(p.genes, in_order.var_names());
  EXPECT_EQ(columns.missing, std::vector<std::string>{"e"});
  const std::vector<std::int64_t> rows{0, 1, 2};
  const auto expected = CellNormaliser(in_order, p, columns, false).read(rows);
  EXPECT_EQ(expected.values.n_cols, 4);
  EXPECT_EQ(expected.library_size, (std::vector<double>{10, 7, 5}));  // over c, a, b only
  EXPECT_FLOAT_EQ(expected.values.at(0, 0), static_cast<float>(std::log1p(7 * 1e4 / 10)));
  const auto got =
      CellNormaliser(shuffled, p, match_genes(p.genes, shuffled.var_names()), false).read(rows);
  expect_same(got, expected.values, expected.library_size);
}

TEST(Preprocessing, LibrarySizeColumnMustBeNumericOnEveryPath) {
  test::TempDir dir;
  const H5adFile file(test::simulated_file(dir, 50, 60));
  Preprocessing p;
  p.genes = {file.var_names().front()};
  p.library_size_key = "author_cell_type";  // categorical
  try {
    const CellNormaliser normaliser(file, p, match_genes(p.genes, file.var_names()), false);
    FAIL() << "a categorical library-size column was accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.file(), file.path());
    EXPECT_EQ(e.element(), "obs/author_cell_type");
    EXPECT_EQ(e.settings(), std::vector<std::string>{"library_size_key"});
    EXPECT_NE(message.find(file.path() + ": obs/author_cell_type"), std::string::npos) << message;
    EXPECT_NE(message.find("must be numeric"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace scgrad

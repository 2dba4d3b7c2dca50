// The fitted preprocessing is applied the same way by every path: predict on the training file
// gives training's log-CPM bit for bit, whatever the file's column order.

#include "scgrad/preprocess/preprocessing.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "preprocess/keep_genes.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/h5ad_writer.hpp"
#include "scgrad/io/in_memory_anndata.hpp"
#include "scgrad/preprocess/count_check.hpp"
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

/// Cells x 6 genes g0..g5 in memory: counts from 0 to 40 (past the log-CPM's table), one
/// fraction when `fraction`, some rows empty over the model's genes.
struct SmallAnnData {
  std::vector<float> values;
  std::vector<std::int32_t> indices;
  std::vector<std::int64_t> indptr{0};
  InMemoryAnnData data{"cells", {"c0", "c1", "c2", "c3", "c4"}, {}};

  explicit SmallAnnData(float odd_value) {
    const std::vector<std::vector<float>> cells{{3, 0, 40, 1, 0, 2},
                                                {0, 0, 0, 0, 9, 0},  // only a dropped gene
                                                {odd_value, 5, 33, 0, 1, 0},
                                                {1, 1, 1, 1, 1, 1},
                                                {0, 0, 0, 0, 0, 0}};
    for (const auto& cell : cells) {
      for (std::size_t g = 0; g < cell.size(); ++g) {
        if (cell[g] == 0) continue;
        values.push_back(cell[g]);
        indices.push_back(static_cast<std::int32_t>(g));
      }
      indptr.push_back(static_cast<std::int64_t>(values.size()));
    }
    data.set_var("X", {"g0", "g1", "g2", "g3", "g4", "g5"}, {});
    BorrowedMatrix m;
    m.n_rows = 5;
    m.n_cols = 6;
    m.values = {values.data(), static_cast<std::int64_t>(values.size()), NumberType::float32};
    m.indices = {indices.data(), static_cast<std::int64_t>(indices.size()), NumberType::int32};
    m.indptr = {indptr.data(), static_cast<std::int64_t>(indptr.size()), NumberType::int64};
    data.add_matrix("X", m);
  }
};

TEST(Preprocessing, OneWalkPerRowGivesTheStepByStepNumbers) {
  // The normaliser walks each row once (check, keep and renumber genes, sort, library size,
  // log-CPM); the same numbers, bit for bit, as the whole-matrix steps one after another.
  SmallAnnData cells(2.5F);  // a fraction: accepted as non-integer amounts
  Preprocessing p;
  p.genes = {"g5", "g2", "g0", "g3", "g1"};  // g4 dropped; the model orders genes unlike the file
  p.log_cpm.target_sum = 1e4;
  const auto columns = match_genes(p.genes, cells.data.var_names("X"));
  const std::vector<std::int64_t> rows{0, 1, 2, 3, 4};
  const auto got = CellNormaliser(cells.data, p, columns, /*allow_non_integer=*/true).read(rows);

  auto steps = select_columns(cells.data.read_rows("X", rows), columns.file_columns);
  for (auto& j : steps.indices) j = static_cast<std::int32_t>(columns.gene_of[j]);
  sort_row_entries(steps);
  const auto library = library_sizes(steps);
  EXPECT_EQ(library, (std::vector<double>{46, 0, 40.5, 5, 0}));
  const auto expected = log_cpm(steps, library, p.log_cpm);
  expect_same(got, expected.values, library);
  EXPECT_EQ(got.empty_cells, (std::vector<std::int64_t>{1, 4}));
  EXPECT_EQ(got.values.indices, (std::vector<std::int32_t>{0, 1, 2, 3, 1, 2, 4, 0, 1, 2, 3, 4}));
  EXPECT_FLOAT_EQ(got.values.at(0, 1), static_cast<float>(std::log1p(40 * 1e4 / 46)));
  EXPECT_FLOAT_EQ(got.values.at(2, 2), static_cast<float>(std::log1p(2.5 * 1e4 / 40.5)));
}

// The walk's gene selection compacts a row in place: for rows of every length, none to all genes
// kept, and entries moved forward from behind earlier rows, the kept entries must be those of a
// plain filter, in order, and nothing before the row's new start is written.
TEST(Preprocessing, GeneSelectionKeepsTheModelsGenesInOrderForEveryRowLength) {
  constexpr int kColumns = 64;
  for (const int keep_every : {0, 1, 2, 3, 7}) {  // 0: no gene kept
    std::vector<std::int32_t> gene_at(kColumns, -1);
    for (int c = 0; keep_every > 0 && c < kColumns; c += keep_every) gene_at[c] = 100 + c;
    for (std::int64_t length = 0; length <= 41; ++length) {
      const std::int64_t begin = 13;  // the row starts after 13 entries of earlier rows
      std::vector<std::int32_t> indices(static_cast<std::size_t>(begin + length), -7);
      std::vector<float> data(indices.size(), -7.0F);
      std::vector<std::int32_t> want_genes;
      std::vector<float> want_values;
      for (std::int64_t k = 0; k < length; ++k) {
        const auto column = static_cast<std::int32_t>((k * 5 + length) % kColumns);
        indices[static_cast<std::size_t>(begin + k)] = column;
        data[static_cast<std::size_t>(begin + k)] = static_cast<float>(k) + 0.5F;
        if (gene_at[static_cast<std::size_t>(column)] >= 0) {
          want_genes.push_back(gene_at[static_cast<std::size_t>(column)]);
          want_values.push_back(static_cast<float>(k) + 0.5F);
        }
      }
      const std::int64_t to = 4;
      const auto end =
          keep_model_genes(gene_at.data(), indices.data(), data.data(), begin, begin + length, to);
      ASSERT_EQ(end - to, static_cast<std::int64_t>(want_genes.size()))
          << "length " << length << ", every " << keep_every;
      EXPECT_EQ(std::vector<std::int32_t>(indices.begin() + to, indices.begin() + end), want_genes);
      EXPECT_EQ(std::vector<float>(data.begin() + to, data.begin() + end), want_values);
      EXPECT_EQ(indices[3], -7);  // nothing written before `to`
    }
  }
}

TEST(Preprocessing, TheWalkNamesTheCellAndGeneOfABadCountAfterEarlierRows) {
  // Rows before the bad one are already rewritten when it is found: the message must still
  // name the value as read, its cell and its file gene.
  for (const float bad : {std::nanf(""), -1.0F, 0.5F, 1e-45F}) {
    SmallAnnData cells(bad);
    Preprocessing p;
    p.genes = {"g2", "g0"};
    const auto columns = match_genes(p.genes, cells.data.var_names("X"));
    try {
      (void)CellNormaliser(cells.data, p, columns, false).read({0, 1, 2, 3, 4});
      FAIL() << bad << " was accepted as a count";
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("cell 'c2', gene 'g0'"), std::string::npos) << message;
    }
  }
}

TEST(CountCheck, AcceptsExactlyTheWholeFiniteNonNegativeValues) {
  // The check runs without branches (so that it vectorises); these are the edges it must get
  // right: -0, whole floats past 2^23 and 2^31, the largest float, fractions near 0 and 2^23.
  const std::vector<float> counts{0.0F,       -0.0F,      1.0F, 8388607.0F,
                                  8388608.0F, 8388609.0F, 3e9F, 3.4e38F};
  const std::vector<float> not_counts{0.5F,  1e-45F,        8388607.5F, -1.0F,
                                      -3e9F, std::nanf(""), INFINITY,   -INFINITY};
  const auto one_row = [](float value) {
    CsrMatrix m;
    m.n_rows = 1;
    m.n_cols = 1;
    m.indptr = {0, 1};
    m.indices = {0};
    m.data = {value};
    return m;
  };
  InMemoryAnnData file("cells", {"c0"}, {});
  file.set_var("X", {"g0"}, {});
  const std::int64_t row = 0;
  for (const auto value : counts) {
    EXPECT_NO_THROW(check_counts(one_row(value), &row, {&file, "X", false})) << value;
  }
  for (const auto value : not_counts) {
    EXPECT_THROW(check_counts(one_row(value), &row, {&file, "X", false}), InputError) << value;
    const bool fraction = std::isfinite(value) && value >= 0;
    if (fraction) {
      EXPECT_NO_THROW(check_counts(one_row(value), &row, {&file, "X", true})) << value;
    }
  }
}

}  // namespace
}  // namespace scgrad

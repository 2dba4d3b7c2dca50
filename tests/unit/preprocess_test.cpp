// Preprocessing steps against values computed by hand (independently of the implementation).

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "scgrad/error.hpp"
#include "scgrad/preprocess/filter_genes.hpp"
#include "scgrad/preprocess/log_cpm.hpp"
#include "scgrad/preprocess/prepare_data.hpp"
#include "scgrad/preprocess/scaling.hpp"
#include "scgrad/preprocess/select_cells.hpp"

namespace scgrad {
namespace {

CsrMatrix from_dense(std::int64_t rows, std::int64_t cols, const std::vector<float>& values) {
  CsrMatrix m;
  m.n_rows = rows;
  m.n_cols = cols;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      const float v = values[static_cast<std::size_t>(r * cols + c)];
      if (v != 0) {
        m.indices.push_back(static_cast<std::int32_t>(c));
        m.data.push_back(v);
      }
    }
    m.indptr.push_back(static_cast<std::int64_t>(m.data.size()));
  }
  return m;
}

Categorical labels() {
  // cells: Glioblasts, Astrocytes, OPC, Astrocytes, <missing>, Glioblasts
  return Categorical{{"Astrocytes", "Glioblasts", "OPC"}, {1, 0, 2, 0, -1, 1}};
}

TEST(SelectCells, KeepsRequestedClassesInFileOrderFirstIsPositive) {
  const auto s = select_cells(labels(), {"Astrocytes", "Glioblasts"});
  EXPECT_EQ(s.rows, (std::vector<std::int64_t>{0, 1, 3, 5}));
  EXPECT_EQ(s.targets, (std::vector<std::int32_t>{1, 0, 0, 1}));
  EXPECT_EQ(s.class_counts, (std::vector<std::int64_t>{2, 2}));
}

TEST(SelectCells, AllTakesEveryCategoryWithCells) {
  const auto s = select_cells(labels(), {"all"});
  EXPECT_EQ(s.classes, (std::vector<std::string>{"Astrocytes", "Glioblasts", "OPC"}));
  EXPECT_EQ(s.rows.size(), 5U);  // the missing label is dropped
}

TEST(SelectCells, AbsentClassListsTheLabelsWithCounts) {
  try {
    select_cells(labels(), {"Astrocytes", "Neurons"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'Neurons'"), std::string::npos) << message;
    EXPECT_NE(message.find("'Astrocytes' (2)"), std::string::npos) << message;
    EXPECT_NE(message.find("'OPC' (1)"), std::string::npos) << message;
  }
}

TEST(SelectCells, NeedsTwoClasses) {
  EXPECT_THROW(select_cells(labels(), {"Astrocytes"}), Error);
  EXPECT_THROW(select_cells(labels(), {"Astrocytes", "Astrocytes"}), OptionError);
}

TEST(SplitClassList, TrimsSpaces) {
  EXPECT_EQ(split_class_list("Astrocytes, Fetal replicating "),
            (std::vector<std::string>{"Astrocytes", "Fetal replicating"}));
}

TEST(FilterGenes, ThresholdsOnTotalsAndDetection) {
  // gene totals: 10, 9, 30; detected in 1, 3, 2 cells
  const auto m = from_dense(3, 3, {10, 3, 0, 0, 3, 10, 0, 3, 20});
  EXPECT_EQ(filter_genes(m, {10, 0}).kept, (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(filter_genes(m, {0, 2}).kept, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(filter_genes(m, {10, 2}).kept, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(filter_genes(m, {10, 0}).totals, (std::vector<double>{10, 9, 30}));
}

TEST(LogCpm, MatchesTheFormulaAndLeavesEmptyCellsZero) {
  const auto m = from_dense(3, 2, {1, 3, 0, 0, 5, 0});
  const auto sizes = library_sizes(m);
  EXPECT_EQ(sizes, (std::vector<double>{4, 0, 5}));
  const auto out = log_cpm(m, sizes);
  EXPECT_FLOAT_EQ(out.values.at(0, 0), static_cast<float>(std::log(1 + 1e6 / 4)));
  EXPECT_FLOAT_EQ(out.values.at(0, 1), static_cast<float>(std::log(1 + 3e6 / 4)));
  EXPECT_FLOAT_EQ(out.values.at(2, 0), static_cast<float>(std::log(1 + 1e6)));
  EXPECT_EQ(out.empty_cells, (std::vector<std::int64_t>{1}));
  for (const auto v : out.values.data) EXPECT_TRUE(std::isfinite(v));
}

// Small integer counts go through a per-cell table; fractions, large and negative values do not.
// Both must give exactly the bits of the formula.
TEST(LogCpm, TabulatedAndComputedValuesAreTheFormulaBitForBit) {
  const std::vector<float> counts = {1, 2, 31, 32, 1000, 0.5F, 2.25F, 7};
  const auto m = from_dense(1, static_cast<std::int64_t>(counts.size()), counts);
  double size = 0;
  for (const auto c : counts) size += c;
  const auto out = log_cpm(m, {size});
  for (std::size_t j = 0; j < counts.size(); ++j) {
    EXPECT_EQ(out.values.data[j], static_cast<float>(std::log1p(counts[j] * (1e6 / size))))
        << "count " << counts[j];
  }
}

// A row long enough for blocks of eight entries: blocks of small whole counts, blocks holding a
// large count, a fraction or -0, and a tail. Every entry must be the formula's bits.
TEST(LogCpm, EveryEntryOfALongRowIsTheFormulaBitForBit) {
  std::vector<float> counts;
  for (int i = 0; i < 203; ++i) {
    const bool odd_block = (i / 8) % 3 == 1;
    counts.push_back(!odd_block   ? static_cast<float>((i * 7) % 32)
                     : i % 8 == 5 ? (i % 2 != 0 ? 32.0F + static_cast<float>(i) : 0.25F)
                                  : static_cast<float>(i % 32));
  }
  counts[16] = -0.0F;
  const auto m = from_dense(1, static_cast<std::int64_t>(counts.size()), counts);
  const double size = 12345;
  const auto out = log_cpm(m, {size}, {1e4, 0});
  const auto stored = m.data;  // from_dense keeps no zeros: map the stored entries back
  for (std::size_t k = 0; k < stored.size(); ++k) {
    EXPECT_EQ(out.values.data[k], static_cast<float>(std::log1p(stored[k] * (1e4 / size))))
        << "entry " << k << ", count " << stored[k];
  }
}

// Whole counts are added four at a time (exact in any order); anything else in order, so that
// non-integer amounts keep the library sizes saved models were fitted with.
TEST(LogCpm, LibrarySizesAreTheInOrderSumBitForBit) {
  std::vector<float> whole;
  for (int i = 0; i < 1001; ++i) whole.push_back(static_cast<float>((i * 7919) % 8388607));
  std::vector<float> amounts = {0.1F, 1e8F, 0.3F, -1e8F, 0.7F, 3e-3F, 1e-7F, 5.5F, 2.2F};
  for (const auto* values : {&whole, &amounts}) {
    double in_order = 0;
    for (const auto v : *values) in_order += v;
    EXPECT_EQ(values_total(values->data(), static_cast<std::int64_t>(values->size())), in_order);
  }
  // Four running totals would give the amounts other bits (so the check above is a real one).
  std::vector<double> a(amounts.begin(), amounts.end());
  const double four_totals =
      ((a[0] + a[4] + a[8]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
  EXPECT_NE(four_totals, values_total(amounts.data(), static_cast<std::int64_t>(amounts.size())));
}

TEST(LogCpm, OtherBaseAndTargetSum) {
  const auto m = from_dense(1, 2, {1, 1});
  const auto out = log_cpm(m, {2}, {1e4, 2});
  EXPECT_FLOAT_EQ(out.values.at(0, 0), static_cast<float>(std::log2(1 + 1e4 / 2)));
}

TEST(Scaling, AnyBlockSizeGivesBitIdenticalStatisticsCloseToTwoPasses) {
  // 50 rows x 6 genes, a third of the entries stored; gene 5 constant 0.7 in every row.
  std::vector<float> dense;
  for (int r = 0; r < 50; ++r) {
    for (int g = 0; g < 5; ++g) dense.push_back((r * 7 + g * 3) % 3 == 0 ? 0.1F * (r % 11) + g : 0);
    dense.push_back(0.7F);
  }
  const auto m = from_dense(50, 6, dense);
  const auto whole = compute_scaling(m);
  for (const std::int64_t block : {1, 7}) {
    ScalingAccumulator blocks(6);
    for (std::int64_t first = 0; first < 50; first += block) {
      std::vector<std::int64_t> rows;
      for (auto r = first; r < std::min<std::int64_t>(50, first + block); ++r) rows.push_back(r);
      blocks.add(select_rows(m, rows));
    }
    const auto s = blocks.finish();
    EXPECT_EQ(s.mean, whole.mean) << block;
    EXPECT_EQ(s.sd, whole.sd) << block;
  }
  for (int g = 0; g < 5; ++g) {  // against the two-pass formula
    double mean = 0, squares = 0;
    for (int r = 0; r < 50; ++r) mean += dense[static_cast<std::size_t>(r * 6 + g)] / 50.0;
    for (int r = 0; r < 50; ++r) {
      const double d = dense[static_cast<std::size_t>(r * 6 + g)] - mean;
      squares += d * d;
    }
    EXPECT_NEAR(whole.mean[static_cast<std::size_t>(g)], mean, 1e-14);
    EXPECT_NEAR(whole.sd[static_cast<std::size_t>(g)], std::sqrt(squares / 50), 1e-13);
  }
  // The constant gene: its mean is exactly its value, so it scales to exactly 0.
  EXPECT_EQ(whole.mean[5], static_cast<double>(0.7F));
  EXPECT_EQ(whole.sd[5], 1.0);
  EXPECT_EQ(whole.constant_genes, 1);
}

TEST(Scaling, CoresSharingTheGenesGiveTheOneThreadNumbersBitForBit) {
  // add_rows splits the genes among the cores; each gene still sees its values in the order
  // of the rows given (a shuffled training set), so the sums and statistics are add_row's.
  std::vector<float> dense;
  for (int r = 0; r < 200; ++r) {
    for (int g = 0; g < 37; ++g)
      dense.push_back((r * 13 + g * 5) % 4 == 0 ? 0.37F * (r % 17) + g : 0);
  }
  const auto m = from_dense(200, 37, dense);
  std::vector<std::int64_t> rows;
  for (std::int64_t r = 0; r < 200; r += 3) rows.push_back((r * 71) % 200);  // unordered
  ScalingAccumulator one(37);
  GeneFilterAccumulator one_sums(37);
  for (const auto r : rows) {
    one.add_row(m, r);
    one_sums.add_row(m, r);
  }
  ScalingAccumulator shared(37);
  GeneFilterAccumulator shared_sums(37);
  shared.add_rows(m, rows);
  shared_sums.add_rows(m, rows);
  EXPECT_EQ(shared.values(), one.values());
  EXPECT_EQ(shared_sums.values(), one_sums.values());
  EXPECT_NE(one.finish().mean, ScalingAccumulator(37).finish().mean);  // not all empty
}

TEST(Scaling, PopulationSdWithImplicitZerosAndConstantGenes) {
  // gene 0: 1, 0, 3, 0 → mean 1, var (0 + 1 + 4 + 1)/4 = 1.5; gene 1: constant 2
  const auto m = from_dense(4, 2, {1, 2, 0, 2, 3, 2, 0, 2});
  const auto s = compute_scaling(m);
  EXPECT_DOUBLE_EQ(s.mean[0], 1.0);
  EXPECT_DOUBLE_EQ(s.sd[0], std::sqrt(1.5));
  EXPECT_DOUBLE_EQ(s.mean[1], 2.0);
  EXPECT_DOUBLE_EQ(s.sd[1], 1.0);  // SD 0 is replaced by 1
  EXPECT_EQ(s.constant_genes, 1);
}

TEST(ClipSparingRarestType, IsWhereAPerfectMarkerOfTheRarestTrainingTypeScales) {
  // 2 types, 400 and 16 training cells (+ held-out cells of a rarer third type, ignored):
  // a gene at 1 in exactly the 16 cells scales there to sqrt((416 - 16) / 16) = 5
  std::vector<std::int32_t> targets(416, 0);
  std::fill(targets.begin() + 400, targets.end(), 1);
  targets.push_back(2);
  std::vector<std::int64_t> training(416);
  std::iota(training.begin(), training.end(), 0);
  std::vector<float> marker(416, 0);
  std::fill(marker.begin() + 400, marker.end(), 1);
  const auto s = compute_scaling(from_dense(416, 1, marker));
  const double scaled = (1 - s.mean[0]) / s.sd[0];
  EXPECT_NEAR(scaled, 5.0, 1e-9);
  const auto counts = class_counts_of(targets, training, 3);
  ASSERT_EQ(counts, (std::vector<std::int64_t>{400, 16, 0}));
  EXPECT_DOUBLE_EQ(clip_sparing_rarest_type(10, counts), 10);  // 5 < 10
  EXPECT_NEAR(clip_sparing_rarest_type(2, counts), scaled, 1e-9);
  EXPECT_DOUBLE_EQ(clip_sparing_rarest_type(0, counts), 0);  // no clip stays none
  // 4 cells of the second type among 1,604: its markers reach sqrt(1600 / 4) = 20
  targets.assign(1600, 0);
  targets.insert(targets.end(), 4, 1);
  training.resize(1604);
  std::iota(training.begin(), training.end(), 0);
  EXPECT_NEAR(clip_sparing_rarest_type(10, class_counts_of(targets, training, 2)), 20.0, 1e-12);
}

}  // namespace
}  // namespace scgrad

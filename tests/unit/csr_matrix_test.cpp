#include "scgrad/util/csr_matrix.hpp"

#include <gtest/gtest.h>

namespace scgrad {
namespace {

// [[1 0 2]
//  [0 0 3]
//  [4 5 0]]
CsrMatrix example() {
  CsrMatrix m;
  m.n_rows = 3;
  m.n_cols = 3;
  m.indptr = {0, 2, 3, 5};
  m.indices = {0, 2, 2, 0, 1};
  m.data = {1, 2, 3, 4, 5};
  return m;
}

TEST(CsrMatrix, AtReadsStoredAndImplicitZeros) {
  const auto m = example();
  EXPECT_EQ(m.at(0, 2), 2.0F);
  EXPECT_EQ(m.at(1, 0), 0.0F);
  EXPECT_EQ(m.at(2, 1), 5.0F);
  EXPECT_EQ(m.nonzeros(), 5);
}

TEST(CsrMatrix, SelectColumnsRenumbersInGivenOrder) {
  const auto m = select_columns(example(), {2, 0});
  EXPECT_EQ(m.n_cols, 2);
  EXPECT_EQ(to_dense(m), (std::vector<float>{2, 1, 3, 0, 0, 4}));
}

TEST(CsrMatrix, MergeColumnsSumsWhatLandsTogether) {
  CsrMatrix m;  // row 0: (0: 1, 1: 2, 3: 4); row 1: (2: 5, 3: 6)
  m.n_rows = 2;
  m.n_cols = 4;
  m.indptr = {0, 3, 5};
  m.indices = {3, 0, 1, 2, 3};
  m.data = {4, 1, 2, 5, 6};
  const auto merged = merge_columns(m, {0, 1, 2, 1}, 3);  // columns 1 and 3 are one gene
  EXPECT_EQ(merged.n_cols, 3);
  EXPECT_EQ(merged.indptr, (std::vector<std::int64_t>{0, 2, 4}));
  EXPECT_EQ(merged.indices, (std::vector<std::int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(merged.data, (std::vector<float>{1, 6, 6, 5}));
}

TEST(CsrMatrix, SelectRowsKeepsOrder) {
  const auto m = select_rows(example(), {2, 0});
  EXPECT_EQ(m.n_rows, 2);
  EXPECT_EQ(to_dense(m), (std::vector<float>{4, 5, 0, 1, 0, 2}));
}

TEST(CsrMatrix, SelectColumnsKeepingEveryColumnChangesNothing) {
  const auto m = select_columns(example(), {0, 1, 2});
  EXPECT_EQ(m.indices, example().indices);
  EXPECT_EQ(to_dense(m), to_dense(example()));
}

TEST(CsrMatrix, SortRowEntriesOrdersColumnsAndKeepsValues) {
  auto m = example();
  m.indices = {2, 0, 2, 1, 0};  // rows 0 and 2 stored backwards
  m.data = {2, 1, 3, 5, 4};
  sort_row_entries(m);
  EXPECT_EQ(m.indices, example().indices);
  EXPECT_EQ(m.data, example().data);
}

// A block kept a long time gives its dropped entries' memory back; one about to be read into
// again (most of it in use) keeps it.
TEST(CsrMatrix, ReleasesUnusedMemoryOnlyWhenAQuarterOrMoreIsUnused) {
  CsrMatrix mostly_dropped;
  mostly_dropped.data.reserve(100);
  mostly_dropped.indices.reserve(100);
  mostly_dropped.data.resize(10);
  mostly_dropped.indices.resize(10);
  release_unused_memory(mostly_dropped);
  EXPECT_LT(mostly_dropped.data.capacity(), 100U);
  EXPECT_LT(mostly_dropped.indices.capacity(), 100U);
  EXPECT_EQ(mostly_dropped.data.size(), 10U);

  CsrMatrix mostly_kept;
  mostly_kept.data.reserve(100);
  mostly_kept.data.resize(80);
  const float* memory = mostly_kept.data.data();
  release_unused_memory(mostly_kept);
  EXPECT_EQ(mostly_kept.data.data(), memory);
}

}  // namespace
}  // namespace scgrad

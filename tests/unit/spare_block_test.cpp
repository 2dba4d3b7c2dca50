// Long passes over a file read each block into the memory of the block before (SpareBlock,
// read_rows_into, for_each_block): no fresh pages to fault in for every block.

#include "scgrad/util/spare_block.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "scgrad/io/anndata_source.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

std::vector<std::int64_t> range_of(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(count));
  std::iota(rows.begin(), rows.end(), first);
  return rows;
}

TEST(SpareBlock, AChunkLetGoIsTheNextReadsMemory) {
  const auto spare = std::make_shared<SpareBlock>();
  EXPECT_EQ(spare->take().data.capacity(), 0U);  // nothing kept yet
  CsrMatrix block;
  block.data.assign(1000, 1.0F);
  const float* memory = block.data.data();
  auto shared = SpareBlock::share(spare, std::move(block));
  auto copy = shared;
  shared.reset();
  EXPECT_EQ(spare->take().data.capacity(), 0U);  // still owned
  copy.reset();
  const auto reused = spare->take();
  EXPECT_EQ(reused.data.data(), memory);
  EXPECT_EQ(spare->take().data.capacity(), 0U);  // taken once
}

TEST(SpareBlock, KeepsTheLargerOfTwoBlocks) {
  SpareBlock spare;
  CsrMatrix small;
  small.data.resize(10);
  CsrMatrix large;
  large.data.resize(100);
  spare.give(std::move(large));
  spare.give(std::move(small));
  EXPECT_EQ(spare.take().data.capacity(), 100U);
}

TEST(SpareBlock, AnH5adReadsIntoTheStorageItIsGivenAndGivesTheSameCells) {
  test::TempDir dir;
  const H5adFile file(test::simulated_file(dir, 200, 50, /*seed=*/3));
  auto storage = file.read_rows("X", range_of(0, 100));
  const auto expected = file.read_rows("X", range_of(100, 90));
  ASSERT_LE(expected.nonzeros(), static_cast<std::int64_t>(storage.data.capacity()));
  const float* memory = storage.data.data();
  const auto again = file.read_rows_into("X", range_of(100, 90), std::move(storage));
  EXPECT_EQ(again.data.data(), memory);
  EXPECT_EQ(again.indptr, expected.indptr);
  EXPECT_EQ(again.indices, expected.indices);
  EXPECT_EQ(again.data, expected.data);
  EXPECT_EQ(again.n_rows, 90);
}

TEST(SpareBlock, EachBlockOfAPassIsReadIntoTheBlockTheVisitorLeft) {
  test::TempDir dir;
  const H5adFile file(test::simulated_file(dir, 300, 50, /*seed=*/4));
  std::vector<const float*> memory;
  std::int64_t rows_seen = 0;
  for_each_block(file, "X", all_rows(file), 60, [&](CsrMatrix&& block, std::size_t first) {
    EXPECT_EQ(static_cast<std::int64_t>(first), rows_seen);
    rows_seen += block.n_rows;
    memory.push_back(block.data.data());
  });
  EXPECT_EQ(rows_seen, 300);
  ASSERT_EQ(memory.size(), 5U);
  // The simulated blocks differ a little in size: a read that needs more than the memory holds
  // gets new memory (with room to spare), so most blocks, not all, reuse their predecessor's.
  int reused = 0;
  for (std::size_t b = 1; b < memory.size(); ++b) reused += memory[b] == memory[b - 1] ? 1 : 0;
  EXPECT_GE(reused, 3);
}

}  // namespace
}  // namespace scgrad

// Cells streamed from the file are the in-memory sparse path's rows, bit for bit.

#include "scgrad/train/streaming_input.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

TEST(StreamingInput, SameRowsAsInMemoryAndEveryCellOncePerEpoch) {
  test::TempDir dir;
  auto file = std::make_shared<const H5adFile>(test::simulated_file(dir, 300, 120));
  PrepareOptions options;
  options.classes = {"all"};
  auto data = prepare_data(*file, options);
  const auto streamed = prepare_streaming(*file, options, 1 << 14);
  const SparseInput in_memory(std::make_shared<const CsrMatrix>(data.log_cpm));
  const auto normaliser = std::make_shared<const CellNormaliser>(
      *file, streamed.data.preprocessing, streamed.columns, /*allow_non_integer=*/false);
  const StreamingInput streaming(file, normaliser, data.cells.rows, /*chunk_rows=*/40);
  ASSERT_EQ(streaming.rows(), in_memory.rows());
  // within a chunk, across chunks, and a whole chunk in order (a view of the cached chunk)
  std::vector<std::int64_t> chunk(40);
  std::iota(chunk.begin(), chunk.end(), 40);
  for (const auto& rows :
       {std::vector<std::int64_t>{5, 1, 39}, std::vector<std::int64_t>{250, 10, 299, 41}, chunk}) {
    const auto a = streaming.batch(&rows).sparse;
    const auto b = in_memory.batch(&rows).sparse;
    EXPECT_TRUE(torch::equal(a.indptr, b.indptr));
    EXPECT_TRUE(torch::equal(a.indices, b.indices));
    EXPECT_TRUE(torch::equal(a.values, b.values));
  }
  Random random(1);
  const auto batches = streaming.epoch_batches(random, 16);
  std::multiset<std::int64_t> seen;
  for (const auto& batch : batches) {
    EXPECT_LE(batch.size(), 16U);
    // a batch never spans two chunks, so each chunk is read once per epoch
    EXPECT_EQ(batch.front() / 40, *std::max_element(batch.begin(), batch.end()) / 40);
    seen.insert(batch.begin(), batch.end());
  }
  EXPECT_EQ(seen.size(), 300U);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 300U);
  EXPECT_THROW(streaming.batch(), OptionError);  // never all at once
}

}  // namespace
}  // namespace scgrad

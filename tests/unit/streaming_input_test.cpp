// Cells streamed from the file give the model the same inputs as the in-memory sparse path.

#include "scgrad/train/streaming_input.hpp"

#include <gtest/gtest.h>

#include <set>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

TEST(StreamingInput, SameOutputsAsInMemoryAndEveryCellOncePerEpoch) {
  test::TempDir dir;
  auto file = std::make_shared<const H5adFile>(test::simulated_file(dir, 300, 120));
  PrepareOptions options;
  options.classes = {"all"};
  auto data = prepare_data(*file, options);
  const auto streamed = prepare_streaming(*file, options, 1 << 14);
  const auto mean = torch::tensor(data.preprocessing.mean);
  const auto sd = torch::tensor(data.preprocessing.sd);
  const SparseInput in_memory(std::make_shared<const CsrMatrix>(data.log_cpm), mean, sd);
  const auto normaliser = std::make_shared<const CellNormaliser>(
      *file, streamed.data.preprocessing, streamed.columns, /*allow_non_integer=*/false);
  const StreamingInput streaming(file, normaliser, data.cells.rows, mean, sd, /*chunk_rows=*/40);
  ASSERT_EQ(streaming.rows(), in_memory.rows());
  torch::manual_seed(0);
  auto model = make_classifier("mlp", static_cast<std::int64_t>(data.genes().size()), 8, 8);
  for (const auto& rows :
       {std::vector<std::int64_t>{5, 1, 39}, std::vector<std::int64_t>{250, 10, 299, 41}}) {
    EXPECT_TRUE(torch::allclose(streaming.forward(*model, &rows), in_memory.forward(*model, &rows),
                                1e-5, 1e-6));
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
  EXPECT_THROW(streaming.forward(*model), Error);
}

}  // namespace
}  // namespace scgrad

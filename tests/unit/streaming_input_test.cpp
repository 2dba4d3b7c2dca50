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

/// 300 simulated cells, prepared in memory and by the streaming passes, and streamed from the
/// file in chunks of 40.
struct StreamedCells {
  test::TempDir dir;
  std::shared_ptr<const H5adFile> file =
      std::make_shared<const H5adFile>(test::simulated_file(dir, 300, 120));
  PreparedData data = prepare_data(*file, all_classes());
  StreamedPreparation streamed = prepare_streaming(*file, all_classes(), 1 << 14);
  std::shared_ptr<const CsrMatrix> matrix = std::make_shared<const CsrMatrix>(data.log_cpm);
  StreamingInput streaming{file,
                           std::make_shared<const CellNormaliser>(
                               *file, streamed.data.preprocessing, streamed.columns, false),
                           data.cells.rows, /*chunk_rows=*/40};

  static PrepareOptions all_classes() {
    PrepareOptions options;
    options.classes = {"all"};
    return options;
  }
};

TEST(StreamingInput, SameRowsAsInMemoryAndEveryCellOncePerEpoch) {
  const StreamedCells cells;
  const SparseInput in_memory(cells.matrix);
  const auto& streaming = cells.streaming;
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

/// The same rows: CSR batches compared by their entries (a narrowed batch's indptr starts
/// where its first row's entries do).
void expect_same_rows(const CsrTensors& a, const CsrTensors& b) {
  const auto entries = [](const CsrTensors& x, const torch::Tensor& of) {
    return of.slice(0, x.indptr[0].item<std::int64_t>(), x.indptr[-1].item<std::int64_t>());
  };
  ASSERT_EQ(a.n_rows, b.n_rows);
  EXPECT_TRUE(torch::equal(a.indptr - a.indptr[0], b.indptr - b.indptr[0]));
  EXPECT_TRUE(torch::equal(entries(a, a.indices), entries(b, b.indices)));
  EXPECT_TRUE(torch::equal(entries(a, a.values), entries(b, b.values)));
}

TEST(StreamingInput, VisitingARangeGivesItsRowsChunkByChunk) {
  const StreamedCells cells;
  const auto& matrix = cells.matrix;
  const SparseInput in_memory(matrix);
  const auto& streaming = cells.streaming;
  // Two inputs as one: rows [0, 130) and [130, 300) of the same cells.
  std::vector<std::int64_t> head(130), tail(170);
  std::iota(head.begin(), head.end(), 0);
  std::iota(tail.begin(), tail.end(), 130);
  const ConcatenatedInput joined(
      std::make_shared<SparseInput>(std::make_shared<const CsrMatrix>(select_rows(*matrix, head))),
      std::make_shared<SparseInput>(std::make_shared<const CsrMatrix>(select_rows(*matrix, tail))));
  for (const ModelInput* input :
       {static_cast<const ModelInput*>(&streaming), static_cast<const ModelInput*>(&in_memory),
        static_cast<const ModelInput*>(&joined)}) {
    for (const auto& [first, last] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {0, 300}, {37, 211}, {40, 80}, {299, 300}, {10, 10}, {100, 150}}) {
      for (const std::int64_t max_rows : {std::int64_t{7}, std::int64_t{1} << 40}) {
        auto next = first;
        input->visit_range(first, last, max_rows, [&](const ModelBatch& batch, std::int64_t row) {
          EXPECT_EQ(row, next);  // in order, each cell once
          EXPECT_LE(batch.rows(), max_rows);
          if (input == &streaming) {  // a batch never spans two chunks: one read each
            EXPECT_EQ(row / 40, (row + batch.rows() - 1) / 40);
          }
          std::vector<std::int64_t> rows(static_cast<std::size_t>(batch.rows()));
          std::iota(rows.begin(), rows.end(), row);
          expect_same_rows(batch.sparse, in_memory.batch(&rows).sparse);
          next += batch.rows();
        });
        EXPECT_EQ(next, last) << first << " " << last << " " << max_rows;
      }
    }
  }
}

}  // namespace
}  // namespace scgrad

// The streaming passes give what prepare_data gives with the whole matrix in memory.

#include "scgrad/preprocess/streaming_statistics.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include "scgrad/io/h5ad_reader.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

TEST(StreamingStatistics, EqualTheInMemoryPreparation) {
  test::TempDir dir;
  const H5adFile file(test::simulated_file(dir, 600, 300, /*seed=*/4));
  PrepareOptions options;
  options.classes = {"Astrocytes", "Glioblasts", "Neurons"};
  options.test_fraction = 0.25;
  options.gene_filter.min_counts = 50;
  const auto reference = prepare_data(file, options);
  EXPECT_LT(reference.genes().size(), 300U);  // the filter removed some genes
  // blocks of ~4 KB (a few cells each), of one cell, and of every cell, with one and two
  // threads (log-CPM runs on OpenMP): bit-identical preprocessing
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const std::int64_t block_bytes :
         {std::int64_t{4096}, std::int64_t{1}, std::int64_t{1} << 30}) {
      const auto streamed = prepare_streaming(file, options, block_bytes);
      const auto& data = streamed.data;
      EXPECT_EQ(data.cells.rows, reference.cells.rows);
      EXPECT_EQ(data.split.test, reference.split.test);
      EXPECT_EQ(data.genes(), reference.genes());
      EXPECT_EQ(data.library_size, reference.library_size);
      EXPECT_EQ(streamed.nonzeros, reference.log_cpm.nonzeros());
      EXPECT_EQ(data.preprocessing.mean, reference.preprocessing.mean) << block_bytes;
      EXPECT_EQ(data.preprocessing.sd, reference.preprocessing.sd) << block_bytes;
      EXPECT_EQ(data.constant_genes, reference.constant_genes);
      EXPECT_EQ(data.cell_names, reference.cell_names);
    }
  }
  omp_set_num_threads(omp_get_num_procs());
}

TEST(StreamingStatistics, BlocksCoverEveryRowOnce) {
  test::TempDir dir;
  const H5adFile file(test::simulated_file(dir, 97, 50));
  std::vector<std::int64_t> rows;
  for (std::int64_t r = 0; r < 97; r += 2) rows.push_back(r);
  std::size_t seen = 0;
  std::int64_t nonzeros = 0;
  for_each_block(file, "X", rows, 10, [&](CsrMatrix&& block, std::size_t first) {
    EXPECT_EQ(first, seen);
    seen += static_cast<std::size_t>(block.n_rows);
    nonzeros += block.nonzeros();
  });
  EXPECT_EQ(seen, rows.size());
  EXPECT_EQ(nonzeros, file.read_rows("X", rows).nonzeros());
}

}  // namespace
}  // namespace scgrad

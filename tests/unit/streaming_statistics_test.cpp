// The streaming passes give what prepare_data gives with the whole matrix in memory.

#include "scgrad/preprocess/streaming_statistics.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/util/rank_share.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

/// Data-parallel ranks as threads of one process: all_gather waits for every rank's values.
class ThreadRanks {
 public:
  explicit ThreadRanks(int size) : parts_(static_cast<std::size_t>(size)) {}
  RankShare share(int rank) {
    return {rank, static_cast<int>(parts_.size()),
            [this, rank](const std::vector<double>& values) { return gather(rank, values); }};
  }

 private:
  std::vector<std::vector<double>> gather(int rank, const std::vector<double>& values) {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto round = round_;
    parts_[static_cast<std::size_t>(rank)] = values;
    if (++arrived_ == parts_.size()) {
      gathered_ = parts_;
      arrived_ = 0;
      ++round_;
      done_.notify_all();
    } else {
      done_.wait(lock, [&] { return round_ != round; });
    }
    return gathered_;
  }

  std::mutex mutex_;
  std::condition_variable done_;
  std::vector<std::vector<double>> parts_, gathered_;
  std::size_t arrived_ = 0;
  int round_ = 0;
};

/// A file that records the rows read from it (read_rows reads through read_rows_into).
class CountedReads : public H5adFile {
 public:
  using H5adFile::H5adFile;
  CsrMatrix read_rows_into(const std::string& key, const std::vector<std::int64_t>& rows,
                           CsrMatrix storage) const override {
    read.insert(read.end(), rows.begin(), rows.end());
    return H5adFile::read_rows_into(key, rows, std::move(storage));
  }
  mutable std::vector<std::int64_t> read;
};

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

TEST(StreamingStatistics, RanksReadTheirShareAndMergeToTheOneProcessResult) {
  test::TempDir dir;
  const auto path = test::simulated_file(dir, 700, 300, /*seed=*/8);
  PrepareOptions options;
  options.classes = {"all"};
  options.test_fraction = 0.2;
  options.validation_fraction = 0.1;
  options.gene_filter.min_counts = 50;
  const CountedReads one_file(path);
  const auto one = prepare_streaming(one_file, options, 4096);
  std::vector<std::int64_t> train_rows;  // file rows of the training cells
  for (const auto c : one.data.split.train) {
    train_rows.push_back(one.data.cells.rows[static_cast<std::size_t>(c)]);
  }
  for (const int size : {2, 3}) {
    ThreadRanks ranks(size);
    std::vector<std::unique_ptr<CountedReads>> files;
    std::vector<StreamedPreparation> results(static_cast<std::size_t>(size));
    std::vector<std::thread> threads;
    for (int r = 0; r < size; ++r) files.push_back(std::make_unique<CountedReads>(path));
    for (int r = 0; r < size; ++r) {
      threads.emplace_back([&, r] {
        const auto i = static_cast<std::size_t>(r);
        results[i] = prepare_streaming(*files[i], options, 4096, {}, ranks.share(r));
      });
    }
    for (auto& t : threads) t.join();
    std::int64_t rows_read = 0;
    for (int r = 0; r < size; ++r) {
      const auto& data = results[static_cast<std::size_t>(r)].data;
      EXPECT_EQ(data.cells.rows, one.data.cells.rows);
      EXPECT_EQ(data.split.train, one.data.split.train);
      EXPECT_EQ(data.genes(), one.data.genes()) << size << " ranks, rank " << r;
      EXPECT_EQ(data.library_size, one.data.library_size);
      EXPECT_EQ(data.empty_cells, one.data.empty_cells);
      EXPECT_EQ(results[static_cast<std::size_t>(r)].nonzeros, one.nonzeros);
      EXPECT_EQ(data.constant_genes, one.data.constant_genes);
      ASSERT_EQ(data.preprocessing.mean.size(), one.data.preprocessing.mean.size());
      for (std::size_t g = 0; g < data.preprocessing.mean.size(); ++g) {
        EXPECT_NEAR(data.preprocessing.mean[g], one.data.preprocessing.mean[g],
                    1e-6 * std::abs(one.data.preprocessing.mean[g]));
        EXPECT_NEAR(data.preprocessing.sd[g], one.data.preprocessing.sd[g],
                    1e-6 * one.data.preprocessing.sd[g]);
      }
      // Each rank reads only its share of each pass's cells: the training cells, then all.
      std::vector<std::int64_t> expected;
      for (const auto* rows : {&std::as_const(train_rows), &one.data.cells.rows}) {
        const auto [first, last] =
            contiguous_share(static_cast<std::int64_t>(rows->size()), r, size);
        expected.insert(expected.end(), rows->begin() + first, rows->begin() + last);
      }
      EXPECT_EQ(files[static_cast<std::size_t>(r)]->read, expected) << size << " ranks, rank " << r;
      rows_read += static_cast<std::int64_t>(expected.size());
    }
    EXPECT_EQ(rows_read, static_cast<std::int64_t>(one_file.read.size())) << size << " ranks";
  }
}

TEST(StreamingStatistics, MergedAccumulatorsEqualOneOverAllRows) {
  CsrMatrix m;
  m.n_cols = 3;
  // gene 0 constant 2.5 wherever stored and stored everywhere; gene 1 varied; gene 2 empty
  const std::vector<std::vector<std::pair<std::int32_t, float>>> rows = {{{0, 2.5F}, {1, 1.0F}},
                                                                         {{0, 2.5F}},
                                                                         {{0, 2.5F}, {1, 7.0F}},
                                                                         {{0, 2.5F}, {1, 3.0F}},
                                                                         {{0, 2.5F}}};
  m.indptr = {0};
  for (const auto& row : rows) {
    for (const auto& [g, v] : row) {
      m.indices.push_back(g);
      m.data.push_back(v);
    }
    m.indptr.push_back(static_cast<std::int64_t>(m.indices.size()));
  }
  m.n_rows = static_cast<std::int64_t>(rows.size());
  const auto all = compute_scaling(m);
  for (const std::int64_t cut : {0, 1, 2, 4, 5}) {
    ScalingAccumulator a(3), b(3);
    GeneFilterAccumulator ga(3), gb(3);
    for (std::int64_t r = 0; r < m.n_rows; ++r) {
      (r < cut ? a : b).add_row(m, r);
      (r < cut ? ga : gb).add_row(m, r);
    }
    auto merged = ScalingAccumulator::from_values(a.values());
    merged.merge(ScalingAccumulator::from_values(b.values()));
    const auto stats = merged.finish();
    EXPECT_EQ(stats.mean[0], 2.5);  // a constant gene stays exactly constant
    EXPECT_EQ(stats.constant_genes, all.constant_genes);
    for (std::size_t g = 0; g < 3; ++g) {
      EXPECT_NEAR(stats.mean[g], all.mean[g], 1e-12) << cut;
      EXPECT_NEAR(stats.sd[g], all.sd[g], 1e-12) << cut;
    }
    auto sums = GeneFilterAccumulator::from_values(ga.values());
    sums.merge(GeneFilterAccumulator::from_values(gb.values()));
    const auto filtered = sums.finish({});
    EXPECT_EQ(filtered.totals, filter_genes(m, {}).totals);
    EXPECT_EQ(filtered.cells_detected, filter_genes(m, {}).cells_detected);
  }
  EXPECT_THROW(ScalingAccumulator(3).merge(ScalingAccumulator(4)), Error);
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

// The h5ad reader on anndata's own fixtures (data/anndata-formats), the real glia data, and
// files that Debian's anndata 0.8 writes during the test (dense, CSR, CSC, gzip, int64, raw,
// layers).

#include "scgrad/io/h5ad_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_writer.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

using test::repository_data;

// --- files written by anndata 0.8 ------------------------------------------------------------

class AnndataWritten : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    ok_ = test::run_python("write_fixtures.py " + dir_->path.string());
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_TRUE(ok_) << "tests/python/write_fixtures.py failed"; }
  static std::string file(const std::string& name) { return dir_->file(name); }

  static float expected(std::int64_t i, std::int64_t j, float factor = 1) {
    return static_cast<float>((7 * i + 3 * j) % 5) * factor;
  }
  static void expect_values(const CsrMatrix& m, const std::vector<std::int64_t>& rows,
                            float factor = 1) {
    ASSERT_EQ(m.n_rows, static_cast<std::int64_t>(rows.size()));
    ASSERT_EQ(m.n_cols, 9);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::int64_t j = 0; j < 9; ++j) {
        EXPECT_EQ(m.at(static_cast<std::int64_t>(r), j), expected(rows[r], j, factor))
            << "row " << rows[r] << " col " << j;
      }
    }
    for (const auto v : m.data) EXPECT_NE(v, 0.0F);  // only nonzeros are kept
  }

  static test::TempDir* dir_;
  static bool ok_;
};
test::TempDir* AnndataWritten::dir_ = nullptr;
bool AnndataWritten::ok_ = false;

TEST_F(AnndataWritten, EveryStorageGivesTheSameValues) {
  const std::vector<std::int64_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  const std::vector<std::int64_t> some = {1, 4, 5, 11};
  for (const auto* name : {"dense.h5ad", "csr.h5ad", "csc.h5ad", "gzip.h5ad", "int64.h5ad"}) {
    SCOPED_TRACE(name);
    const H5adFile f(file(name));
    EXPECT_EQ(f.n_obs(), 12);
    EXPECT_EQ(f.n_vars(), 9);
    expect_values(f.read_all("X"), all);
    expect_values(f.read_rows("X", some), some);
  }
  EXPECT_EQ(H5adFile(file("dense.h5ad")).matrix_info("X").storage, MatrixStorage::dense);
  EXPECT_EQ(H5adFile(file("csc.h5ad")).matrix_info("X").storage, MatrixStorage::csc);
  EXPECT_EQ(H5adFile(file("csc.h5ad")).matrix_info("X").dtype, "float64");
}

TEST_F(AnndataWritten, RawAndLayers) {
  const H5adFile f(file("raw_layers.h5ad"));
  EXPECT_EQ(f.matrix_keys(),
            (std::vector<std::string>{"X", "raw/X", "layers/counts", "layers/dense_counts"}));
  const std::vector<std::int64_t> rows = {0, 2, 3};
  expect_values(f.read_rows("X", rows), rows, 2);
  expect_values(f.read_rows("raw", rows), rows);
  expect_values(f.read_rows("counts", rows), rows);
  expect_values(f.read_rows("layers/dense_counts", rows), rows);
  EXPECT_EQ(f.matrix_info("layers/counts").dtype, "int64");
  EXPECT_EQ(f.var_names("raw/X").front(), "ENSG00000");
  try {
    f.resolve_matrix_key("spliced");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layers/counts"), std::string::npos) << e.what();
  }
}

TEST_F(AnndataWritten, ObsAndVarColumns) {
  const H5adFile f(file("csr.h5ad"));
  EXPECT_EQ(f.obs_names()[3], "cell3");
  EXPECT_EQ(f.obs_column_names(), (std::vector<std::string>{"label", "name", "num", "flag"}));
  const auto label = f.obs_column("label");
  EXPECT_EQ(label.kind, ColumnKind::categorical);
  EXPECT_EQ(label.categorical.categories, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(label.categorical.codes[4], 1);
  const auto name = f.obs_column("name");
  EXPECT_EQ(name.kind, ColumnKind::string);
  EXPECT_EQ(name.strings[11], "n11");
  const auto num = f.obs_column("num");
  EXPECT_EQ(num.kind, ColumnKind::numeric);
  EXPECT_DOUBLE_EQ(num.numbers[5], 2.5);
  const auto flag = f.obs_column("flag");
  EXPECT_EQ(flag.kind, ColumnKind::boolean);
  EXPECT_EQ(flag.numbers[0], 1.0);
  EXPECT_EQ(flag.numbers[1], 0.0);
  EXPECT_EQ(f.var_column("feature_name").strings[2], "SYM2");
}

TEST_F(AnndataWritten, MissingColumnListsTheColumns) {
  const H5adFile f(file("csr.h5ad"));
  try {
    f.obs_column("author_cell_type");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), file("csr.h5ad"));
    EXPECT_EQ(e.element(), "obs");
    const std::string message = e.what();
    EXPECT_NE(message.find("csr.h5ad"), std::string::npos) << message;
    EXPECT_NE(message.find("'author_cell_type'"), std::string::npos) << message;
    EXPECT_NE(message.find("label, name, num, flag"), std::string::npos) << message;
  }
}

/// Row sets a reader meets: a streamed block, scattered cells, one cell, none, all.
std::vector<std::vector<std::int64_t>> row_sets(std::int64_t n) {
  std::vector<std::int64_t> block, scattered, all;
  for (std::int64_t i = 1000; i < 1700; ++i) block.push_back(i);
  for (std::int64_t i = 3; i < n; i += 97) scattered.push_back(i);
  for (std::int64_t i = 0; i < n; ++i) all.push_back(i);
  return {block, scattered, {n - 1}, {}, all};
}

TEST_F(AnndataWritten, CscRowsEqualCsrRows) {
  const H5adFile csr(file("large_csr.h5ad"));
  const H5adFile csc(file("large_csc.h5ad"));
  ASSERT_EQ(csc.matrix_info("X").storage, MatrixStorage::csc);
  for (const auto& rows : row_sets(csr.n_obs())) {
    SCOPED_TRACE(rows.size());
    const auto a = csr.read_rows("X", rows);
    const auto b = csc.read_rows("X", rows);
    EXPECT_EQ(a.indptr, b.indptr);
    EXPECT_EQ(a.indices, b.indices);
    EXPECT_EQ(a.data, b.data);
    EXPECT_GE(a.data.size(), rows.size() * 10);  // ~20 entries a row: the comparison has data
  }
}

TEST_F(AnndataWritten, TwoFilesReadFromTwoThreadsGiveTheSequentialResults) {
  const H5adFile csr(file("large_csr.h5ad"));
  const H5adFile csc(file("large_csc.h5ad"));
  const auto sets = row_sets(csr.n_obs());
  std::vector<CsrMatrix> expected_csr, expected_csc;
  for (const auto& rows : sets) {
    expected_csr.push_back(csr.read_rows("X", rows));
    expected_csc.push_back(csc.read_rows("X", rows));
  }
  // Both threads in libhdf5 at once would corrupt its state (it is built without thread
  // safety); the door serialises them.
  auto read_all_sets = [&](const H5adFile& f, std::vector<CsrMatrix>& out) {
    for (int round = 0; round < 3; ++round) {
      for (const auto& rows : sets) out.push_back(f.read_rows("X", rows));
      out.push_back(CsrMatrix{});
      (void)f.obs_names();
    }
  };
  std::vector<CsrMatrix> got_csr, got_csc;
  std::thread a([&] { read_all_sets(csr, got_csr); });
  std::thread b([&] { read_all_sets(csc, got_csc); });
  a.join();
  b.join();
  ASSERT_EQ(got_csr.size(), 3 * (sets.size() + 1));
  for (std::size_t i = 0; i < got_csr.size(); ++i) {
    const auto k = i % (sets.size() + 1);
    if (k == sets.size()) continue;
    EXPECT_EQ(got_csr[i].indices, expected_csr[k].indices);
    EXPECT_EQ(got_csr[i].data, expected_csr[k].data);
    EXPECT_EQ(got_csc[i].indices, expected_csc[k].indices);
    EXPECT_EQ(got_csc[i].data, expected_csc[k].data);
  }
}

// --- errors on files that are not AnnData -----------------------------------------------------

TEST(H5adErrors, MissingFileNotHdf5NotAnndata) {
  test::TempDir dir;
  EXPECT_THROW(H5adFile(dir.file("absent.h5ad")), Error);
  {
    std::ofstream(dir.file("text.h5ad")) << "not hdf5";
    try {
      H5adFile f(dir.file("text.h5ad"));
      FAIL();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
    }
  }
  {
    // An HDF5 file without obs/var: a writer abandoned before it wrote them.
    { H5adWriter unfinished(dir.file("plain.h5"), 3); }
    try {
      H5adFile f(dir.file("plain.h5"));
      FAIL();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not an AnnData file: no 'obs'"), std::string::npos)
          << e.what();
    }
  }
}

// --- anndata's fixtures and the real data (data/) ----------------------------------------------

TEST(RepositoryData, EveryAnndataVersionReads) {
  const auto dir = repository_data() / "anndata-formats";
  {
    const H5adFile f((dir / "anndata_v0.5.0.h5ad").string());
    EXPECT_EQ(f.n_obs(), 700);
    EXPECT_EQ(f.matrix_info("X").storage, MatrixStorage::dense);
    EXPECT_EQ(f.matrix_info("raw").storage, MatrixStorage::csr);  // stored as "raw.X"
    const auto labels = f.obs_column("bulk_labels");
    EXPECT_EQ(labels.kind, ColumnKind::categorical);
    EXPECT_EQ(labels.categorical.categories.size(), 10U);
    EXPECT_EQ(f.read_all("raw").nonzeros(), 174400);
    EXPECT_EQ(f.var_column("highly_variable").kind, ColumnKind::boolean);
  }
  for (const char* name : {"anndata_v0.7.0.h5ad", "anndata_v0.7.8.h5ad"}) {
    SCOPED_TRACE(name);
    const H5adFile f((dir / name).string());  // LZF-compressed, 0.7 categoricals
    EXPECT_EQ(f.n_obs(), 30);
    const auto cat = f.obs_column("obs_cat");
    EXPECT_EQ(cat.kind, ColumnKind::categorical);
    EXPECT_GT(cat.categorical.categories.size(), 10U);
    EXPECT_EQ(f.read_all("X").n_cols, 20);
    EXPECT_EQ(f.read_all("raw/X").n_cols, 40);
    EXPECT_EQ(f.matrix_info("layers/array").storage, MatrixStorage::dense);
  }
  {
    const H5adFile f((dir / "anndata_v0.11.4.h5ad").string());
    EXPECT_EQ(f.n_obs(), 10);
    EXPECT_TRUE(f.matrix_keys().empty());
    try {
      f.matrix_info("X");
      FAIL();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no matrix 'X'"), std::string::npos) << e.what();
    }
  }
  {
    const H5adFile f((dir / "cellxgene_schema_example.h5ad").string());
    EXPECT_EQ(f.obs_column("cell_type_ontology_term_id").categorical.categories[0], "CL:0000066");
    EXPECT_EQ(f.read_all("raw/X").nonzeros(), 14);  // int64 indptr and indices
  }
}

TEST(RepositoryData, GliaSubsetReadsOnlySelectedRows) {
  const H5adFile f((repository_data() / "darmanis2015_glia_subset.h5ad").string());
  EXPECT_EQ(f.n_obs(), 253);
  EXPECT_EQ(f.n_vars(), 19683);
  const auto labels = f.obs_column("author_cell_type");
  EXPECT_EQ(labels.categorical.counts(), (std::vector<std::int64_t>{62, 110, 25, 18, 38}));
  const auto all = f.read_all("X");
  EXPECT_EQ(all.nonzeros(), 901474);
  const auto some = f.read_rows("X", {0, 100, 252});
  EXPECT_EQ(some.data.size(), static_cast<std::size_t>((all.indptr[1] - all.indptr[0]) +
                                                       (all.indptr[101] - all.indptr[100]) +
                                                       (all.indptr[253] - all.indptr[252])));
  for (std::int64_t k = 0; k < some.indptr[1]; ++k) EXPECT_EQ(some.data[k], all.data[k]);
  const auto summary = f.value_summary("X");
  EXPECT_TRUE(summary.all_integer);
  EXPECT_EQ(summary.negative, 0);
}

}  // namespace
}  // namespace scgrad

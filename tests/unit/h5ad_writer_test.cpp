#include "scgrad/io/h5ad_writer.hpp"

#include <gtest/gtest.h>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

void write_small(const std::string& path, bool gzip) {
  H5adWriter writer(path, 4, gzip);
  writer.append_row({0, 3}, {1, 2});
  writer.append_row({}, {});
  writer.append_row({1, 2, 3}, {3, 4, 5});
  writer.write_obs({"c1", "c2", "c3"}, {{"author_cell_type", Categorical{{"A", "B"}, {1, 0, -1}}}});
  writer.write_var({"g1", "g2", "g3", "g4"});
  writer.finish();
}

TEST(H5adWriter, ScgradReadsBackWhatItWrote) {
  test::TempDir dir;
  for (const bool gzip : {false, true}) {
    const auto path = dir.file(gzip ? "gzip.h5ad" : "plain.h5ad");
    write_small(path, gzip);
    const H5adFile f(path);
    EXPECT_EQ(f.n_obs(), 3);
    EXPECT_EQ(f.var_names(), (std::vector<std::string>{"g1", "g2", "g3", "g4"}));
    const auto m = f.read_all("X");
    EXPECT_EQ(to_dense(m), (std::vector<float>{1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 4, 5}));
    const auto labels = f.obs_column("author_cell_type");
    EXPECT_EQ(labels.categorical.codes, (std::vector<std::int32_t>{1, 0, -1}));
  }
}

TEST(H5adWriter, AnndataReadsItBack) {
  test::TempDir dir;
  const auto path = dir.file("small.h5ad");
  write_small(path, true);
  const auto check = "import anndata, numpy as np; a = anndata.read_h5ad('" + path +
                     "'); assert a.shape == (3, 4); "
                     "assert a.X.toarray().tolist() == [[1, 0, 0, 2], [0, 0, 0, 0], [0, 3, 4, 5]]; "
                     "assert list(a.obs.author_cell_type.astype(str)) == ['B', 'A', 'nan']; "
                     "assert list(a.var_names) == ['g1', 'g2', 'g3', 'g4']";
  const auto command = std::string("/usr/bin/python3 -c \"") + check + "\"";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(H5adWriter, FinishNeedsObsAndVar) {
  test::TempDir dir;
  H5adWriter writer(dir.file("x.h5ad"), 2);
  EXPECT_THROW(writer.finish(), OptionError);
}

}  // namespace
}  // namespace scgrad

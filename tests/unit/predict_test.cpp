#include <gtest/gtest.h>

#include <cmath>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/h5ad_writer.hpp"
#include "scgrad/predict/predict_cells.hpp"
#include "scgrad/train/fit.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

/// A logistic model over genes a, b, c (two classes), trained on nothing: fixed weights.
FittedModel three_gene_model() {
  FittedModel m;
  m.model = "logistic";
  m.spec = "linear:1,sigmoid";
  m.classes = {"X", "Y"};
  m.preprocessing.genes = {"a", "b", "c"};
  m.preprocessing.gene_filter.min_counts = 0;
  m.preprocessing.log_cpm.target_sum = 1e4;
  m.preprocessing.mean = {1.0F, 2.0F, 0.5F};
  m.preprocessing.sd = {1.0F, 2.0F, 1.5F};
  m.weights = {{"linear1.weight", {1, 3}, {0.5F, -1.0F, 2.0F}}, {"linear1.bias", {1}, {0.1F}}};
  m.path = "three.h5";
  return m;
}

/// Three cells over `genes`, each row's counts listed per column.
std::string write_cells(const test::TempDir& dir, const std::string& name,
                        const std::vector<std::string>& genes,
                        const std::vector<std::vector<float>>& rows) {
  const auto path = dir.file(name);
  H5adWriter writer(path, static_cast<std::int64_t>(genes.size()));
  writer.write_obs({"c0", "c1", "c2"}, {});
  writer.write_var(genes);
  for (const auto& row : rows) {
    std::vector<std::int32_t> indices;
    std::vector<float> values;
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (row[j] != 0) {
        indices.push_back(static_cast<std::int32_t>(j));
        values.push_back(row[j]);
      }
    }
    writer.append_row(indices, values);
  }
  writer.finish();
  return path;
}

TEST(PredictCells, BlocksFromDiskGiveTheInMemoryLabelsBitForBit) {
  test::TempDir dir;
  const auto file = test::simulated_file(dir, 900, 300, 5);
  for (const std::string compute : {"sparse", "dense"}) {
    SCOPED_TRACE(compute);
    auto options = recommended_fit_options();
    options.prepare.classes = {"all"};
    options.input.compute = compute_choice(compute);
    options.training.epochs = 3;
    const auto model = fit(file, options).model;
    ASSERT_EQ(to_string(model.compute), compute);
    const auto in_memory = predict(model, file);
    PredictOptions streamed;
    streamed.max_memory = 40000;  // blocks of 256 cells (the least): 4 blocks
    const auto from_disk = predict(model, file, streamed);
    EXPECT_EQ(in_memory.block_cells, 900);
    EXPECT_EQ(from_disk.block_cells, 256);
    EXPECT_EQ(from_disk.columns.labels, in_memory.columns.labels);
    EXPECT_EQ(from_disk.columns.probabilities, in_memory.columns.probabilities);  // exact
    EXPECT_EQ(from_disk.columns.confidence, in_memory.columns.confidence);
    // The novelty: read twice from disk (the gene factors need every cell), the same numbers.
    ASSERT_EQ(in_memory.columns.novelty.size(), 900U);
    EXPECT_FALSE(in_memory.query_read_twice);
    EXPECT_TRUE(from_disk.query_read_twice);
    EXPECT_EQ(from_disk.columns.novelty, in_memory.columns.novelty);
  }
}

TEST(PredictCells, MaxNoveltyUnassignsTheCellsAboveItAndCountsThem) {
  test::TempDir dir;
  const auto file = test::simulated_file(dir, 600, 200, 3);
  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  const auto model = fit(file, options).model;
  ASSERT_FALSE(model.novelty.empty());
  const auto plain = predict(model, file);
  PredictOptions strict;
  strict.max_novelty = 0.5;
  strict.min_confidence = 0.9;
  const auto flagged = predict(model, file, strict);
  EXPECT_EQ(flagged.columns.labels, plain.columns.labels);  // the most probable class stays
  std::int64_t novel = 0, unassigned = 0;
  for (std::size_t i = 0; i < plain.columns.novelty.size(); ++i) {
    const bool is_novel = plain.columns.novelty[i] > 0.5;
    novel += is_novel ? 1 : 0;
    const bool out = is_novel || plain.columns.confidence[i] < 0.9;
    unassigned += out ? 1 : 0;
    EXPECT_EQ(flagged.columns.is_assigned(i), !out) << i;
  }
  EXPECT_GT(novel, 0);
  EXPECT_EQ(flagged.novel, novel);
  EXPECT_EQ(flagged.unassigned, unassigned);
  std::int64_t by_class = 0;
  for (const auto n : flagged.novel_by_class) by_class += n;
  EXPECT_EQ(by_class, novel);
  EXPECT_TRUE(plain.novel_by_class.empty());
  // Without novelty scores, or with a model from before them, --max-novelty is refused; the
  // labels and confidences do not change.
  PredictOptions off;
  off.novelty = false;
  const auto without = predict(model, file, off);
  EXPECT_TRUE(without.columns.novelty.empty());
  EXPECT_EQ(without.columns.confidence, plain.columns.confidence);
  off.max_novelty = 0.99;
  EXPECT_THROW(predict(model, file, off), OptionError);
  auto old = model;
  old.novelty = NoveltyReference{};
  EXPECT_THROW(predict(old, file, strict), OptionError);
  EXPECT_EQ(predict(old, file).columns.confidence, plain.columns.confidence);
  for (const double bad : {-0.1, 1.5, static_cast<double>(NAN)}) {
    strict.max_novelty = bad;
    EXPECT_THROW(predict(model, file, strict), OptionError) << bad;
  }
}

TEST(PredictCells, GeneNamedTwiceTakesTheSummedCounts) {
  test::TempDir dir;
  // "b" twice (3 + 4) against a file that stores the sum in one column.
  const auto split = write_cells(dir, "split.h5ad", {"a", "b", "c", "b"},
                                 {{1, 3, 0, 4}, {0, 0, 5, 2}, {2, 1, 1, 0}});
  const auto summed =
      write_cells(dir, "summed.h5ad", {"a", "b", "c"}, {{1, 7, 0}, {0, 2, 5}, {2, 1, 1}});
  for (const auto compute : {ComputePath::dense, ComputePath::sparse}) {
    auto model = three_gene_model();
    model.compute = compute;
    const auto from_split = predict_cells(model, H5adFile(split));
    const auto from_summed = predict_cells(model, H5adFile(summed));
    EXPECT_EQ(from_split.summed_genes, std::vector<std::string>{"b"}) << to_string(compute);
    EXPECT_TRUE(from_summed.summed_genes.empty());
    ASSERT_EQ(from_split.columns.probabilities.size(), 6U);
    for (std::size_t i = 0; i < 6; ++i) {
      EXPECT_FLOAT_EQ(from_split.columns.probabilities[i], from_summed.columns.probabilities[i])
          << to_string(compute) << " " << i;
    }
  }
}

TEST(PredictCells, NonFiniteOutputIsAnErrorNamingTheModelAndTheCell) {
  test::TempDir dir;
  const auto file =
      write_cells(dir, "cells.h5ad", {"a", "b", "c"}, {{1, 2, 3}, {0, 2, 5}, {2, 1, 1}});
  auto model = three_gene_model();  // in memory: not validated, so a NaN can get this far
  model.weights[0].values[1] = NAN;
  try {
    predict_cells(model, H5adFile(file));
    FAIL() << "a NaN weight gave finite predictions";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("three.h5"), std::string::npos) << message;
    EXPECT_NE(message.find("cell 'c0'"), std::string::npos) << message;
    EXPECT_NE(message.find("non-finite"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace scgrad

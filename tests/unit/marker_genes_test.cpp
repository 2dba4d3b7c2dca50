#include "scgrad/predict/marker_genes.hpp"

#include <gtest/gtest.h>

#include "scgrad/error.hpp"

namespace scgrad {
namespace {

FittedModel model(const std::string& spec, std::vector<std::string> classes) {
  FittedModel m;
  m.spec = spec;
  m.classes = std::move(classes);
  m.preprocessing.genes = {"a", "b", "c"};
  m.path = "m.h5";
  return m;
}

std::vector<std::string> genes_of(const std::vector<MarkerGene>& markers) {
  std::vector<std::string> genes;
  for (const auto& m : markers) genes.push_back(m.gene);
  return genes;
}

TEST(MarkerGenes, LogisticWeightsRankTheGenesOfEachClass) {
  auto m = model("linear:3", {"X", "Y", "Z"});
  m.weights = {{"linear1.weight", {3, 3}, {1, 3, 2, 0, -1, 5, 4, 4, -2}},
               {"linear1.bias", {3}, {}}};
  EXPECT_EQ(marker_source(m), MarkerSource::weights);
  const auto markers = marker_genes(m, 2);
  ASSERT_EQ(markers.size(), 3U);
  EXPECT_EQ(genes_of(markers[0]), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(genes_of(markers[1]), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(genes_of(markers[2]), (std::vector<std::string>{"a", "b"}));  // a tie: gene order
  EXPECT_DOUBLE_EQ(markers[1][0].score, 5);
}

TEST(MarkerGenes, TwoClassesReadTheOneOutputBothWays) {
  auto m = model("linear:1,sigmoid", {"X", "Y"});
  m.weights = {{"linear1.weight", {1, 3}, {2, -3, 1}}, {"linear1.bias", {1}, {0}}};
  const auto markers = marker_genes(m, 1);
  EXPECT_EQ(markers[0][0].gene, "a");
  EXPECT_EQ(markers[1][0].gene, "b");
  EXPECT_DOUBLE_EQ(markers[1][0].score, 3);
}

TEST(MarkerGenes, AModelWithHiddenLayersRanksItsStoredAttribution) {
  auto m = model("linear:4,sigmoid,linear:1,sigmoid", {"X", "Y"});
  m.weights = {{"linear1.weight", {4, 3}, std::vector<float>(12, 9.0F)}};  // not read
  m.marker_attribution = {0.1F, 0.3F,  0.2F,                               // X
                          0.5F, -0.1F, 0.0F};  // Y: a row per class, no sign flip
  EXPECT_EQ(marker_source(m), MarkerSource::gradient_x_input);
  const auto markers = marker_genes(m, 3);
  EXPECT_EQ(genes_of(markers[0]), (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ(genes_of(markers[1]), (std::vector<std::string>{"a", "c", "b"}));
  EXPECT_FLOAT_EQ(static_cast<float>(markers[1][0].score), 0.5F);
}

TEST(MarkerGenes, AModelWithHiddenLayersAndNoAttributionIsRefusedByName) {
  const auto m = model("linear:4,sigmoid,linear:1,sigmoid", {"X", "Y"});
  try {
    marker_genes(m);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("m.h5: markers:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("train it again"), std::string::npos) << e.what();
  }
  auto logistic = model("linear:1,sigmoid", {"X", "Y"});
  logistic.weights = {{"linear1.weight", {1, 3}, {2, -3, 1}}, {"linear1.bias", {1}, {0}}};
  EXPECT_THROW(marker_genes(logistic, 0), OptionError);
}

}  // namespace
}  // namespace scgrad

#include "scgrad/saved/model_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "scgrad/error.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

FittedModel example() {
  FittedModel m;
  m.model = "mlp";
  m.hidden = 2;
  m.spec = "linear:2,sigmoid,linear:3";
  m.classes = {"A", "B", "C"};
  m.preprocessing.genes = {"g1", "g2"};
  m.preprocessing.gene_filter.min_counts = 5;
  m.preprocessing.library_size_key = "n_counts";
  m.preprocessing.max_value = 7.5;
  m.label_key = "cell_type";
  m.preprocessing.mean = {0.5F, 1.5F};
  m.preprocessing.sd = {1.0F, 2.0F};
  m.weights = {{"linear1.weight", {2, 2}, {1, 2, 3, 4}},
               {"linear1.bias", {2}, {5, 6}},
               {"linear2.weight", {3, 2}, {1, 0, 0, 1, 1, 1}},
               {"linear2.bias", {3}, {0, 0, 0}}};
  m.marker_attribution = {0.1F, -0.2F, 0.3F, 0.4F, 0.5F, -0.6F};  // classes × genes
  m.training_numbers = {{"lr", 0.001}, {"epochs", 30}};
  m.training_strings = {{"data_file", "x.h5ad"}};
  auto& novelty = m.novelty;
  novelty.profiles.n_genes = 2;
  novelty.profiles.rates = {100, 0, 50, 50, 0, 200};  // classes × genes
  for (int c = 0; c < 3; ++c) {
    for (std::int64_t j = 0; j < kNoveltyLevels; ++j) {
      novelty.deviance_quantiles.push_back(static_cast<float>(c + j));
      novelty.doubt_quantiles.push_back(static_cast<float>(j) / (kNoveltyLevels - 1));
    }
  }
  novelty.deviance_cells = {25, 0, 40};
  novelty.doubt_cells = {30, 0, 0};
  novelty.deviance.top_genes = 7;
  return m;
}

TEST(FittedModel, RoundTrip) {
  test::TempDir dir;
  const auto path = dir.file("m.h5");
  write_model_file(path, example());
  const auto m = read_model_file(path);
  EXPECT_EQ(m.model, "mlp");
  EXPECT_EQ(m.hidden, 2);
  EXPECT_EQ(m.spec, "linear:2,sigmoid,linear:3");
  EXPECT_EQ(m.classes, example().classes);
  EXPECT_EQ(m.preprocessing.genes, example().preprocessing.genes);
  EXPECT_EQ(m.preprocessing.gene_filter.min_counts, 5);
  EXPECT_EQ(m.preprocessing.library_size_key, "n_counts");
  EXPECT_EQ(m.preprocessing.max_value, 7.5);  // the clip travels with the model
  EXPECT_EQ(m.preprocessing.sd, example().preprocessing.sd);
  ASSERT_EQ(m.weights.size(), 4U);
  EXPECT_EQ(m.weights[0].name, "linear1.weight");
  EXPECT_EQ(m.weights[0].shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(m.weights[0].values, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(m.marker_attribution, example().marker_attribution);
  const auto& novelty = example().novelty;
  EXPECT_EQ(m.novelty.profiles.rates, novelty.profiles.rates);
  EXPECT_EQ(m.novelty.profiles.n_genes, 2);
  EXPECT_EQ(m.novelty.deviance_quantiles, novelty.deviance_quantiles);
  EXPECT_EQ(m.novelty.doubt_quantiles, novelty.doubt_quantiles);
  EXPECT_EQ(m.novelty.deviance_cells, novelty.deviance_cells);
  EXPECT_EQ(m.novelty.doubt_cells, novelty.doubt_cells);
  EXPECT_EQ(m.novelty.deviance.top_genes, 7);
  EXPECT_EQ(m.novelty.deviance.dispersion, novelty.deviance.dispersion);
  // no temporary file is left beside it
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    EXPECT_EQ(entry.path().filename(), "m.h5");
  }
}

/// The message of the Error `f` throws ("" when it does not throw).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FittedModel, ValidationNamesTheElementOfEveryDefect) {
  const std::vector<std::pair<std::string, std::function<void(FittedModel&)>>> defects = {
      {"weights/linear2.weight", [](FittedModel& m) { m.weights[2].values[1] = NAN; }},
      {"weights/linear1.bias", [](FittedModel& m) { m.weights[1].values[0] = INFINITY; }},
      {"scaling/sd", [](FittedModel& m) { m.preprocessing.sd[1] = 0; }},
      {"scaling/sd", [](FittedModel& m) { m.preprocessing.sd[0] = -1; }},
      {"scaling/mean", [](FittedModel& m) { m.preprocessing.mean[0] = NAN; }},
      {"scaling", [](FittedModel& m) { m.preprocessing.mean.pop_back(); }},
      {"spec", [](FittedModel& m) { m.spec = "linear:2000000000,relu,linear:3"; }},
      {"spec", [](FittedModel& m) { m.spec = "linear:5,sigmoid,linear:3"; }},  // not hidden 2
      {"spec", [](FittedModel& m) { m.spec = "linear:2,bogus,linear:3"; }},
      {"hidden", [](FittedModel& m) { m.hidden = 0; }},
      {"weights/linear1.weight",
       [](FittedModel& m) {
         m.weights[0].shape = {1, 4};
       }},
      {"weights", [](FittedModel& m) { m.weights.pop_back(); }},
      {"classes", [](FittedModel& m) { m.classes[2] = "A"; }},
      {"classes", [](FittedModel& m) { m.classes[1] = ""; }},
      {"classes", [](FittedModel& m) { m.classes = {"A"}; }},
      {"genes", [](FittedModel& m) { m.preprocessing.genes[1] = "g1"; }},
      {"preprocess/target_sum", [](FittedModel& m) { m.preprocessing.log_cpm.target_sum = 0; }},
      {"preprocess/max_value", [](FittedModel& m) { m.preprocessing.max_value = -1; }},
      {"preprocess/max_value", [](FittedModel& m) { m.preprocessing.max_value = NAN; }},
      {"markers/gradient_x_input", [](FittedModel& m) { m.marker_attribution.pop_back(); }},
      {"markers/gradient_x_input", [](FittedModel& m) { m.marker_attribution[4] = NAN; }},
      {"temperature", [](FittedModel& m) { m.temperature = 0; }},
      {"temperature", [](FittedModel& m) { m.temperature = NAN; }},
      {"temperature", [](FittedModel& m) { m.temperature = 1e6; }},
      {"novelty/type_rates", [](FittedModel& m) { m.novelty.profiles.rates.pop_back(); }},
      {"novelty/type_rates", [](FittedModel& m) { m.novelty.profiles.rates[1] = -1; }},
      {"novelty/type_rates", [](FittedModel& m) { m.novelty.profiles.rates[2] = NAN; }},
      {"novelty/deviance_quantiles", [](FittedModel& m) { m.novelty.deviance_quantiles[5] = 0; }},
      {"novelty/deviance_quantiles",
       [](FittedModel& m) { m.novelty.deviance_quantiles.pop_back(); }},
      {"novelty/doubt_quantiles",
       [](FittedModel& m) { m.novelty.doubt_quantiles[kNoveltyLevels - 1] = 2; }},
      {"novelty/doubt_quantiles", [](FittedModel& m) { m.novelty.doubt_quantiles[3] = NAN; }},
      {"novelty/dispersion", [](FittedModel& m) { m.novelty.deviance.dispersion = 0; }},
      {"novelty/top_genes", [](FittedModel& m) { m.novelty.deviance.top_genes = 0; }},
      {"novelty/deviance_cells", [](FittedModel& m) { m.novelty.deviance_cells.pop_back(); }},
      {"novelty/doubt_cells", [](FittedModel& m) { m.novelty.doubt_cells[0] = -3; }},
  };
  EXPECT_EQ(error_of([] { validate_fitted_model(example(), "m.h5"); }), "");
  for (const auto& [element, damage] : defects) {
    auto m = example();
    damage(m);
    const auto message = error_of([&] { validate_fitted_model(m, "m.h5"); });
    EXPECT_NE(message.find("m.h5: " + element + ":"), std::string::npos)
        << element << " -> '" << message << "'";
  }
}

TEST(FittedModel, TheTemperatureIsKeptAndOptional) {
  test::TempDir dir;
  auto m = example();
  m.temperature = 1.75;
  write_model_file(dir.file("m.h5"), m);
  EXPECT_EQ(read_model_file(dir.file("m.h5")).temperature, 1.75);
  // A file written before scgrad calibrated has no temperature: it reads as 1 (none).
  const hid_t file = H5Fopen(dir.file("m.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Adelete(file, "temperature"), 0);
  H5Fclose(file);
  EXPECT_EQ(read_model_file(dir.file("m.h5")).temperature, 1.0);
}

TEST(FittedModel, TheMarkerAttributionIsOptional) {
  test::TempDir dir;
  auto m = example();
  m.marker_attribution.clear();  // the logistic model's files, and older ones
  write_model_file(dir.file("m.h5"), m);
  EXPECT_TRUE(read_model_file(dir.file("m.h5")).marker_attribution.empty());
}

TEST(FittedModel, TheNoveltyReferenceIsOptional) {
  test::TempDir dir;
  auto m = example();
  m.novelty.doubt_quantiles.clear();  // no validation cells: the counts alone
  m.novelty.doubt_cells.clear();
  write_model_file(dir.file("m.h5"), m);
  const auto read = read_model_file(dir.file("m.h5"));
  EXPECT_FALSE(read.novelty.empty());
  EXPECT_TRUE(read.novelty.doubt_quantiles.empty());
  m.novelty = NoveltyReference{};  // files written before scgrad stored it
  write_model_file(dir.file("old.h5"), m);
  EXPECT_TRUE(read_model_file(dir.file("old.h5")).novelty.empty());
}

TEST(FittedModel, WriterRefusesAnInvalidModel) {
  test::TempDir dir;
  auto m = example();
  m.weights[0].values[0] = NAN;
  EXPECT_NE(error_of([&] { write_model_file(dir.file("m.h5"), m); }).find("weights/linear1.weight"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
}

TEST(FittedModel, RefusesOtherFiles) {
  test::TempDir dir;
  std::ofstream(dir.file("text.h5")) << "hello";
  EXPECT_THROW(read_model_file(dir.file("text.h5")), Error);
  EXPECT_THROW(read_model_file(dir.file("absent.h5")), Error);
}

}  // namespace
}  // namespace scgrad

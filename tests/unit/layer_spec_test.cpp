#include "scgrad/model/layer_spec.hpp"

#include <gtest/gtest.h>

#include "scgrad/error.hpp"

namespace scgrad {
namespace {

TEST(LayerSpec, ParsesAndPrintsBack) {
  const auto layers = parse_layer_spec("linear:50,relu,dropout:0.25,tanh,linear:1,sigmoid");
  ASSERT_EQ(layers.size(), 6U);
  EXPECT_EQ(layers[0].kind, LayerSpec::Kind::linear);
  EXPECT_EQ(layers[0].units, 50);
  EXPECT_EQ(layers[2].kind, LayerSpec::Kind::dropout);
  EXPECT_DOUBLE_EQ(layers[2].p, 0.25);
  EXPECT_EQ(to_string(layers), "linear:50,relu,dropout:0.25,tanh,linear:1,sigmoid");
}

TEST(LayerSpec, NamedModelsAreTheExercisesModels) {
  EXPECT_EQ(model_spec_text("logistic"), "linear:1,sigmoid");
  EXPECT_EQ(model_spec_text("mlp"), "linear:50,sigmoid,linear:1,sigmoid");
  EXPECT_EQ(model_spec_text("mlp", 8), "linear:8,sigmoid,linear:1,sigmoid");
}

TEST(LayerSpec, RejectsBadItemsWithTheItemNamed) {
  for (const char* bad : {"", "linear", "linear:0", "linear:5x", "softmax", "dropout:1.5",
                          "sigmoid:2", "sigmoid,relu"}) {
    try {
      parse_layer_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("accepted:"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace scgrad

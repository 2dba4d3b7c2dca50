// The exercise's models: structure, validation, and initial weights equal to PyTorch's.

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise_models.hpp"
#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/train/classification.hpp"

namespace scgrad {
namespace {

/// Runs python code with Debian's PyTorch and parses what it prints as JSON.
nlohmann::json python_json(const std::string& code) {
  const auto command = "/usr/bin/python3 -c \"" + code + "\"";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pipe == nullptr || pclose(pipe) != 0) return nullptr;
  return nlohmann::json::parse(out);
}

std::vector<float> flat(const torch::Tensor& t) {
  const auto c = t.detach().contiguous().view(-1);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

TEST(Models, InitialWeightsEqualPyTorchsWithTheSameSeed) {
  const auto reference = python_json(
      "import json, torch, torch.nn as nn\n"
      "torch.manual_seed(5); s = nn.Linear(20, 1)\n"
      "torch.manual_seed(5); a = nn.Linear(20, 50); b = nn.Linear(50, 1)\n"
      "f = lambda t: t.detach().reshape(-1).tolist()\n"
      "print(json.dumps({'s': [f(s.weight), f(s.bias)], 'm': [f(a.weight), f(a.bias), "
      "f(b.weight), f(b.bias)]}))");
  ASSERT_FALSE(reference.is_null()) << "Debian's python3-torch is needed";

  torch::manual_seed(5);
  SimpleModel simple(20);
  EXPECT_EQ(flat(simple.linear1->weight), reference["s"][0].get<std::vector<float>>());
  EXPECT_EQ(flat(simple.linear1->bias), reference["s"][1].get<std::vector<float>>());

  for (const std::string model : {"mlp", "linear:50,sigmoid,linear:1,sigmoid"}) {
    torch::manual_seed(5);
    auto net = make_classifier(model, 20);
    const auto params = net->parameters();
    ASSERT_EQ(params.size(), 4U);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(flat(params[i]), reference["m"][i].get<std::vector<float>>()) << model << " " << i;
    }
  }
}

TEST(Models, ParameterNamesFollowTheExercise) {
  auto names = [](const std::shared_ptr<ClassifierImpl>& m) {
    std::vector<std::string> out;
    for (const auto& item : m->named_parameters()) out.push_back(item.key());
    return out;
  };
  EXPECT_EQ(names(make_classifier("logistic", 3)),
            (std::vector<std::string>{"linear1.weight", "linear1.bias"}));
  EXPECT_EQ(names(make_classifier("linear:4,relu,linear:1,sigmoid", 3)),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight",
                                      "layers.2.bias"}));
  EXPECT_EQ(make_classifier("mlp", 3, 7)->spec(), "linear:7,sigmoid,linear:1,sigmoid");
}

TEST(Models, OutputShapeAndRange) {
  const auto x = torch::randn({6, 5});
  for (const std::string model :
       {"logistic", "mlp", "linear:3,tanh,dropout:0.5,linear:1,sigmoid"}) {
    auto net = make_classifier(model, 5);
    net->eval();
    const auto y = net->forward(x);
    EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{6, 1}));
    EXPECT_TRUE((y > 0).all().item<bool>() && (y < 1).all().item<bool>());
  }
}

TEST(Models, RejectsModelsThatDoNotFitTheTask) {
  EXPECT_THROW(make_classifier("linear:2,sigmoid", 5), Error);  // two outputs for BCE
  EXPECT_THROW(make_classifier("linear:1", 5), Error);          // no sigmoid before BCE
  EXPECT_THROW(make_classifier("conv:3", 5), Error);
  EXPECT_THROW(make_classifier("linear:3,sigmoid", 5, 50, 3), Error);  // CE takes logits
  EXPECT_THROW(make_classifier("linear:4", 5, 50, 3), Error);          // wrong class count
}

TEST(Models, ManyClassesGiveOneLogitPerClass) {
  const auto x = torch::randn({6, 5});
  for (const std::string model : {"logistic", "mlp", "linear:8,relu,linear:3"}) {
    auto net = make_classifier(model, 5, 50, 3);
    EXPECT_EQ(net->forward(x).sizes(), (std::vector<std::int64_t>{6, 3})) << model;
  }
  EXPECT_EQ(make_classifier("mlp", 5, 8, 3)->spec(), "linear:8,sigmoid,linear:3");
  EXPECT_EQ(make_classifier("logistic", 5, 8, 4)->spec(), "linear:4");
}

TEST(Classification, TwoClassesAndManyAgreeOnConventions) {
  // two classes: one sigmoid output p = P(class 0)
  const auto p = torch::tensor({0.9F, 0.2F, 0.5F}).reshape({-1, 1});
  EXPECT_EQ(predicted_classes(p, 2).to(torch::kInt64).sum().item<std::int64_t>(), 2);  // 0, 1, 1
  const auto probs = class_probabilities(p, 2);
  EXPECT_FLOAT_EQ(probs[0][0].item<float>(), 0.9F);
  EXPECT_FLOAT_EQ(probs[0][1].item<float>(), 0.1F);
  const auto y2 = targets_tensor({0, 1, 0}, 2);
  EXPECT_EQ(y2.sizes(), (std::vector<std::int64_t>{3, 1}));
  EXPECT_EQ(y2[0][0].item<float>(), 1.0F);  // class 0 is the exercise's positive class
  EXPECT_NEAR(classification_accuracy(p, y2, 2), 2.0 / 3.0, 1e-12);  // 0.5 is not > 0.5
  // three classes: logits, softmax, cross-entropy
  const auto logits = torch::tensor({{2.0F, 0.0F, 0.0F}, {0.0F, 0.0F, 3.0F}});
  const auto y3 = targets_tensor({0, 1}, 3);
  EXPECT_EQ(y3.scalar_type(), torch::kInt64);
  EXPECT_DOUBLE_EQ(classification_accuracy(logits, y3, 3), 0.5);
  EXPECT_NEAR(class_probabilities(logits, 3).sum(1)[0].item<float>(), 1.0F, 1e-6);
  const double expected =
      (-std::log(std::exp(2.0) / (std::exp(2.0) + 2)) - std::log(1 / (2 + std::exp(3.0)))) / 2;
  EXPECT_NEAR(classification_loss(logits, y3, 3).item<double>(), expected, 1e-5);
}

TEST(DenseTensors, ScaleIsTheExercisesScaleWithConstantGenesKeptFinite) {
  auto x = torch::tensor({{1.0F, 2.0F}, {3.0F, 2.0F}, {5.0F, 2.0F}});
  x = scale(x);
  // gene 0: mean 3, population SD sqrt(8/3); gene 1 constant → 0, not NaN
  EXPECT_NEAR(x[0][0].item<float>(), -2.0 / std::sqrt(8.0 / 3.0), 1e-6);
  EXPECT_NEAR(x[2][0].item<float>(), 2.0 / std::sqrt(8.0 / 3.0), 1e-6);
  EXPECT_EQ(x[1][1].item<float>(), 0.0F);
}

TEST(DenseTensors, DenseCopyOfCsr) {
  CsrMatrix m;
  m.n_rows = 2;
  m.n_cols = 3;
  m.indptr = {0, 1, 3};
  m.indices = {2, 0, 1};
  m.data = {7, 8, 9};
  const auto t = to_dense_tensor(m);
  EXPECT_EQ(flat(t), (std::vector<float>{0, 0, 7, 8, 9, 0}));
}

TEST(Accuracy, TheExercisesRecipe) {
  const auto outputs = torch::tensor({0.9F, 0.4F, 0.6F, 0.5F}).reshape({-1, 1});
  const auto y = torch::tensor({1.0F, 0.0F, 0.0F, 1.0F}).reshape({-1, 1});
  // predictions 1, 0, 1, 0 (0.5 is not > 0.5) → 2 of 4 right
  EXPECT_DOUBLE_EQ(accuracy(outputs, y), 0.5);
}

}  // namespace
}  // namespace scgrad

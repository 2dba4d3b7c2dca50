// The exercise "weight optimization in pytorch", block by block, in C++.
// Read it beside ../shared/seeds/000_1592fea587a3e6fd.txt: each block names the Python it
// stands for. Loading and preprocessing come from the scgrad library; the exercise's own
// pieces (scale, SimpleModel, TwoLayerModel, OurNN_ListVersion, accuracy, the training loop)
// are the library's, with the exercise's names.
//
// Usage: exercise_walkthrough FILE.h5ad [CLASS_A CLASS_B]
//   e.g. exercise_walkthrough ../shared/data/darmanis2015_glia_subset.h5ad Astrocytes "Fetal
//   replicating"

#include <torch/torch.h>

#include <iostream>

#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise_models.hpp"
#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/prepare_data.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/trainer.hpp"

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::cerr << "usage: exercise_walkthrough FILE.h5ad [CLASS_A CLASS_B]\n";
    return 2;
  }
  // data = data[data.obs.author_cell_type.apply(lambda x: x in ["Astrocytes", "Glioblasts"])]
  // then filter genes and normalise (logCPM) "the same way as on day 1".
  scgrad::PrepareOptions prepare;
  prepare.classes = {argc > 3 ? argv[2] : "Astrocytes", argc > 3 ? argv[3] : "Glioblasts"};
  const scgrad::H5adFile file(argv[1]);
  const auto data = scgrad::prepare_data(file, prepare);

  // X = torch.Tensor(data.X.todense())
  auto X = scgrad::to_dense_tensor(data.log_cpm);
  // Y = torch.Tensor(np.array([[0 + (x == "Astrocytes") for x in ...]])).transpose(0,1)
  const auto Y = scgrad::targets_tensor(data.cells.targets, 2);
  // X = scale(X)
  X = scgrad::scale(X);
  std::cout << "X: " << X.sizes() << ", Y: " << Y.sizes() << '\n';

  // model = SimpleModel(input_dim=X.shape[1])
  torch::manual_seed(0);
  scgrad::SimpleModel model(X.size(1));
  // criterion = nn.BCELoss(); optimizer = optim.Adam(model.parameters(), lr=0.0001)
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(1e-4));
  std::cout << "weights (first 5): " << model.linear1->weight.slice(1, 0, 5) << '\n';

  // outputs = model(X); loss = criterion(outputs, Y)
  auto outputs = model.forward(X);
  auto loss = scgrad::bce_loss(outputs, Y);
  std::cout << "loss.item() = " << loss.item<double>()
            << ", accuracy = " << scgrad::accuracy(outputs, Y) << '\n';

  // model.train(); optimizer.zero_grad(); loss.backward(); optimizer.step()
  model.train();
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();

  // for epoch in range(10): outputs, loss, backward, step, print(loss)
  for (int epoch = 0; epoch < 10; ++epoch) {
    optimizer.zero_grad();
    outputs = model.forward(X);
    loss = scgrad::bce_loss(outputs, Y);
    loss.backward();
    optimizer.step();
    std::cout << "epoch " << epoch + 1 << " loss " << loss.item<double>() << '\n';
  }
  std::cout << "accuracy after training = " << scgrad::accuracy(model.forward(X), Y) << '\n';

  // A more complex model, and the list-of-layers version: same training, same epochs.
  for (const std::string name : {"mlp", "linear:50,sigmoid,linear:1,sigmoid"}) {
    torch::manual_seed(0);
    auto net = scgrad::make_classifier(name, X.size(1));
    const scgrad::LabelledData data{std::make_shared<scgrad::DenseInput>(X), Y};
    const auto results = scgrad::train_classifier(*net, 2, data, std::nullopt);
    std::cout << name << ": loss " << results.epochs.front().train_loss << " -> "
              << results.final_train.loss << ", accuracy " << results.final_train.accuracy << '\n';
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "exercise_walkthrough: " << e.what() << '\n';
  return 1;
}

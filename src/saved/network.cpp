#include "scgrad/saved/network.hpp"

#include "scgrad/error.hpp"

namespace scgrad {

void store_weights(ClassifierImpl& model, FittedModel& file) {
  file.weights.clear();
  for (const auto& item : model.named_parameters()) {
    const auto t = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    NamedArray w;
    w.name = item.key();
    w.shape = t.sizes().vec();
    w.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    file.weights.push_back(std::move(w));
  }
}

std::shared_ptr<ClassifierImpl> load_classifier(const FittedModel& file) {
  // The spec alone says what to build; the weights are its parameters in order (their names,
  // e.g. "linear1.weight" of the exercise's SimpleModel, are a record of the trained module).
  auto model = make_classifier(file.spec, static_cast<std::int64_t>(file.genes().size()),
                               file.hidden, output_units(file.classes.size()));
  torch::NoGradGuard no_grad;
  auto params = model->parameters();
  if (params.size() != file.weights.size()) {
    throw Error("model file: " + std::to_string(file.weights.size()) + " weight arrays for a " +
                "model with " + std::to_string(params.size()) + " parameters");
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& w = file.weights[i];
    if (params[i].sizes().vec() != w.shape) {
      throw Error("model file: weights/" + w.name + " has the wrong shape for " + file.spec);
    }
    params[i].copy_(
        torch::from_blob(const_cast<float*>(w.values.data()), w.shape, torch::kFloat32));
  }
  model->set_input_scaling(torch::tensor(file.preprocessing.mean),
                           torch::tensor(file.preprocessing.sd), file.preprocessing.max_value);
  model->eval();
  return model;
}

}  // namespace scgrad

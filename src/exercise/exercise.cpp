#include "scgrad/exercise/exercise.hpp"

#include <cstdio>

#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise_models.hpp"
#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/trainer.hpp"

namespace scgrad {

namespace {

/// printf-style formatting into a std::string (the messages below are short).
template <typename... Args>
std::string printed(const char* format, Args... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

ObjectSummary summarise(const std::string& object, const torch::Tensor& t) {
  ObjectSummary s;
  s.object = object;
  s.type = "torch::Tensor";
  s.shape = t.sizes().vec();
  s.dtype = std::string(c10::toString(t.scalar_type())) == "Float" ? "float32"
                                                                   : c10::toString(t.scalar_type());
  s.min = t.min().item<double>();
  s.max = t.max().item<double>();
  return s;
}

std::vector<torch::Tensor> snapshot(torch::nn::Module& model) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : model.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

double largest_change(torch::nn::Module& model, std::vector<torch::Tensor>& before) {
  double change = 0;
  const auto params = model.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    change = std::max(change, (params[i].detach() - before[i]).abs().max().item<double>());
  }
  before = snapshot(model);
  return change;
}

std::string verdict_for(const ModelRun& run) {
  const double drop = (run.loss_before - run.loss_after) / run.loss_before;
  bool every_epoch_lower = true;
  for (std::size_t i = 1; i < run.losses.size(); ++i) {
    every_epoch_lower = every_epoch_lower && run.losses[i] < run.losses[i - 1];
  }
  const auto numbers =
      printed("loss %.4f -> %.4f (%+.1f%%), accuracy %.3f -> %.3f", run.loss_before, run.loss_after,
              -100 * drop, run.accuracy_before, run.accuracy_after);
  if (run.loss_after >= run.loss_before) return "not successful: " + numbers;
  if (run.accuracy_after < run.accuracy_before) {
    return "mixed: the loss fell but accuracy dropped: " + numbers;
  }
  if (drop < 0.01) {
    return "learning, but barely: " + numbers + " (lr and epochs too small to move far)";
  }
  if (run.accuracy_after - run.accuracy_before < 0.02) {
    return "partly: the loss fell but accuracy barely moved: " + numbers +
           " (more epochs or a larger lr would be needed)";
  }
  return std::string("successful: ") + numbers +
         (every_epoch_lower ? ", lower in every epoch" : "");
}

/// The objects the exercise's notebook prints: counts, log-CPM, X and Y.
void describe_inputs(ExerciseReport& report, const PreparedData& data, const torch::Tensor& x,
                     const torch::Tensor& y) {
  const auto n_cells = data.log_cpm.n_rows;
  const auto n_genes = data.log_cpm.n_cols;
  report.objects.push_back({"data (counts, after filtering)",
                            "scgrad::CsrMatrix",
                            {n_cells, n_genes},
                            "float32",
                            data.count_min,
                            data.count_max});
  {
    ObjectSummary log_cpm{
        "data (log-CPM)", "scgrad::CsrMatrix", {n_cells, n_genes}, "float32", 0, 0};
    if (!data.log_cpm.data.empty()) {
      const auto [lo, hi] = std::minmax_element(data.log_cpm.data.begin(), data.log_cpm.data.end());
      log_cpm.min = std::min(0.0F, *lo);
      log_cpm.max = std::max(0.0F, *hi);
    }
    report.objects.push_back(log_cpm);
  }
  report.objects.push_back(summarise("X (scaled)", x));
  report.objects.push_back(summarise("Y", y));
}

/// Exercise 2.2: which call of a training step changes the weights (SimpleModel, one step).
void weights_through_one_step(ExerciseReport& report, const torch::Tensor& x,
                              const torch::Tensor& y, const ExerciseOptions& options) {
  torch::manual_seed(options.seed);
  SimpleModel model(x.size(1));
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(options.lr));
  auto before = snapshot(model);
  model.train();
  report.weight_changes.push_back({"train", largest_change(model, before)});
  optimizer.zero_grad();
  report.weight_changes.push_back({"zero_grad", largest_change(model, before)});
  const auto outputs = model.forward(x);
  report.weight_changes.push_back({"forward", largest_change(model, before)});
  const auto loss = bce_loss(outputs, y);
  report.weight_changes.push_back({"loss", largest_change(model, before)});
  loss.backward();
  report.weight_changes.push_back({"backward", largest_change(model, before)});
  for (const auto& p : model.parameters()) {
    report.max_gradient_after_backward =
        std::max(report.max_gradient_after_backward, p.grad().abs().max().item<double>());
  }
  optimizer.step();
  report.weight_changes.push_back({"step", largest_change(model, before)});
  report.objects.push_back(summarise("outputs (SimpleModel, untrained)", outputs.detach()));
}

struct Candidate {
  std::string name, cpp_class;
  std::function<std::shared_ptr<ClassifierImpl>()> build;
};

/// Exercise 2.3: one model trained with the exercise's settings; its parameters go into the
/// report's objects.
ModelRun train_candidate(const Candidate& candidate, const torch::Tensor& x, const torch::Tensor& y,
                         const ExerciseOptions& options, ExerciseReport& report) {
  torch::manual_seed(options.seed);  // immediately before the model is built, as in PyTorch
  auto model = candidate.build();
  ModelRun run;
  run.name = candidate.name;
  run.cpp_class = candidate.cpp_class;
  run.spec = model->spec();
  const LabelledData all{std::make_shared<DenseInput>(x), y};
  const auto before = evaluate(*model, all, 2);
  run.loss_before = before.loss;
  run.accuracy_before = before.accuracy;
  TrainingOptions training;
  training.epochs = options.epochs;
  training.lr = options.lr;
  const auto results = train_classifier(*model, 2, all, std::nullopt, training);
  for (const auto& e : results.epochs) {
    run.losses.push_back(e.train_loss);
    run.accuracies.push_back(e.train_accuracy);
  }
  run.loss_after = results.final_train.loss;
  run.accuracy_after = results.final_train.accuracy;
  run.verdict = verdict_for(run);
  for (const auto& item : model->named_parameters()) {
    report.objects.push_back(
        summarise(candidate.cpp_class + "." + item.key(), item.value().detach()));
  }
  return run;
}

/// The answer to "did learning work?" over the runs.
std::string conclusion(const ExerciseReport& report, const ExerciseOptions& options) {
  const auto& best =
      *std::min_element(report.runs.begin(), report.runs.end(),
                        [](const auto& a, const auto& b) { return a.loss_after < b.loss_after; });
  std::size_t successful = 0;
  for (const auto& run : report.runs) successful += run.verdict.rfind("successful", 0) == 0;
  const auto headline =
      successful == report.runs.size()
          ? std::string("Learning worked for every model.")
          : printed("Learning worked fully for %zu of %zu models.", successful, report.runs.size());
  return headline +
         printed(
             " With Adam at lr %g for %d epochs, the lowest final loss is %s's (%.4f, accuracy "
             "%.3f). The layer-list model is the two-layer model written as a list: with the "
             "same seed its numbers are identical.",
             options.lr, static_cast<int>(options.epochs), best.cpp_class.c_str(), best.loss_after,
             best.accuracy_after);
}

}  // namespace

ExerciseReport run_exercise(const PreparedData& data, const ExerciseOptions& options,
                            std::ostream* progress) {
  if (data.cells.classes.size() != 2) {
    throw OptionError("the exercise is a two-class problem; got " +
                          std::to_string(data.cells.classes.size()) + " classes",
                      {"classes"});
  }
  auto say = [&](const std::string& line) {
    if (progress != nullptr) *progress << line << '\n' << std::flush;
  };
  ExerciseReport report;
  report.classes = data.cells.classes;
  report.class_counts = data.cells.class_counts;
  report.genes_in_file = data.genes_in_file;
  report.genes_kept = data.log_cpm.n_cols;

  say("Set up pytorch tensors: X = dense log-CPM, Y = 1 for '" + data.cells.classes[0] + "'");
  auto x = scale(to_dense_tensor(data.log_cpm));
  const auto y = targets_tensor(data.cells.targets, 2);
  const auto n_genes = data.log_cpm.n_cols;

  describe_inputs(report, data, x, y);
  // Exercise 2.2 on its own SimpleModel (same seed), so 2.3's runs equal `scgrad train`'s with the
  // exercise's settings.
  say("Exercise 2.2: one training step of SimpleModel, weights compared after each call");
  weights_through_one_step(report, x, y, options);

  const auto list_spec = parse_layer_spec(model_spec_text("mlp", options.hidden));
  const std::vector<Candidate> candidates = {
      {"logistic", "SimpleModel", [&] { return std::make_shared<SimpleModel>(n_genes); }},
      {"mlp", "TwoLayerModel",
       [&] { return std::make_shared<TwoLayerModel>(n_genes, options.hidden); }},
      {"layer_list", "OurNN_ListVersion",
       [&] { return std::make_shared<OurNN_ListVersion>(n_genes, list_spec); }},
  };
  for (const auto& candidate : candidates) {
    say("Exercise 2.3: training " + candidate.cpp_class + " for " + std::to_string(options.epochs) +
        " epochs");
    report.runs.push_back(train_candidate(candidate, x, y, options, report));
  }

  report.conclusion = conclusion(report, options);
  return report;
}

}  // namespace scgrad

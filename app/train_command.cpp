// `scgrad train FILE.h5ad --classes A,B[,C…]|all`: preprocessing, a held-out split, training,
// evaluation, and the model file that `scgrad predict` uses.

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "preprocess_options.hpp"
#include "progress_bar.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/select_cells.hpp"
#include "scgrad/train/classification_metrics.hpp"
#include "scgrad/train/classifier_file.hpp"
#include "scgrad/train/fit_classifier.hpp"
#include "scgrad/util/atomic_output.hpp"
#include "scgrad/util/output_paths.hpp"
#include "training_plot.hpp"

namespace scgrad::app {

namespace {

struct TrainArgs {
  std::string file;
  std::string classes;
  PrepareOptions prepare;
  std::string model = "logistic";
  std::int64_t hidden = 50;
  // Defaults that learn (the library's recommended_fit_options, docs/training.md); the
  // exercise's run is spelled out in --help.
  TrainingOptions training = recommended_fit_options().training;
  double test_fraction = recommended_fit_options().prepare.test_fraction;
  std::uint64_t seed = 0;
  // Unset: on with minibatches, off with --batch-size 0 (the exercise's loop stays as it was).
  std::optional<double> weight_decay;  ///< unset: chosen on the validation cells
  std::optional<double> validation_fraction;
  std::optional<int> patience;
  std::optional<int> lr_reductions;
  std::optional<std::string> class_weight;
  std::optional<bool> refit;
  std::string metrics_out;
  std::string model_out;
  std::string plot;
  std::string compute = "auto";
  std::string optimizer = "auto";
  int threads = 0;
  std::string max_memory;                          ///< "" = half the machine's memory
  const CLI::Option* target_sum_option = nullptr;  ///< to tell whether --target-sum was given
};

void print_report(const ClassificationReport& report, const std::vector<std::string>& classes,
                  const std::string& evaluated_on) {
  std::cout << fmt::format("\nEvaluation on the {} cells (rows: true class, columns: predicted)\n",
                           evaluated_on);
  std::size_t width = 9;
  for (const auto& c : classes) width = std::max(width, c.size() + 2);
  std::cout << fmt::format("  {:<{}}", "", width);
  for (std::size_t c = 0; c < classes.size(); ++c) std::cout << fmt::format("{:>8}", c);
  std::cout << fmt::format("   {:>9} {:>7} {:>7} {:>8}\n", "precision", "recall", "F1", "cells");
  for (std::size_t t = 0; t < classes.size(); ++t) {
    std::cout << fmt::format("  {:<{}}", fmt::format("{} {}", t, classes[t]), width);
    for (const auto n : report.confusion[t]) std::cout << fmt::format("{:>8}", n);
    const auto& m = report.per_class[t];
    std::cout << fmt::format("   {:>9.3f} {:>7.3f} {:>7.3f} {:>8}\n", m.precision, m.recall, m.f1,
                             m.support);
  }
  std::cout << fmt::format("  accuracy {:.4f}, macro-F1 {:.4f}, balanced accuracy {:.4f}",
                           report.accuracy, report.macro_f1, report.balanced_accuracy);
  if (report.auc >= 0)
    std::cout << fmt::format(", ROC AUC {:.4f} ('{}' positive)", report.auc, classes[0]);
  std::cout << '\n';
}

/// One line about every class (with at least 5 evaluated cells) the model never predicts.
void warn_dropped_classes(const ClassificationReport& report,
                          const std::vector<std::string>& classes,
                          const std::string& evaluated_on) {
  const auto dropped = never_predicted_classes(report, 5);
  if (dropped.empty()) return;
  std::string names;
  for (const auto c : dropped) {
    names += fmt::format("{}'{}' ({} cells)", names.empty() ? "" : ", ", classes[c],
                         report.per_class[c].support);
  }
  std::cerr << fmt::format(
      "warning: the model never predicts {} on the {} cells: recall 0. Rare classes need "
      "class weights (--class-weight sqrt or balanced) and no strong --weight-decay "
      "(docs/training.md)\n",
      names, evaluated_on);
}

/// "4G", "500M", "1.5G", "800000000" → bytes.
std::int64_t parse_bytes(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw Error("--max-memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  const auto unit = text.substr(used);
  const double scale = unit.empty() || unit == "B" ? 1
                       : unit == "K"               ? 1024.0
                       : unit == "M"               ? 1024.0 * 1024
                       : unit == "G"               ? 1024.0 * 1024 * 1024
                                                   : -1;
  if (scale < 0 || value <= 0) {
    throw Error("--max-memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  return static_cast<std::int64_t>(value * scale);
}

/// Half the machine's memory: room for the matrix and for torch.
std::int64_t default_max_memory() {
  return static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) / 2;
}

nlohmann::json epoch_json(const EpochMetrics& e) {
  nlohmann::json row = {{"epoch", e.epoch},
                        {"train_loss", e.train_loss},
                        {"train_accuracy", e.train_accuracy},
                        {"seconds", e.seconds}};
  if (e.validation_loss) {
    row["validation_loss"] = *e.validation_loss;
    row["validation_accuracy"] = *e.validation_accuracy;
  }
  if (e.test_loss) {
    row["test_loss"] = *e.test_loss;
    row["test_accuracy"] = *e.test_accuracy;
  }
  return row;
}

nlohmann::json report_json(const ClassificationReport& report,
                           const std::vector<std::string>& classes) {
  nlohmann::json j = {{"confusion_matrix", report.confusion},
                      {"accuracy", report.accuracy},
                      {"macro_f1", report.macro_f1},
                      {"balanced_accuracy", report.balanced_accuracy}};
  for (std::size_t c = 0; c < report.per_class.size(); ++c) {
    const auto& m = report.per_class[c];
    j["per_class"].push_back({{"class", classes[c]},
                              {"precision", m.precision},
                              {"recall", m.recall},
                              {"f1", m.f1},
                              {"support", m.support},
                              {"predicted", m.predicted}});
  }
  std::vector<std::string> dropped;
  for (const auto c : never_predicted_classes(report)) dropped.push_back(classes[c]);
  j["never_predicted"] = dropped;
  if (report.auc >= 0) j["roc_auc"] = report.auc;
  return j;
}

/// What the run chose and why, for the output, the metrics and the model file.
struct Settings {
  /// From the prepared sets, not the fractions: classes with too few cells give no validation
  /// or held-out cells.
  bool selecting = false;  ///< a validation set chooses the epoch (and the weight decay)
  bool held_out = false;   ///< held-out cells are measured
  std::string class_weight;
  double validation_fraction = 0;
  bool refit = false;
  std::string step = "epoch";  ///< what a table row is: an Adam epoch or an L-BFGS step
};

nlohmann::json selection_json(const FittedClassifier& fitted, const Settings& settings,
                              const TrainingOptions& training) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& c : fitted.candidates) {
    candidates.push_back({{"weight_decay", c.weight_decay},
                          {"best_epoch", c.best_epoch},
                          {"epochs_trained", c.epochs_trained},
                          {"validation_loss", c.validation_loss}});
  }
  nlohmann::json j = {{"weight_decay", fitted.weight_decay},
                      {"best_epoch", fitted.results.best_epoch},
                      {"epochs_trained", fitted.results.epochs.size()},
                      {"stopped_early", fitted.results.stopped_early},
                      {"max_epochs", training.epochs},
                      {"patience", training.patience},
                      {"validation_fraction", settings.validation_fraction},
                      {"validation_cells", fitted.inputs.data.split.validation.size()},
                      {"class_weight", settings.class_weight},
                      {"optimizer", fitted.optimizer == Optimizer::lbfgs ? "lbfgs" : "adam"},
                      {"retrained_on_training_cells", fitted.retrained.has_value()},
                      {"class_weights", fitted.class_weights},
                      {"candidates", candidates}};
  if (fitted.results.final_validation) {
    j["validation_loss"] = fitted.results.final_validation->loss;
    j["validation_accuracy"] = fitted.results.final_validation->accuracy;
  }
  return j;
}

nlohmann::json metrics_json(const FittedClassifier& fitted, const ClassificationReport& report,
                            const std::string& evaluated_on) {
  const auto& data = fitted.inputs.data;
  const auto& results = fitted.results;
  const auto& measured = fitted.measured();
  nlohmann::json j;
  j["cells"] = data.cells.rows.size();
  j["genes"] = data.genes().size();
  j["classes"] = data.cells.classes;
  j["train_cells"] = data.split.train.size();
  j["test_cells"] = data.split.test.size();
  std::vector<std::string> test_names;
  for (const auto c : data.split.test)
    test_names.push_back(data.cell_names[static_cast<std::size_t>(c)]);
  j["test_cell_names"] = test_names;
  j["epochs"] = nlohmann::json::array();
  for (const auto& e : results.epochs) j["epochs"].push_back(epoch_json(e));
  j["final"] = {{"epoch", results.best_epoch},
                {"train_loss", measured.final_train.loss},
                {"train_accuracy", measured.final_train.accuracy}};
  if (fitted.retrained) {
    j["final"]["retrained"] = {{"cells", data.split.train.size()},
                               {"epochs", fitted.retrained->epochs.size()}};
  }
  if (measured.final_test) {
    j["final"]["test_loss"] = measured.final_test->loss;
    j["final"]["test_accuracy"] = measured.final_test->accuracy;
    j["final"]["test_macro_f1"] = report.macro_f1;
    j["final"]["test_balanced_accuracy"] = report.balanced_accuracy;
  }
  j["evaluation"] = report_json(report, data.cells.classes);
  j["evaluation"]["cells"] = evaluated_on;
  return j;
}

nlohmann::json preprocess_json(const PrepareOptions& p) {
  return {{"label_key", p.label_key},
          {"matrix", p.matrix},
          {"min_counts", p.gene_filter.min_counts},
          {"min_cells", p.gene_filter.min_cells},
          {"target_sum", p.log_cpm.target_sum},
          {"log_base", p.log_cpm.log_base},
          {"library_size_key", p.library_size_key}};
}

std::string class_count_text(const PreparedData& data) {
  std::string counts;
  for (std::size_t c = 0; c < data.cells.classes.size(); ++c) {
    counts +=
        fmt::format("{}{} {}", c ? ", " : "", data.cells.class_counts[c], data.cells.classes[c]);
  }
  return counts;
}

/// Options the user left unset take their defaults: the new ones (validation, early stopping,
/// weight-decay grid, class weights, refit) only with minibatches.
Settings resolve_settings(TrainArgs& args, FitOptions& fit) {
  const bool minibatches = args.training.batch_size > 0;
  const auto recommended = recommended_fit_options();
  Settings s;
  s.validation_fraction =
      args.validation_fraction.value_or(minibatches ? recommended.prepare.validation_fraction : 0);
  s.class_weight = args.class_weight.value_or(
      minibatches ? class_weight_name(recommended.class_weight_power) : "none");
  s.refit = !args.model_out.empty() && args.refit.value_or(minibatches);
  fit.prepare = args.prepare;
  if (minibatches && args.target_sum_option->count() == 0) {
    fit.prepare.log_cpm.target_sum = recommended.prepare.log_cpm.target_sum;
  }
  fit.prepare.classes = split_class_list(args.classes);
  fit.prepare.test_fraction = args.test_fraction;
  fit.prepare.validation_fraction = s.validation_fraction;
  fit.prepare.split_seed = args.seed;
  fit.input.compute = args.compute;
  fit.input.max_memory =
      args.max_memory.empty() ? default_max_memory() : parse_bytes(args.max_memory);
  fit.input.batch_size = args.training.batch_size;
  fit.model = args.model;
  fit.hidden = args.hidden;
  fit.seed = args.seed;
  fit.training = args.training;
  fit.training.shuffle_seed = args.seed;
  fit.training.patience = args.patience.value_or(
      minibatches && s.validation_fraction > 0 ? recommended.training.patience : 0);
  fit.training.lr_reductions = args.lr_reductions.value_or(0);
  fit.weight_decay = args.weight_decay;
  if (!minibatches && !fit.weight_decay) fit.weight_decay = 0;  // PyTorch's Adam default
  fit.class_weight_power = class_weight_power(s.class_weight);
  if (!minibatches) fit.retrain_on_training_cells = false;
  if (args.optimizer != "auto") {
    fit.optimizer = args.optimizer == "lbfgs" ? Optimizer::lbfgs : Optimizer::adam;
  }
  return s;
}

void print_table_header(const Settings& settings) {
  std::cout << fmt::format("{:>5}  {:>10}  {:>9}", settings.step, "train_loss", "train_acc");
  if (settings.selecting) std::cout << fmt::format("  {:>10}  {:>9}", "valid_loss", "valid_acc");
  if (settings.held_out) std::cout << fmt::format("  {:>10}  {:>9}", "test_loss", "test_acc");
  std::cout << fmt::format("  {:>7}\n", "seconds");
}

/// A run's figures at its end, under the epoch table's columns (empty where it had no such set).
void print_final(const TrainingResults& r, const std::string& what) {
  std::cout << fmt::format("final  {:>10.6f}  {:>9.4f}", r.final_train.loss,
                           r.final_train.accuracy);
  if (r.final_validation) {
    std::cout << fmt::format("  {:>10.6f}  {:>9.4f}", r.final_validation->loss,
                             r.final_validation->accuracy);
  }
  if (r.final_test) {
    std::cout << fmt::format("  {:>10.6f}  {:>9.4f}", r.final_test->loss, r.final_test->accuracy);
  }
  std::cout << "   " << what << '\n';
}

void print_epoch(const EpochMetrics& e) {
  std::cout << fmt::format("{:>5}  {:>10.6f}  {:>9.4f}", e.epoch, e.train_loss, e.train_accuracy);
  if (e.validation_loss)
    std::cout << fmt::format("  {:>10.6f}  {:>9.4f}", *e.validation_loss, *e.validation_accuracy);
  if (e.test_loss)
    std::cout << fmt::format("  {:>10.6f}  {:>9.4f}", *e.test_loss, *e.test_accuracy);
  std::cout << fmt::format("  {:>7.2f}\n", e.seconds) << std::flush;
}

/// What was read, how it is split and fed, and how the model is trained.
void describe_inputs(const TrainArgs& args, const FitOptions& fit, const Settings& settings,
                     const TrainingInputs& inputs) {
  const auto& data = inputs.data;
  std::cerr << fmt::format(
      "{}: {} cells ({}), {} of {} genes kept ({} in {:.2f} s)\n", args.file,
      data.cells.rows.size(), class_count_text(data), data.genes().size(), data.genes_in_file,
      inputs.streaming ? "two streaming passes" : "read and preprocessed", inputs.prepare_seconds);
  if (!data.split.test.empty() || !data.split.validation.empty()) {
    std::cerr << fmt::format("split: {} training cells{}, {} held-out (stratified, seed {})\n",
                             data.split.train.size(),
                             data.split.validation.empty()
                                 ? std::string()
                                 : fmt::format(" ({} of them for validation: they choose the {}{})",
                                               data.split.validation.size(), settings.step,
                                               fit.weight_decay ? "" : " and the weight decay"),
                             data.split.test.size(), args.seed);
  }
  if (!settings.selecting && fit.prepare.validation_fraction > 0) {
    std::cerr << "note: no class has enough training cells for validation cells, so nothing "
                 "chooses the epoch or the weight decay: every epoch is trained\n";
  }
  if (!data.empty_cells.empty()) {
    std::cerr << fmt::format("note: {} cells have library size 0 (all-zero log-CPM)\n",
                             data.empty_cells.size());
  }
  std::cerr << fmt::format(
      "input: {} ({:.1f} % nonzero after normalisation{})\n",
      inputs.streaming
          ? fmt::format("streamed from disk chunk by chunk (matrix {:.0f} MB > --max-memory "
                        "{:.0f} MB), sparse first layer",
                        static_cast<double>(inputs.stored_bytes) / 1e6,
                        static_cast<double>(fit.input.max_memory) / 1e6)
      : inputs.sparse ? std::string("sparse, scaling folded into the first layer")
                      : std::string("dense"),
      100 * inputs.density, args.compute == "auto" ? ", --compute auto" : "");
  const auto n_classes = data.cells.classes.size();
  const bool lbfgs = resolve_optimizer(fit, inputs) == Optimizer::lbfgs;
  std::cerr << fmt::format(
      "model: {}, {}{}, {}, {}{} {}{}, seed {}\n", args.model,
      n_classes == 2 ? "BCE" : "cross-entropy",
      settings.class_weight == "none"
          ? std::string()
          : fmt::format(" with {} class weights", settings.class_weight),
      lbfgs ? "L-BFGS on all training cells (a convex loss)"
            : fmt::format("Adam lr {}, {}", fit.training.lr,
                          fit.training.batch_size > 0
                              ? fmt::format("batches of {}", fit.training.batch_size)
                              : "full batch"),
      settings.selecting ? "at most " : "", fit.training.epochs,
      lbfgs ? fmt::format("steps of {} iterations", fit.training.lbfgs_iterations) : "epochs",
      settings.selecting ? fmt::format(" (the best by validation loss is kept{})",
                                       fit.training.patience > 0
                                           ? fmt::format("; stops after {} without improvement",
                                                         fit.training.patience)
                                           : std::string())
                         : std::string(),
      args.seed);
}

void run_train(TrainArgs& args) {
  check_outputs_apart(
      {{"FILE", args.file}},
      {{"--out", args.model_out}, {"--metrics-out", args.metrics_out}, {"--plot", args.plot}});
  if (args.threads > 0) torch::set_num_threads(args.threads);
  FitOptions fit;
  auto settings = resolve_settings(args, fit);
  const auto file = std::make_shared<const H5adFile>(args.file);

  ProgressBar reading("reading", 100, "%");
  ProgressBar bar("training", fit.training.epochs, "epochs");
  std::size_t training_cells = 0;
  FitCallbacks callbacks;
  callbacks.on_pass = [&](int pass, std::int64_t done, std::int64_t total) {
    reading.update((pass - 1) * 50 + 50 * done / std::max<std::int64_t>(total, 1),
                   fmt::format("(pass {} of 2: {} / {} cells)", pass, done, total));
  };
  callbacks.on_prepared = [&](const TrainingInputs& inputs) {
    reading.clear();
    settings.selecting = inputs.sets.validation.has_value();
    settings.held_out = inputs.sets.test.has_value();
    settings.step = resolve_optimizer(fit, inputs) == Optimizer::lbfgs ? "step" : "epoch";
    training_cells = inputs.data.split.train.size();
    describe_inputs(args, fit, settings, inputs);
  };
  callbacks.on_candidate = [&](double weight_decay, std::size_t index, std::size_t count) {
    if (count > 1) {
      std::cout << fmt::format("{}weight decay {:.3g} (candidate {} of {})\n", index ? "\n" : "",
                               weight_decay, index + 1, count);
    }
    print_table_header(settings);
  };
  callbacks.on_retrain = [&](double weight_decay, int epochs) {
    std::cout << fmt::format(
        "\nretrain: the chosen settings on all {} training cells (validation cells included), "
        "weight decay {:.3g}, {} {}s; the held-out cells measure this model\n",
        training_cells, weight_decay, epochs, settings.step);
    Settings table;  // no validation columns: nothing is chosen any more
    table.held_out = settings.held_out;
    table.step = settings.step;
    print_table_header(table);
  };
  callbacks.on_candidate_done = [&](const CandidateResult& c) {
    bar.clear();
    if (!settings.selecting) return;
    std::cout << fmt::format(
        "  best {} {}: validation loss {:.6f}{}\n", settings.step, c.best_epoch, c.validation_loss,
        c.epochs_trained < fit.training.epochs
            ? fmt::format(" (stopped after {} {}s)", c.epochs_trained, settings.step)
            : std::string());
  };
  callbacks.training.on_batch = [&](int epoch, std::int64_t batch, std::int64_t batches) {
    if (batches > 1) bar.update(epoch - 1, fmt::format("(batch {}/{})", batch, batches));
  };
  callbacks.training.on_epoch = [&](const EpochMetrics& e) {
    bar.clear();
    print_epoch(e);
    bar.update(e.epoch);
  };

  const auto selected = fit_classifier(file, fit, callbacks);
  const auto& data = selected.inputs.data;
  const auto& results = selected.results;
  const auto n_classes = selected.n_classes();
  if (settings.selecting) {
    std::cout << fmt::format(
        "\nselected: weight decay {:.3g}{}, {} {} of {} (lowest validation loss, {:.6f})\n",
        selected.weight_decay,
        selected.candidates.size() > 1
            ? fmt::format(" (best of {} tried)", selected.candidates.size())
            : std::string(),
        settings.step, results.best_epoch, results.epochs.size(), results.final_validation->loss);
  }
  print_final(results, fmt::format("({} {})", settings.step, results.best_epoch));
  if (selected.retrained) {
    print_final(*selected.retrained,
                fmt::format("(retrained on {} training cells)", data.split.train.size()));
  }

  const auto& evaluated =
      settings.held_out ? *selected.inputs.sets.test : selected.inputs.sets.train;
  const auto& evaluated_cells = settings.held_out ? data.split.test : fit_cells(data.split);
  const auto predictions = predict_set(*selected.model, evaluated, n_classes);
  const auto report = classification_report(targets_of(data, evaluated_cells), predictions.classes,
                                            n_classes, predictions.probability_of_first);
  const std::string evaluated_on = settings.held_out ? "held-out" : "training";
  print_report(report, data.cells.classes, evaluated_on);
  warn_dropped_classes(report, data.cells.classes, evaluated_on);

  nlohmann::json metrics = metrics_json(selected, report, evaluated_on);
  metrics["selection"] = selection_json(selected, settings, fit.training);
  metrics["preprocess"] = preprocess_json(fit.prepare);
  if (!args.model_out.empty()) {
    std::optional<FittedClassifier> refitted;
    if (settings.refit) {
      std::cout << fmt::format(
          "\nrefit: training again on all {} selected cells (gene filter and scaling "
          "recomputed), weight decay {:.3g}, {} {}s (the selected run's steps)\n",
          data.cells.rows.size(),
          selected.weight_decay *
              selected_cells_ratio(selected, static_cast<std::int64_t>(data.cells.rows.size())),
          refit_epochs(selected), settings.step);
      FitCallbacks quiet;  // the refit's table: one line per epoch, no header repeated
      quiet.training = callbacks.training;
      quiet.on_candidate = [&](double, std::size_t, std::size_t) {
        Settings table;  // train columns only
        table.step = settings.step;
        print_table_header(table);
      };
      refitted = refit_classifier(file, fit, selected, quiet);
      bar.clear();
      const auto& r = refitted->results;
      std::cout << fmt::format(
          "refit: train loss {:.6f}, train accuracy {:.4f} on {} cells, {} genes\n",
          r.final_train.loss, r.final_train.accuracy, refitted->inputs.data.cells.rows.size(),
          refitted->inputs.data.genes().size());
      metrics["refit"] = {{"cells", refitted->inputs.data.cells.rows.size()},
                          {"genes", refitted->inputs.data.genes().size()},
                          {"epochs", r.best_epoch},
                          {"weight_decay", refitted->weight_decay},
                          {"class_weights", refitted->class_weights},
                          {"train_loss", r.final_train.loss},
                          {"train_accuracy", r.final_train.accuracy}};
    }
    const auto& saved = refitted ? *refitted : selected;
    write_model_file(args.model_out, classifier_file(saved, selected, fit, args.file));
    std::cerr << fmt::format(
        "wrote model {}: {}\n", args.model_out,
        refitted ? fmt::format("refit on all {} labelled cells (its held-out figures are the "
                               "measured model's above)",
                               refitted->inputs.data.cells.rows.size())
                 : fmt::format("the selected model, trained on {} cells",
                               selected.inputs.sets.train.input->rows()));
  }
  if (!args.metrics_out.empty()) {
    write_text_atomically(args.metrics_out, metrics.dump(2) + "\n", "--metrics-out");
  }
  if (!args.plot.empty()) {
    TrainingCurves curves;
    curves.title = fmt::format("scgrad train {} — {}", args.model, class_count_text(data));
    curves.kept_epoch = settings.selecting ? results.best_epoch : 0;
    curves.x_label = settings.step == "step"
                         ? fmt::format("L-BFGS step ({} iterations)", fit.training.lbfgs_iterations)
                         : "epoch";
    for (const auto& e : results.epochs) {
      curves.train_loss.push_back(e.train_loss);
      curves.train_accuracy.push_back(e.train_accuracy);
      if (e.validation_loss) {
        curves.validation_loss.push_back(*e.validation_loss);
        curves.validation_accuracy.push_back(*e.validation_accuracy);
      }
      if (e.test_loss) {
        curves.test_loss.push_back(*e.test_loss);
        curves.test_accuracy.push_back(*e.test_accuracy);
      }
    }
    plot_training_curves(curves, args.plot);
    std::cerr << "wrote plot " << args.plot << '\n';
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* command = app.add_subcommand(
      "train",
      "Train a cell-type classifier on an .h5ad file: select cells of the given classes, hold "
      "out a stratified test set, filter genes, log-normalise and scale (fitted on the "
      "training cells), choose the epoch and the weight decay on validation cells carved from "
      "the training cells, report held-out metrics (macro-F1 among them), and save the model "
      "for `predict`, refit on every labelled cell. Two classes use a sigmoid output and BCE "
      "as the exercise does; more use softmax and cross-entropy.");
  command->add_option("file", args->file, "the .h5ad file")->required();
  command
      ->add_option("--classes", args->classes,
                   "comma-separated labels to keep (the first is the positive class for "
                   "two), or 'all'")
      ->required();
  add_preprocess_options(command, args->prepare);
  args->target_sum_option =
      command->get_option("--target-sum")
          ->description(
              "counts per cell after normalisation, log(1 + x * target / library). "
              "Default 1e4 with minibatches (scanpy's and CellTypist's convention), "
              "1e6 (the exercise's log-CPM) with --batch-size 0")
          ->default_str("");
  command
      ->add_option("--model", args->model,
                   "logistic (Linear+Sigmoid), mlp (two layers), or a layer spec such as "
                   "linear:50,relu,linear:1,sigmoid")
      ->capture_default_str();
  command->add_option("--hidden", args->hidden, "hidden units of the mlp model")
      ->capture_default_str();
  command
      ->add_option("--epochs", args->training.epochs,
                   "passes over the training cells (the most, with early stopping)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--lr", args->training.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(CLI::Range(0.0, 1e30));  // torch applies it as a float32
  command
      ->add_option("--batch-size", args->training.batch_size,
                   "cells per Adam step, shuffled each epoch; 0 = full batch (the exercise)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--weight-decay", args->weight_decay,
                   "Adam's L2 penalty on the weights (not the biases). Default with "
                   "minibatches: chosen on the validation cells among 1/(C n) for "
                   "C = 1, 0.1, 0.01 (n training cells; scikit-learn's C); with --batch-size 0: 0")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--test-fraction", args->test_fraction,
                   "held-out cells per class, only measured; 0 = no split (the exercise)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  command
      ->add_option("--validation-fraction", args->validation_fraction,
                   "of each class's training cells, set aside to choose the epoch and the "
                   "weight decay (never held-out cells). Default 0.1 with minibatches, 0 with "
                   "--batch-size 0")
      ->check(CLI::Range(0.0, 0.9));
  command
      ->add_option("--patience", args->patience,
                   "stop after this many epochs without a lower validation loss; the best "
                   "epoch's weights are kept either way. 0 = train every epoch. Default 5 with "
                   "a validation set")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--lr-reductions", args->lr_reductions,
                   "when the validation loss stops improving, go back to the best epoch and "
                   "divide the learning rate by 10, this many times, before stopping")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--class-weight", args->class_weight,
                   "balanced: each cell's loss weighted by n / (K n_class), as scikit-learn's "
                   "class_weight='balanced', so rare types count; sqrt: the square root of "
                   "that (half way); none: every cell the same. "
                   "Default sqrt with minibatches, none with --batch-size 0")
      ->check(CLI::IsMember({"balanced", "sqrt", "none"}));
  command
      ->add_option("--refit", args->refit,
                   "true: after the held-out evaluation, train the saved model (--out) again on "
                   "every labelled cell with the chosen weight decay and epoch count. Default "
                   "true with --out and minibatches")
      ->expected(0, 1)
      ->default_str("true");
  command
      ->add_option("--seed", args->seed,
                   "torch::manual_seed before the model is built (same initial weights as "
                   "PyTorch); also seeds the split and minibatch order (own generator)")
      ->capture_default_str();
  command
      ->add_option("--compute", args->compute,
                   "dense: the exercise's dense scaled X; sparse: CSR log-CPM with the scaling "
                   "folded into the first layer (never densified); auto: sparse below 25 % "
                   "nonzeros")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "dense", "sparse"}));
  command
      ->add_option("--optimizer", args->optimizer,
                   "lbfgs: full-batch L-BFGS to the optimum of the penalised loss (a convex "
                   "model in memory; --lr and --batch-size do not apply); adam: Adam steps. "
                   "auto: lbfgs for the logistic model with minibatches in memory, adam for the "
                   "mlp, when streaming and with --batch-size 0 (the exercise)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "adam", "lbfgs"}));
  command->add_option("--max-memory", args->max_memory,
                      "when the matrix (8 bytes per stored entry) is larger than this, stream "
                      "cells from disk in chunks instead of loading it (e.g. 2G, 500M); default: "
                      "half the machine's memory");
  command->add_option("--threads", args->threads,
                      "threads for torch and the sparse kernels "
                      "(default: all cores)");
  command->add_option("--out", args->model_out, "save the model file (HDF5) for scgrad predict");
  command->add_option("--metrics-out", args->metrics_out,
                      "per-epoch and final metrics, the model selection, the confusion matrix, "
                      "per-class precision/recall/F1, macro-F1 and balanced accuracy, the refit, "
                      "as JSON");
  command->add_option("--plot", args->plot, "loss and accuracy curves as .png or .svg (gnuplot)");
  command->footer(
      "Defaults learn on real data: 20 % held out (only measured), 10 % of the training cells\n"
      "for validation, log1p of counts per 10,000, square-root class weights, the weight decay\n"
      "chosen on the validation cells among scikit-learn's C = 1, 0.1, 0.01, early stopping.\n"
      "The logistic model is fitted by L-BFGS in steps of 5 iterations (the validation loss\n"
      "picks the step), then trained again on all training cells for the held-out figures;\n"
      "the mlp by Adam (lr 1e-3, batches of 128, at most 200 epochs). The saved model is refit\n"
      "on every labelled cell. With --batch-size 0 none of that is on unless asked for\n"
      "(Adam, log-CPM with 1e6, as the exercise).\n"
      "The exercise's exact run:\n"
      "  --test-fraction 0 --batch-size 0 --lr 1e-4 --epochs 10 --weight-decay 0\n\n"
      "Example (the five cell types of the real brain data):\n"
      "  scgrad train data/darmanis2015_glia_subset.h5ad --classes all \\\n"
      "      --out glia.h5 --metrics-out m.json --plot curves.png");
  command->callback([args] { run_train(*args); });
}

}  // namespace scgrad::app

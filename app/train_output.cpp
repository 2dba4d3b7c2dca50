#include "train_output.hpp"

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include "training_plot.hpp"

namespace scgrad::app {

namespace {

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

std::string step_name(Optimizer optimizer) {
  return optimizer == Optimizer::lbfgs ? "step" : "epoch";
}

std::string evaluated_on(const FitResult& result) {
  return result.held_out ? "held-out" : "training";
}

nlohmann::json epoch_json(const EpochMetrics& e) {
  nlohmann::json row = nlohmann::json::object();
  for (const auto& figure : epoch_record(e)) {
    row[figure.name] = figure.integer ? nlohmann::json(static_cast<std::int64_t>(figure.value))
                                      : nlohmann::json(figure.value);
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
  if (report.ece >= 0) j["ece"] = report.ece;
  if (report.ece_uncalibrated >= 0) j["ece_uncalibrated"] = report.ece_uncalibrated;
  return j;
}

nlohmann::json selection_json(const FitResult& result, const FitOptions& options) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& c : result.candidates) {
    candidates.push_back({{"weight_decay", c.weight_decay},
                          {"class_weight", class_weight_name(c.class_weight_power)},
                          {"best_epoch", c.best_epoch},
                          {"epochs_trained", c.epochs_trained},
                          {"validation_loss", c.validation_loss},
                          {"validation_accuracy", c.validation_accuracy},
                          {"validation_macro_f1", c.validation_macro_f1},
                          {"validation_log_loss", c.validation_log_loss},
                          {"converged", c.converged},
                          {"train_accuracy", c.train_accuracy}});
  }
  const auto& run = result.selection;
  nlohmann::json j = {
      {"weight_decay", result.weight_decay},
      {"best_epoch", run.best_epoch},
      {"epochs_trained", run.epochs.size()},
      {"stopped_early", run.stopped_early},
      {"max_epochs", options.training.epochs},
      {"patience",
       selection_patience(options, result.data.optimizer, result.data.stored_bytes / 8)},
      {"validation_fraction", options.prepare.validation_fraction},
      {"validation_cells", result.data.validation_cells},
      {"class_weight", class_weight_name(result.class_weight_power)},
      {"class_weight_chosen", !options.class_weight_power.has_value()},
      {"chosen_by",
       result.chosen_by_classification ? "validation accuracy + macro-F1" : "validation loss"},
      {"optimizer", result.data.optimizer == Optimizer::lbfgs ? "lbfgs" : "adam"},
      {"retrained_on_training_cells", result.retrained.has_value()},
      {"class_weights", result.class_weights},
      {"temperature", result.temperature},
      {"novelty_calibration_runs", result.novelty_calibration_runs},
      {"candidates", candidates}};
  if (run.final_validation) {
    j["validation_loss"] = run.final_validation->loss;
    j["validation_accuracy"] = run.final_validation->accuracy;
  }
  return j;
}

nlohmann::json preprocess_json(const PrepareOptions& p) {
  return {{"label_key", p.label_key},
          {"matrix", p.matrix},
          {"min_counts", p.gene_filter.min_counts},
          {"min_cells", p.gene_filter.min_cells},
          {"target_sum", p.log_cpm.target_sum},
          {"max_value", p.max_value},
          {"log_base", p.log_cpm.log_base},
          {"library_size_key", p.library_size_key}};
}

}  // namespace

std::string class_count_text(const DataSummary& data) {
  std::string counts;
  for (std::size_t c = 0; c < data.classes.size(); ++c) {
    counts += fmt::format("{}{} {}", c ? ", " : "", data.class_counts[c], data.classes[c]);
  }
  return counts;
}

TrainPrinter::TrainPrinter(const FitOptions& options, std::string model_out)
    : options_(options),
      model_out_(std::move(model_out)),
      reading_("reading", 100, "%"),
      bar_("training", options.training.epochs, "epochs") {}

void TrainPrinter::print_table_header(bool validation, bool held_out) const {
  std::cout << fmt::format("{:>5}  {:>10}  {:>9}", step_, "train_loss", "train_acc");
  if (validation) std::cout << fmt::format("  {:>10}  {:>9}", "valid_loss", "valid_acc");
  if (held_out) std::cout << fmt::format("  {:>10}  {:>9}", "test_loss", "test_acc");
  std::cout << fmt::format("  {:>7}\n", "seconds");
}

void TrainPrinter::describe(const DataSummary& data) {
  const auto& fit = options_;
  std::cerr << fmt::format("{}: {} cells ({}), {} of {} genes kept ({} in {:.2f} s)\n", data.file,
                           data.cells, class_count_text(data), data.genes, data.genes_in_file,
                           data.streaming ? "two streaming passes" : "read and preprocessed",
                           data.prepare_seconds);
  if (data.test_cells > 0 || data.validation_cells > 0) {
    std::vector<std::string> chosen = {step_};
    if (!fit.weight_decay) chosen.emplace_back("the weight decay");
    if (data.class_weight_powers.size() > 1) chosen.emplace_back("the class weights");
    std::string choices = chosen.front();
    for (std::size_t i = 1; i < chosen.size(); ++i) {
      choices += (i + 1 == chosen.size() ? " and " : ", ") + chosen[i];
    }
    std::cerr << fmt::format(
        "split: {} training cells{}, {} held-out (stratified, seed {})\n", data.train_cells,
        data.validation_cells == 0 ? std::string()
                                   : fmt::format(" ({} of them for validation: they choose the {})",
                                                 data.validation_cells, choices),
        data.test_cells, fit.seed);
  }
  if (!selecting_ && fit.prepare.validation_fraction > 0) {
    std::cerr << "note: no class has enough training cells for validation cells, so nothing "
                 "chooses the epoch or the weight decay: every epoch is trained\n";
  }
  if (data.unlabelled_cells > 0) {
    std::cerr << fmt::format(
        "note: {} cells have no label (missing or empty in obs '{}') and were left out\n",
        data.unlabelled_cells, fit.prepare.label_key);
  }
  if (data.empty_cells > 0) {
    std::cerr << fmt::format("note: {} cells have library size 0 (all-zero log-CPM)\n",
                             data.empty_cells);
  }
  std::cerr << fmt::format(
      "input: {} ({:.1f} % nonzero after normalisation{}{})\n",
      data.streaming
          ? fmt::format("streamed from disk chunk by chunk (matrix {:.0f} MB > --max-memory "
                        "{:.0f} MB), sparse first layer{}",
                        static_cast<double>(data.stored_bytes) / 1e6,
                        static_cast<double>(fit.input.max_memory) / 1e6,
                        fit.input.compute == ComputeChoice::dense
                            ? " (--compute dense needs it in memory)"
                            : "")
      : data.sparse ? std::string("sparse, scaling folded into the first layer")
                    : std::string("dense"),
      100 * data.density, fit.input.compute == ComputeChoice::automatic ? ", --compute auto" : "",
      data.max_value > 0 ? fmt::format("; scaled values clipped at {:.3g}", data.max_value) : "");
  const bool lbfgs = data.optimizer == Optimizer::lbfgs;
  const int patience = selection_patience(fit, data.optimizer, data.stored_bytes / 8);
  const auto& powers = data.class_weight_powers;
  std::string weights;
  for (const auto p : powers) weights += (weights.empty() ? "" : ", ") + class_weight_name(p);
  std::cerr << fmt::format(
      "model: {}, {}{}, {}, {}{} {}{}, seed {}\n", fit.model,
      data.classes.size() == 2 ? "BCE" : "cross-entropy",
      powers.size() > 1   ? fmt::format(" with class weights chosen by validation ({})", weights)
      : weights == "none" ? std::string()
                          : fmt::format(" with {} class weights", weights),
      lbfgs ? "L-BFGS on all training cells (a convex loss)"
            : fmt::format("Adam lr {}, {}", fit.training.lr,
                          fit.training.batch_size > 0
                              ? fmt::format("batches of {}", fit.training.batch_size)
                              : "full batch"),
      selecting_ ? "at most " : "", fit.training.epochs,
      lbfgs ? fmt::format("steps of {} iterations", fit.training.lbfgs_iterations) : "epochs",
      !selecting_ ? std::string()
      : lbfgs && patience == 0
          ? fmt::format(" to convergence (largest gradient entry <= {:g}; validation accuracy + "
                        "macro-F1 choose among the runs)",
                        fit.training.lbfgs_gradient_tolerance)
          : fmt::format(" (the best by validation loss is kept{})",
                        patience > 0 ? fmt::format("; stops after {} without improvement", patience)
                                     : std::string()),
      fit.seed);
}

std::string TrainPrinter::steps_of_rerun(int epochs) const {
  // (an L-BFGS rerun of a converged winner is given the whole limit; of an early-stopped one,
  // its steps)
  if (step_ == "step" && epochs == options_.training.epochs) {
    return fmt::format("to convergence (at most {} steps)", epochs);
  }
  return fmt::format("{} {}s (the selected run's)", epochs, step_);
}

FitCallbacks TrainPrinter::callbacks() {
  FitCallbacks callbacks;
  callbacks.on_pass = [this](int pass, std::int64_t done, std::int64_t total) {
    reading_.update((pass - 1) * 50 + 50 * done / std::max<std::int64_t>(total, 1),
                    fmt::format("(pass {} of 2: {} / {} cells)", pass, done, total));
  };
  callbacks.on_prepared = [this](const DataSummary& data) {
    reading_.clear();
    selecting_ = data.validation_cells > 0;
    held_out_ = data.test_cells > 0;
    step_ = step_name(data.optimizer);
    training_cells_ = data.train_cells;
    describe(data);
  };
  callbacks.on_candidate = [this](const CandidateResult& c, std::size_t index, std::size_t count) {
    if (count > 1) {
      std::cout << fmt::format(
          "{}weight decay {:.3g}, class weights {} (candidate {} of at most {})\n",
          index ? "\n" : "", c.weight_decay, class_weight_name(c.class_weight_power), index + 1,
          count);
    }
    print_table_header(selecting_, held_out_);
  };
  callbacks.on_candidate_done = [this](const CandidateResult& c) {
    bar_.clear();
    if (!selecting_) return;
    if (c.converged) {
      std::cout << fmt::format(
          "  converged at {} {}: validation accuracy {:.4f}, macro-F1 {:.4f}, log loss {:.6f}\n",
          step_, c.best_epoch, c.validation_accuracy, c.validation_macro_f1, c.validation_log_loss);
      return;
    }
    std::cout << fmt::format(
        "  best {} {}: validation loss {:.6f}, accuracy {:.4f}, macro-F1 {:.4f}{}\n", step_,
        c.best_epoch, c.validation_loss, c.validation_accuracy, c.validation_macro_f1,
        c.epochs_trained < options_.training.epochs
            ? fmt::format(" (stopped after {} {}s)", c.epochs_trained, step_)
            : std::string());
  };
  callbacks.on_retrain = [this](double weight_decay, int epochs) {
    std::cout << fmt::format(
        "\nretrain: the chosen settings on all {} training cells (validation cells included), "
        "weight decay {:.3g}, {}; the held-out cells measure this model\n",
        training_cells_, weight_decay, steps_of_rerun(epochs));
    print_table_header(false, held_out_);  // nothing is chosen any more
  };
  callbacks.on_measured = [this](const FitResult& result) {
    bar_.clear();
    print_measured(result);
  };
  callbacks.on_refit = [this](std::int64_t cells, double weight_decay, int epochs) {
    bar_.clear();
    std::cout << fmt::format(
        "\nrefit: training again on all {} selected cells (gene filter and scaling "
        "recomputed), weight decay {:.3g}, {}\n",
        cells, weight_decay, steps_of_rerun(epochs));
    selecting_ = held_out_ = false;  // the refit's table: train columns only
  };
  callbacks.training.on_batch = [this](int epoch, std::int64_t batch, std::int64_t batches) {
    if (batches > 1) bar_.update(epoch - 1, fmt::format("(batch {}/{})", batch, batches));
  };
  callbacks.training.on_epoch = [this](const EpochMetrics& e) {
    bar_.clear();
    print_epoch(e);
    bar_.update(e.epoch);
  };
  return callbacks;
}

void TrainPrinter::print_measured(const FitResult& result) const {
  const auto& run = result.selection;
  const auto step = step_name(result.data.optimizer);
  if (result.data.validation_cells > 0 && result.chosen_by_classification) {
    const auto& chosen = result.candidates.at(result.selected_candidate);
    std::cout << fmt::format(
        "\nselected: candidate {}, weight decay {:.3g}, class weights {}{}: the best validation "
        "accuracy + macro-F1 ({:.4f} + {:.4f}), {}\n",
        result.selected_candidate + 1, result.weight_decay,
        class_weight_name(result.class_weight_power),
        result.candidates.size() > 1 ? fmt::format(" ({} tried)", result.candidates.size())
                                     : std::string(),
        chosen.validation_accuracy, chosen.validation_macro_f1,
        chosen.converged
            ? fmt::format("converged at {} {}", step, run.best_epoch)
            : fmt::format("{} {} of {} (early-stopped)", step, run.best_epoch, run.epochs.size()));
  } else if (result.data.validation_cells > 0) {
    std::cout << fmt::format(
        "\nselected: weight decay {:.3g}, class weights {}{}, {} {} of {} (lowest validation "
        "loss, {:.6f})\n",
        result.weight_decay, class_weight_name(result.class_weight_power),
        result.candidates.size() > 1 ? fmt::format(" ({} tried)", result.candidates.size())
                                     : std::string(),
        step, run.best_epoch, run.epochs.size(), run.final_validation->loss);
  }
  print_final(run, fmt::format("({} {})", step, run.best_epoch));
  if (result.retrained) {
    print_final(*result.retrained,
                fmt::format("(retrained on {} training cells)", result.data.train_cells));
  }
  print_report(result.evaluation, result.data.classes, evaluated_on(result));
  std::cout << fmt::format(
      "  confidence: expected calibration error {:.1f} % ({} cells){}\n",
      100 * result.evaluation.ece, evaluated_on(result),
      result.data.validation_cells > 0
          ? fmt::format("; temperature {:.3g} fitted on the validation cells ({:.1f} % before)",
                        result.temperature, 100 * result.evaluation.ece_uncalibrated)
          : std::string("; not calibrated (no validation cells)"));
  warn_dropped_classes(result.evaluation, result.data.classes, evaluated_on(result));
}

void TrainPrinter::print_saved(const FitResult& result) {
  if (result.refit) {
    const auto& r = *result.refit;
    bar_.clear();
    std::cout << fmt::format(
        "refit: train loss {:.6f}, train accuracy {:.4f} on {} cells, {} genes\n",
        r.final_train.loss, r.final_train.accuracy, r.cells, r.genes);
  }
  if (model_out_.empty()) return;
  std::cerr << fmt::format(
      "wrote model {}: {}\n", model_out_,
      result.refit ? fmt::format("refit on all {} labelled cells (its held-out figures are the "
                                 "measured model's above)",
                                 result.refit->cells)
                   : fmt::format("the selected model, trained on {} cells",
                                 result.model.training_numbers.at("saved_model_cells")));
  const auto& novelty = result.model.novelty;
  if (novelty.empty()) {
    std::cerr << "note: no novelty reference (no class has two cells with counts)\n";
    return;
  }
  std::int64_t pooled = 0;
  for (const auto n : novelty.deviance_cells) pooled += n == 0 ? 1 : 0;
  const auto doubt_cells = result.model.training_numbers.at("novelty_doubt_cells");
  std::cerr << fmt::format(
      "novelty reference: {} classes x {} genes; {}{}{}\n", novelty.profiles.n_types(),
      novelty.profiles.n_genes,
      novelty.doubt_quantiles.empty()
          ? std::string("counts only (no validation cells to calibrate the doubt on)")
          : fmt::format("doubt calibrated on {} held-out cells", doubt_cells),
      result.novelty_calibration_runs > 0
          ? fmt::format(" ({} of them from {} cross-fitted runs)",
                        doubt_cells - static_cast<double>(result.data.validation_cells),
                        result.novelty_calibration_runs)
          : std::string(),
      pooled > 0 ? fmt::format("; {} {} with fewer than {} cells calibrated on all classes", pooled,
                               pooled == 1 ? "class" : "classes", kMinCalibrationCells)
                 : std::string());
}

nlohmann::json metrics_json(const FitResult& result, const FitOptions& options) {
  const auto& data = result.data;
  const auto& measured = result.measured();
  nlohmann::json j;
  j["cells"] = data.cells;
  j["genes"] = data.genes;
  j["classes"] = data.classes;
  j["train_cells"] = data.train_cells;
  j["test_cells"] = data.test_cells;
  j["test_cell_names"] = data.test_cell_names;
  j["epochs"] = nlohmann::json::array();
  for (const auto& e : result.selection.epochs) j["epochs"].push_back(epoch_json(e));
  j["final"] = {{"epoch", result.selection.best_epoch},
                {"train_loss", measured.final_train.loss},
                {"train_accuracy", measured.final_train.accuracy}};
  if (result.retrained) {
    j["final"]["retrained"] = {{"cells", data.train_cells},
                               {"epochs", result.retrained->epochs.size()}};
  }
  if (measured.final_test) {
    j["final"]["test_loss"] = measured.final_test->loss;
    j["final"]["test_accuracy"] = measured.final_test->accuracy;
    j["final"]["test_macro_f1"] = result.evaluation.macro_f1;
    j["final"]["test_balanced_accuracy"] = result.evaluation.balanced_accuracy;
  }
  j["evaluation"] = report_json(result.evaluation, data.classes);
  j["evaluation"]["cells"] = evaluated_on(result);
  j["selection"] = selection_json(result, options);
  j["preprocess"] = preprocess_json(options.prepare);
  j["preprocess"]["max_value"] = data.max_value;  // as applied (clip_sparing_rarest_type)
  if (result.refit) {
    const auto& r = *result.refit;
    j["refit"] = {{"cells", r.cells},
                  {"genes", r.genes},
                  {"epochs", r.epochs},
                  {"weight_decay", r.weight_decay},
                  {"class_weights", r.class_weights},
                  {"train_loss", r.final_train.loss},
                  {"train_accuracy", r.final_train.accuracy}};
  }
  return j;
}

void plot_fit(const FitResult& result, const FitOptions& options, const StagedOutput& curves_out,
              const StagedOutput& confusion_out) {
  const auto& run = result.selection;
  TrainingCurves curves;
  curves.title = fmt::format("scgrad train {} — {}", options.model, class_count_text(result.data));
  curves.kept_epoch = result.data.validation_cells > 0 ? run.best_epoch : 0;
  curves.x_label =
      result.data.optimizer == Optimizer::lbfgs
          ? fmt::format("L-BFGS step ({} iterations)", options.training.lbfgs_iterations)
          : "epoch";
  for (const auto& e : run.epochs) {
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
  plot_training_curves(curves, curves_out);
  if (result.held_out) {
    plot_confusion(
        result.data.classes, result.evaluation.confusion,
        fmt::format("held-out cells ({}): accuracy {:.3f}, macro-F1 {:.3f}", result.data.test_cells,
                    result.evaluation.accuracy, result.evaluation.macro_f1),
        confusion_out);
  }
}

}  // namespace scgrad::app

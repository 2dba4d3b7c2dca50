#pragma once
// What `scgrad train` shows and writes: progress and the epoch tables while the library fits
// (through FitCallbacks), then the selection, the evaluation, the metrics JSON and the curves.

#include <nlohmann/json.hpp>
#include <string>

#include "progress_bar.hpp"
#include "scgrad/train/fit.hpp"
#include "scgrad/util/output_set.hpp"

namespace scgrad::app {

/// Prints a fit as it happens and once it is done.
class TrainPrinter {
 public:
  TrainPrinter(const FitOptions& options, std::string model_out);
  /// Progress bars, the description of the inputs, one table row per epoch.
  FitCallbacks callbacks();
  /// The refit's figures and, with --out, which model was saved.
  void print_saved(const FitResult& result);

 private:
  void describe(const DataSummary& data);
  /// The selection, the final figures, the evaluation table and any dropped class.
  void print_measured(const FitResult& result) const;
  void print_table_header(bool validation, bool held_out) const;
  /// How long the retrain and the refit run: to convergence (L-BFGS) or the selected steps.
  std::string steps_of_rerun(int epochs) const;

  FitOptions options_;
  std::string model_out_;
  ProgressBar reading_;
  ProgressBar bar_;
  bool selecting_ = false;  ///< a validation set chooses the step (from the prepared sets)
  bool held_out_ = false;
  std::string step_ = "epoch";  ///< what a table row is: an Adam epoch or an L-BFGS step
  std::int64_t training_cells_ = 0;
};

/// Per-epoch and final metrics, the selection, the evaluation, the preprocessing, the refit.
nlohmann::json metrics_json(const FitResult& result, const FitOptions& options);

/// The selection run's curves as a .png or .svg (gnuplot), and with a held-out split its
/// confusion matrix (else `confusion` is left empty; the caller drops it).
void plot_fit(const FitResult& result, const FitOptions& options, const StagedOutput& curves,
              const StagedOutput& confusion);

/// "12 Astrocytes, 30 Neurons": the selected cells per class.
std::string class_count_text(const DataSummary& data);

}  // namespace scgrad::app

#pragma once
/// @file fit.hpp
/// The library's training entry: `fit(file, options)` reads and preprocesses the cells (in
/// memory or streamed, dense or sparse: the library chooses), chooses the weight decay and the
/// epoch on validation cells, measures held-out cells, refits on every labelled cell when asked,
/// and returns the model ready to save (model_file.hpp) and to predict with (predict_cells.hpp).
/// No torch in this header: programs that only fit, save and predict do not build against it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/infer/classification_metrics.hpp"
#include "scgrad/saved/model_file.hpp"
#include "scgrad/train/fit_options.hpp"
#include "scgrad/train/training_options.hpp"

namespace scgrad {

class AnnDataSource;

/// What a fit read and how it fed the cells to the model.
struct DataSummary {
  std::string file;
  std::vector<std::string> classes;
  std::vector<std::int64_t> class_counts;  ///< selected cells per class
  std::int64_t cells = 0;                  ///< selected cells
  std::int64_t unlabelled_cells = 0;       ///< without a label (select_cells.hpp): left out
  std::int64_t genes = 0;                  ///< kept by the filter: the model's inputs
  std::int64_t genes_in_file = 0;
  std::int64_t train_cells = 0;  ///< training cells, validation cells included
  std::int64_t validation_cells = 0;
  std::int64_t test_cells = 0;  ///< held out: only measured
  std::vector<std::string> test_cell_names;
  std::int64_t empty_cells = 0;   ///< library size 0
  bool streaming = false;         ///< cells read from the file chunk by chunk
  bool sparse = false;            ///< the first layer runs on the sparse log-CPM
  double density = 0;             ///< nonzero share of the log-CPM over kept genes
  std::int64_t stored_bytes = 0;  ///< of the matrix in memory (8 per stored entry)
  double prepare_seconds = 0;
  double max_value = 0;  ///< the clip of scaled values applied (Preprocessing::max_value)
  Optimizer optimizer = Optimizer::adam;  ///< as resolved for these cells
  /// The class weights the selection tries (FitOptions::class_weight_power), in order.
  std::vector<double> class_weight_powers;
};

/// One setting tried by the selection: a weight decay and class weights.
struct CandidateResult {
  double weight_decay = 0;
  double class_weight_power = 0;  ///< FitOptions::class_weight_power
  int best_epoch = 0;
  int epochs_trained = 0;
  double validation_loss = 0;  ///< at the best epoch, with the run's class weights
  /// Of the kept epoch's model on the validation cells (they compare across class weights).
  double validation_accuracy = 0;
  double validation_macro_f1 = 0;
  /// Mean -log p(true class) on the validation cells, every cell counted once: unlike
  /// validation_loss it compares across class weights (reported; nothing chooses by it).
  double validation_log_loss = 0;
  /// An L-BFGS run to convergence: its last step's weights, no step chosen by validation.
  bool converged = false;
  double train_accuracy = 0;  ///< of the kept model on the cells it was fitted on
};

/// Progress, as it happens: every member may be left empty.
struct FitCallbacks {
  std::function<void(int, std::int64_t, std::int64_t)> on_pass;  ///< streaming passes
  /// After preprocessing, before any training: what was read, split and how it is fed.
  std::function<void(const DataSummary&)> on_prepared;
  /// Before each candidate's run: its weight decay and class weights (its results still 0), its
  /// index, and how many there are at most.
  std::function<void(const CandidateResult&, std::size_t, std::size_t)> on_candidate;
  std::function<void(const CandidateResult&)> on_candidate_done;
  /// (weight decay, epochs) before the retrain on all training cells
  std::function<void(double, int)> on_retrain;
  /// Once the held-out cells are measured, before the refit: the result so far (all but
  /// `refit` and `model`).
  std::function<void(const struct FitResult&)> on_measured;
  /// (cells, weight decay, epochs) before the refit on every labelled cell
  std::function<void(std::int64_t, double, int)> on_refit;
  TrainingCallbacks training;  ///< epochs and batches of every run
};

/// The saved model's refit on every labelled cell.
struct RefitSummary {
  std::int64_t cells = 0;
  std::int64_t genes = 0;
  int epochs = 0;
  double weight_decay = 0;
  std::vector<double> class_weights;
  LossAndAccuracy final_train;
};

struct FitResult {
  /// The model to save and predict with: refit on every labelled cell with options.refit,
  /// else the measured one. Its preprocessing is the one its training cells were fitted with.
  FittedModel model;
  DataSummary data;                         ///< of the selection run
  double weight_decay = 0;                  ///< chosen (or given)
  double class_weight_power = 0;            ///< chosen (or given)
  std::vector<double> class_weights;        ///< as used (empty: none)
  std::vector<CandidateResult> candidates;  ///< every setting tried, in order
  std::size_t selected_candidate = 0;       ///< the winner's index in `candidates`
  /// The candidates ran to convergence and the best validation accuracy + macro-F1 chose
  /// (fit_classifier.hpp); false: early-stopped runs, chosen by validation loss.
  bool chosen_by_classification = false;
  TrainingResults selection;  ///< the chosen candidate's run
  /// The retrain on all training cells (FitOptions::retrain_on_training_cells), if any.
  std::optional<TrainingResults> retrained;
  /// The run whose model the held-out cells measured.
  const TrainingResults& measured() const { return retrained ? *retrained : selection; }
  /// Of the measured model on the held-out cells, or on the training cells without any.
  ClassificationReport evaluation;
  bool held_out = false;
  /// Fitted on the validation cells (1 without them); the saved model's (FittedModel).
  double temperature = 1;
  std::optional<RefitSummary> refit;  ///< with options.refit
  /// Trainings run to calibrate the novelty's doubt beyond the validation cells
  /// (doubt_calibration in fit_classifier.hpp).
  int novelty_calibration_runs = 0;
};

/// Reads `path` (an .h5ad file), selects, preprocesses, trains and measures as `options` says.
/// Throws scgrad::Error naming the file and what was wrong.
FitResult fit(const std::string& path, const FitOptions& options,
              const FitCallbacks& callbacks = {});

/// The same for any AnnData source, e.g. one already in memory (in_memory_anndata.hpp): its
/// `path()` is what messages and the model file's provenance name.
FitResult fit(const std::shared_ptr<const AnnDataSource>& data, const FitOptions& options,
              const FitCallbacks& callbacks = {});

}  // namespace scgrad

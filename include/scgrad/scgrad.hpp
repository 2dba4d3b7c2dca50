#pragma once
/// @file scgrad.hpp
/// The library in one include (no torch needed to build against it): fit a classifier on an
/// .h5ad file, save it, load it, label the cells of another file. docs/library.md shows it.
///
///   auto options = scgrad::recommended_fit_options();
///   options.prepare.classes = {"all"};
///   const auto result = scgrad::fit("reference.h5ad", options);
///   scgrad::save(result.model, "model.h5");
///   const auto labels = scgrad::predict(scgrad::load("model.h5"), "query.h5ad");
///
/// Errors: InputError for a problem in a file (file() and element() say where), Error for other
/// problems a user can fix, OptionError (std::invalid_argument) for a broken precondition
/// (error.hpp).
///
/// Side effects: none beyond the files asked for — no signal handler, alarm, thread count or
/// libhdf5 setting is changed, nothing is printed. A program may opt in to the process-wide
/// guards the scgrad program uses: install_reading_guard() (io/reading_guard.hpp),
/// install_interrupt_cleanup() (util/atomic_output.hpp), silence_hdf5_error_printing()
/// (io/hdf5_printing.hpp), set_compute_threads() (util/threads.hpp).
///
/// Thread safety: fit, save, load and predict may run at the same time on different threads
/// with different arguments (different output paths). Their calls into libhdf5 are serialised
/// by one process-wide lock (libhdf5 is not thread-safe), and they share LibTorch's thread
/// pool. fit seeds LibTorch's global random generator (torch::manual_seed, as PyTorch code
/// does) before it builds each model: two fits at once are each valid but their initial weights
/// are not reproducible. A FittedModel or FitResult may be read from several threads at once.
/// FitCallbacks run on the calling thread.

#include <string>

#include "scgrad/error.hpp"
#include "scgrad/predict/predict_cells.hpp"
#include "scgrad/saved/model_file.hpp"
#include "scgrad/train/fit.hpp"
#include "scgrad/version.hpp"

namespace scgrad {

/// Writes the model file (validated first, atomically: a failed write leaves nothing).
inline void save(const FittedModel& model, const std::string& path) {
  write_model_file(path, model);
}

/// Reads a model file as untrusted input: every check of validate_fitted_model runs.
inline FittedModel load(const std::string& path) { return read_model_file(path); }

}  // namespace scgrad

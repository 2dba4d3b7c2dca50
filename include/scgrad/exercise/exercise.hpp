#pragma once
/// @file exercise.hpp
/// Walks the exercise (../shared/seeds/000_…: "weight optimization in pytorch") on prepared
/// data and answers its three questions from the numbers it measures.

#include <torch/torch.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "scgrad/preprocess/prepare_data.hpp"

namespace scgrad {

struct ExerciseOptions {
  int epochs = 10;
  double lr = 1e-4;
  std::int64_t hidden = 50;
  std::uint64_t seed = 0;
};

/// One row of Exercise 2.1: what an object is, its shape and its range of values.
struct ObjectSummary {
  std::string object;
  std::string type;
  std::vector<std::int64_t> shape;
  std::string dtype;
  double min = 0;
  double max = 0;
};

/// Exercise 2.2: the largest absolute change of any weight across one training-step call.
struct WeightChange {
  std::string step;  ///< "train", "zero_grad", "forward", "loss", "backward", "step"
  double max_abs_change = 0;
};

/// Exercise 2.3: one model trained for `epochs` full-batch epochs.
struct ModelRun {
  std::string name;  ///< "logistic", "mlp", "layer_list"
  std::string cpp_class;
  std::string spec;
  std::vector<double> losses;  ///< per epoch, from the forward pass of that epoch's step
  std::vector<double> accuracies;
  double loss_before = 0, loss_after = 0;
  double accuracy_before = 0, accuracy_after = 0;
  std::string verdict;
};

struct ExerciseReport {
  std::string data_source;
  std::vector<std::string> classes;
  std::vector<std::int64_t> class_counts;
  std::int64_t genes_in_file = 0;
  std::int64_t genes_kept = 0;
  std::vector<ObjectSummary> objects;        ///< 2.1
  std::vector<WeightChange> weight_changes;  ///< 2.2
  double max_gradient_after_backward = 0;    ///< 2.2: backward() fills .grad, step() uses it
  std::vector<ModelRun> runs;                ///< 2.3
  std::string conclusion;                    ///< 2.3, over all models
};

/// Runs the exercise on two-class prepared data. `progress`, when given, gets one line per step.
ExerciseReport run_exercise(const PreparedData& data, const ExerciseOptions& options,
                            std::ostream* progress = nullptr);

// app/exercise_report.cpp prints it as text tables and JSON.

}  // namespace scgrad

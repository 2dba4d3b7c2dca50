#include "exercise_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace scgrad::app {

void print_exercise_report(const ExerciseReport& report, std::ostream& out) {
  out << fmt::format("Data: {} cells ({}), {} of {} genes kept after filtering\n\n",
                     report.class_counts[0] + report.class_counts[1],
                     fmt::format("{} {}, {} {}", report.class_counts[0], report.classes[0],
                                 report.class_counts[1], report.classes[1]),
                     report.genes_kept, report.genes_in_file);
  out << "Exercise 2.1 — dimensions, types and ranges\n";
  out << fmt::format("  {:<40} {:<18} {:<14} {:<8} {:>11} {:>11}\n", "object", "type", "shape",
                     "dtype", "min", "max");
  for (const auto& o : report.objects) {
    out << fmt::format("  {:<40} {:<18} {:<14} {:<8} {:>11.4g} {:>11.4g}\n", o.object, o.type,
                       fmt::format("[{}]", fmt::join(o.shape, ", ")), o.dtype, o.min, o.max);
  }
  out << "\nExercise 2.2 — largest absolute weight change across each call (SimpleModel)\n";
  std::string changed;
  for (const auto& w : report.weight_changes) {
    out << fmt::format("  {:<12} {:.3g}\n", w.step + "()", w.max_abs_change);
    if (w.max_abs_change > 0) changed += (changed.empty() ? "" : ", ") + w.step + "()";
  }
  out << fmt::format(
      "  Answer: the weights changed only at {}. backward() computed gradients (largest "
      "|grad| {:.3g}) without touching the weights; step() applied them.\n",
      changed.empty() ? "no step" : changed, report.max_gradient_after_backward);
  out << "\nExercise 2.3 — was learning successful?\n";
  for (const auto& run : report.runs) {
    out << fmt::format("  {} ({})\n    epoch losses: {:.5f}\n    {}\n", run.cpp_class, run.spec,
                       fmt::join(run.losses, " "), run.verdict);
  }
  out << "  Answer: " << report.conclusion << '\n';
}

std::string exercise_report_json(const ExerciseReport& report) {
  nlohmann::json j;
  j["classes"] = report.classes;
  j["class_counts"] = report.class_counts;
  j["genes_in_file"] = report.genes_in_file;
  j["genes_kept"] = report.genes_kept;
  j["exercise_2_1"] = nlohmann::json::array();
  for (const auto& o : report.objects) {
    j["exercise_2_1"].push_back({{"object", o.object},
                                 {"type", o.type},
                                 {"shape", o.shape},
                                 {"dtype", o.dtype},
                                 {"min", o.min},
                                 {"max", o.max}});
  }
  for (const auto& w : report.weight_changes) j["exercise_2_2"][w.step] = w.max_abs_change;
  j["exercise_2_2"]["max_gradient_after_backward"] = report.max_gradient_after_backward;
  for (const auto& run : report.runs) {
    j["exercise_2_3"][run.name] = {{"class", run.cpp_class},
                                   {"spec", run.spec},
                                   {"losses", run.losses},
                                   {"accuracies", run.accuracies},
                                   {"loss_before", run.loss_before},
                                   {"loss_after", run.loss_after},
                                   {"accuracy_before", run.accuracy_before},
                                   {"accuracy_after", run.accuracy_after},
                                   {"verdict", run.verdict}};
  }
  j["exercise_2_3"]["conclusion"] = report.conclusion;
  return j.dump(2);
}

}  // namespace scgrad::app

#pragma once
// The exercise's report as the program shows it: text tables (one section per question) and
// JSON (--json).

#include <ostream>
#include <string>

#include "scgrad/exercise/exercise.hpp"

namespace scgrad::app {

/// The report as text tables, one section per exercise question.
void print_exercise_report(const ExerciseReport& report, std::ostream& out);

/// The report as JSON text (keys exercise_2_1, exercise_2_2, exercise_2_3).
std::string exercise_report_json(const ExerciseReport& report);

}  // namespace scgrad::app

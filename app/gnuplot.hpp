#pragma once
// Pictures drawn by gnuplot (Debian's gnuplot-nox): one helper that writes the data and the
// script, runs gnuplot into a staged output (put in place with the run's other outputs).

#include <functional>
#include <string>

#include "scgrad/util/output_set.hpp"

namespace scgrad::app {

/// Throws scgrad::Error unless `path` ends in .png or .svg; `option` names it. Called before
/// any work, so a wrong name fails the run before it starts.
void check_picture_name(const std::string& option, const std::string& path);

/// Draws the output (.png or .svg by its destination's name, width x height pixels): `data` is
/// written to a temporary file whose path `commands` receives, and gnuplot runs
/// `commands(data_path)` after the terminal and output are set. Throws scgrad::Error when
/// gnuplot is missing or fails.
void draw_with_gnuplot(const StagedOutput& out, int width, int height, const std::string& data,
                       const std::function<std::string(const std::string& data_path)>& commands);

/// Text safe inside a single-quoted gnuplot string.
std::string gnuplot_quoted(const std::string& text);

}  // namespace scgrad::app

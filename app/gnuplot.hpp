#pragma once
// Pictures drawn by gnuplot (Debian's gnuplot-nox): one helper that writes the data and the
// script, runs gnuplot and puts the picture in place atomically.

#include <functional>
#include <string>

namespace scgrad::app {

/// Draws `path` (.png or .svg, width x height pixels): `data` is written to a temporary file
/// whose path `commands` receives, and gnuplot runs `commands(data_path)` after the terminal
/// and output are set. `option` names the command-line option in errors. Throws scgrad::Error
/// when the extension is neither or gnuplot is missing or fails.
void draw_with_gnuplot(const std::string& path, const std::string& option, int width, int height,
                       const std::string& data,
                       const std::function<std::string(const std::string& data_path)>& commands);

/// Text safe inside a single-quoted gnuplot string.
std::string gnuplot_quoted(const std::string& text);

}  // namespace scgrad::app

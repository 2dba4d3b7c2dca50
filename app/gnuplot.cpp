#include "gnuplot.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scgrad/error.hpp"

namespace scgrad::app {

std::string gnuplot_quoted(const std::string& text) {
  std::string out;
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

void check_picture_name(const std::string& option, const std::string& path) {
  const auto extension = std::filesystem::path(path).extension().string();
  if (extension != ".png" && extension != ".svg") {
    throw Error(option + " '" + path + "': the picture's name must end in .png or .svg");
  }
}

void draw_with_gnuplot(const StagedOutput& out, int width, int height, const std::string& data,
                       const std::function<std::string(const std::string& data_path)>& commands) {
  const auto& path = out.destination();
  check_picture_name(out.name(), path);
  const auto terminal = std::filesystem::path(path).extension() == ".png"
                            ? fmt::format("pngcairo size {},{} font 'sans,11'", width, height)
                            : fmt::format("svg size {},{} font 'sans,11'", width, height);
  const auto data_path = out.path() + ".dat";
  const auto script_path = out.path() + ".gp";
  {
    std::ofstream(data_path) << data;
    std::ofstream(script_path) << fmt::format("set terminal {} noenhanced\nset output '{}'\n",
                                              terminal, gnuplot_quoted(out.path()))
                               << commands(data_path);
  }
  const int status = std::system(fmt::format("gnuplot '{}' 2>&1", script_path).c_str());
  std::filesystem::remove(data_path);
  std::filesystem::remove(script_path);
  if (status != 0) {
    throw Error(out.name() + " '" + path +
                "': gnuplot failed (is it installed? scripts/install-deps.sh installs "
                "gnuplot-nox)");
  }
}

}  // namespace scgrad::app

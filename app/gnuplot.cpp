#include "gnuplot.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scgrad/error.hpp"
#include "scgrad/util/atomic_output.hpp"

namespace scgrad::app {

std::string gnuplot_quoted(const std::string& text) {
  std::string out;
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

void draw_with_gnuplot(const std::string& path, const std::string& option, int width, int height,
                       const std::string& data,
                       const std::function<std::string(const std::string& data_path)>& commands) {
  const auto extension = std::filesystem::path(path).extension().string();
  std::string terminal;
  if (extension == ".png") {
    terminal = fmt::format("pngcairo size {},{} font 'sans,11'", width, height);
  } else if (extension == ".svg") {
    terminal = fmt::format("svg size {},{} font 'sans,11'", width, height);
  } else {
    throw Error(path + ": " + option + " needs a .png or .svg file name");
  }
  AtomicOutput out(path);
  const auto data_path = out.temporary_path() + ".dat";
  const auto script_path = out.temporary_path() + ".gp";
  {
    std::ofstream(data_path) << data;
    std::ofstream(script_path) << fmt::format("set terminal {} noenhanced\nset output '{}'\n",
                                              terminal, gnuplot_quoted(out.temporary_path()))
                               << commands(data_path);
  }
  const int status = std::system(fmt::format("gnuplot '{}' 2>&1", script_path).c_str());
  std::filesystem::remove(data_path);
  std::filesystem::remove(script_path);
  if (status != 0) {
    throw Error(path +
                ": gnuplot failed (is it installed? scripts/install-deps.sh installs "
                "gnuplot-nox)");
  }
  out.commit();
}

}  // namespace scgrad::app

#include "training_plot.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scgrad/error.hpp"
#include "scgrad/util/atomic_output.hpp"

namespace scgrad::app {

void plot_training_curves(const TrainingCurves& curves, const std::string& path) {
  const auto extension = std::filesystem::path(path).extension().string();
  std::string terminal;
  if (extension == ".png") {
    terminal = "pngcairo size 1100,450 font 'sans,11'";
  } else if (extension == ".svg") {
    terminal = "svg size 1100,450 font 'sans,11'";
  } else {
    throw Error(path + ": --plot needs a .png or .svg file name");
  }
  AtomicOutput out(path);
  const auto data_path = out.temporary_path() + ".dat";
  const auto script_path = out.temporary_path() + ".gp";
  {
    std::ofstream data(data_path);
    const bool test = !curves.test_loss.empty();
    for (std::size_t e = 0; e < curves.train_loss.size(); ++e) {
      data << e + 1 << ' ' << curves.train_loss[e] << ' ' << curves.train_accuracy[e] << ' '
           << (test ? curves.test_loss[e] : NAN) << ' ' << (test ? curves.test_accuracy[e] : NAN)
           << '\n';
    }
    std::ofstream script(script_path);
    script << fmt::format(
        "set terminal {}\nset output '{}'\nset multiplot layout 1,2 title '{}'\n"
        "set xlabel 'epoch'\nset grid\nset key top right\n"
        "set ylabel 'loss'\nplot '{}' using 1:2 with linespoints lw 2 title 'train'{}\n"
        "set ylabel 'accuracy'\nset yrange [0:1.02]\nset key bottom right\n"
        "plot '{}' using 1:3 with linespoints lw 2 title 'train'{}\nunset multiplot\n",
        terminal, out.temporary_path(), curves.title, data_path,
        test ? fmt::format(", '' using 1:4 with linespoints lw 2 title 'test'") : "", data_path,
        test ? fmt::format(", '' using 1:5 with linespoints lw 2 title 'test'") : "");
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

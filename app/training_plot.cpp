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
    auto column = [](const std::vector<double>& values, std::size_t e) {
      return e < values.size() ? values[e] : NAN;
    };
    for (std::size_t e = 0; e < curves.train_loss.size(); ++e) {
      data << e + 1 << ' ' << curves.train_loss[e] << ' ' << curves.train_accuracy[e] << ' '
           << column(curves.validation_loss, e) << ' ' << column(curves.validation_accuracy, e)
           << ' ' << column(curves.test_loss, e) << ' ' << column(curves.test_accuracy, e) << '\n';
    }
    // Columns 2-3 train, 4-5 validation, 6-7 test; a curve is drawn only where it was measured.
    auto lines = [&](int first_column) {
      std::string plot = fmt::format("'{}' using 1:{} with linespoints lw 2 title 'train'",
                                     data_path, first_column);
      if (!curves.validation_loss.empty()) {
        plot += fmt::format(", '' using 1:{} with linespoints lw 2 title 'validation'",
                            first_column + 2);
      }
      if (!curves.test_loss.empty()) {
        plot +=
            fmt::format(", '' using 1:{} with linespoints lw 2 title 'held-out'", first_column + 4);
      }
      return plot;
    };
    const auto kept = curves.kept_epoch > 0
                          ? fmt::format(
                                "set arrow from {0},graph 0 to {0},graph 1 nohead dt 2 lc 'gray'\n"
                                "set label 'kept' at {0},graph 0.5 offset 0.5,0 tc 'gray'\n",
                                curves.kept_epoch)
                          : std::string();
    std::ofstream script(script_path);
    script << fmt::format(
        "set terminal {}\nset output '{}'\nset multiplot layout 1,2 title '{}'\n"
        "set xlabel '{}'\nset grid\nset key top right\n{}"
        "set ylabel 'loss'\nplot {}\n"
        "set ylabel 'accuracy'\nset yrange [0:1.02]\nset key bottom right\n"
        "plot {}\nunset multiplot\n",
        terminal, out.temporary_path(), curves.title, curves.x_label, kept, lines(2), lines(3));
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

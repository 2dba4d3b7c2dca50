#include "training_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "gnuplot.hpp"

namespace scgrad::app {

void plot_training_curves(const TrainingCurves& curves, const StagedOutput& out) {
  std::ostringstream data;
  auto column = [](const std::vector<double>& values, std::size_t e) {
    return e < values.size() ? values[e] : NAN;
  };
  for (std::size_t e = 0; e < curves.train_loss.size(); ++e) {
    data << e + 1 << ' ' << curves.train_loss[e] << ' ' << curves.train_accuracy[e] << ' '
         << column(curves.validation_loss, e) << ' ' << column(curves.validation_accuracy, e) << ' '
         << column(curves.test_loss, e) << ' ' << column(curves.test_accuracy, e) << '\n';
  }
  draw_with_gnuplot(out, 1100, 450, data.str(), [&](const std::string& data_path) {
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
    return fmt::format(
        "set multiplot layout 1,2 title '{}'\n"
        "set xlabel '{}'\nset grid\nset key top right\n{}"
        "set ylabel 'loss'\nplot {}\n"
        "set ylabel 'accuracy'\nset yrange [0:1.02]\nset key bottom right\n"
        "plot {}\nunset multiplot\n",
        gnuplot_quoted(curves.title), curves.x_label, kept, lines(2), lines(3));
  });
}

std::string confusion_plot_path(const std::string& plot_path) {
  std::filesystem::path path(plot_path);
  const auto extension = path.extension().string();
  return path.replace_extension(".confusion" + extension).string();
}

void plot_confusion(const std::vector<std::string>& classes,
                    const std::vector<std::vector<std::int64_t>>& confusion,
                    const std::string& title, const StagedOutput& out) {
  const auto k = static_cast<int>(classes.size());
  std::ostringstream data;  // one row per true class: the share of its cells per prediction
  for (int t = 0; t < k; ++t) {
    std::int64_t total = 0;
    for (const auto n : confusion[static_cast<std::size_t>(t)]) total += n;
    for (int p = 0; p < k; ++p) {
      const auto n = confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
      data << (total > 0 ? static_cast<double>(n) / static_cast<double>(total) : 0.0)
           << (p + 1 < k ? " " : "\n");
    }
  }
  // 30 classes stay readable: the picture grows with the classes, names are rotated on the
  // x axis, shares are written in the cells only while they fit.
  const int side = std::clamp(28 * k + 260, 520, 1400);
  draw_with_gnuplot(out, side + 120, side, data.str(), [&](const std::string& d) {
    std::string tics_x, tics_y;
    for (int c = 0; c < k; ++c) {
      const auto name = gnuplot_quoted(classes[static_cast<std::size_t>(c)]);
      tics_x += fmt::format("{}'{}' {}", c ? ", " : "", name, c);
      tics_y += fmt::format("{}'{}' {}", c ? ", " : "", name, c);
    }
    std::string labels;
    if (k <= 15) {
      labels = fmt::format(
          ", '{}' matrix using 1:2:($3 > 0.005 ? sprintf('%.2f', $3) : ''):($3 > 0.6 ? "
          "0xffffff : 0x000000) with labels font ',{}' tc rgb variable notitle",
          d, k <= 8 ? 11 : 8);
    }
    return fmt::format(
        "set title '{}'\nset xlabel 'predicted'\nset ylabel 'true'\n"
        "set xtics ({}) rotate by 45 right font ',9'\nset ytics ({}) font ',9'\n"
        "set yrange [{}:-0.5] reverse\nset xrange [-0.5:{}]\nset cbrange [0:1]\n"
        "set cblabel 'share of the true class'\nset palette defined (0 'white', 1 '#08306b')\n"
        "set size ratio -1\nunset key\n"
        "plot '{}' matrix with image{}\n",
        gnuplot_quoted(title), tics_x, tics_y, k - 0.5, k - 0.5, d, labels);
  });
}

void plot_label_counts(const std::vector<std::string>& labels,
                       const std::vector<std::int64_t>& counts, const std::string& title,
                       const StagedOutput& out) {
  const auto k = static_cast<int>(labels.size());
  std::ostringstream data;
  for (int c = 0; c < k; ++c) {
    data << c << ' ' << counts[static_cast<std::size_t>(c)] << " \""
         << labels[static_cast<std::size_t>(c)] << "\"\n";
  }
  const int height = std::clamp(24 * k + 160, 360, 1200);
  draw_with_gnuplot(out, 900, height, data.str(), [&](const std::string& d) {
    return fmt::format(
        "set title '{}'\nset xlabel 'cells'\nset grid xtics\nunset key\n"
        "set yrange [{}:-0.8] reverse\nset xrange [0:*]\nset offsets 0, graph 0.12, 0, 0\n"
        "set style fill solid 0.8\n"
        "plot '{}' using ($2*0.5):1:($2*0.5):(0.38):ytic(3) with boxxyerror lc rgb '#2171b5', "
        "'' using 2:1:(sprintf(' %d', $2)) with labels left\n",
        gnuplot_quoted(title), k - 0.2, d);
  });
}

}  // namespace scgrad::app

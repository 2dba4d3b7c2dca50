// The library in one page: fit a cell-type classifier on a labelled .h5ad file, save it, load it
// back and label the cells of another file — what `scgrad train` and `scgrad predict` do, from
// another program. Built by CMake (target library_example); docs/library.md walks through it.
//
//   library_example REFERENCE.h5ad QUERY.h5ad MODEL.h5

#include <iostream>
#include <map>

#include "scgrad/scgrad.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: library_example REFERENCE.h5ad QUERY.h5ad MODEL.h5\n";
    return 2;
  }
  try {
    // The defaults `scgrad train` uses: 20 % held out, validation cells choose the weight decay
    // and the epoch, square-root class weights, refit on every labelled cell for the saved model.
    auto options = scgrad::recommended_fit_options();
    options.prepare.classes = {"all"};  // every label of obs['author_cell_type']
    options.refit = true;

    scgrad::FitCallbacks progress;  // every callback is optional
    progress.on_prepared = [](const scgrad::DataSummary& data) {
      std::cout << data.file << ": " << data.cells << " cells, " << data.genes << " genes kept, "
                << (data.streaming ? "streamed" : "in memory") << "\n";
    };
    const auto result = scgrad::fit(argv[1], options, progress);
    std::cout << "held-out accuracy " << result.evaluation.accuracy << ", macro-F1 "
              << result.evaluation.macro_f1 << "\n";

    scgrad::save(result.model, argv[3]);
    const auto model = scgrad::load(argv[3]);  // checked as untrusted input

    const auto labelled = scgrad::predict(model, argv[2]);
    std::map<std::string, int> counts;
    for (const auto label : labelled.columns.labels) ++counts[model.classes[label]];
    std::cout << argv[2] << ": " << labelled.cell_names.size() << " cells labelled\n";
    for (const auto& [name, n] : counts) std::cout << "  " << name << " " << n << "\n";
  } catch (const std::exception& e) {  // scgrad::Error (InputError) or an OptionError
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

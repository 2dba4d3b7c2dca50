// Fits a classifier with the recommended defaults on TRAIN.h5ad (labels in
// obs['author_cell_type'], every class), saves and loads it, labels NEW.h5ad, and prints the
// agreement with NEW's own author_cell_type as its last line: "accuracy X".
//
//   scgrad_consumer TRAIN.h5ad NEW.h5ad [MODEL.h5]

#include <iostream>
#include <scgrad/io/h5ad_reader.hpp>
#include <scgrad/scgrad.hpp>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: scgrad_consumer TRAIN.h5ad NEW.h5ad [MODEL.h5]\n";
    return 2;
  }
  const std::string model_path = argc == 4 ? argv[3] : "scgrad_consumer_model.h5";
  try {
    auto options = scgrad::recommended_fit_options();
    options.prepare.classes = {"all"};
    const auto fitted = scgrad::fit(argv[1], options);
    scgrad::save(fitted.model, model_path);
    const auto model = scgrad::load(model_path);
    const auto predicted = scgrad::predict(model, argv[2]);

    const auto truth =
        scgrad::H5adFile(argv[2]).obs_column(options.prepare.label_key).as_categorical();
    std::size_t agree = 0;
    const auto& labels = predicted.columns.labels;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const auto code = truth.codes[i];
      agree += code >= 0 && truth.categories[static_cast<std::size_t>(code)] ==
                                model.classes[static_cast<std::size_t>(labels[i])];
    }
    std::cout << "scgrad " << SCGRAD_VERSION << ": " << model.classes.size() << " classes, "
              << labels.size() << " cells labelled\n";
    std::cout << "accuracy " << static_cast<double>(agree) / static_cast<double>(labels.size())
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "scgrad_consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

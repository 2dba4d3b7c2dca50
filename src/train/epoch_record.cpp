#include "scgrad/train/training_options.hpp"

namespace scgrad {

std::vector<NamedFigure> epoch_record(const EpochMetrics& e) {
  std::vector<NamedFigure> record{{"epoch", static_cast<double>(e.epoch), true},
                                  {"train_loss", e.train_loss},
                                  {"train_accuracy", e.train_accuracy}};
  if (e.validation_loss) {
    record.push_back({"validation_loss", *e.validation_loss});
    record.push_back({"validation_accuracy", e.validation_accuracy.value_or(0)});
  }
  if (e.test_loss) {
    record.push_back({"test_loss", *e.test_loss});
    record.push_back({"test_accuracy", e.test_accuracy.value_or(0)});
  }
  record.push_back({"seconds", e.seconds});
  return record;
}

}  // namespace scgrad

// The library leaves the process as it found it: a program that fits, saves, loads, predicts
// and writes the predictions sees no signal disposition changed, no alarm set, and libhdf5's
// automatic error printing as it had it — the guards are the program's choice (main calls
// install_reading_guard and install_interrupt_cleanup; this test does not).

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <vector>

#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/prediction_output.hpp"
#include "scgrad/util/output_set.hpp"
#include "scgrad/scgrad.hpp"
#include "test_support.hpp"

namespace scgrad {
namespace {

struct ProcessState {
  std::vector<struct sigaction> actions;
  H5E_auto2_t hdf5_printer = nullptr;
  void* hdf5_printer_data = nullptr;

  static ProcessState now() {
    ProcessState state;
    state.actions.resize(NSIG);
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, nullptr, &state.actions[s]);
    H5Eget_auto2(H5E_DEFAULT, &state.hdf5_printer, &state.hdf5_printer_data);
    return state;
  }
};

TEST(LibrarySideEffects, FitSaveLoadPredictChangeNoSignalHandlerAlarmOrHdf5Setting) {
  test::TempDir dir;
  const auto data = test::simulated_file(dir, 300, 60);
  const auto before = ProcessState::now();
  ASSERT_NE(before.hdf5_printer, nullptr) << "libhdf5 prints errors by default";

  auto options = recommended_fit_options();
  options.prepare.classes = {"all"};
  options.training.epochs = 3;
  const auto fitted = fit(data, options);
  save(fitted.model, dir.file("model.h5"));
  const auto model = load(dir.file("model.h5"));
  const auto predicted = predict(model, data);
  OutputSet outputs;
  write_prediction_h5ad(data, outputs.add("--out", dir.file("labelled.h5ad")), predicted.columns);
  outputs.commit();
  ASSERT_EQ(predicted.columns.labels.size(), 300U);

  const auto after = ProcessState::now();
  for (int s = 1; s < NSIG; ++s) {
    EXPECT_EQ(before.actions[s].sa_handler, after.actions[s].sa_handler) << "signal " << s;
    EXPECT_EQ(before.actions[s].sa_flags, after.actions[s].sa_flags) << "signal " << s;
  }
  EXPECT_EQ(::alarm(0), 0U) << "an alarm is pending";
  EXPECT_EQ(before.hdf5_printer, after.hdf5_printer);
  EXPECT_EQ(before.hdf5_printer_data, after.hdf5_printer_data);
}

TEST(LibrarySideEffects, AnErrorFromLibhdf5IsReportedNotPrinted) {
  test::TempDir dir;
  const auto path = dir.file("not-hdf5.h5ad");
  { std::ofstream(path) << "plain text"; }
  testing::internal::CaptureStderr();
  EXPECT_THROW(H5adFile{path}, InputError);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace scgrad

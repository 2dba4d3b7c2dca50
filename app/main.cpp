// scgrad: train neural-network cell-type classifiers on AnnData (.h5ad) files with LibTorch.
// This program only parses options and calls the library (see include/scgrad/).

#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "option_flags.hpp"
#include "scgrad/io/hdf5_printing.hpp"
#include "scgrad/io/reading_guard.hpp"
#include "scgrad/util/output_set.hpp"
#include "scgrad/version.hpp"

int main(int argc, char** argv) {
  // The process-wide choices the library leaves to the program: a crash inside libhdf5 on a
  // damaged file ends in one clear line; Ctrl-C removes half-written outputs; libhdf5 never
  // prints its error stack (scgrad's messages say what went wrong).
  scgrad::install_reading_guard();
  scgrad::install_interrupt_cleanup();
  scgrad::silence_hdf5_error_printing();
  CLI::App app{
      "scgrad " SCGRAD_VERSION
      " — neural-network cell-type classifiers for single-cell RNA-seq (.h5ad) on LibTorch.\n"
      "Start with `scgrad exercise` (no file needed), `scgrad inspect FILE.h5ad`, or\n"
      "`scgrad train FILE.h5ad --classes A,B`. Each command has --help."};
  app.set_version_flag("--version", std::string(SCGRAD_VERSION));
  app.require_subcommand(1);
  scgrad::app::add_exercise_command(app);
  scgrad::app::add_inspect_command(app);
  scgrad::app::add_simulate_command(app);
  scgrad::app::add_train_command(app);
  scgrad::app::add_predict_command(app);
  scgrad::app::add_markers_command(app);
  scgrad::app::add_launch_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    // `scgrad launch --nproc 2 train x.h5ad --out m.h5`: the command's options were read as
    // launch's own.
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && app.got_subcommand("launch")) {
      std::cerr << "hint: put the command to run after --, e.g. scgrad launch --nproc 2 -- train "
                   "cells.h5ad --classes all --out model.h5\n";
    }
    return status;
  } catch (const c10::Error& e) {
    std::cerr << "scgrad: error in LibTorch: " << e.what_without_backtrace() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "scgrad: error: " << e.what() << scgrad::app::flag_hint(e) << '\n';
    return 1;
  }
  return 0;
}

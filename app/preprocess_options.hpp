#pragma once
// The preprocessing options shared by `train` and `exercise` (defaults: the README's
// "Conventions").

#include <CLI/CLI.hpp>
#include <string>

#include "number_checks.hpp"
#include "scgrad/preprocess/prepare_data.hpp"

namespace scgrad::app {

constexpr const char* kAllowNonCountsHelp =
    "accept non-integer values (e.g. estimated counts) for log-CPM; NaN, Inf and negative "
    "values are always refused";

/// Registers --label-key, --matrix, --min-counts, --min-cells, --target-sum, --log-base,
/// --library-size-key, --allow-non-counts on `command`, writing into `options`.
inline void add_preprocess_options(CLI::App* command, PrepareOptions& options) {
  command->add_option("--label-key", options.label_key, "obs column holding the cell labels")
      ->capture_default_str();
  command
      ->add_option("--matrix", options.matrix,
                   "count matrix: X, raw (raw/X) or a layer name (layers/NAME)")
      ->capture_default_str();
  command
      ->add_option("--min-counts", options.gene_filter.min_counts,
                   "keep genes whose total count over the selected cells is >= this")
      ->capture_default_str()
      ->check(non_negative());
  command
      ->add_option("--min-cells", options.gene_filter.min_cells,
                   "keep genes detected in >= this many selected cells")
      ->capture_default_str()
      ->check(non_negative());
  command
      ->add_option("--target-sum", options.log_cpm.target_sum,
                   "counts per cell after normalisation (1e6 = counts per million)")
      ->capture_default_str()
      ->check(positive());
  command
      ->add_option("--log-base", options.log_cpm.log_base,
                   "base of the log in log(1 + x); 0 = natural log")
      ->capture_default_str()
      ->check(non_negative());
  command->add_option("--library-size-key", options.library_size_key,
                      "obs column of library sizes (for gene-panel files); default: the sum "
                      "over kept genes");
  command->add_flag("--allow-non-counts", options.allow_non_integer, kAllowNonCountsHelp);
}

}  // namespace scgrad::app

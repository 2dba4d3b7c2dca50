#include "option_flags.hpp"

#include <map>

#include "scgrad/error.hpp"

namespace scgrad::app {

namespace {

/// Option field (FitOptions, PrepareOptions, TrainingOptions, PredictOptions, SimulateOptions)
/// → the flag that sets it.
const std::map<std::string, std::string>& flags() {
  static const std::map<std::string, std::string> table = {
      {"allow_non_integer", "--allow-non-counts"},
      {"cell_types", "--cell-types"},
      {"cells", "--cells"},
      {"classes", "--classes"},
      {"dist_timeout", "--dist-timeout"},
      {"dispersion", "--dispersion"},
      {"gene_filter.min_cells", "--min-cells"},
      {"gene_filter.min_counts", "--min-counts"},
      {"gene_key", "--gene-key"},
      {"gene_map", "--gene-map"},
      {"genes", "--genes"},
      {"label_key", "--label-key"},
      {"labels", "--labels"},
      {"log_base", "--log-base"},
      {"library_size_key", "--library-size-key"},
      {"lr", "--lr"},
      {"majority_by", "--majority-by"},
      {"majority_min_fraction", "--majority-min-fraction"},
      {"markers_per_type", "--markers-per-type"},
      {"matrix", "--matrix"},
      {"max_memory", "--max-memory"},
      {"max_value", "--max-value"},
      {"max_novelty", "--max-novelty"},
      {"min_confidence", "--min-confidence"},
      {"min_gene_fraction", "--min-gene-fraction"},
      {"model", "--model"},
      {"over_cluster", "--majority-vote"},
      {"over_cluster_resolution", "--over-cluster-resolution"},
      {"exact_neighbours_up_to", "--exact-neighbours-up-to"},
      {"threads", "--threads"},
      {"proportions", "--proportions"},
      {"shift_sd", "--shift-sd"},
      {"target_sum", "--target-sum"},
      {"test_fraction", "--test-fraction"},
      {"top", "--top"},
      {"unassigned_label", "--unassigned-label"},
      {"validation_fraction", "--validation-fraction"},
  };
  return table;
}

}  // namespace

std::string flag_hint(const std::exception& error) {
  const auto* hint = dynamic_cast<const SettingsHint*>(&error);
  if (hint == nullptr || hint->settings().empty()) return "";
  std::string shown;
  for (const auto& setting : hint->settings()) {
    const auto flag = flags().find(setting);
    shown += (shown.empty() ? "" : ", ") + (flag != flags().end() ? flag->second : setting);
  }
  return std::string(" (command-line option") + (hint->settings().size() > 1 ? "s" : "") + ": " +
         shown + ")";
}

}  // namespace scgrad::app

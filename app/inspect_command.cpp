// `scgrad inspect FILE`: what anndata's repr shows, and the facts needed before training, for
// every input format open_anndata reads.

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/loom_file.hpp"
#include "scgrad/io/matrix_market.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/io/tenx_h5_file.hpp"

namespace scgrad::app {

namespace {

struct InspectArgs {
  std::string file;
  int max_categories = 12;
};

std::string describe_column(const DataFrameColumn& column, int max_categories) {
  if (column.kind == ColumnKind::categorical) {
    const auto counts = column.categorical.counts();
    std::string values;
    const auto n = column.categorical.categories.size();
    for (std::size_t i = 0; i < n && i < static_cast<std::size_t>(max_categories); ++i) {
      values +=
          fmt::format("{}{} {}", i == 0 ? "" : ", ", column.categorical.categories[i], counts[i]);
    }
    if (n > static_cast<std::size_t>(max_categories)) {
      values += fmt::format(", … ({} more)", n - max_categories);
    }
    std::int64_t missing = 0;
    for (const auto c : column.categorical.codes) missing += c < 0 ? 1 : 0;
    if (missing > 0) values += fmt::format(", <missing> {}", missing);
    return fmt::format("categorical, {} categories ({}): {}", n, column.dtype, values);
  }
  if (column.kind == ColumnKind::string) {
    return fmt::format("string, {} distinct", column.as_categorical().categories.size());
  }
  double lo = 0, hi = 0;
  bool first = true;
  for (const auto v : column.numbers) {
    if (std::isnan(v)) continue;
    lo = first ? v : std::min(lo, v);
    hi = first ? v : std::max(hi, v);
    first = false;
  }
  return fmt::format("{} ({}), range [{:g}, {:g}]", to_string(column.kind), column.dtype, lo, hi);
}

/// What kind of file the opener found.
const char* format_name(const AnnDataSource& file) {
  if (dynamic_cast<const TenxH5File*>(&file) != nullptr) return "10x Genomics HDF5 matrix";
  if (dynamic_cast<const LoomFile*>(&file) != nullptr) return "loom file";
  if (dynamic_cast<const MatrixMarketSource*>(&file) != nullptr) return "Matrix Market matrix";
  return "AnnData file";
}

void run_inspect(const InspectArgs& args) {
  const auto source = open_anndata(args.file);
  const auto& file = *source;
  const auto keys = file.matrix_keys();
  // An .h5ad's var is its own dataframe (present without an X); other formats' is X's genes.
  const auto* h5ad = dynamic_cast<const H5adFile*>(&file);
  const auto n_vars = h5ad != nullptr ? h5ad->n_vars() : file.matrix_info("X").n_cols;
  std::cout << fmt::format("{} {}\n  n_obs × n_vars = {} × {}\n", format_name(file), args.file,
                           file.n_obs(), n_vars);
  std::cout << "  matrices:" << (keys.empty() ? " none (this file holds no X)" : "") << '\n';
  for (const auto& key : keys) {
    const auto info = file.matrix_info(key);
    const auto values = file.value_summary(key);
    const double cells = static_cast<double>(info.n_rows) * static_cast<double>(info.n_cols);
    std::cout << fmt::format(
        "    {:<16} {:<10} {:<8} {} × {}, {} stored ({:.1f} % of entries), values [{:g}, "
        "{:g}]{}{}\n",
        key, to_string(info.storage), info.dtype, info.n_rows, info.n_cols, info.stored_values,
        cells > 0 ? 100.0 * static_cast<double>(info.stored_values) / cells : 0.0, values.min,
        values.max,
        values.all_integer && values.negative == 0 ? ", integer counts" : ", not raw counts",
        values.non_finite > 0 ? fmt::format(", {} NaN/Inf", values.non_finite) : "");
  }
  const auto obs_columns = file.obs_column_names();
  std::cout << fmt::format("  obs: {} columns\n", obs_columns.size());
  for (const auto& name : obs_columns) {
    std::cout << fmt::format("    {:<24} {}\n", name,
                             describe_column(file.obs_column(name), args.max_categories));
  }
  const auto var_columns = h5ad != nullptr ? h5ad->var_column_names() : file.var_column_names("X");
  std::cout << fmt::format("  var: {} columns{}\n", var_columns.size(),
                           var_columns.empty() ? "" : ":");
  for (const auto& name : var_columns) {
    std::cout << fmt::format(
        "    {:<24} {}\n", name,
        describe_column(h5ad != nullptr ? h5ad->var_column(name) : file.var_column(name, "X"),
                        args.max_categories));
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  auto* command = app.add_subcommand(
      "inspect",
      "Show what a file holds (.h5ad, 10x Genomics .h5, Matrix Market folder, .loom): n_obs × "
      "n_vars, each matrix (X, raw/X, layers) with its "
      "storage, dtype, stored entries and whether it holds integer counts, and the obs/var "
      "columns with value counts of categoricals.");
  command->add_option("file", args->file, "the cells: " + kCellInputs)->required();
  command->add_option("--max-categories", args->max_categories, "categories listed per column")
      ->capture_default_str();
  command->callback([args] { run_inspect(*args); });
}

}  // namespace scgrad::app

#include "scgrad/preprocess/gene_names.hpp"

#include <unordered_map>

#include "scgrad/error.hpp"
#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

std::vector<std::string> training_gene_names(const AnnDataSource& file,
                                             const std::string& matrix_key) {
  auto names = file.var_names(matrix_key);
  const auto n_cols = file.matrix_info(matrix_key).n_cols;
  if (static_cast<std::int64_t>(names.size()) != n_cols) {
    throw InputError(file.path(), matrix_key,
                     "has " + std::to_string(n_cols) + " columns but its var index has " +
                         std::to_string(names.size()) + " names");
  }
  std::unordered_map<std::string, std::size_t> first_column;
  std::string repeated;
  std::size_t n_repeated = 0;
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto [it, inserted] = first_column.emplace(names[j], j);
    if (inserted) continue;
    if (++n_repeated <= 5) {
      repeated += (repeated.empty() ? "" : ", ") +
                  ("'" + names[j] + "' (columns " + std::to_string(it->second) + " and " +
                   std::to_string(j) + ")");
    }
  }
  if (n_repeated > 0) {
    throw InputError(
        file.path(), "var",
        "the index names " + std::to_string(n_repeated) +
            " gene column(s) that an earlier column already names: " + repeated +
            (n_repeated > 5 ? ", ..." : "") +
            ". A model's inputs are found by gene name, so each must be unique: in Python, "
            "adata.var_names_make_unique() and write the file again");
  }
  return names;
}

}  // namespace scgrad

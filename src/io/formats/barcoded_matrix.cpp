#include "scgrad/io/barcoded_matrix.hpp"

#include "../h5ad/h5ad_source.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

FeatureList FeatureList::of(const std::vector<std::int64_t>& kept,
                            const std::vector<std::string>& ids,
                            const std::vector<std::string>& names,
                            const std::vector<std::string>& types,
                            const std::vector<std::string>& genomes) {
  FeatureList out;
  for (const auto f : kept) {
    const auto i = static_cast<std::size_t>(f);
    out.ids.push_back(ids[i]);
    out.names.push_back(names[i]);
    out.types.push_back(types[i]);
    if (!genomes.empty()) out.genomes.push_back(genomes[i]);
  }
  return out;
}

std::vector<std::int64_t> gene_expression_rows(const std::vector<std::string>& types,
                                               const std::string& path,
                                               const std::string& element) {
  std::vector<std::int64_t> kept;
  for (std::size_t f = 0; f < types.size(); ++f) {
    if (types[f] == kGeneExpression) kept.push_back(static_cast<std::int64_t>(f));
  }
  if (kept.empty()) {
    throw InputError(path, element,
                     "has no '" + std::string(kGeneExpression) +
                         "' feature: scgrad classifies cells by their genes' counts");
  }
  return kept;
}

DataFrameColumn BarcodedMatrix::obs_column(const std::string& name) const {
  throw InputError(path(), "obs/" + name,
                   format_ +
                       " has no cell annotations; give the labels as a CSV or TSV of "
                       "barcodes and labels",
                   {"labels"});
}

std::vector<std::string> BarcodedMatrix::var_names(const std::string& matrix_key) const {
  resolve_matrix_key(matrix_key);
  return features_.names;
}

std::vector<std::string> BarcodedMatrix::var_column_names(const std::string& matrix_key) const {
  resolve_matrix_key(matrix_key);
  std::vector<std::string> names{"gene_ids", "feature_types"};
  if (!features_.genomes.empty()) names.emplace_back("genome");
  return names;
}

DataFrameColumn BarcodedMatrix::var_column(const std::string& name,
                                           const std::string& matrix_key) const {
  const auto names = var_column_names(matrix_key);
  DataFrameColumn column;
  column.name = name;
  column.kind = ColumnKind::string;
  column.dtype = "string";
  if (name == "gene_ids" || name == "id") {
    column.strings = features_.ids;
  } else if (name == "feature_types") {
    column.strings = features_.types;
  } else if (name == "genome" && !features_.genomes.empty()) {
    column.strings = features_.genomes;
  } else {
    throw InputError(
        path(), "var/" + name,
        "no such gene column; " + format_ + " has: " + h5ad::join(names) + " (id: gene_ids)",
        {"gene_key"});
  }
  return column;
}

}  // namespace scgrad

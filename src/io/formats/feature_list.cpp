#include "feature_list.hpp"

#include "scgrad/error.hpp"

namespace scgrad::formats {

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

std::vector<std::string> FeatureList::column_names() const {
  std::vector<std::string> names{"gene_ids", "feature_types"};
  if (!genomes.empty()) names.emplace_back("genome");
  return names;
}

DataFrameColumn FeatureList::column(const std::string& name, const std::string& path,
                                    const std::string& format) const {
  DataFrameColumn column;
  column.name = name;
  column.kind = ColumnKind::string;
  column.dtype = "string";
  if (name == "gene_ids" || name == "id") {
    column.strings = ids;
  } else if (name == "feature_types") {
    column.strings = types;
  } else if (name == "genome" && !genomes.empty()) {
    column.strings = genomes;
  } else {
    std::string listed;
    for (const auto& n : column_names()) listed += (listed.empty() ? "" : ", ") + n;
    throw InputError(path, "var/" + name,
                     "no such gene column; " + format + " has: " + listed + " (id: gene_ids)",
                     {"gene_key"});
  }
  return column;
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

void no_cell_annotations(const std::string& path, const std::string& name,
                         const std::string& format) {
  throw InputError(path, "obs/" + name,
                   format +
                       " has no cell annotations; give the labels as a CSV or TSV of "
                       "barcodes and labels",
                   {"labels"});
}

}  // namespace scgrad::formats

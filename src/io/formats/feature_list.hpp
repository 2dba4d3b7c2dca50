#pragma once
// What 10x Genomics outputs (HDF5 and Matrix Market) say of their features, shared by both
// readers (private to src/io/formats): the "Gene Expression" rows kept, their IDs, names, types
// and genomes as var columns, and the error for the cell annotations they never have.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::formats {

inline constexpr const char* kGeneExpression = "Gene Expression";

struct FeatureList {
  std::vector<std::string> ids, names, types;
  std::vector<std::string> genomes;  ///< empty when the format names none

  /// The kept features' values of `all` (one per feature of the file, in order).
  static FeatureList of(const std::vector<std::int64_t>& kept, const std::vector<std::string>& ids,
                        const std::vector<std::string>& names,
                        const std::vector<std::string>& types,
                        const std::vector<std::string>& genomes);

  std::vector<std::string> column_names() const;
  /// gene_ids (or id), feature_types, genome: InputError naming `path` for any other.
  DataFrameColumn column(const std::string& name, const std::string& path,
                         const std::string& format) const;
};

/// The positions of the "Gene Expression" features among `types`; InputError naming `path`
/// and `element` when there is none.
std::vector<std::int64_t> gene_expression_rows(const std::vector<std::string>& types,
                                               const std::string& path, const std::string& element);

/// The error for reading an obs column of a format without cell annotations.
[[noreturn]] void no_cell_annotations(const std::string& path, const std::string& name,
                                      const std::string& format);

}  // namespace scgrad::formats

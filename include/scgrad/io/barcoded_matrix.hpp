#pragma once
/// @file barcoded_matrix.hpp
/// What Cell Ranger's outputs share, in HDF5 (tenx_h5_file.hpp) or Matrix Market
/// (matrix_market.hpp) form: cells are barcodes without annotations (labels come from a table:
/// labelled_source.hpp), genes are the "Gene Expression" features — antibody capture and CRISPR
/// guide rows are left out — named by their names, with var columns gene_ids (also "id"),
/// feature_types and (when the file says) genome; one matrix, X. No torch.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

inline constexpr const char* kGeneExpression = "Gene Expression";

/// The kept features' IDs, names, types and genomes (empty when the format names none).
struct FeatureList {
  std::vector<std::string> ids, names, types, genomes;

  /// The features at `kept` (positions in the file's order) of the file's lists.
  static FeatureList of(const std::vector<std::int64_t>& kept, const std::vector<std::string>& ids,
                        const std::vector<std::string>& names,
                        const std::vector<std::string>& types,
                        const std::vector<std::string>& genomes);
};

/// The positions of the "Gene Expression" features among `types`; InputError naming `path`
/// and `element` when there is none.
std::vector<std::int64_t> gene_expression_rows(const std::vector<std::string>& types,
                                               const std::string& path, const std::string& element);

class BarcodedMatrix : public AnnDataSource {
 public:
  std::vector<std::string> obs_names() const override { return barcodes_; }
  std::vector<std::string> obs_column_names() const override { return {}; }
  /// InputError: these files hold no cell annotations (give the labels as a table).
  DataFrameColumn obs_column(const std::string& name) const override;
  std::vector<std::string> var_names(const std::string& matrix_key) const override;
  std::vector<std::string> var_column_names(const std::string& matrix_key) const override;
  DataFrameColumn var_column(const std::string& name, const std::string& matrix_key) const override;
  std::vector<std::string> matrix_keys() const override { return {"X"}; }

 protected:
  /// `format` names the kind in messages, e.g. "a 10x Genomics matrix".
  explicit BarcodedMatrix(std::string format) : format_(std::move(format)) {}

  std::string format_;
  std::vector<std::string> barcodes_;
  FeatureList features_;  ///< the kept ones
};

}  // namespace scgrad

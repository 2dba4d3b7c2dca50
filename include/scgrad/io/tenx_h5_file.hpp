#pragma once
/// @file tenx_h5_file.hpp
/// A 10x Genomics feature-barcode matrix in HDF5 (Cell Ranger's filtered_feature_bc_matrix.h5)
/// as an AnnDataSource: cells are the barcodes, genes the "Gene Expression" features (antibody
/// capture and CRISPR guide rows are left out), as scanpy.read_10x_h5 reads it. Both layouts:
///  - Cell Ranger >= 3: /matrix/{data,indices,indptr,shape,barcodes} and
///    /matrix/features/{id,name,feature_type[,genome]};
///  - Cell Ranger 2: /<genome>/{data,indices,indptr,shape,barcodes,genes,gene_names}.
/// The matrix is genes × cells in CSC, which is cells × genes in CSR: rows are read as from an
/// .h5ad's CSR X, only the wanted cells' entries. var names are the gene names; var columns
/// gene_ids (Ensembl IDs), feature_types and genome (a gene key of "gene_ids", or "id", names
/// genes by ID). obs has no columns (labels come from a CSV: labelled_source.hpp). No torch.

#include <memory>
#include <string>

#include "scgrad/io/barcoded_matrix.hpp"

namespace scgrad {

class TenxH5File : public BarcodedMatrix {
 public:
  /// Opens and checks the layout; InputError naming the file and element otherwise (no
  /// "Gene Expression" feature, shapes that disagree, more than one genome in a v2 file).
  explicit TenxH5File(const std::string& path);
  ~TenxH5File() override;

  const std::string& path() const override;
  std::int64_t n_obs() const override;
  MatrixInfo matrix_info(const std::string& key) const override;
  CsrMatrix read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const override;

  /// True when the HDF5 file at `path` has either layout (what open_anndata checks).
  static bool recognises(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scgrad

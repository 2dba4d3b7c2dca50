#include "scgrad/io/open_anndata.hpp"

#include "hdf5.hpp"
#include "scgrad/io/delimited_table.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/labelled_source.hpp"
#include "scgrad/io/loom_file.hpp"
#include "scgrad/io/matrix_market.hpp"
#include "scgrad/io/tenx_h5_file.hpp"

namespace scgrad {

std::shared_ptr<const AnnDataSource> open_anndata(const std::string& path,
                                                  std::int64_t max_memory) {
  if (MatrixMarketSource::recognises(path)) {
    return std::make_shared<const MatrixMarketSource>(path, max_memory);
  }
  // HDF5 layouts, told apart by their groups; anything else gets the .h5ad reader's errors
  // (not HDF5, truncated, no X/obs/var).
  if (hdf5::is_hdf5_file(path)) {
    if (TenxH5File::recognises(path)) return std::make_shared<const TenxH5File>(path);
    if (LoomFile::recognises(path)) return std::make_shared<const LoomFile>(path);
  }
  return std::make_shared<const H5adFile>(path);
}

std::vector<std::string> input_files(const std::string& path) {
  if (MatrixMarketSource::recognises(path)) return MatrixMarketSource::files_of(path);
  return {path};
}

std::shared_ptr<const AnnDataSource> with_labels(std::shared_ptr<const AnnDataSource> cells,
                                                 const std::string& labels_path) {
  if (labels_path.empty()) return cells;
  return std::make_shared<const LabelledSource>(std::move(cells),
                                                read_delimited_table(labels_path));
}

}  // namespace scgrad

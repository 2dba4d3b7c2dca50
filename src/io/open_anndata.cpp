#include "scgrad/io/open_anndata.hpp"

#include "scgrad/io/h5ad_reader.hpp"

namespace scgrad {

std::shared_ptr<const AnnDataSource> open_anndata(const std::string& path) {
  return std::make_shared<const H5adFile>(path);
}

}  // namespace scgrad

#pragma once
/// @file scaling.hpp
/// Step 5: per-gene mean and population SD, computed on the sparse matrix.

#include <cstdint>
#include <vector>

#include "scgrad/io/csr_matrix.hpp"

namespace scgrad {

struct ScalingStats {
  std::vector<double> mean;
  std::vector<double> sd;           ///< population SD (divide by n); a gene with SD 0 gets 1
  std::int64_t constant_genes = 0;  ///< genes whose SD was 0
};

/// Mean and SD of every column, zeros included, in double precision.
ScalingStats compute_scaling(const CsrMatrix& values);

}  // namespace scgrad

#pragma once
/// @file gene_names.hpp
/// The genes a model is trained on are its inputs, looked up by name in every file it labels:
/// a training file must name each gene once.

#include <string>
#include <vector>

namespace scgrad {

class AnnDataSource;

/// The var index of `matrix_key`'s genes, one per column (else an Error). Throws scgrad::Error
/// naming the file and the repeated names (with their columns) and the fix when a name appears more
/// than once.
std::vector<std::string> training_gene_names(const AnnDataSource& file,
                                             const std::string& matrix_key);

}  // namespace scgrad

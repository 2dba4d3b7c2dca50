#pragma once
/// @file gene_map.hpp
/// A gene map: which query gene stands for which model gene (Ensembl IDs ↔ symbols, or
/// orthologs between species), as CellTypist's Model.convert takes. Read from a CSV with the
/// header `model,query`, one pair per line.

#include <string>
#include <vector>

namespace scgrad {

struct GenePair {
  std::string model;  ///< a gene name of the model
  std::string query;  ///< the name the query file uses for it
};

/// Reads MAP.csv (header `model,query`; RFC 4180 quoting; blank lines skipped). Errors are
/// InputErrors naming the file and the line.
std::vector<GenePair> read_gene_map(const std::string& path);

}  // namespace scgrad

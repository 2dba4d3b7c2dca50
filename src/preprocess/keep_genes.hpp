#pragma once
/// @file keep_genes.hpp
/// The gene selection of one row: the kernel of CellNormaliser's walk.

#include <cstdint>

namespace scgrad {

/// Keeps the entries [begin, end) of a row whose file column is one of the model's genes
/// (`gene_at[column] >= 0`), moved to start at `to` (<= begin) in their order, each column
/// replaced by its gene; returns where the kept entries end. Entries only move forward, so the
/// row is compacted in place. Every column must be a valid index into `gene_at`.
std::int64_t keep_model_genes(const std::int32_t* gene_at, std::int32_t* indices, float* data,
                              std::int64_t begin, std::int64_t end, std::int64_t to);

}  // namespace scgrad

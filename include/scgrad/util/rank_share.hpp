#pragma once
/// @file rank_share.hpp
/// How data-parallel ranks divide work and combine what each computed, without the torch
/// engine: the preparation (in the torch-free data library) reads only this rank's share of
/// the cells and gathers the other ranks' partial results through `all_gather`, which the
/// training layer binds to its process group (distributed/process_group.hpp).

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace scgrad {

/// Rank `rank`'s contiguous share [n·rank/size, n·(rank+1)/size) of n items, the ranks in
/// order: how every data-parallel split in scgrad divides a batch, a chunk or a set of cells.
std::pair<std::int64_t, std::int64_t> contiguous_share(std::int64_t n, int rank, int size);

struct RankShare {
  int rank = 0;
  int size = 1;  ///< 1: one process does everything, nothing is gathered
  /// Every rank's `values` (any length), in rank order; every rank must call it together.
  std::function<std::vector<std::vector<double>>(const std::vector<double>&)> all_gather;

  bool divided() const { return size > 1; }
  /// This rank's contiguous share of n items.
  std::pair<std::int64_t, std::int64_t> of(std::int64_t n) const {
    return contiguous_share(n, rank, size);
  }
};

/// Stops every rank with one Error naming the ranks whose `fingerprint` differs from rank 0's:
/// ranks that read different files or options would otherwise combine unrelated numbers.
/// `what` names what was fingerprinted ("the cells, classes and split").
void require_same_on_every_rank(const RankShare& ranks, std::uint64_t fingerprint,
                                const std::string& what);

/// A 64-bit fingerprint of some text (FNV-1a: the same on every machine, unlike std::hash).
std::uint64_t fingerprint_of(const std::string& text);

}  // namespace scgrad

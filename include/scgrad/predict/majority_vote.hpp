#pragma once
/// @file majority_vote.hpp
/// Per-cell labels smoothed over groups of cells (CellTypist's majority_voting, SingleR's
/// clusters=): each group takes its most frequent label, or "Heterogeneous" when that label
/// holds less than a minimum share of the group. The groups are an obs column the user has
/// (e.g. leiden) or scgrad's own over-clustering (cluster/over_clustering.hpp). No torch here.

#include <cstdint>
#include <string>

#include "scgrad/io/dataframe_column.hpp"

namespace scgrad {

struct MajorityVoteOptions {
  /// A group whose top label holds less than this share of its cells is heterogeneous.
  double min_fraction = 0.5;
  std::string heterogeneous_label = "Heterogeneous";
};

struct MajorityVote {
  /// Per cell, its group's label: categories are the per-cell labels' (in their order), then
  /// the heterogeneous label when some group is.
  Categorical labels;
  std::int64_t groups = 0;
  std::int64_t heterogeneous_groups = 0;
};

/// `groups`: each cell's group (a Categorical's codes; −1: no group, and the cell keeps its own
/// label); `labels`: each cell's label. A tie between top labels goes to the earlier category.
/// Throws OptionError when the sizes differ, min_fraction is outside [0, 1] or the
/// heterogeneous label is empty or one of the labels' categories.
MajorityVote majority_vote(const std::vector<std::int32_t>& groups, const Categorical& labels,
                           const MajorityVoteOptions& options = {});

}  // namespace scgrad

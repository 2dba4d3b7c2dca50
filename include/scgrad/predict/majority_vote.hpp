#pragma once
/// @file majority_vote.hpp
/// Per-cell labels smoothed over groups of cells (CellTypist's majority_voting, SingleR's
/// clusters=): each group takes its most frequent label, or "Heterogeneous" when that label
/// holds less than a minimum share of the group. The groups are an obs column the user has
/// (e.g. leiden) or scgrad's own over-clustering (cluster/over_clustering.hpp). No torch here.
///
/// With each cell's confidence (its probability of its own label), a vote does not undo a
/// cell that is surer of itself than its group is of the majority: a cell whose label differs
/// from its group's keeps it when its confidence is at least the majority's share of the
/// group. A cluster that mixes types then keeps its confidently labelled minority, while the
/// unsure cells of a pure cluster (label noise, weak markers) still follow the majority.

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
  /// Cells in a group whose label differs from the group's and was kept (confident cells).
  std::int64_t kept_cells = 0;
};

/// `groups`: each cell's group (a Categorical's codes; −1: no group, and the cell keeps its own
/// label); `labels`: each cell's label; `confidence`: each cell's probability of its label, or
/// empty (then every cell of a group takes the group's label). A tie between top labels goes
/// to the earlier category. Throws OptionError when the sizes differ, min_fraction is outside
/// [0, 1] or the heterogeneous label is empty or one of the labels' categories.
MajorityVote majority_vote(const std::vector<std::int32_t>& groups, const Categorical& labels,
                           const MajorityVoteOptions& options = {},
                           const std::vector<float>& confidence = {});

}  // namespace scgrad

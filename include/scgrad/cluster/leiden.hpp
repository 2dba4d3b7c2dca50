#pragma once
/// @file leiden.hpp
/// Communities of a graph by the Leiden algorithm (Traag, Waltman & van Eck 2019) with the
/// modularity objective, as scanpy's `tl.leiden`: igraph's `igraph_community_leiden` optimises
/// the Constant Potts Model, which is modularity when each node's weight is its degree and the
/// resolution is γ / (2m), m the number of edges (igraph's documentation).
///
/// Not thread-safe with other users of igraph in the process: Debian's igraph is built without
/// thread-local state, so the call takes a lock and sets igraph's process-wide random generator
/// (seeded from `seed`), error handler and warning handler for its duration, restoring the
/// caller's after. No torch here.

#include <cstdint>
#include <vector>

namespace scgrad {

struct LeidenOptions {
  double resolution = 1;  ///< γ: higher gives more, smaller communities
  int iterations = 2;     ///< CellTypist's; < 0: until the partition stops changing
  double beta = 0.01;     ///< randomness of the refinement step (igraph's and scanpy's default)
  std::uint64_t seed = 0;
};

/// The community of each of `nodes` nodes of the undirected, unweighted graph whose edges are
/// (edges[2i], edges[2i+1]); communities numbered 0, 1, … by decreasing size (ties: the one
/// holding the lower node first). Throws scgrad::Error with igraph's message on failure.
std::vector<std::int32_t> leiden_communities(std::int64_t nodes,
                                             const std::vector<std::int64_t>& edges,
                                             const LeidenOptions& options = {});

}  // namespace scgrad

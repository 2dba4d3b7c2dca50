#include "scgrad/cluster/leiden.hpp"

#include <igraph/igraph.h>

#include <algorithm>
#include <mutex>
#include <numeric>
#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

std::mutex& igraph_lock() {
  static std::mutex lock;
  return lock;
}

void check(igraph_error_t status, const char* what) {
  if (status != IGRAPH_SUCCESS) {
    throw Error(std::string("Leiden clustering (igraph): ") + what +
                " failed: " + igraph_strerror(status));
  }
}

/// igraph's process-wide settings for one call: a seeded generator of our own, errors
/// returned instead of aborting the process, warnings silent; the caller's restored after.
class IgraphSession {
 public:
  explicit IgraphSession(std::uint64_t seed)
      : lock_(igraph_lock()),
        previous_rng_(igraph_rng_default()),
        previous_errors_(igraph_set_error_handler(igraph_error_handler_ignore)),
        previous_warnings_(igraph_set_warning_handler(igraph_warning_handler_ignore)) {
    igraph_rng_init(&rng_, &igraph_rngtype_pcg32);
    igraph_rng_seed(&rng_, static_cast<igraph_uint_t>(seed));
    igraph_rng_set_default(&rng_);
  }
  ~IgraphSession() {
    igraph_rng_set_default(previous_rng_);
    igraph_rng_destroy(&rng_);
    igraph_set_warning_handler(previous_warnings_);
    igraph_set_error_handler(previous_errors_);
  }
  IgraphSession(const IgraphSession&) = delete;
  IgraphSession& operator=(const IgraphSession&) = delete;

 private:
  std::lock_guard<std::mutex> lock_;
  igraph_rng_t rng_{};
  igraph_rng_t* previous_rng_;
  igraph_error_handler_t* previous_errors_;
  igraph_warning_handler_t* previous_warnings_;
};

/// igraph objects destroyed on every path out.
struct Graph {
  igraph_t graph{};
  bool made = false;
  ~Graph() {
    if (made) igraph_destroy(&graph);
  }
};
struct IntVector {
  igraph_vector_int_t v{};
  explicit IntVector(igraph_integer_t n) { check(igraph_vector_int_init(&v, n), "allocation"); }
  ~IntVector() { igraph_vector_int_destroy(&v); }
};
struct RealVector {
  igraph_vector_t v{};
  explicit RealVector(igraph_integer_t n) { check(igraph_vector_init(&v, n), "allocation"); }
  ~RealVector() { igraph_vector_destroy(&v); }
};

/// Communities renumbered by decreasing size, ties by their lowest node.
std::vector<std::int32_t> by_size(const igraph_vector_int_t& membership, std::int64_t nodes) {
  std::vector<std::int64_t> size, first;
  for (std::int64_t i = 0; i < nodes; ++i) {
    const auto c = static_cast<std::size_t>(VECTOR(membership)[i]);
    if (c >= size.size()) {
      size.resize(c + 1, 0);
      first.resize(c + 1, nodes);
    }
    ++size[c];
    first[c] = std::min(first[c], i);
  }
  std::vector<std::size_t> order(size.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return size[a] != size[b] ? size[a] > size[b] : first[a] < first[b];
  });
  std::vector<std::int32_t> rank(size.size());
  for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<std::int32_t>(r);
  std::vector<std::int32_t> out(static_cast<std::size_t>(nodes));
  for (std::int64_t i = 0; i < nodes; ++i) {
    out[static_cast<std::size_t>(i)] = rank[static_cast<std::size_t>(VECTOR(membership)[i])];
  }
  return out;
}

}  // namespace

std::vector<std::int32_t> leiden_communities(std::int64_t nodes,
                                             const std::vector<std::int64_t>& edges,
                                             const LeidenOptions& options) {
  if (nodes == 0) return {};
  if (edges.size() % 2 != 0) throw OptionError("leiden_communities: an odd number of edge ends");
  for (const auto end : edges) {
    if (end < 0 || end >= nodes) {
      throw OptionError("leiden_communities: edge end " + std::to_string(end) + " is not a node");
    }
  }
  const IgraphSession session(options.seed);
  IntVector ends(static_cast<igraph_integer_t>(edges.size()));
  std::copy(edges.begin(), edges.end(), VECTOR(ends.v));
  Graph g;
  check(igraph_create(&g.graph, &ends.v, nodes, IGRAPH_UNDIRECTED), "building the graph");
  g.made = true;
  // Modularity in igraph's CPM terms: node weights = degrees, resolution γ / (2m).
  RealVector degree(0);
  check(igraph_strength(&g.graph, &degree.v, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS, nullptr),
        "degrees");
  const auto two_m = static_cast<double>(edges.size());  // 2 × edges (each listed once)
  IntVector membership(nodes);
  igraph_integer_t communities = 0;
  igraph_real_t quality = 0;
  check(igraph_community_leiden(&g.graph, nullptr, &degree.v,
                                two_m > 0 ? options.resolution / two_m : options.resolution,
                                options.beta, /*start=*/false, options.iterations, &membership.v,
                                &communities, &quality),
        "igraph_community_leiden");
  return by_size(membership.v, nodes);
}

}  // namespace scgrad

// Approximate against exact neighbours on a query's PCA: scgrad's k-means lists searched list
// by list (what it uses above OverClusteringOptions::exact_neighbours_up_to cells), faiss's
// IndexIVFFlat searched cell by cell (4 √cells lists, 16 probes) and hnswlib's HNSW graph
// (M 16, ef_construction 100, ef 40), each timed, with recall@10 against scgrad's exact
// search on subsamples of up to 100,000 cells (the exact search grows with cells²). On the
// whole query, only scgrad's search runs unless ALL=1 (faiss's and hnswlib's take minutes). The
// embedding is the streamed PCA of the query's log-CPM scaled by its own SDs — the
// over-clustering's, with the query's SDs in place of a model's. Prints a markdown table. Run by
// bench/neighbour_search.sh.
//   usage: neighbour_search QUERY.h5ad [CELLS ...]   (subsample sizes; default 20000 100000)
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <hnswlib/hnswlib.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scgrad/cluster/nearest_neighbours.hpp"
#include "scgrad/cluster/streamed_pca.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/log_cpm.hpp"
#include "scgrad/util/threads.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The query's PCA scores (cells × 50), read in blocks of 50,000 cells, fitted on 50,000.
torch::Tensor query_embedding(const std::string& path) {
  const scgrad::H5adFile file(path);
  const auto n = file.n_obs();
  const auto read_block = [&](std::int64_t first) {
    std::vector<std::int64_t> rows;
    for (auto r = first; r < std::min(n, first + 50000); ++r) rows.push_back(r);
    auto counts = file.read_rows("X", rows);
    std::vector<double> library(static_cast<std::size_t>(counts.n_rows));
    for (std::int64_t r = 0; r < counts.n_rows; ++r) {
      for (auto i = counts.indptr[r]; i < counts.indptr[r + 1]; ++i) library[r] += counts.data[i];
    }
    return scgrad::log_cpm(std::move(counts), library).values;
  };
  const scgrad::CellBlocks blocks =
      [&](const std::function<void(const scgrad::CsrMatrix&)>& visit) {
        for (std::int64_t first = 0; first < n; first += 50000) visit(read_block(first));
      };
  scgrad::PcaSample sample(file.n_vars(), n, 50000);
  blocks([&](const scgrad::CsrMatrix& block) { sample.add(block); });
  const auto& moments = sample.moments();
  std::vector<float> inverse_sd;
  for (std::int64_t g = 0; g < moments.genes(); ++g) {
    const auto sd = std::sqrt(moments.variance(g));
    inverse_sd.push_back(sd > 0 ? static_cast<float>(1 / sd) : 1.0F);
  }
  auto pca = scgrad::streamed_pca(sample, blocks, inverse_sd);
  return torch::from_blob(pca.scores.data(), {pca.cells, pca.components}).clone();
}

/// hnswlib (M 16, ef_construction 100, ef 40), built and searched on every thread.
torch::Tensor hnsw_neighbours(const torch::Tensor& points, std::int64_t k, int threads) {
  const auto n = points.size(0);
  const auto dims = points.size(1);
  const auto* x = points.data_ptr<float>();
  hnswlib::L2Space space(static_cast<std::size_t>(dims));
  hnswlib::HierarchicalNSW<float> index(&space, static_cast<std::size_t>(n), 16, 100, 1);
  const auto parallel = [&](const std::function<void(std::int64_t)>& work) {
    std::atomic<std::int64_t> next(0);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (std::int64_t i; (i = next++) < n;) work(i);
      });
    }
    for (auto& thread : pool) thread.join();
  };
  parallel([&](std::int64_t i) { index.addPoint(x + i * dims, static_cast<std::size_t>(i)); });
  index.setEf(40);
  auto out = torch::full({n, k}, -1, torch::kInt64);
  auto* o = out.data_ptr<std::int64_t>();
  parallel([&](std::int64_t i) {
    auto found = index.searchKnn(x + i * dims, static_cast<std::size_t>(k + 1));
    std::vector<std::int64_t> nearest_last;
    for (; !found.empty(); found.pop())
      nearest_last.push_back(static_cast<std::int64_t>(found.top().second));
    std::int64_t kept = 0;
    for (auto it = nearest_last.rbegin(); it != nearest_last.rend() && kept < k; ++it) {
      if (*it != i) o[i * k + kept++] = *it;
    }
  });
  return out;
}

/// faiss's IndexIVFFlat: 4 √cells lists (at most cells / 39), 16 probes, every cell a query.
torch::Tensor faiss_ivf_neighbours(const torch::Tensor& points, std::int64_t k) {
  const auto n = points.size(0);
  const auto dims = points.size(1);
  const auto lists = std::max<std::int64_t>(
      1, std::min<std::int64_t>(static_cast<std::int64_t>(4 * std::sqrt(double(n))), n / 39));
  faiss::IndexFlatL2 quantiser(dims);
  faiss::IndexIVFFlat index(&quantiser, dims, static_cast<std::size_t>(lists));
  const auto* x = points.data_ptr<float>();
  index.train(n, x);
  index.add(n, x);
  index.nprobe = 16;
  std::vector<float> distances(static_cast<std::size_t>(n * (k + 1)));
  std::vector<faiss::Index::idx_t> found(static_cast<std::size_t>(n * (k + 1)));
  index.search(n, x, k + 1, distances.data(), found.data());
  auto out = torch::full({n, k}, -1, torch::kInt64);
  auto* o = out.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t kept = 0;
    for (std::int64_t j = 0; j <= k && kept < k; ++j) {
      const auto other = found[static_cast<std::size_t>(i * (k + 1) + j)];
      if (other != i) o[i * k + kept++] = other;
    }
  }
  return out;
}

/// The exact 10 nearest neighbours among all `points` of the evenly spaced `queries` (their
/// rows), by tiles of distances and a partial sort: the truth for a sample of a large query.
torch::Tensor exact_for(const torch::Tensor& points, const torch::Tensor& queries, std::int64_t k) {
  const auto q = points.index_select(0, queries);
  const auto norms = points.pow(2).sum(1);
  std::vector<torch::Tensor> best_distance, best_index;
  constexpr std::int64_t kTile = 65536;
  for (std::int64_t first = 0; first < points.size(0); first += kTile) {
    const auto count = std::min(kTile, points.size(0) - first);
    auto d = torch::addmm(norms.narrow(0, first, count).unsqueeze(0), q,
                          points.narrow(0, first, count).t(), 1, -2);
    // Each query itself is not its own neighbour.
    const auto own = (queries >= first) & (queries < first + count);
    if (own.any().item<bool>()) {
      const auto rows = own.nonzero().squeeze(1);
      d.index_put_({rows, queries.index_select(0, rows) - first},
                   std::numeric_limits<float>::infinity());
    }
    const auto [values, index] = d.topk(k, 1, /*largest=*/false);
    best_distance.push_back(values);
    best_index.push_back(index + first);
  }
  const auto all_distance = torch::cat(best_distance, 1);
  const auto all_index = torch::cat(best_index, 1);
  const auto order = std::get<1>(all_distance.topk(k, 1, false));
  return all_index.gather(1, order).contiguous();
}

double recall(const torch::Tensor& exact, const torch::Tensor& found) {
  const auto k = exact.size(1);
  const auto* e = exact.data_ptr<std::int64_t>();
  const auto* f = found.data_ptr<std::int64_t>();
  std::int64_t hits = 0;
  for (std::int64_t i = 0; i < exact.size(0); ++i) {
    const std::set<std::int64_t> truth(e + i * k, e + (i + 1) * k);
    for (std::int64_t j = 0; j < k; ++j)
      hits += static_cast<std::int64_t>(truth.count(f[i * k + j]));
  }
  return static_cast<double>(hits) / static_cast<double>(exact.numel());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s QUERY.h5ad [CELLS ...]\n", argv[0]);
    return 2;
  }
  const int threads = static_cast<int>(std::thread::hardware_concurrency());
  scgrad::set_compute_threads(threads);
  scgrad::set_blas_threads(threads);
  torch::NoGradGuard no_grad;
  auto start = Clock::now();
  const auto embedding = query_embedding(argv[1]);
  std::printf("query %s: %lld cells, PCA (%lld components) %.1f s, %d threads\n\n", argv[1],
              static_cast<long long>(embedding.size(0)), static_cast<long long>(embedding.size(1)),
              seconds_since(start), threads);
  std::vector<std::int64_t> sizes;
  for (int a = 2; a < argc; ++a) sizes.push_back(std::stoll(argv[a]));
  if (sizes.empty()) sizes = {20000, 100000};
  sizes.push_back(embedding.size(0));  // the whole query: approximate only above 100,000
  const bool all = std::getenv("ALL") != nullptr && std::string(std::getenv("ALL")) == "1";
  // LISTS and PROBES override scgrad's defaults (ApproximateNeighbours) to explore them.
  scgrad::ApproximateNeighbours lists;
  if (std::getenv("LISTS") != nullptr) lists.lists = std::stoll(std::getenv("LISTS"));
  if (std::getenv("PROBES") != nullptr) lists.probes = std::stoll(std::getenv("PROBES"));
  std::printf(
      "| cells | exact (s) | scgrad lists (s) | recall@10 | faiss IVFFlat (s) | recall@10 | "
      "HNSW (s) | recall@10 |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto cells : sizes) {
    if (cells > embedding.size(0)) continue;
    // An evenly spaced subsample: the simulated cells are not ordered by type.
    const auto points =
        embedding
            .index_select(0, torch::linspace(0, embedding.size(0) - 1, cells).to(torch::kInt64))
            .contiguous();
    torch::Tensor exact;
    double exact_s = NAN;
    if (cells <= 100000) {
      start = Clock::now();
      exact = scgrad::nearest_neighbours(points, 10);
      exact_s = seconds_since(start);
    }
    const auto timed = [&](const std::function<torch::Tensor()>& search, bool run) {
      if (!run) return std::string("| | ");
      const auto began = Clock::now();
      const auto found = search();
      const auto took = seconds_since(began);
      char text[64];
      std::snprintf(text, sizeof text, "| %.1f | ", took);
      return text + (exact.defined() ? std::to_string(recall(exact, found)).substr(0, 5) : "") +
             " ";
    };
    const bool others = all || cells <= 100000;
    if (!exact.defined()) {
      // Too many cells for the exact graph: the truth for 10,000 evenly spaced cells among all.
      const auto sample =
          torch::linspace(0, cells - 1, std::min<std::int64_t>(cells, 10000)).to(torch::kInt64);
      start = Clock::now();
      const auto truth = exact_for(points, sample, 10);
      std::printf("(exact neighbours of 10,000 of the %lld cells: %.1f s)\n",
                  static_cast<long long>(cells), seconds_since(start));
      const auto found = scgrad::approximate_nearest_neighbours(points, 10, lists);
      std::printf(
          "| %lld | | | %s (10,000 cells) | | | | |\n", static_cast<long long>(cells),
          std::to_string(recall(truth, found.index_select(0, sample))).substr(0, 5).c_str());
    }
    std::printf(
        "| %lld | %s %s%s%s|\n", static_cast<long long>(cells),
        exact.defined() ? std::to_string(exact_s).substr(0, 5).c_str() : "",
        timed([&] { return scgrad::approximate_nearest_neighbours(points, 10, lists); }, true)
            .c_str(),
        timed([&] { return faiss_ivf_neighbours(points, 10); }, others).c_str(),
        timed([&] { return hnsw_neighbours(points, 10, threads); }, others).c_str());
    std::fflush(stdout);
  }
}

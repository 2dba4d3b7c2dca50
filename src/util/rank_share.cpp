#include "scgrad/util/rank_share.hpp"

#include "scgrad/error.hpp"

namespace scgrad {

std::pair<std::int64_t, std::int64_t> contiguous_share(std::int64_t n, int rank, int size) {
  return {n * rank / size, n * (rank + 1) / size};
}

void require_same_on_every_rank(const RankShare& ranks, std::uint64_t fingerprint,
                                const std::string& what) {
  if (!ranks.divided()) return;
  // Two 32-bit halves: exact as doubles.
  const auto all = ranks.all_gather(
      {static_cast<double>(fingerprint >> 32), static_cast<double>(fingerprint & 0xffffffffU)});
  std::string differ;
  for (std::size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) differ += (differ.empty() ? "" : ", ") + std::to_string(r);
  }
  if (!differ.empty()) {
    throw Error("distributed training: rank " + std::to_string(ranks.rank) + ": " + what +
                " of rank(s) " + differ +
                " differ from rank 0's; every rank must read the same file with the same "
                "options");
  }
}

std::uint64_t fingerprint_of(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace scgrad

#include "keep_genes.hpp"

#include "../util/cpu_features.hpp"

namespace scgrad {

namespace {

std::int64_t keep_one_by_one(const std::int32_t* gene_at, std::int32_t* indices, float* data,
                             std::int64_t begin, std::int64_t end, std::int64_t to) {
  for (auto k = begin; k < end; ++k) {
    const auto gene = gene_at[indices[k]];
    indices[to] = gene;  // no branch: which genes are dropped is unpredictable
    data[to] = data[k];
    to += gene >= 0 ? 1 : 0;
  }
  return to;
}

#if SCGRAD_X86_KERNELS
/// For each mask of kept lanes (bit i: lane i), the kept lanes' numbers first, in order: the
/// permutation that packs a block's kept entries to its front (AVX2 has no compress).
struct PackOrders {
  std::int32_t lanes[256][8];
};

constexpr PackOrders pack_orders() {
  PackOrders orders{};
  for (int mask = 0; mask < 256; ++mask) {
    int kept = 0;
    for (int lane = 0; lane < 8; ++lane) {
      if (((mask >> lane) & 1) != 0) orders.lanes[mask][kept++] = lane;
    }
  }
  return orders;
}

constexpr PackOrders kPackOrders = pack_orders();

/// Eight entries at a time: their genes gathered, the kept ones packed to the front and
/// stored at `to` (the eight stores reach at most the block just read, so nothing unread is
/// overwritten; lanes past the kept ones are overwritten by the next block or cut off).
__attribute__((target("avx2"))) std::int64_t keep_in_blocks(const std::int32_t* gene_at,
                                                            std::int32_t* indices, float* data,
                                                            std::int64_t begin, std::int64_t end,
                                                            std::int64_t to) {
  auto k = begin;
  for (; k + 8 <= end; k += 8) {
    const __m256i columns = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(indices + k));
    const __m256i genes = _mm256_i32gather_epi32(gene_at, columns, 4);
    const __m256 values = _mm256_loadu_ps(data + k);
    const int kept = ~_mm256_movemask_ps(_mm256_castsi256_ps(genes)) & 0xFF;  // sign: dropped
    const __m256i order =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kPackOrders.lanes[kept]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(indices + to),
                        _mm256_permutevar8x32_epi32(genes, order));
    _mm256_storeu_ps(data + to, _mm256_permutevar8x32_ps(values, order));
    to += __builtin_popcount(static_cast<unsigned>(kept));
  }
  return keep_one_by_one(gene_at, indices, data, k, end, to);
}
#endif  // SCGRAD_X86_KERNELS

}  // namespace

std::int64_t keep_model_genes(const std::int32_t* gene_at, std::int32_t* indices, float* data,
                              std::int64_t begin, std::int64_t end, std::int64_t to) {
#if SCGRAD_X86_KERNELS
  if (has_avx2()) return keep_in_blocks(gene_at, indices, data, begin, end, to);
#endif
  return keep_one_by_one(gene_at, indices, data, begin, end, to);
}

}  // namespace scgrad

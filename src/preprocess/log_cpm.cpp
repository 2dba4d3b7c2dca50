#include "scgrad/preprocess/log_cpm.hpp"

#include <algorithm>
#include <cmath>

#include "../util/cpu_features.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

namespace {

#if SCGRAD_X86_KERNELS
constexpr float kAllWhole = 8388608.0F;  // 2^23

/// Whether x is a whole number in [0, 2^23) (adding and subtracting 2^23 rounds it to one).
int small_whole(float x) {
  return static_cast<int>(x >= 0.0F) & static_cast<int>(x < kAllWhole) &
         static_cast<int>((x + kAllWhole) - kAllWhole == x);
}

/// The tabulated log-CPM of eight counts at a time: each count's table entry picked by two
/// permutes and two blends (bits 0-2, then 3 and 4 of the count), no gather. A block holding
/// any count that is not a whole number below 32 goes to `one_by_one`. Returns the entries
/// done (whole blocks of eight).
template <class OneByOne>
__attribute__((target("avx2"))) std::int64_t tabulated_blocks(const float* table, float* counts,
                                                              std::int64_t n,
                                                              const OneByOne& one_by_one) {
  const __m256 t0 = _mm256_loadu_ps(table);
  const __m256 t1 = _mm256_loadu_ps(table + 8);
  const __m256 t2 = _mm256_loadu_ps(table + 16);
  const __m256 t3 = _mm256_loadu_ps(table + 24);
  const __m256 zero = _mm256_setzero_ps();
  const __m256 last = _mm256_set1_ps(31.0F);
  std::int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 x = _mm256_loadu_ps(counts + k);
    const __m256i c = _mm256_cvttps_epi32(_mm256_min_ps(_mm256_max_ps(x, zero), last));
    const __m256 tabulated = _mm256_cmp_ps(_mm256_cvtepi32_ps(c), x, _CMP_EQ_OQ);
    if (_mm256_movemask_ps(tabulated) != 0xFF) {
      one_by_one(counts + k, 8);
      continue;
    }
    const __m256 bit3 = _mm256_castsi256_ps(_mm256_slli_epi32(c, 28));  // to the sign bit
    const __m256 bit4 = _mm256_castsi256_ps(_mm256_slli_epi32(c, 27));
    const __m256 low =
        _mm256_blendv_ps(_mm256_permutevar8x32_ps(t0, c), _mm256_permutevar8x32_ps(t1, c), bit3);
    const __m256 high =
        _mm256_blendv_ps(_mm256_permutevar8x32_ps(t2, c), _mm256_permutevar8x32_ps(t3, c), bit3);
    _mm256_storeu_ps(counts + k, _mm256_blendv_ps(low, high, bit4));
  }
  return k;
}

/// The total of `n` whole counts in [0, 2^23), eight at a time in any order; NaN when a value
/// is anything else.
__attribute__((target("avx2"))) double small_whole_total(const float* values, std::int64_t n) {
  const __m256 all_whole = _mm256_set1_ps(kAllWhole);
  const __m256 zero = _mm256_setzero_ps();
  __m256 whole = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  __m256d low = _mm256_setzero_pd();
  __m256d high = _mm256_setzero_pd();
  std::int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 x = _mm256_loadu_ps(values + k);
    const __m256 rounded = _mm256_sub_ps(_mm256_add_ps(x, all_whole), all_whole);
    whole = _mm256_and_ps(whole, _mm256_and_ps(_mm256_cmp_ps(x, zero, _CMP_GE_OQ),
                                               _mm256_cmp_ps(x, all_whole, _CMP_LT_OQ)));
    whole = _mm256_and_ps(whole, _mm256_cmp_ps(rounded, x, _CMP_EQ_OQ));
    low = _mm256_add_pd(low, _mm256_cvtps_pd(_mm256_castps256_ps128(x)));
    high = _mm256_add_pd(high, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)));
  }
  double lanes[4];
  _mm256_storeu_pd(lanes, _mm256_add_pd(low, high));
  double total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  int tail_whole = 1;
  for (; k < n; ++k) {
    total += values[k];
    tail_whole &= small_whole(values[k]);
  }
  return _mm256_movemask_ps(whole) == 0xFF && tail_whole != 0 ? total : std::nan("");
}

#endif  // SCGRAD_X86_KERNELS

}  // namespace

double values_total(const float* values, std::int64_t n) {
  // Whole counts below 2^23 add up exactly in double in any order (every partial sum is a
  // whole number below 2^53 for fewer than 2^30 of them), so eight at a time give the in-order
  // sum's bits. Anything else (non-integer amounts) is added in order, one addition after
  // another: the library sizes saved models were fitted with.
#if SCGRAD_X86_KERNELS
  constexpr std::int64_t kExactUpTo = std::int64_t{1} << 30;
  if (has_avx2() && n < kExactUpTo) {
    const auto total = small_whole_total(values, n);
    if (!std::isnan(total)) return total;
  }
#endif
  double total = 0;
  for (std::int64_t k = 0; k < n; ++k) total += values[k];
  return total;
}

std::vector<double> library_sizes(const CsrMatrix& counts) {
  std::vector<double> sizes(static_cast<std::size_t>(counts.n_rows), 0.0);
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    sizes[static_cast<std::size_t>(r)] = values_total(counts.data.data() + counts.indptr[r],
                                                      counts.indptr[r + 1] - counts.indptr[r]);
  }
  return sizes;
}

LogCpmRow::LogCpmRow(double library_size, const LogCpmOptions& options)
    : factor_(library_size > 0 ? options.target_sum / library_size : 0.0),
      log_divisor_(options.log_base > 0 ? std::log(options.log_base) : 1.0) {
  for (int c = 0; c < kTabulated; ++c) table_[c] = computed(static_cast<float>(c));
}

float LogCpmRow::computed(float count) const {
  return static_cast<float>(std::log1p(count * factor_) / log_divisor_);
}

void LogCpmRow::apply(float* counts, std::int64_t n) const {
  static_assert(kTabulated == 32, "tabulated_blocks picks from 32 entries");
  std::int64_t done = 0;
#if SCGRAD_X86_KERNELS
  const auto one_by_one = [this](float* entries, std::int64_t count) {
    apply_entries(entries, count);
  };
  if (has_avx2()) done = tabulated_blocks(table_, counts, n, one_by_one);
#endif
  apply_entries(counts + done, n - done);
}

void LogCpmRow::apply_entries(float* counts, std::int64_t n) const {
  for (std::int64_t k = 0; k < n; ++k) {
    const float count = counts[k];
    // The table's entry when the count is a whole number below kTabulated (without a branch:
    // clamped, converted and compared back), else the expression itself (rare).
    const int c = static_cast<int>(std::min(std::max(0.0F, count), kTabulated - 1.0F));
    const bool tabulated = static_cast<float>(c) == count;
    counts[k] =
        __builtin_expect(static_cast<long>(tabulated), 1) != 0 ? table_[c] : computed(count);
  }
}

std::vector<std::int64_t> empty_cells_of(const std::vector<double>& library_size) {
  std::vector<std::int64_t> empty;
  for (std::size_t r = 0; r < library_size.size(); ++r) {
    if (!(library_size[r] > 0)) empty.push_back(static_cast<std::int64_t>(r));
  }
  return empty;
}

LogCpmResults log_cpm(CsrMatrix counts, const std::vector<double>& library_size,
                      const LogCpmOptions& options) {
  if (static_cast<std::int64_t>(library_size.size()) != counts.n_rows) {
    throw OptionError("log_cpm: one library size per cell is needed");
  }
  LogCpmResults out;
  out.empty_cells = empty_cells_of(library_size);
  // Rows are independent and shared among the cores.
#pragma omp parallel for schedule(static, 256)
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const LogCpmRow transform(library_size[static_cast<std::size_t>(r)], options);
    transform.apply(counts.data.data() + counts.indptr[r], counts.indptr[r + 1] - counts.indptr[r]);
  }
  out.values = std::move(counts);
  return out;
}

}  // namespace scgrad

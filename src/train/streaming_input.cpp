#include "scgrad/train/streaming_input.hpp"

#include <algorithm>
#include <future>
#include <numeric>

#include "scgrad/distributed/process_group.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

StreamingInput::StreamingInput(std::shared_ptr<const AnnDataSource> file,
                               std::shared_ptr<const CellNormaliser> normaliser,
                               std::vector<std::int64_t> file_rows, std::int64_t chunk_rows,
                               std::shared_ptr<SpareBlock> spare)
    : file_(std::move(file)),
      normaliser_(std::move(normaliser)),
      file_rows_(std::move(file_rows)),
      chunk_rows_(std::max<std::int64_t>(1, chunk_rows)),
      spare_(spare ? std::move(spare) : std::make_shared<SpareBlock>()) {}

CsrMatrix StreamingInput::load_range(std::int64_t first, std::int64_t count) const {
  const std::vector<std::int64_t> rows(file_rows_.begin() + first,
                                       file_rows_.begin() + first + count);
  return normaliser_->read(rows, /*keep_counts=*/false, spare_->take()).values;
}

std::int64_t StreamingInput::chunk_after(std::int64_t chunk_first) const {
  if (next_planned_ < epoch_chunks_.size() &&
      epoch_chunks_[next_planned_] * chunk_rows_ == chunk_first) {
    // In an epoch: its next chunk; after its last, evaluation walks from the first chunk.
    ++next_planned_;
    return next_planned_ < epoch_chunks_.size() ? epoch_chunks_[next_planned_] * chunk_rows_ : 0;
  }
  const auto next = chunk_first + chunk_rows_;  // walking in order
  return next < rows() ? next : -1;
}

std::shared_ptr<const CsrMatrix> StreamingInput::load_ahead(std::int64_t first, std::int64_t count,
                                                            std::int64_t next_first,
                                                            std::int64_t next_count) const {
  std::shared_ptr<const CsrMatrix> cells;
  if (prefetch_.valid()) {
    auto ready = prefetch_.get();  // rethrows a failed read here, on the caller's thread
    if (prefetch_first_ == first && prefetch_count_ == count) {
      cells = SpareBlock::share(spare_, std::move(ready));
    }
  }
  if (!cells) cells = SpareBlock::share(spare_, load_range(first, count));
  prefetch_first_ = next_first;
  prefetch_count_ = next_count;
  if (next_count > 0) {
    prefetch_ = std::async(std::launch::async, [this, next_first, next_count] {
      return load_range(next_first, next_count);
    });
  }
  return cells;
}

std::shared_ptr<const CsrMatrix> StreamingInput::load_chunk(std::int64_t chunk_first,
                                                            bool rank_part_only) const {
  // (first, count) of a chunk, or of this rank's part of it; nothing for no chunk (-1).
  const auto cells = [&](std::int64_t first) -> std::pair<std::int64_t, std::int64_t> {
    if (first < 0) return {0, 0};
    if (!rank_part_only) return {first, std::min(chunk_rows_, rows() - first)};
    const auto [part_first, part_last] = rank_part(first, rank_, ranks_);
    return {part_first, part_last - part_first};
  };
  const auto [first, count] = cells(chunk_first);
  const auto [next_first, next_count] = cells(chunk_after(chunk_first));
  return load_ahead(first, count, next_first, next_count);
}

void StreamingInput::visit_range(
    std::int64_t first, std::int64_t last, std::int64_t max_rows,
    const std::function<void(const ModelBatch&, std::int64_t)>& visit) const {
  // Pieces: the chunks cut to [first, last) (whole chunks when visiting every cell).
  const auto piece_end = [&](std::int64_t start) {
    return std::min(last, (start / chunk_rows_ + 1) * chunk_rows_);
  };
  const auto step = std::max<std::int64_t>(1, max_rows);
  cached_.reset();  // minibatches' chunk: two chunks in memory at most, as the header says
  cached_first_ = -1;
  for (auto start = first; start < last;) {
    const auto end = piece_end(start);
    const auto next_end = end < last ? piece_end(end) : end;
    const auto piece = load_ahead(start, end - start, end, next_end - end);
    const ModelBatch cells = csr_view(piece);
    for (std::int64_t row = 0; row < piece->n_rows; row += step) {
      const auto stop = std::min(piece->n_rows, row + step);
      visit(row == 0 && stop == piece->n_rows ? cells : rows_of(cells, row, stop), start + row);
    }
    start = end;
  }
}

std::pair<std::int64_t, std::int64_t> StreamingInput::rank_part(std::int64_t row, int rank,
                                                                int size) const {
  const auto chunk_first = (row / chunk_rows_) * chunk_rows_;
  const auto [first, last] =
      contiguous_share(std::min(chunk_rows_, rows() - chunk_first), rank, size);
  return {chunk_first + first, chunk_first + last};
}

std::vector<std::int64_t> StreamingInput::rank_positions(const std::vector<std::int64_t>& rows,
                                                         int rank, int size) const {
  rank_ = rank;
  ranks_ = size;
  std::vector<std::int64_t> positions;
  if (rows.empty()) return positions;
  const auto [first, last] = rank_part(rows.front(), rank, size);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= first && rows[i] < last) positions.push_back(static_cast<std::int64_t>(i));
  }
  return positions;
}

ModelBatch StreamingInput::batch(const std::vector<std::int64_t>* rows) const {
  if (rows == nullptr || rows->empty()) {
    throw OptionError("streaming input: cells are taken in batches, not all at once");
  }
  const auto [lo, hi] = std::minmax_element(rows->begin(), rows->end());
  const auto whole_first = (*lo / chunk_rows_) * chunk_rows_;
  auto chunk_first = whole_first;
  if (*hi < chunk_first + chunk_rows_) {
    // Within one chunk: read it (or, for data-parallel ranks, this rank's part of it) once,
    // then gather the batch from memory.
    auto count = std::min(chunk_rows_, this->rows() - chunk_first);
    const auto [part_first, part_last] = rank_part(*lo, rank_, ranks_);
    const bool part = ranks_ > 1 && *lo >= part_first && *hi < part_last;
    if (part) {
      chunk_first = part_first;
      count = part_last - part_first;
    }
    if (cached_first_ != chunk_first || cached_count_ != count) {
      cached_.reset();  // free the old chunk before reading the next (unless a batch holds it)
      cached_first_ = -1;
      cached_ = load_chunk(whole_first, part);
      cached_first_ = chunk_first;
      cached_count_ = count;
    }
    const bool whole_chunk = static_cast<std::int64_t>(rows->size()) == cached_->n_rows &&
                             std::is_sorted(rows->begin(), rows->end()) &&
                             rows->front() == chunk_first && rows->back() == *hi;
    if (whole_chunk) return csr_view(cached_);  // evaluation walks chunks in order
    std::vector<std::int64_t> local(rows->size());
    std::transform(rows->begin(), rows->end(), local.begin(),
                   [&](std::int64_t r) { return r - chunk_first; });
    return gather_rows(*cached_, local);
  }
  // Spanning chunks (e.g. evaluation in other chunk sizes): read the covering range.
  const auto range = load_range(*lo, *hi - *lo + 1);
  std::vector<std::int64_t> local(rows->size());
  std::transform(rows->begin(), rows->end(), local.begin(),
                 [&](std::int64_t r) { return r - *lo; });
  return gather_rows(range, local);
}

std::vector<std::vector<std::int64_t>> StreamingInput::epoch_batches(
    Random& random, std::int64_t batch_size) const {
  const auto n_chunks = (rows() + chunk_rows_ - 1) / chunk_rows_;
  std::vector<std::int64_t> chunks(static_cast<std::size_t>(n_chunks));
  std::iota(chunks.begin(), chunks.end(), 0);
  random.shuffle(chunks);
  epoch_chunks_ = chunks;
  next_planned_ = 0;
  std::vector<std::vector<std::int64_t>> batches;
  for (const auto c : chunks) {
    std::vector<std::int64_t> cells(
        static_cast<std::size_t>(std::min(chunk_rows_, rows() - c * chunk_rows_)));
    std::iota(cells.begin(), cells.end(), c * chunk_rows_);
    random.shuffle(cells);
    append_batches(cells, batch_size, batches);
  }
  return batches;
}

}  // namespace scgrad

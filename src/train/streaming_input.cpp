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
                               std::vector<std::int64_t> file_rows, std::int64_t chunk_rows)
    : file_(std::move(file)),
      normaliser_(std::move(normaliser)),
      file_rows_(std::move(file_rows)),
      chunk_rows_(std::max<std::int64_t>(1, chunk_rows)) {}

CsrMatrix StreamingInput::load_range(std::int64_t first, std::int64_t count) const {
  const std::vector<std::int64_t> rows(file_rows_.begin() + first,
                                       file_rows_.begin() + first + count);
  return normaliser_->read(rows).values;
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

std::shared_ptr<const CsrMatrix> StreamingInput::load_chunk(std::int64_t chunk_first) const {
  std::shared_ptr<const CsrMatrix> chunk;
  if (prefetch_.valid()) {
    auto ready = prefetch_.get();  // rethrows a failed read here, on the caller's thread
    if (prefetch_first_ == chunk_first) chunk = std::make_shared<const CsrMatrix>(std::move(ready));
  }
  if (!chunk) {
    chunk = std::make_shared<const CsrMatrix>(
        load_range(chunk_first, std::min(chunk_rows_, rows() - chunk_first)));
  }
  prefetch_first_ = chunk_after(chunk_first);
  if (prefetch_first_ >= 0) {
    const auto count = std::min(chunk_rows_, rows() - prefetch_first_);
    prefetch_ = std::async(std::launch::async, [this, first = prefetch_first_, count] {
      return load_range(first, count);
    });
  }
  return chunk;
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
  auto chunk_first = (*lo / chunk_rows_) * chunk_rows_;
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
      cached_ = part ? std::make_shared<const CsrMatrix>(load_range(chunk_first, count))
                     : load_chunk(chunk_first);
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

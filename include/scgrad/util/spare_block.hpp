#pragma once
/// @file spare_block.hpp
/// The memory of a block of cells let go, kept for the next read: a long pass over a file then
/// reads into pages already mapped instead of fresh ones. (Blocks of hundreds of MB are mapped
/// and unmapped by malloc on every allocation; faulting their pages in again, zeroed, was most
/// of the system time of a streamed run: 95 M page faults in training on 1,000,000 cells.)

#include <memory>
#include <mutex>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

class SpareBlock {
 public:
  /// Keeps `block`'s vectors for the next take() (the larger, when one is kept already).
  void give(CsrMatrix&& block);
  /// The vectors kept (an empty matrix when none), to read the next block into.
  CsrMatrix take();

  /// `block`, shared; when its last owner lets go, its vectors are given to `spare`.
  static std::shared_ptr<const CsrMatrix> share(const std::shared_ptr<SpareBlock>& spare,
                                                CsrMatrix block);

 private:
  std::mutex mutex_;  // the reading thread takes while the computing one gives back
  CsrMatrix block_;
};

}  // namespace scgrad

#include "scgrad/util/spare_block.hpp"

#include <utility>

namespace scgrad {

void SpareBlock::give(CsrMatrix&& block) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (block.data.capacity() >= block_.data.capacity()) block_ = std::move(block);
}

CsrMatrix SpareBlock::take() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(block_, CsrMatrix());
}

std::shared_ptr<const CsrMatrix> SpareBlock::share(const std::shared_ptr<SpareBlock>& spare,
                                                   CsrMatrix block) {
  auto* shared = new CsrMatrix(std::move(block));
  return {shared, [spare](const CsrMatrix* done) {
            auto* owned = const_cast<CsrMatrix*>(done);  // created non-const above
            spare->give(std::move(*owned));
            delete owned;
          }};
}

}  // namespace scgrad

#pragma once
// The data-parallel parts of a training step (private to src/train): every rank starts from rank
// 0's parameters, and each step's gradients are summed over the ranks.

#include <vector>

#include "scgrad/distributed/process_group.hpp"
#include "scgrad/model/classifier.hpp"

namespace scgrad {

/// More than one rank: each computes its share of every batch, the ranks' gradients summed.
inline bool data_parallel(const ProcessGroup* group) {
  return group != nullptr && group->size() > 1;
}

/// Every rank's parameters become rank 0's (one flattened buffer, one broadcast).
void broadcast_parameters(ClassifierImpl& model, const ProcessGroup& group);

/// Sums every parameter's gradient, and `extra` (this rank's loss and correct cells), over the
/// ranks: one flattened float32 buffer, one all-reduce. A rank with no cells in a batch adds
/// zeros. Gloo has no average: the losses were already weighted by each share's part of the
/// batch, so the sums are the batch's mean loss and its gradient. Returns the summed `extra`.
std::vector<double> all_reduce_gradients(ClassifierImpl& model, const ProcessGroup& group,
                                         const std::vector<double>& extra);

}  // namespace scgrad

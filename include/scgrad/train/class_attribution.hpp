#pragma once
/// @file class_attribution.hpp
/// Marker genes of a model with hidden layers: which genes push it towards each class. Such a
/// model has no weight per gene and class, so scgrad stores an attribution computed once at
/// training time: for each class c, over its training cells,
///
///     A[c, g] = mean over the cells i of class c of  (x_ig − x0_g) · ∂s_c(x_i)/∂x_ig,
///
/// gradient × input (Shrikumar et al. 2016; Ancona et al. 2018) of the class's centred logit
/// s_c = z_c − mean_k z_k (two classes: s = ±z, the log-odds of the first class), x being the
/// scaled genes and the baseline x0 a cell that expresses nothing (log-CPM 0, so x − x0 is the
/// log-CPM over the gene's SD: zero wherever the gene is not detected). A gene thus counts for a
/// class by being expressed in its cells where expression raises the class's score, as a
/// marker is; the absence of other classes' markers counts for nothing (with the average cell
/// as the baseline, a two-class model would list each class's markers for both classes). For
/// the logistic model A[c, g] = w̃_cg · mean_c(log-CPM_g) / SD_g, w̃ the centred weights.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "scgrad/infer/model_input.hpp"
#include "scgrad/model/classifier.hpp"

namespace scgrad {

class ProcessGroup;

/// The attribution A (n_classes × genes, float32) of `model` over the cells of `input`, whose
/// class indices are `classes` (one per row of the input), `mean` and `sd` the model's scaling
/// (1-D, one per gene). Sparse rows (log-CPM) are never densified: the gradient is taken at the
/// first layer's outputs and multiplied by its weights only at the stored entries (x − x0 is 0
/// elsewhere), one backward pass's work. Dense rows come scaled; they are differentiated a
/// block of at most 8 MB at a time. A class without cells gets a row of zeros. The model is put in
/// eval mode for the pass (dropout off) and its mode restored; its parameters' gradients are left
/// untouched. With data-parallel ranks (`group`) each takes its contiguous share of the cells
/// and the sums are added over the ranks: every rank returns the same A.
torch::Tensor class_attributions(ClassifierImpl& model, const ModelInput& input,
                                 const std::vector<std::int32_t>& classes, std::size_t n_classes,
                                 const torch::Tensor& mean, const torch::Tensor& sd,
                                 const ProcessGroup* group = nullptr);

}  // namespace scgrad

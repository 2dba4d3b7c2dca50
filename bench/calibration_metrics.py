"""The expected calibration error as scgrad defines it (include/scgrad/infer/calibration.hpp),
for the benchmarks that compare scgrad's confidences with other classifiers'."""
import numpy as np


def expected_calibration_error(top, correct, bins=15):
    """Cells binned by their top probability into 15 equal-width bins; the sum over bins of
    (share of cells) x |accuracy - mean top probability|."""
    top, correct = np.asarray(top, dtype=float), np.asarray(correct, dtype=float)
    which = np.minimum((top * bins).astype(int), bins - 1)
    return sum(abs(correct[which == b].mean() - top[which == b].mean()) * (which == b).mean()
               for b in range(bins) if (which == b).any())


def ece_floor(top, draws=200, seed=0):
    """The ECE a perfectly calibrated model with these top probabilities shows on this many
    cells (each right with its probability): the noise floor of the figure on a small set."""
    random = np.random.default_rng(seed)
    top = np.asarray(top, dtype=float)
    return np.mean([expected_calibration_error(top, random.random(len(top)) < top)
                    for _ in range(draws)])

"""The hard case of a real transfer, for the novelty benchmarks (issue 30): NK cells without a
reference become confident T cells. A query type that is a known type with a few genes changed:
half of type A's query cells with 15 of A's expressed genes raised 10-fold (counts drawn
again). Shared by bench/novelty_candidates.py and bench/novelty_benchmark.py."""
import numpy as np


def with_near_type(counts, labels, seed=0):
    """counts (dense cells x genes) and labels of a query; returns them with the variant cells
    changed and labelled "A-variant", and the variant cells' mask."""
    counts = np.array(counts, dtype=np.float64)
    labels = np.array(labels, dtype=object)
    random = np.random.default_rng(seed)
    variant = (labels == "A") & (random.random(len(labels)) < 0.5)
    # 15 of the genes A expresses at >= 1 count per cell (a real subtype's genes are ones it
    # expresses: NKG7 and GNLY in NK cells).
    expressed = np.flatnonzero(counts[labels == "A"].mean(0) >= 1)
    genes = random.choice(expressed, 15, replace=False)
    mean = counts[labels == "A"][:, genes].mean(0)
    counts[np.ix_(variant, genes)] = random.poisson(10 * mean, (variant.sum(), len(genes)))
    labels[variant] = "A-variant"
    return counts, labels, variant

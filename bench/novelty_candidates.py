#!/usr/bin/env python3
"""Which novelty score to build (issue 30), measured before it is built: leave-one-type-out on
every labelled file the project has, with scikit-learn standing in for scgrad's classifier.

For each file and each type T: the reference is the file's training cells without T; the query
is a held-out part of the file (or a simulated query batch of the same types, with and without
a batch shift), T included. The features are scgrad's (log1p counts per 10,000 of the genes
with >= 10 reference counts, scaled with the reference's mean and SD, clipped at +-10). Each
candidate score is computed for every query cell; the AUROC tells T's query cells (novel) from
the others (known). Every score is also turned into a quantile among held-out reference cells
of the predicted class ("stranger than q of the cells this model knows as this type"), which
is what a user would see; "false novel" is the share of known query cells above q = 0.99.

Candidates:
  - 1 - confidence: the top probability of a multinomial LogisticRegression (the baseline)
  - pca-mahalanobis: distance to the nearest class mean in the reference's top 30 principal
    components, with the classes' shared covariance (Lee et al. 2018's Mahalanobis detector,
    in a PCA instead of a network's features)
  - pca-residual: the part of a cell off the reference's 30-component subspace (its
    reconstruction error), which sees genes the reference never varied
  - pca-both: the sum of the two, each divided by its reference median
  - knn: mean distance to the 10 nearest reference cells in the 30 components (scmap-cell)
  - correlation: 1 - the highest Pearson correlation with a class's mean profile (SingleR)
  - gene-outliers: the mean of a cell's 20 largest squared z-scores against its predicted
    class's per-gene mean and SD (SD floored at 0.25): a type that differs from a known one in
    a few genes only
  - count-deviance: the sum of a cell's 20 largest negative-binomial deviances (dispersion
    0.2) of counts above what its predicted class's mean counts per 10,000 and the cell's
    library predict: a few genes far above the type, measured in counts, where a gene seen
    once where 0.05 was expected weighs little and one at 40 where 4 was expected weighs much
  - count-deviance, query-adjusted: the same with each gene's expected counts multiplied by
    the query's total count of it over the total its cells' predicted classes predict (a
    batch shift moves a gene in every cell; a missing type is a minority of the query)
  - the larger of the quantiles of 1 - confidence and count-deviance, query-adjusted
  - class-diagonal: the mean squared z-score over all genes against the predicted class (each
    capped at 25): a diagonal Mahalanobis distance to the class the cell is given

usage: /usr/bin/python3 bench/novelty_candidates.py [--scgrad build/scgrad]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import anndata
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from near_type import with_near_type

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPONENTS = 30
QUANTILE = 0.99
TOP_GENES = 20
DISPERSION = 0.2
COMBINED = "max of the quantiles of 1 - confidence and count-deviance, query-adjusted"


def log_cp10k(counts):
    counts = sp.csr_matrix(counts, dtype=np.float64)
    lib = np.asarray(counts.sum(axis=1)).ravel()
    x = sp.diags(np.divide(1e4, lib, out=np.zeros_like(lib), where=lib > 0)) @ counts
    x.data = np.log1p(x.data)
    return x


def count_deviance(counts, expected):
    """Negative-binomial deviance (dispersion DISPERSION) of each count above its expected value,
    0 at or below it."""
    k, mu = counts, np.maximum(expected, 1e-3)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(k > 0, k * np.log(k / mu), 0.0)
    d = 2 * (term - (k + 1 / DISPERSION) * np.log((1 + DISPERSION * k) / (1 + DISPERSION * mu)))
    return np.where(k > mu, np.maximum(d, 0), 0)


def scores(ref_x, ref_y, query_x, ref_counts, query_counts):
    """Every candidate's score for the query cells, and for held-out reference cells (the
    calibration set), with the predicted classes of both."""
    fit, cal = train_test_split(np.arange(len(ref_y)), test_size=0.2, random_state=0,
                                stratify=ref_y)
    fit_x, cal_x, fit_y = ref_x[fit], ref_x[cal], ref_y[fit]
    fit_counts = ref_counts[fit]
    clf = LogisticRegression(multi_class="multinomial", max_iter=2000).fit(fit_x, fit_y)
    pca = PCA(COMPONENTS, random_state=0).fit(fit_x)
    fit_z = pca.transform(fit_x)
    classes = clf.classes_
    means = np.stack([fit_z[fit_y == c].mean(0) for c in classes])
    centred = np.concatenate([fit_z[fit_y == c] - means[i] for i, c in enumerate(classes)])
    precision = np.linalg.pinv(np.cov(centred, rowvar=False))
    profiles = np.stack([fit_x[fit_y == c].mean(0) for c in classes])
    spreads = np.stack([np.maximum(fit_x[fit_y == c].std(0), 0.25) for c in classes])
    # Per class and gene, the mean count per 10,000 (the expected count of a cell is it x the
    # cell's library / 10,000).
    fit_library = fit_counts.sum(1, keepdims=True)
    rates = np.stack([(fit_counts[fit_y == c] / fit_library[fit_y == c]).mean(0) * 1e4
                      for c in classes])
    neighbours = NearestNeighbors(n_neighbors=10).fit(fit_z)
    fit_residual = np.linalg.norm(fit_x - pca.inverse_transform(fit_z), axis=1)

    def nearest_mahalanobis(z):
        d = z[:, None, :] - means[None, :, :]
        return np.sqrt(np.einsum("nkc,cd,nkd->nk", d, precision, d).min(1))

    mahalanobis_fit = nearest_mahalanobis(fit_z)

    def of(x, counts):
        z = pca.transform(x)
        p = clf.predict_proba(x)
        mahalanobis = nearest_mahalanobis(z)
        residual = np.linalg.norm(x - pca.inverse_transform(z), axis=1)
        xc = x - x.mean(1, keepdims=True)
        pc = profiles - profiles.mean(1, keepdims=True)
        corr = (xc @ pc.T) / (np.linalg.norm(xc, axis=1)[:, None] * np.linalg.norm(pc, axis=1))
        best = p.argmax(1)
        z2 = ((x - profiles[best]) / spreads[best]) ** 2
        top = -np.sort(-z2, axis=1)[:, :TOP_GENES]
        expected = rates[best] * counts.sum(1, keepdims=True) / 1e4
        deviance = -np.sort(-count_deviance(counts, expected), axis=1)[:, :TOP_GENES]
        # A batch moves a gene in every cell of the query: each gene's expected counts scaled
        # by the query's total over what the reference predicts for it (a type the reference
        # lacks is a minority of the query: it moves the factor less than its own cells).
        factor = (counts.sum(0) + 1) / (expected.sum(0) + 1)
        adjusted = -np.sort(-count_deviance(counts, expected * factor), axis=1)[:, :TOP_GENES]
        return classes[best], {
            "count-deviance": deviance.sum(1),
            "count-deviance, query-adjusted": adjusted.sum(1),
            "gene-outliers": top.mean(1),
            "class-diagonal": np.minimum(z2, 25).mean(1),
            "1 - confidence": 1 - p.max(1),
            "pca-mahalanobis": mahalanobis,
            "pca-residual": residual,
            "pca-both": mahalanobis / np.median(mahalanobis_fit) + residual / np.median(fit_residual),
            "knn": neighbours.kneighbors(z)[0].mean(1),
            "correlation": 1 - corr.max(1),
        }

    return of(cal_x, ref_counts[cal]), of(query_x, query_counts)


def quantiles(cal_predicted, cal_score, predicted, score):
    """Each query cell's score as the share of calibration cells of its predicted class below it."""
    out = np.empty(len(score))
    for c in np.unique(predicted):
        reference = np.sort(cal_score[cal_predicted == c])
        if len(reference) == 0:
            reference = np.sort(cal_score)
        mine = predicted == c
        out[mine] = np.searchsorted(reference, score[mine], side="left") / len(reference)
    return out


def measure(name, ref_counts, ref_y, query_counts, novel, rows):
    """scgrad's features (genes with >= 10 reference counts, log1p CP10k scaled by the reference,
    clipped at +-10), every score, and its AUROC and false-novel share into rows[name, score]."""
    ref_counts = sp.csr_matrix(ref_counts, dtype=np.float64)
    query_counts = sp.csr_matrix(query_counts, dtype=np.float64)
    genes = np.asarray(ref_counts.sum(axis=0)).ravel() >= 10
    rc = np.asarray(ref_counts[:, genes].todense())
    qc = np.asarray(query_counts[:, genes].todense())
    rx = np.asarray(log_cp10k(ref_counts)[:, genes].todense())
    qx = np.asarray(log_cp10k(query_counts)[:, genes].todense())
    mean, sd = rx.mean(0), rx.std(0)
    sd[sd == 0] = 1
    rx = np.clip((rx - mean) / sd, -10, 10)
    qx = np.clip((qx - mean) / sd, -10, 10)
    (cal_pred, cal_scores), (pred, query_scores) = scores(rx, ref_y, qx, rc, qc)
    q = {}
    for method, s in query_scores.items():
        q[method] = quantiles(cal_pred, cal_scores[method], pred, s)
        rows.setdefault((name, method), []).append(
            (roc_auc_score(novel, s), roc_auc_score(novel, q[method]),
             (q[method][~novel] > QUANTILE).mean()))
    # Novel if either is: unlike every known type (the softmax is unsure), or a known type with
    # genes far above it (the counts say so).
    both = np.maximum(q["1 - confidence"], q["count-deviance, query-adjusted"])
    rows.setdefault((name, COMBINED), []).append(
        (roc_auc_score(novel, both), roc_auc_score(novel, both), (both[~novel] > QUANTILE).mean()))


def leave_one_out(name, ref_counts, ref_y, query_counts, query_y, rows):
    for left_out in np.unique(ref_y):
        keep = ref_y != left_out
        measure(name, ref_counts[keep], ref_y[keep], query_counts, query_y == left_out, rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scgrad", default=os.path.join(ROOT, "build", "scgrad"))
    a = ap.parse_args()
    rows = {}
    glia = anndata.read_h5ad(os.path.join(ROOT, "data", "darmanis2015_glia_subset.h5ad"))
    y = glia.obs["author_cell_type"].astype(str).values
    ref, query = train_test_split(np.arange(len(y)), test_size=0.3, random_state=0, stratify=y)
    leave_one_out("glia (held-out 30 %)", glia.X[ref], y[ref], glia.X[query], y[query], rows)
    with tempfile.TemporaryDirectory() as tmp:
        sim = ["--cells", "3000", "--genes", "2000", "--seed", "41", "--cell-types",
               "A,B,C,D,E,F", "--marker-fold", "2.5", "--markers-per-type", "20"]
        for label, batch in [("simulated, same batch", ["--batch-seed", "42"]),
                             ("simulated, batch shift", ["--batch-seed", "42", "--shift-genes",
                                                         "0.2", "--shift-sd", "0.5"])]:
            r, q = os.path.join(tmp, "r.h5ad"), os.path.join(tmp, "q.h5ad")
            subprocess.run([a.scgrad, "simulate", r, *sim], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([a.scgrad, "simulate", q, *sim, *batch], check=True,
                           stdout=subprocess.DEVNULL)
            rd, qd = anndata.read_h5ad(r), anndata.read_h5ad(q)
            leave_one_out(label, rd.X, rd.obs["author_cell_type"].astype(str).values, qd.X,
                          qd.obs["author_cell_type"].astype(str).values, rows)
        # The hard case of a real transfer: a near type (near_type.py).
        subprocess.run([a.scgrad, "simulate", q, *sim, "--batch-seed", "42"], check=True,
                       stdout=subprocess.DEVNULL)
        qd = anndata.read_h5ad(q)
        counts, y, _ = with_near_type(sp.csr_matrix(qd.X).toarray(),
                                      qd.obs["author_cell_type"].astype(str).values)
        rd = anndata.read_h5ad(r)
        measure("simulated, A with 15 genes x10 (near type)", rd.X,
                rd.obs["author_cell_type"].astype(str).values, counts, y == "A-variant", rows)
    print(f"leave-one-type-out: mean over the types left out; AUROC of the raw score and of its "
          f"quantile among held-out reference cells of the predicted class; false novel: known "
          f"query cells above the {QUANTILE} quantile")
    print()
    print("| file | score | AUROC | AUROC (quantile) | false novel |")
    print("|---|---|---|---|---|")
    for (name, method), r in rows.items():
        r = np.array(r)
        print(f"| {name} | {method} | {100 * r[:, 0].mean():.1f} | {100 * r[:, 1].mean():.1f} | "
              f"{100 * r[:, 2].mean():.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

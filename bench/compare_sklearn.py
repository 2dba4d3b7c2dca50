#!/usr/bin/env python3
"""Held-out accuracy of `scgrad train` (its defaults) against scikit-learn's multinomial
LogisticRegression on the same split and the same features.

usage: /usr/bin/python3 bench/compare_sklearn.py [SCGRAD_BINARY]

Datasets: the real glia subset (all five classes; skipped if ../shared is absent) and a
simulated eight-type file with weak markers (scgrad simulate --cells 4000 --genes 2000
--seed 11 --marker-fold 1.5 --markers-per-type 20). Each is split five times (--seed 0..4);
both methods see the same splits (test cell names from scgrad's --metrics-out) and the same
features: log-CPM of genes kept on the training cells, scaled with training statistics.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import anndata
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GLIA = os.path.join(ROOT, "..", "shared", "data", "darmanis2015_glia_subset.h5ad")


def features(path, classes, test_names, min_counts=10):
    data = anndata.read_h5ad(path)
    labels = data.obs["author_cell_type"].astype(str)
    data = data[labels.isin(classes).values] if classes != "all" else data[labels != "nan"]
    is_test = data.obs_names.isin(test_names)
    counts = sp.csr_matrix(data.X, dtype=np.float64)
    keep = np.asarray(counts[~is_test].sum(axis=0)).ravel() >= min_counts
    counts = counts[:, keep]
    lib = np.asarray(counts.sum(axis=1)).ravel()
    x = (sp.diags(np.divide(1e6, lib, out=np.zeros_like(lib), where=lib > 0)) @ counts)
    x.data = np.log1p(x.data)
    x = np.asarray(x.todense(), dtype=np.float32)
    mean = x[~is_test].mean(0)
    sd = x[~is_test].std(0)
    sd[sd == 0] = 1
    x = (x - mean) / sd
    y = data.obs["author_cell_type"].astype(str).values
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


SEEDS = range(5)


def compare(scgrad, name, path, tmp):
    ours, theirs, scgrad_seconds, sk_seconds = [], [], 0.0, 0.0
    for seed in SEEDS:
        metrics = os.path.join(tmp, f"{name}-{seed}.json")
        start = time.time()
        subprocess.run([scgrad, "train", path, "--classes", "all", "--seed", str(seed),
                        "--metrics-out", metrics],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        scgrad_seconds += time.time() - start
        m = json.load(open(metrics))
        xtr, ytr, xte, yte = features(path, "all", m["test_cell_names"])
        assert xtr.shape[1] == m["genes"], (xtr.shape, m["genes"])
        start = time.time()
        clf = LogisticRegression(multi_class="multinomial", max_iter=2000).fit(xtr, ytr)
        sk_seconds += time.time() - start
        theirs.append((clf.predict(xte) == yte).mean())
        ours.append(m["final"]["test_accuracy"])
    ours_mean, theirs_mean = 100 * np.mean(ours), 100 * np.mean(theirs)
    diff = ours_mean - theirs_mean
    n = len(SEEDS)
    print(f"| {name} | {len(m['classes'])} | {m['train_cells']} / {m['test_cells']} | {m['genes']} | "
          f"{ours_mean:.1f} % | {theirs_mean:.1f} % | {diff:+.1f} | "
          f"{scgrad_seconds / n:.1f} s | {sk_seconds / n:.1f} s |")
    print(f"|   per split | | | | {' '.join(f'{100 * a:.1f}' for a in ours)} | "
          f"{' '.join(f'{100 * a:.1f}' for a in theirs)} | | | |")
    return abs(diff) <= 2.0


def main():
    scgrad = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "scgrad")
    print("| data | classes | train / test cells | genes | scgrad test acc (mean of 5 splits) "
          "| sklearn test acc | difference (points) | scgrad time (train command) "
          "| sklearn fit time |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if os.path.exists(GLIA):
            ok &= compare(scgrad, "glia subset (real)", GLIA, tmp)
        else:
            print("| glia subset | skipped: ../shared absent |")
        sim = os.path.join(tmp, "sim8.h5ad")
        subprocess.run([scgrad, "simulate", sim, "--cells", "4000", "--genes", "2000",
                        "--seed", "11", "--marker-fold", "1.5", "--markers-per-type", "20"],
                       check=True, stdout=subprocess.DEVNULL)
        ok &= compare(scgrad, "simulated, 8 types", sim, tmp)
    print("within 2 points of scikit-learn:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

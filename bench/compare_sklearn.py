#!/usr/bin/env python3
"""Held-out accuracy and macro-F1 of `scgrad train` against two anchors on the same splits and
the same features: scikit-learn's multinomial LogisticRegression (default C = 1, no class
weights) and CellTypist's recipe (the features clipped at 10, one-vs-rest LogisticRegression,
C = 1).

usage: /usr/bin/python3 bench/compare_sklearn.py [--scgrad build/scgrad] [--splits 3]
                                                 [--variant NAME=ARGS ...]

Datasets:
  - glia: the real brain subset (5 classes, 253 cells; data/)
  - immune: the real PBMC file of anndata's 0.5 fixture in data/ (10 classes, 700 cells, raw/X is
    log-normalised, so --allow-non-counts)
  - rare: simulated, 5 types at 60/30/5/3/2 %, weak markers (4,000 cells x 2,000 genes)
  - rare-1:200: simulated, 3 types at 66.5/33/0.5 % (6,000 cells; the rare type has ~30 cells)
  - weak: simulated, 8 equal types with weak markers (the file of earlier measurements)
  - cortex-like: simulated like the cortex file of issue 9: 76,000 cells x 141 genes (a gene
    panel), 8 types from 64 % down to 0.4 %
  - brain-like: simulated like the small brain file of issue 29: 450 cells x 18,000 genes, 9
    types from 30 % down to 3 % (14 cells), deep libraries (50,000 counts), 200 weak markers
    per type
Each is split --splits times (--seed 0..); both methods see the same held-out cells (names from
scgrad's --metrics-out) and the same features: log-CPM of the genes kept on scgrad's training
cells, scaled with their statistics, normalised to scgrad's target sum (its --metrics-out
`preprocess`; the first variant's). scikit-learn trains on all of scgrad's training cells
(scgrad's model selection sets 10 % of them aside for validation).
Variants (default: scgrad's defaults only) add scgrad runs with extra options, e.g.
  --variant "no-class-weight=--class-weight none"
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import anndata
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from calibration_metrics import ece_floor, expected_calibration_error

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "data")


def features(path, label_key, matrix, test_names, target_sum, min_counts=10):
    data = anndata.read_h5ad(path)
    labels = data.obs[label_key].astype(str)
    data = data[(labels != "nan").values]
    x = data.raw.X if matrix == "raw" else data.X
    is_test = data.obs_names.isin(test_names)
    counts = sp.csr_matrix(x, dtype=np.float64)
    keep = np.asarray(counts[~is_test].sum(axis=0)).ravel() >= min_counts
    counts = counts[:, keep]
    lib = np.asarray(counts.sum(axis=1)).ravel()
    x = sp.diags(np.divide(target_sum, lib, out=np.zeros_like(lib), where=lib > 0)) @ counts
    x.data = np.log1p(x.data)
    x = np.asarray(x.todense(), dtype=np.float32)
    mean = x[~is_test].mean(0)
    sd = x[~is_test].std(0)
    sd[sd == 0] = 1
    x = (x - mean) / sd
    y = data.obs[label_key].astype(str).values
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


def run_scgrad(scgrad, path, args, seed, metrics):
    subprocess.run([scgrad, "train", path, "--classes", "all", "--seed", str(seed),
                    "--metrics-out", metrics, *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.load(open(metrics))


def compare(scgrad, name, path, data_args, label_key, matrix, variants, splits, tmp):
    anchors = ["sklearn", "celltypist"]
    rows = {v: {"acc": [], "f1": [], "ece": [], "dropped": 0} for v in [*anchors, *variants]}
    floors = []
    for seed in range(splits):
        first = None
        for v, extra in variants.items():
            m = run_scgrad(scgrad, path, data_args + extra, seed, os.path.join(tmp, f"{v}.json"))
            first = first or m
            rows[v]["acc"].append(m["final"]["test_accuracy"])
            rows[v]["f1"].append(m["final"]["test_macro_f1"])
            rows[v]["ece"].append(m["evaluation"]["ece"])
            support = {p["class"]: p["support"] for p in m["evaluation"]["per_class"]}
            rows[v]["dropped"] += sum(support[c] >= 5 for c in m["evaluation"]["never_predicted"])
        xtr, ytr, xte, yte = features(path, label_key, matrix, first["test_cell_names"],
                                      first["preprocess"]["target_sum"])
        assert xtr.shape[1] == first["genes"], (xtr.shape, first["genes"])
        clip = lambda x: np.clip(x, None, 10)
        for anchor, clf, fit_x, test_x in [
                ("sklearn", LogisticRegression(multi_class="multinomial", max_iter=3000), xtr, xte),
                ("celltypist", LogisticRegression(multi_class="ovr", C=1.0, max_iter=3000),
                 clip(xtr), clip(xte))]:
            probabilities = clf.fit(fit_x, ytr).predict_proba(test_x)
            pred = clf.classes_[probabilities.argmax(1)]
            rows[anchor]["ece"].append(expected_calibration_error(probabilities.max(1), pred == yte))
            if anchor == "sklearn":
                floors.append(ece_floor(probabilities.max(1)))
            rows[anchor]["acc"].append((pred == yte).mean())
            rows[anchor]["f1"].append(f1_score(yte, pred, average="macro"))
            rows[anchor]["dropped"] += sum((yte == c).sum() >= 5 and (pred == c).sum() == 0
                                           for c in np.unique(yte))
    for v, r in rows.items():
        print(f"| {name} | {len(first['classes'])} | {first['train_cells']} / {first['test_cells']} "
              f"| {v} | {100 * np.mean(r['acc']):.1f} | {100 * np.mean(r['f1']):.1f} "
              f"| {100 * np.mean(r['ece']):.1f} | {100 * np.mean(floors):.1f} | {r['dropped']} "
              f"| {' '.join(f'{100 * a:.1f}' for a in r['f1'])} |", flush=True)
    best_f1 = max(np.mean(rows[a]["f1"]) for a in anchors)
    best_acc = max(np.mean(rows[a]["acc"]) for a in anchors)
    ok_f1 = np.mean(rows["default"]["f1"]) >= best_f1
    ok_acc = np.mean(rows["default"]["acc"]) >= best_acc - 0.005
    return ok_f1 and ok_acc, np.mean(rows["default"]["ece"]) <= 0.02


def simulate(scgrad, path, *args):
    subprocess.run([scgrad, "simulate", path, *args], check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scgrad", default=os.path.join(ROOT, "build", "scgrad"))
    ap.add_argument("--splits", type=int, default=3)
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--only", default="", help="comma-separated dataset names")
    a = ap.parse_args()
    variants = {"default": []}
    for v in a.variant:
        name, _, args = v.partition("=")
        variants[name] = args.split()
    print(f"held-out accuracy, macro-F1 and expected calibration error (%, mean of {a.splits} "
          "splits; ECE: 15 bins of the top probability; ECE floor: what a perfectly calibrated "
          "model with scikit-learn's confidences would show on these cells, the figure's "
          "sampling noise); 'dropped': classes with >= 5 held-out cells never predicted, summed "
          "over splits")
    print()
    print("| data | classes | train / test cells | method | accuracy | macro-F1 | ECE "
          "| ECE floor | dropped | macro-F1 per split |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = ok_ece = True
    with tempfile.TemporaryDirectory() as tmp:
        sims = {
            "rare": ["--cells", "4000", "--genes", "2000", "--seed", "3", "--cell-types",
                     "A,B,C,D,E", "--proportions", "0.6,0.3,0.05,0.03,0.02",
                     "--marker-fold", "2", "--markers-per-type", "20"],
            "rare-1:200": ["--cells", "6000", "--genes", "1000", "--seed", "4", "--cell-types",
                           "A,B,C", "--proportions", "0.665,0.33,0.005", "--marker-fold", "3",
                           "--markers-per-type", "10"],
            "weak": ["--cells", "4000", "--genes", "2000", "--seed", "11", "--marker-fold", "1.5",
                     "--markers-per-type", "20"],
            "cortex-like": ["--cells", "76000", "--genes", "141", "--seed", "31", "--cell-types",
                            "A,B,C,D,E,F,G,H", "--proportions",
                            "0.64,0.2,0.08,0.04,0.02,0.01,0.006,0.004", "--marker-fold", "3",
                            "--markers-per-type", "5", "--library-size", "3000"],
            # The small-brain shape of issue 29: few cells, many genes, 9 types, several with
            # fewer than 20 cells.
            "brain-like": ["--cells", "450", "--genes", "18000", "--seed", "4", "--cell-types",
                           "A,B,C,D,E,F,G,H,I", "--proportions",
                           "0.3,0.2,0.15,0.1,0.08,0.07,0.04,0.03,0.03", "--marker-fold", "2.5",
                           "--markers-per-type", "200", "--library-size", "50000"],
        }
        datasets = [
            ("glia", os.path.join(DATA, "darmanis2015_glia_subset.h5ad"), [],
             "author_cell_type", "X"),
            ("immune", os.path.join(DATA, "anndata-formats", "anndata_v0.5.0.h5ad"),
             ["--label-key", "bulk_labels", "--matrix", "raw", "--allow-non-counts"],
             "bulk_labels", "raw"),
        ] + [(n, os.path.join(tmp, n + ".h5ad"), [], "author_cell_type", "X") for n in sims]
        for name, path, data_args, label_key, matrix in datasets:
            if a.only and name not in a.only.split(","):
                continue
            if name in sims:
                simulate(a.scgrad, path, *sims[name])
            if not os.path.exists(path):
                print(f"| {name} | skipped: {path} absent |")
                continue
            wins, calibrated = compare(a.scgrad, name, path, data_args, label_key, matrix,
                                       variants, a.splits, tmp)
            ok &= wins
            ok_ece &= calibrated
    print()
    print("scgrad's defaults: macro-F1 >= both anchors' and accuracy within 0.5 points of the "
          "better anchor's on every dataset:", "yes" if ok else "NO")
    print("scgrad's held-out ECE <= 2 % on every dataset:", "yes" if ok_ece else "NO")
    return 0


if __name__ == "__main__":
    sys.exit(main())

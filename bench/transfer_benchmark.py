#!/usr/bin/env python3
"""Reference -> query label transfer: train on a simulated reference, annotate a simulated query
of the same cell types whose expression is shifted (a batch effect), against scikit-learn's
multinomial LogisticRegression and CellTypist's recipe trained on the same reference.

usage: /usr/bin/python3 bench/transfer_benchmark.py [--scgrad build/scgrad] [--variant NAME=ARGS ...]

Files (scgrad simulate; the query shares --seed with its reference, so genes, types and markers
are the same, and takes --batch-seed: other cells, 20 % of the genes shifted by exp(N(0, 0.5²)):
  - rare: 6 types at 50/25/12/8/3/2 %, 3,000 reference and 3,000 query cells x 2,000 genes
  - balanced: 8 equal types, weak markers (fold 2), 2,000 + 2,000 cells x 2,000 genes
Methods (all see every reference cell, none sees a query label):
  - scgrad: `scgrad train REF --classes all --out MODEL` with its defaults (the saved model is the
    refit on all reference cells), then `scgrad predict MODEL QUERY`
  - scikit-learn: LogisticRegression(multinomial, C = 1) on scgrad's default features (log1p of
    counts per 10,000 over genes with >= 10 reference counts, scaled with reference statistics)
  - CellTypist's recipe: log1p of counts per 10,000, scaled with the reference's mean and SD,
    clipped at 10, one-vs-rest LogisticRegression(C = 1)
Prints query accuracy, macro-F1 and expected calibration error (15 bins) for each.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import anndata
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from calibration_metrics import expected_calibration_error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FILES = {
    "rare": (["--cells", "3000", "--genes", "2000", "--seed", "21", "--cell-types",
              "A,B,C,D,E,F", "--proportions", "0.5,0.25,0.12,0.08,0.03,0.02",
              "--marker-fold", "2.5", "--markers-per-type", "15"],
             ["--batch-seed", "99", "--shift-genes", "0.2", "--shift-sd", "0.5"]),
    "balanced": (["--cells", "2000", "--genes", "2000", "--seed", "22", "--marker-fold", "2",
                  "--markers-per-type", "20"],
                 ["--batch-seed", "98", "--shift-genes", "0.2", "--shift-sd", "0.5"]),
}


def normalise(counts, target):
    lib = np.asarray(counts.sum(axis=1)).ravel()
    x = sp.diags(np.divide(target, lib, out=np.zeros_like(lib), where=lib > 0)) @ counts
    x.data = np.log1p(x.data)
    return np.asarray(x.todense(), dtype=np.float32)


def baselines(ref_path, query_path):
    ref, query = anndata.read_h5ad(ref_path), anndata.read_h5ad(query_path)
    y_ref = ref.obs["author_cell_type"].astype(str).values
    y_query = query.obs["author_cell_type"].astype(str).values
    rc = sp.csr_matrix(ref.X, dtype=np.float64)
    qc = sp.csr_matrix(query[:, ref.var_names].X, dtype=np.float64)
    out = {}
    keep = np.asarray(rc.sum(axis=0)).ravel() >= 10  # scgrad's features
    xr, xq = normalise(rc[:, keep], 1e4), normalise(qc[:, keep], 1e4)
    mean, sd = xr.mean(0), xr.std(0)
    sd[sd == 0] = 1
    clf = LogisticRegression(multi_class="multinomial", max_iter=3000)
    out["scikit-learn multinomial LR"] = labels_and_confidence(
        clf.fit((xr - mean) / sd, y_ref), (xq - mean) / sd)
    xr, xq = normalise(rc, 1e4), normalise(qc, 1e4)  # CellTypist
    mean, sd = xr.mean(0), xr.std(0)
    sd[sd == 0] = 1
    clip = lambda x: np.clip((x - mean) / sd, None, 10)
    clf = LogisticRegression(multi_class="ovr", C=1.0, max_iter=3000)
    out["CellTypist's recipe (OvR LR)"] = labels_and_confidence(clf.fit(clip(xr), y_ref), clip(xq))
    return y_query, out


def labels_and_confidence(clf, x):
    probabilities = clf.predict_proba(x)
    return clf.classes_[probabilities.argmax(1)], probabilities.max(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scgrad", default=os.path.join(ROOT, "build", "scgrad"))
    ap.add_argument("--variant", action="append", default=[])
    a = ap.parse_args()
    variants = {"scgrad defaults": []}
    for v in a.variant:
        name, _, args = v.partition("=")
        variants["scgrad " + name] = args.split()
    print("| file | method | query accuracy | query macro-F1 | query ECE |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (ref_args, query_args) in FILES.items():
            ref, query = os.path.join(tmp, "ref.h5ad"), os.path.join(tmp, "query.h5ad")
            subprocess.run([a.scgrad, "simulate", ref, *ref_args], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run([a.scgrad, "simulate", query, *ref_args, *query_args], check=True,
                           stdout=subprocess.DEVNULL)
            y_query, predictions = baselines(ref, query)
            for label, extra in variants.items():
                model, out = os.path.join(tmp, "m.h5"), os.path.join(tmp, "out.h5ad")
                subprocess.run([a.scgrad, "train", ref, "--classes", "all", "--out", model, *extra],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                subprocess.run([a.scgrad, "predict", model, query, "--out", out], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                obs = anndata.read_h5ad(out).obs
                predictions[label] = (obs["scgrad_label"].astype(str).values,
                                      obs["scgrad_confidence"].values)
            for label, (pred, top) in predictions.items():
                print(f"| {name} | {label} | {100 * (pred == y_query).mean():.1f} | "
                      f"{100 * f1_score(y_query, pred, average='macro'):.1f} | "
                      f"{100 * expected_calibration_error(top, pred == y_query):.1f} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

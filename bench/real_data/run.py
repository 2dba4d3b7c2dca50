#!/usr/bin/env python3
"""scgrad's defaults against scikit-learn and CellTypist's recipe on the real files that
build_datasets.py makes (README.md beside this file lists them with their provenance).

usage: /usr/bin/python3 bench/real_data/run.py DATA [--scgrad build/scgrad] [--splits 3]
                                               [--only NAME,...] [--variant NAME=ARGS ...]

Within a file (bench/compare_sklearn.py's protocol): --splits stratified splits (scgrad's
--seed 0, 1, ...; 20 % of every type held out), every method sees the same held-out cells and
the same features (log1p of counts per 10,000 over the genes kept on the training cells, scaled
with the training cells' statistics); CellTypist's recipe clips them at 10 and fits one-vs-rest.
Reference -> query: scgrad trains on the whole reference with its defaults (`train --out`) and
labels the query (`predict`, and `predict --majority-vote`); the anchors train on the reference's
features and label the query's. Printed: accuracy, macro-F1, ECE (15 bins of the top
probability), seconds (scgrad: the whole `train`; anchors: their fit), then whether scgrad's
defaults are within 0.5 points of the better anchor on every file.
"""
import argparse
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
from sklearn.metrics import f1_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from calibration_metrics import expected_calibration_error  # noqa: E402
from compare_sklearn import features  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
WITHIN = ["darmanis_brain", "pbmc_sorted", "osmfish_cortex", "allen_m1_panel"]
TRANSFER = [("pancreas_mouse", "pancreas_human"), ("cell_lines_celseq2", "cell_lines_dropseq")]
LABEL = "cell_type"
ANCHORS = ["scikit-learn", "CellTypist recipe"]


def anchor_models():
    return {"scikit-learn": (LogisticRegression(multi_class="multinomial", max_iter=3000),
                             lambda x: x),
            "CellTypist recipe": (LogisticRegression(multi_class="ovr", C=1.0, max_iter=3000),
                                  lambda x: np.clip(x, None, 10))}


def score(y, pred, top):
    return {"acc": float((pred == y).mean()), "f1": float(f1_score(y, pred, average="macro")),
            "ece": float(expected_calibration_error(top, pred == y))}


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def fit_anchors(xtr, ytr, xte, yte, rows):
    for name, (clf, transform) in anchor_models().items():
        start = time.perf_counter()
        clf.fit(transform(xtr), ytr)
        seconds = time.perf_counter() - start
        probabilities = clf.predict_proba(transform(xte))
        pred = clf.classes_[probabilities.argmax(1)]
        rows[name].append({**score(yte, pred, probabilities.max(1)), "s": seconds})


def within(scgrad, path, variants, splits, tmp):
    rows = {v: [] for v in [*ANCHORS, *variants]}
    for seed in range(splits):
        first = None
        for v, extra in variants.items():
            metrics = os.path.join(tmp, "m.json")
            seconds = timed([scgrad, "train", path, "--classes", "all", "--label-key", LABEL,
                             "--seed", str(seed), "--metrics-out", metrics, *extra])
            m = json.load(open(metrics))
            first = first or m
            rows[v].append({"acc": m["final"]["test_accuracy"], "f1": m["final"]["test_macro_f1"],
                            "ece": m["evaluation"]["ece"], "s": seconds})
        xtr, ytr, xte, yte = features(path, LABEL, "X", first["test_cell_names"],
                                      first["preprocess"]["target_sum"])
        fit_anchors(xtr, ytr, xte, yte, rows)
    return rows, f"{first['train_cells']} / {first['test_cells']}"


def normalise(counts, target=1e4):
    lib = np.asarray(counts.sum(axis=1)).ravel()
    x = sp.diags(np.divide(target, lib, out=np.zeros_like(lib), where=lib > 0)) @ counts
    x.data = np.log1p(x.data)
    return np.asarray(x.todense(), dtype=np.float32)


def transfer(scgrad, ref_path, query_path, variants, tmp):
    ref, query = anndata.read_h5ad(ref_path), anndata.read_h5ad(query_path)
    y_ref = ref.obs[LABEL].astype(str).values
    y_query = query.obs[LABEL].astype(str).values
    rows = {}
    for v, extra in variants.items():
        model = os.path.join(tmp, "model.h5")
        seconds = timed([scgrad, "train", ref_path, "--classes", "all", "--label-key", LABEL,
                         "--out", model, *extra])
        for label, vote in ((v, []), (v + " + majority vote", ["--majority-vote"])):
            out = os.path.join(tmp, "out.h5ad")
            timed([scgrad, "predict", model, query_path, "--out", out, *vote])
            obs = anndata.read_h5ad(out).obs
            pred = obs["scgrad_label"].astype(str).values
            rows[label] = [{**score(y_query, pred, obs["scgrad_confidence"].values), "s": seconds}]
    # the anchors on scgrad's features: genes with >= 10 reference counts, the query's genes in
    # the reference's order (a gene the query lacks is unexpressed), scaled with the reference
    shared = ref.var_names[np.asarray(sp.csr_matrix(ref.X).sum(axis=0)).ravel() >= 10]
    qc = sp.csr_matrix((query.n_obs, len(shared)), dtype=np.float64).tolil()
    present = shared.isin(query.var_names)
    qc[:, np.flatnonzero(present)] = sp.csr_matrix(query[:, shared[present]].X)
    xr = normalise(sp.csr_matrix(ref[:, shared].X, dtype=np.float64))
    xq = normalise(sp.csr_matrix(qc, dtype=np.float64))
    mean, sd = xr.mean(0), xr.std(0)
    sd[sd == 0] = 1
    rows.update({anchor: [] for anchor in ANCHORS})
    fit_anchors((xr - mean) / sd, y_ref, (xq - mean) / sd, y_query, rows)
    return rows, f"{ref.n_obs} -> {query.n_obs}"


def mean(rows, key):
    return 100 * np.mean([r[key] for r in rows])


def print_rows(name, classes, cells, rows):
    for v, r in rows.items():
        print(f"| {name} | {classes} | {cells} | {v} | {mean(r, 'acc'):.1f} | {mean(r, 'f1'):.1f} "
              f"| {mean(r, 'ece'):.1f} | {np.mean([x['s'] for x in r]):.1f} |", flush=True)


def within_margin(rows, default="default"):
    best = {k: max(mean(rows[a], k) for a in ANCHORS) for k in ("acc", "f1")}
    return all(mean(rows[default], k) >= best[k] - 0.5 for k in best)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", help="the folder build_datasets.py wrote")
    ap.add_argument("--scgrad", default=os.path.join(ROOT, "build", "scgrad"))
    ap.add_argument("--splits", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--variant", action="append", default=[])
    a = ap.parse_args()
    variants = {"default": []}
    for v in a.variant:
        name, _, args = v.partition("=")
        variants[name] = args.split()
    only = set(filter(None, a.only.split(",")))
    print(f"accuracy, macro-F1, ECE (%) and seconds; within a file the mean of {a.splits} "
          "stratified splits")
    print()
    print("| data | types | train / test cells | method | accuracy | macro-F1 | ECE | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    verdicts, vote_costs = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in WITHIN:
            if only and name not in only:
                continue
            path = os.path.join(a.data, name + ".h5ad")
            rows, cells = within(a.scgrad, path, variants, a.splits, tmp)
            classes = anndata.read_h5ad(path, backed="r").obs[LABEL].nunique()
            print_rows(name, classes, cells, rows)
            verdicts[name] = within_margin(rows)
        for ref, query in TRANSFER:
            name = f"{ref} -> {query}"
            if only and ref not in only:
                continue
            rows, cells = transfer(a.scgrad, os.path.join(a.data, ref + ".h5ad"),
                                   os.path.join(a.data, query + ".h5ad"), variants, tmp)
            classes = anndata.read_h5ad(os.path.join(a.data, ref + ".h5ad"),
                                        backed="r").obs[LABEL].nunique()
            print_rows(name, classes, cells, rows)
            verdicts[name] = within_margin(rows)
            vote_costs[name] = mean(rows["default"], "acc") - mean(
                rows["default + majority vote"], "acc")
    print()
    for name, ok in verdicts.items():
        print(f"{name}: scgrad's defaults within 0.5 points of the better anchor "
              f"(accuracy and macro-F1): {'yes' if ok else 'NO'}")
    for name, cost in vote_costs.items():
        print(f"{name}: --majority-vote costs {cost:.1f} points of accuracy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

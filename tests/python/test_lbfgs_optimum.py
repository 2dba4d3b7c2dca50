#!/usr/bin/env python3
"""`--optimizer lbfgs` reaches scikit-learn's optimum: the same penalised loss, the same model.

A simulated file (3 types, 600 cells x 300 genes) is trained by `scgrad train` with L-BFGS on
every cell (no split, no class weights, a fixed weight decay λ = 1 / (C n) for C = 0.5), and
scikit-learn's multinomial LogisticRegression(C = 0.5) is fitted on the very features the model
file describes (its genes, log1p of counts per 10,000, its scaling mean and SD, its clip). The class
probabilities of the two models must agree to 4e-4 on every cell (docs/training.md quotes this
bound; one thread, so the figures are the same on any machine), and their predicted classes
everywhere. Then the same with class weights ('balanced', sklearn's class_weight='balanced').
usage: test_lbfgs_optimum.py SCGRAD_BINARY
"""
import os
import subprocess
import sys
import tempfile

import anndata
import h5py
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

import bounded

C = 0.5


def run(scgrad, *args):
    p = bounded.run([scgrad, *args], capture_output=True, text=True)
    assert p.returncode == 0, (args, p.returncode, p.stderr[-3000:])
    return p


def model_probabilities(model_path, counts, file_genes):
    """The features the model file describes, and its softmax outputs on them."""
    with h5py.File(model_path) as f:
        genes = [g.decode() if isinstance(g, bytes) else g for g in f["genes"][:]]
        mean, sd = f["scaling/mean"][:], f["scaling/sd"][:]
        w, b = f["weights/linear1.weight"][:], f["weights/linear1.bias"][:]
        max_value = f["preprocess"].attrs["max_value"]
        assert f["training"].attrs["optimizer"] == "lbfgs", dict(f["training"].attrs)
    index = {g: i for i, g in enumerate(file_genes)}
    x = counts[:, [index[g] for g in genes]].astype(np.float64)
    lib = x.sum(axis=1, keepdims=True)
    x = np.log1p(x * (1e4 / lib))
    x = (x - mean) / sd
    if max_value > 0:  # the model's clip of scaled values (0: none)
        x = np.minimum(x, max_value)
    z = x @ w.T.astype(np.float64) + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return x, p / p.sum(axis=1, keepdims=True)


def main():
    scgrad = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        sim = os.path.join(tmp, "sim.h5ad")
        run(scgrad, "simulate", sim, "--cells", "600", "--genes", "300", "--seed", "5",
            "--cell-types", "A,B,C", "--proportions", "0.6,0.3,0.1", "--marker-fold", "1.6",
            "--markers-per-type", "10")
        data = anndata.read_h5ad(sim)
        counts = np.asarray(sp.csr_matrix(data.X).todense())
        labels = data.obs["author_cell_type"].astype(str).values
        n = counts.shape[0]
        for weights, sklearn_weights in (("none", None), ("balanced", "balanced")):
            model = os.path.join(tmp, f"{weights}.h5")
            run(scgrad, "train", sim, "--classes", "all", "--optimizer", "lbfgs",
                "--test-fraction", "0", "--validation-fraction", "0", "--epochs", "500",
                "--class-weight", weights, "--weight-decay", repr(1 / (C * n)),
                "--target-sum", "1e4", "--threads", "1", "--out", model)
            x, ours = model_probabilities(model, counts, list(data.var_names))
            clf = LogisticRegression(C=C, tol=1e-10, max_iter=20000, class_weight=sklearn_weights)
            clf.fit(x, labels)
            with h5py.File(model) as f:
                classes = [c.decode() if isinstance(c, bytes) else c for c in f["classes"][:]]
            theirs = clf.predict_proba(x)[:, [list(clf.classes_).index(c) for c in classes]]
            gap = np.abs(ours - theirs).max()
            agree = (ours.argmax(1) == theirs.argmax(1)).mean()
            print(f"class weights {weights}: max |p_scgrad - p_sklearn| = {gap:.2e}, "
                  f"same class on {100 * agree:.1f} % of cells; training accuracy "
                  f"{(np.array(classes)[ours.argmax(1)] == labels).mean():.3f}")
            assert gap < 4e-4, gap
            assert agree == 1.0, agree
    print("lbfgs optimum: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

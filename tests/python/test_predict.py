#!/usr/bin/env python3
"""scgrad train --out → scgrad predict, checked with Debian's anndata/h5py:
predicting the training file reproduces the training accuracy; shuffled genes give identical
predictions; a file missing a tenth of the genes still predicts and reports them; too few genes
are refused; the input is never modified; foreign or newer model files are refused."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import anndata
import h5py
import numpy as np

import bounded


def run(*args, ok=True):
    p = bounded.run([SCGRAD, *args], capture_output=True, text=True)
    assert (p.returncode == 0) == ok, f"{args}: exit {p.returncode}\n{p.stderr}"
    return p


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def a_cells(path, classes):
    return int(anndata.read_h5ad(path).obs.author_cell_type.isin(classes).sum())


def check_model(tmp, sim, raw, classes, compute):
    """Train on `sim` with the given first-layer path; checks 1-3 with that model."""
    model = os.path.join(tmp, f"model-{compute}.h5")
    metrics = os.path.join(tmp, "m.json")
    run("train", sim, "--classes", ",".join(classes), "--test-fraction", "0", "--epochs", "5",
        "--compute", compute, "--out", model, "--metrics-out", metrics)
    trained = json.load(open(metrics))

    # The model file is plain HDF5.
    with h5py.File(model) as f:
        assert f.attrs["format"] == "scgrad-model"
        assert f.attrs["compute"] == compute
        assert [c.decode() for c in f["classes"][:]] == classes
        assert f["scaling/mean"].shape == (trained["genes"],)
        assert f["weights/linear1.weight"].shape == (3, trained["genes"])

    # 1. Predicting the training file reproduces the training accuracy of the saved model: the
    #    refit on every cell (the selected model trained on all but the validation cells).
    assert trained["refit"]["cells"] == a_cells(sim, classes), trained["refit"]
    before = digest(sim)
    out = os.path.join(tmp, "pred.h5ad")
    run("predict", model, sim, "--out", out)
    assert digest(sim) == before, "the input file was modified"
    a = anndata.read_h5ad(out)
    assert list(a.uns["scgrad_classes"]) == classes
    assert a.obsm["scgrad_probabilities"].shape == (a.n_obs, 3)
    assert np.allclose(a.obsm["scgrad_probabilities"].sum(1), 1, atol=1e-5)
    keep = a.obs.author_cell_type.isin(classes).values
    acc = (a.obs.scgrad_label.astype(str).values[keep] ==
           a.obs.author_cell_type.astype(str).values[keep]).mean()
    saved = trained["refit"]["train_accuracy"]
    print(f"{compute}: training accuracy of the saved model {saved:.6f}, predicted {acc:.6f}")
    assert abs(acc - saved) < 1e-9

    # 2. Shuffled genes: identical predictions.
    order = np.random.default_rng(0).permutation(raw.n_vars)
    shuffled = os.path.join(tmp, "shuffled.h5ad")
    raw[:, order].copy().write_h5ad(shuffled)
    out2 = os.path.join(tmp, "pred_shuffled.h5ad")
    run("predict", model, shuffled, "--out", out2)
    b = anndata.read_h5ad(out2)
    assert (b.obs.scgrad_label.values == a.obs.scgrad_label.values).all()
    assert np.array_equal(b.obsm["scgrad_probabilities"], a.obsm["scgrad_probabilities"])

    # 3. A tenth of the genes missing: still predicts, and says how many are missing. (The
    #    simulator's markers are the first genes: the last tenth are not markers, so the labels
    #    must barely move.)
    drop = raw.n_vars // 10
    partial = os.path.join(tmp, "partial.h5ad")
    raw[:, :raw.n_vars - drop].copy().write_h5ad(partial)
    p = run("predict", model, partial, "--out", os.path.join(tmp, "pred_partial.h5ad"))
    with h5py.File(model) as f:
        model_genes = set(g.decode() for g in f["genes"][:])
    missing = len(model_genes - set(raw.var_names[:raw.n_vars - drop]))
    assert f"{missing} missing" in p.stderr, p.stderr
    c = anndata.read_h5ad(os.path.join(tmp, "pred_partial.h5ad"))
    agree = (c.obs.scgrad_label.values == a.obs.scgrad_label.values).mean()
    print(f"{compute}: {missing} model genes missing: {agree:.3f} of labels unchanged")
    assert agree > 0.8
    return model, a


def main():
    with tempfile.TemporaryDirectory() as tmp:
        sim = os.path.join(tmp, "sim.h5ad")
        run("simulate", sim, "--cells", "900", "--genes", "400", "--seed", "5")
        classes = ["Astrocytes", "Glioblasts", "Neurons"]
        raw = anndata.read_h5ad(sim)
        for compute in ["dense", "sparse"]:
            model, a = check_model(tmp, sim, raw, classes, compute)
        # 4. Too few genes: refused with a clear message.
        few = os.path.join(tmp, "few.h5ad")
        raw[:, : raw.n_vars // 4].copy().write_h5ad(few)
        err = run("predict", model, few, "--out", os.path.join(tmp, "x.h5ad"), ok=False).stderr
        assert "genes are in the var index" in err and "--gene-key" in err, err
        assert not os.path.exists(os.path.join(tmp, "x.h5ad"))

        # 5. --gene-key: a file indexed by other IDs, with names in a var column.
        renamed = raw.copy()
        renamed.var["feature_name"] = renamed.var_names
        renamed.var_names = [f"ENSG{i:08d}" for i in range(renamed.n_vars)]
        ens = os.path.join(tmp, "ensembl.h5ad")
        renamed.write_h5ad(ens)
        run("predict", model, ens, ok=False)
        out3 = os.path.join(tmp, "pred_ens.h5ad")
        run("predict", model, ens, "--gene-key", "feature_name", "--out", out3)
        assert (anndata.read_h5ad(out3).obs.scgrad_label.values == a.obs.scgrad_label.values).all()

        # 6. Model files from elsewhere or from the future are refused.
        err = run("predict", sim, sim, ok=False).stderr
        assert "not an scgrad model file" in err, err
        newer = os.path.join(tmp, "newer.h5")
        with open(model, "rb") as src, open(newer, "wb") as dst:
            dst.write(src.read())
        with h5py.File(newer, "r+") as f:
            f.attrs["format_version"] = 99.0
        err = run("predict", newer, sim, ok=False).stderr
        assert "newer than this scgrad reads" in err, err
    print("predict: all checks passed")
    return 0


if __name__ == "__main__":
    SCGRAD = sys.argv[1]
    sys.exit(main())

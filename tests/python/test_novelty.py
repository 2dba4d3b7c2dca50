"""Novelty scores (issue 30): a type the reference lacks stands out in obs scgrad_novelty, which
the program writes into --out, --annotations-only and the CSV and Python computes alike;
--max-novelty unassigns the cells above it and counts them per would-be class; a model file
from before novelty is still read, and refuses --max-novelty without touching any output.

usage: SCGRAD=build/scgrad PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_novelty.py
"""
import hashlib
import json
import os
import shutil
from pathlib import Path

import anndata
import h5py
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import scgrad
import bounded

SCGRAD = os.environ.get("SCGRAD", str(Path(__file__).parents[2] / "build" / "scgrad"))
SIMULATION = ["--cells", 1200, "--genes", 500, "--seed", 8, "--cell-types", "A,B,C,D,E",
              "--marker-fold", 2.5]


def run(*args, expect=0):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True, timeout=240)
    assert p.returncode == expect, f"scgrad {' '.join(map(str, args))}: {p.stderr}"
    return p


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A reference without type E, a query batch (shifted genes) with it, a model."""
    tmp = tmp_path_factory.mktemp("novelty")
    run("simulate", tmp / "full.h5ad", *SIMULATION)
    run("simulate", tmp / "query.h5ad", *SIMULATION, "--batch-seed", 9, "--shift-genes", 0.2,
        "--shift-sd", 0.5)
    full = anndata.read_h5ad(tmp / "full.h5ad")
    full[full.obs["author_cell_type"] != "E"].copy().write_h5ad(tmp / "reference.h5ad")
    p = run("train", tmp / "reference.h5ad", "--classes", "all", "--threads", 1,
            "--out", tmp / "model.h5", "--metrics-out", tmp / "train.json")
    assert "novelty reference: 4 classes" in p.stderr
    return tmp


def test_a_missing_type_stands_out_in_every_output(files):
    tmp = files
    run("predict", tmp / "model.h5", tmp / "query.h5ad", "--out", tmp / "out.h5ad",
        "--annotations-only", tmp / "annotations.h5ad", "--csv", tmp / "p.csv", "--threads", 1)
    out = anndata.read_h5ad(tmp / "out.h5ad")
    novelty = out.obs["scgrad_novelty"].to_numpy()
    assert novelty.dtype == np.float32
    assert ((novelty >= 0) & (novelty <= 1)).all()
    annotations = anndata.read_h5ad(tmp / "annotations.h5ad")
    assert np.array_equal(annotations.obs["scgrad_novelty"].to_numpy(), novelty)
    csv = pd.read_csv(tmp / "p.csv")
    assert list(csv.columns[:4]) == ["cell", "label", "confidence", "novelty"]
    assert np.allclose(csv["novelty"], novelty, atol=1e-5)
    novel = (out.obs["author_cell_type"] == "E").to_numpy()
    auroc = roc_auc_score(novel, novelty)
    doubt = roc_auc_score(novel, 1 - out.obs["scgrad_confidence"].to_numpy())
    print(f"AUROC novelty {auroc:.3f}, 1 - confidence {doubt:.3f}")
    assert auroc >= 0.85
    # A batch shift of a fifth of the genes does not make the known cells novel.
    assert (novelty[~novel] > 0.99).mean() <= 0.10
    # Python, given the same query, computes the same novelty.
    frame = scgrad.load(tmp / "model.h5").predict(anndata.read_h5ad(tmp / "query.h5ad"),
                                                  inplace=False, threads=1)
    assert np.array_equal(frame["scgrad_novelty"].to_numpy(), novelty)


def test_max_novelty_unassigns_and_counts_per_would_be_class(files):
    tmp = files
    run("predict", tmp / "model.h5", tmp / "query.h5ad", "--out", tmp / "flagged.h5ad",
        "--max-novelty", 0.99, "--metrics-out", tmp / "p.json", "--threads", 1)
    obs = anndata.read_h5ad(tmp / "flagged.h5ad").obs
    metrics = json.loads((tmp / "p.json").read_text())
    above = obs["scgrad_novelty"].to_numpy() > 0.99
    assert above.sum() > 0
    assert np.array_equal((obs["scgrad_label"] == "Unassigned").to_numpy(), above)
    novelty = metrics["novelty"]
    assert novelty["max_novelty"] == 0.99
    assert novelty["novel"] == above.sum() == metrics["unassigned"]
    assert sum(novelty["novel_by_class"].values()) == above.sum()
    # Python's max_novelty gives the same labels.
    adata = anndata.read_h5ad(tmp / "query.h5ad")
    scgrad.load(tmp / "model.h5").predict(adata, max_novelty=0.99, threads=1)
    assert list(adata.obs["scgrad_label"].astype(str)) == list(obs["scgrad_label"].astype(str))
    with pytest.raises(ValueError, match="maximum novelty"):
        scgrad.load(tmp / "model.h5").predict(adata, max_novelty=float("nan"))


def test_a_model_from_before_novelty_is_read_and_refuses_max_novelty(files):
    tmp = files
    shutil.copy(tmp / "model.h5", tmp / "old.h5")
    with h5py.File(tmp / "old.h5", "a") as f:
        del f["novelty"]
    run("predict", tmp / "old.h5", tmp / "query.h5ad", "--csv", tmp / "old.csv", "--threads", 1)
    run("predict", tmp / "model.h5", tmp / "query.h5ad", "--csv", tmp / "new.csv",
        "--threads", 1)
    old, new = pd.read_csv(tmp / "old.csv"), pd.read_csv(tmp / "new.csv")
    assert "novelty" not in old.columns
    assert old["label"].equals(new["label"])
    assert old["confidence"].equals(new["confidence"])
    # Asked for a maximum novelty, it says why, and an existing output stays as it was.
    before = digest(tmp / "old.csv")
    p = run("predict", tmp / "old.h5", tmp / "query.h5ad", "--csv", tmp / "old.csv",
            "--max-novelty", 0.99, expect=1)
    assert "old.h5 has no novelty reference" in p.stderr
    assert "train it again" in p.stderr
    assert digest(tmp / "old.csv") == before
    for bad in ("nan", "-1", "1.5", "inf"):
        p = run("predict", tmp / "model.h5", tmp / "query.h5ad", "--csv", tmp / "old.csv",
                "--max-novelty", bad, expect=105)  # CLI11: a value its check refuses
        assert "--max-novelty" in p.stderr
    assert digest(tmp / "old.csv") == before

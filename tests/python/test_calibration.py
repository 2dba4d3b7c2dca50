"""Calibrated confidences (issue 29): the temperature train fits is reported, stored in the
model file and applied by predict and by Python, and it never changes a cell's label.

usage: SCGRAD=build/scgrad PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_calibration.py
"""
import json
import os
import shutil
from pathlib import Path

import anndata
import h5py
import numpy as np
import pandas as pd
import pytest

import scgrad
import bounded

SCGRAD = os.environ.get("SCGRAD", str(Path(__file__).parents[2] / "build" / "scgrad"))


def run(*args):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, f"scgrad {' '.join(map(str, args))}: {p.stderr}"
    return p


def run_fails(*args):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True, timeout=240)
    assert p.returncode == 1, p.stderr
    return p.stderr


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("calibration")
    data = tmp / "weak.h5ad"
    run("simulate", data, "--cells", 1500, "--genes", 400, "--marker-fold", 1.6, "--seed", 5)
    model = tmp / "model.h5"
    p = run("train", data, "--classes", "all", "--threads", 1, "--out", model,
            "--metrics-out", tmp / "m.json")
    return tmp, data, model, json.loads((tmp / "m.json").read_text()), p.stdout


def test_train_reports_and_stores_the_temperature(trained):
    _, _, model, metrics, stdout = trained
    t = metrics["selection"]["temperature"]
    e = metrics["evaluation"]
    assert 0.05 <= t <= 20 and t != 1.0
    assert 0 <= e["ece"] <= 1 and 0 <= e["ece_uncalibrated"] <= 1
    assert f"expected calibration error {100 * e['ece']:.1f} %" in stdout
    with h5py.File(model) as f:
        assert f.attrs["temperature"] == pytest.approx(t)
    assert scgrad.load(model)._file.temperature == pytest.approx(t)


def test_predict_applies_it_and_keeps_every_label(trained):
    tmp, data, model, metrics, _ = trained
    t = metrics["selection"]["temperature"]
    plain = tmp / "plain.h5"
    shutil.copy(model, plain)
    with h5py.File(plain, "r+") as f:
        f.attrs["temperature"] = 1.0
    run("predict", model, data, "--csv", tmp / "calibrated.csv", "--metrics-out", tmp / "p.json")
    run("predict", plain, data, "--csv", tmp / "plain.csv")
    assert json.loads((tmp / "p.json").read_text())["temperature"] == pytest.approx(t)
    calibrated, raw = pd.read_csv(tmp / "calibrated.csv"), pd.read_csv(tmp / "plain.csv")
    columns = [c for c in raw.columns if c.startswith("p_")]
    expected = raw[columns].to_numpy() ** (1 / t)
    expected /= expected.sum(axis=1, keepdims=True)
    assert np.abs(calibrated[columns].to_numpy() - expected).max() < 2e-5
    assert (calibrated["label"] == raw["label"]).all()
    assert np.allclose(calibrated["confidence"], calibrated[columns].max(axis=1), atol=1e-6)
    # Python's predict gives the program's calibrated probabilities.
    adata = anndata.read_h5ad(data)
    scgrad.load(model).predict(adata, threads=1)
    assert np.abs(adata.obsm["scgrad_probabilities"] - calibrated[columns].to_numpy()).max() < 1e-5


def test_predict_measures_a_labelled_query(trained):
    """--label-key: accuracy, macro-F1 and ECE against the query's labels, the same in the
    program, its --metrics-out and Python; cells with labels the model does not know are left
    out and counted."""
    tmp, data, model, _, _ = trained
    adata = anndata.read_h5ad(data)
    labels = adata.obs["author_cell_type"].astype(str).to_numpy().copy()
    labels[:40] = "a type the reference never had"
    adata.obs["truth"] = pd.Categorical(labels)
    query = tmp / "labelled_query.h5ad"
    adata.write_h5ad(query)
    p = run("predict", model, query, "--label-key", "truth", "--csv", tmp / "q.csv",
            "--metrics-out", tmp / "q.json")
    e = json.loads((tmp / "q.json").read_text())["evaluation"]
    assert e["cells"] == 1460 and e["cells_without_known_label"] == 40
    csv = pd.read_csv(tmp / "q.csv").iloc[40:]
    accuracy = (csv["label"].to_numpy() == labels[40:]).mean()
    assert e["accuracy"] == pytest.approx(accuracy, abs=1e-9)
    assert f"accuracy {accuracy:.4f}" in p.stdout and "40 with no label" in p.stdout
    # ECE by hand from the CSV's confidences.
    confidence, right = csv["confidence"].to_numpy(), csv["label"].to_numpy() == labels[40:]
    bins = np.clip(np.ceil(confidence * 15).astype(int) - 1, 0, 14)
    ece = sum(abs(right[bins == b].sum() - confidence[bins == b].sum()) for b in range(15))
    assert e["ece"] == pytest.approx(ece / len(csv), abs=1e-4)
    fresh = anndata.read_h5ad(query)
    scgrad.load(model).predict(fresh, label_key="truth", threads=1)
    py = fresh.uns["scgrad_evaluation"]
    assert py["accuracy"] == pytest.approx(e["accuracy"]) and py["ece"] == pytest.approx(e["ece"])
    bad = run_fails("predict", model, data, "--label-key", "no_such_column")
    assert "no_such_column" in bad

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

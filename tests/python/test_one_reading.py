"""The program and Python read the same odd inputs the same way, and odd values end in a
one-line error naming the option or file and the cause (issue 28).

- labels: NaN, None, "" and blank labels are unlabelled in both (never a class ''), counted;
- a second Python predict replaces the first's scgrad_* obs columns as a set;
- a library-size column with NaN, 0 or a negative value for a cell read: an error naming it;
- numeric options (over-clustering resolution, --max-memory, --top, threads) out of range;
- gene maps: a UTF-8 byte-order mark is read, a folder or a header alone is named as such;
- a query without cells, a model trained on raw/X and a query without raw.

usage: SCGRAD=build/scgrad PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_one_reading.py
"""
import json
import os
from pathlib import Path

import anndata
import numpy as np
import pandas as pd
import pytest

import scgrad
import bounded

SCGRAD = os.environ.get("SCGRAD", str(Path(__file__).parents[2] / "build" / "scgrad"))


def run(*args, expect=0):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True, timeout=240)
    assert p.returncode == expect, f"scgrad {' '.join(map(str, args))}: {p.stderr}"
    return p


def one_error_line(p):
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2 and "Traceback" not in p.stderr and "c10" not in p.stderr, p.stderr
    return p.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one-reading")
    data = tmp / "cells.h5ad"
    run("simulate", data, "--cells", 240, "--genes", 60, "--cell-types", "A,B,C",
        "--markers-per-type", 5)
    model = tmp / "model.h5"
    run("train", data, "--classes", "all", "--threads", 1, "--out", model)
    return tmp, data, model


def test_missing_and_empty_labels_are_unlabelled_in_both(files):
    tmp, data, _ = files
    adata = anndata.read_h5ad(data)
    labels = adata.obs["author_cell_type"].astype(object).to_numpy()
    labels[:10] = np.nan
    labels[10:20] = ""
    labels[20:25] = None
    labels[25:30] = "  "
    adata.obs["author_cell_type"] = labels  # object column: strings with NaN and None
    odd = tmp / "odd_labels.h5ad"
    adata.write_h5ad(odd)
    p = run("train", odd, "--classes", "all", "--threads", 1, "--metrics-out",
            tmp / "odd.json")
    program = json.loads((tmp / "odd.json").read_text())
    assert "30 cells have no label" in p.stderr, p.stderr
    fitted = scgrad.train(anndata.read_h5ad(odd), threads=1)
    assert fitted.classes == program["classes"] == ["A", "B", "C"]
    assert fitted.data["unlabelled_cells"] == 30
    assert fitted.data["cells"] == program["cells"] == 210
    # The in-memory AnnData as the user built it, before any file round trip.
    assert scgrad.train(adata, threads=1).data["cells"] == 210


def test_a_second_predict_replaces_the_first_ones_columns(files):
    _, data, model = files
    adata = anndata.read_h5ad(data)
    m = scgrad.load(model)
    m.predict(adata, majority_vote=True, threads=1)
    assert "scgrad_majority_label" in adata.obs
    m.predict(adata, threads=1)
    ours = [c for c in adata.obs.columns if c.startswith("scgrad_")]
    assert ours == ["scgrad_label", "scgrad_confidence", "scgrad_novelty"]
    m.predict(adata, novelty=False, threads=1)  # without novelty: no stale novelty column
    assert [c for c in adata.obs.columns if c.startswith("scgrad_")] == ["scgrad_label",
                                                                         "scgrad_confidence"]


@pytest.mark.parametrize("bad", [np.nan, 0.0, -5.0, np.inf])
def test_a_library_size_that_is_not_positive_is_an_error(files, bad):
    tmp, data, _ = files
    adata = anndata.read_h5ad(data)
    sizes = np.asarray(adata.X.sum(axis=1)).ravel().astype(float)
    sizes[7] = bad
    adata.obs["n_counts"] = sizes
    path = tmp / "sizes.h5ad"
    adata.write_h5ad(path)
    p = run("train", path, "--classes", "all", "--threads", 1, "--library-size-key", "n_counts",
            expect=1)
    assert "obs/n_counts" in one_error_line(p) and "cell8" in p.stderr, p.stderr
    with pytest.raises(Exception, match="cell8"):
        scgrad.train(adata, library_size_key="n_counts", threads=1)


@pytest.mark.parametrize("value", ["nan", "-1", "inf"])
def test_over_clustering_resolution_out_of_range(files, value):
    _, data, model = files
    p = run("predict", model, data, "--majority-vote", "--over-cluster-resolution", value,
            expect=105)  # CLI11's exit status for a value its check refuses
    assert "--over-cluster-resolution" in one_error_line(p), p.stderr
    with pytest.raises(ValueError, match="resolution"):
        scgrad.load(model).predict(anndata.read_h5ad(data), majority_vote=True,
                                   over_cluster_resolution=float(value))


def test_sizes_counts_and_threads_out_of_range(files):
    _, data, model = files
    p = run("predict", model, data, "--max-memory", "99999999999999999999G", expect=1)
    assert "--max-memory" in one_error_line(p) and "8 EiB" in p.stderr
    p = run("markers", model, "--top", 0, expect=105)
    assert "--top: expected a number > 0, got '0'" in p.stderr and len(p.stderr) < 200
    with pytest.raises(ValueError, match="threads"):
        scgrad.set_threads(-3)
    with pytest.raises(ValueError, match="max_memory"):
        scgrad.load(model).predict(anndata.read_h5ad(data), max_memory="99999999999999999999G")


def test_gene_maps_as_spreadsheets_write_them(files):
    tmp, data, model = files
    genes = list(anndata.read_h5ad(data).var_names)
    with_bom = tmp / "bom.csv"
    with_bom.write_bytes(b"\xef\xbb\xbfmodel,query\n" +
                         "".join(f"{g},{g}\n" for g in genes).encode())
    run("predict", model, data, "--gene-map", with_bom)
    header_only = tmp / "header.csv"
    header_only.write_text("model,query\n")
    p = run("predict", model, data, "--gene-map", header_only, expect=1)
    assert "no gene pairs below it" in one_error_line(p)
    p = run("predict", model, data, "--gene-map", tmp, expect=1)
    assert "is a directory" in one_error_line(p)


def test_a_query_without_cells_or_without_the_models_matrix(files):
    tmp, data, model = files
    empty = tmp / "empty.h5ad"
    anndata.read_h5ad(data)[:0].copy().write_h5ad(empty)
    p = run("predict", model, empty, "--majority-vote", expect=1)
    assert "no cells to label" in one_error_line(p)
    with pytest.raises(Exception, match="no cells to label"):
        scgrad.load(model).predict(anndata.read_h5ad(empty), majority_vote=True)
    with_raw = anndata.read_h5ad(data)
    with_raw.raw = with_raw
    with_raw.write_h5ad(tmp / "with_raw.h5ad")
    run("train", tmp / "with_raw.h5ad", "--classes", "all", "--threads", 1, "--matrix", "raw/X",
        "--out", tmp / "raw_model.h5")
    p = run("predict", tmp / "raw_model.h5", data, expect=1)
    assert "trained on the matrix 'raw/X', which this file lacks (it has: X)" in one_error_line(p)

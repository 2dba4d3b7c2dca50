"""scgrad's Python module against the program, on the same cells and options.

On the glia subset (logistic, the defaults) and a simulated file with a rare type (two-layer
model, minibatches): `scgrad.train` on the in-memory AnnData gives the program's per-epoch
losses, held-out metrics and model (bit for bit); predictions of either model, by either side,
are the same. Every matrix form a scanpy user has (CSR, CSC, dense, integer and float values,
a layer, raw, a view) reads as the same cells; bad values and options raise the program's
messages; Ctrl-C stops a run; the module loads beside torch.

usage: SCGRAD=build/scgrad PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python/test_binding.py
"""
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import anndata
import numpy as np
import pytest
import scipy.sparse as sp
import torch  # noqa: F401  (the module must load beside torch)

import scgrad
import bounded

SCGRAD = os.environ.get("SCGRAD", str(Path(__file__).parents[2] / "build" / "scgrad"))
GLIA = Path(__file__).parents[2] / "data" / "darmanis2015_glia_subset.h5ad"


def run(*args, expect=0):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True)
    assert p.returncode == expect, f"scgrad {' '.join(map(str, args))}: {p.stderr}"
    return p


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    path = tmp_path_factory.mktemp("simulated") / "simulated.h5ad"
    run("simulate", path, "--cells", 800, "--genes", 300, "--seed", 3, "--cell-types",
        "A,B,C,Rare", "--proportions", "0.45,0.35,0.15,0.05")
    return path


CASES = {
    "glia_logistic_defaults": (GLIA, {"classes": "all"}),
    "simulated_mlp_minibatches": (None, {"classes": "all", "model": "mlp", "epochs": 4,
                                         "batch_size": 64, "hidden": 16}),
}


def program_options(options):
    args = []
    for key, value in options.items():
        args += ["--" + key.replace("_", "-"), value]
    return args


def predicted(path, model, tmp, name):
    out = tmp / f"{name}.h5ad"
    run("predict", model, path, "--out", out, "--threads", 1)
    return anndata.read_h5ad(out)


@pytest.mark.parametrize("case", CASES)
def test_training_and_prediction_match_the_program(case, simulated, tmp_path):
    path, options = CASES[case]
    path = path or simulated
    run("train", path, *program_options(options), "--threads", 1, "--out", tmp_path / "program.h5",
        "--metrics-out", tmp_path / "metrics.json")
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    adata = anndata.read_h5ad(path)
    model = scgrad.train(adata, threads=1, **options)

    history = model.history
    assert len(history) == len(metrics["epochs"])
    for row, expected in zip(history.to_dict("records"), metrics["epochs"]):
        for key, value in expected.items():
            if key != "seconds":
                assert row[key] == value, f"epoch {expected['epoch']}: {key}"
    evaluation = model.evaluation
    assert evaluation["confusion"].to_numpy().tolist() == metrics["evaluation"]["confusion_matrix"]
    for key in ("accuracy", "macro_f1", "balanced_accuracy"):
        assert evaluation[key] == metrics["evaluation"][key], key
    assert model.classes == metrics["classes"]

    # The saved models are the same model: the program predicts the same with either.
    model.save(tmp_path / "python.h5")
    by_program = predicted(path, tmp_path / "program.h5", tmp_path, "program")
    by_python_model = predicted(path, tmp_path / "python.h5", tmp_path, "python_model")
    assert np.array_equal(by_program.obsm["scgrad_probabilities"],
                          by_python_model.obsm["scgrad_probabilities"])
    # ... and Python predicts with the program's model what the program does.
    frame = scgrad.load(tmp_path / "program.h5").predict(adata, inplace=False, threads=1)
    assert list(frame["scgrad_label"].astype(str)) == list(
        by_program.obs["scgrad_label"].astype(str))
    assert np.array_equal(frame[model.classes].to_numpy(np.float32),
                          by_program.obsm["scgrad_probabilities"])
    # The novelty reference is the same too, and so is each cell's novelty, by either side.
    novelty = by_program.obs["scgrad_novelty"].to_numpy()
    assert ((novelty >= 0) & (novelty <= 1)).all()
    assert np.array_equal(by_python_model.obs["scgrad_novelty"].to_numpy(), novelty)
    assert np.array_equal(frame["scgrad_novelty"].to_numpy(), novelty)
    scgrad.load(tmp_path / "python.h5").predict(adata, threads=1)
    assert adata.obs["scgrad_label"].dtype == "category"
    assert np.array_equal(adata.obsm["scgrad_probabilities"], by_program.obsm["scgrad_probabilities"])
    assert list(adata.uns["scgrad_classes"]) == model.classes


def test_rejection_and_voting_match_the_program(simulated, tmp_path):
    run("train", simulated, "--classes", "all", "--threads", 1, "--out", tmp_path / "model.h5")
    adata = anndata.read_h5ad(simulated)
    model = scgrad.load(tmp_path / "model.h5")
    for program_args, keywords in [
            (["--min-confidence", 0.9, "--majority-vote", "--seed", 4],
             {"min_confidence": 0.9, "majority_vote": True, "seed": 4}),
            (["--majority-by", "author_cell_type", "--majority-min-fraction", 0.8],
             {"majority_by": "author_cell_type", "majority_min_fraction": 0.8}),
            (["--max-novelty", 0.9, "--majority-by", "author_cell_type"],
             {"max_novelty": 0.9, "majority_by": "author_cell_type"})]:
        out = tmp_path / "voted.h5ad"
        run("predict", tmp_path / "model.h5", simulated, "--out", out, "--threads", 1,
            *program_args)
        expected = anndata.read_h5ad(out).obs
        model.predict(adata, threads=1, **keywords)
        assert "scgrad_majority_label" in expected
        assert ("scgrad_over_cluster" in expected) == keywords.get("majority_vote", False)
        for column in ("scgrad_label", "scgrad_over_cluster", "scgrad_majority_label"):
            if column not in expected:
                assert column not in adata.obs, column
                continue
            assert adata.obs[column].dtype == "category", column
            assert list(adata.obs[column].cat.categories) == list(
                expected[column].cat.categories), column
            assert list(adata.obs[column].astype(str)) == list(expected[column].astype(str)), column
        assert np.array_equal(adata.obs["scgrad_novelty"], expected["scgrad_novelty"])
        if "max_novelty" in keywords:
            unassigned = (expected["scgrad_label"] == "Unassigned").to_numpy()
            assert np.array_equal(unassigned, expected["scgrad_novelty"].to_numpy() > 0.9)
        adata.obs = adata.obs.drop(columns=[c for c in adata.obs if c.startswith("scgrad_")])


def test_gene_names_by_column_and_by_map(simulated, tmp_path):
    run("train", simulated, "--classes", "all", "--threads", 1, "--out", tmp_path / "model.h5")
    model = scgrad.load(tmp_path / "model.h5")
    adata = anndata.read_h5ad(simulated)
    expected = model.predict(adata, inplace=False)
    renamed = adata.copy()
    renamed.var["symbol"] = list(adata.var_names)
    renamed.var_names = [f"ID{i}" for i in range(adata.n_vars)]
    with pytest.raises(scgrad.InputError):  # no model gene among the IDs
        model.predict(renamed, inplace=False)
    by_column = model.predict(renamed, gene_key="symbol", inplace=False)
    assert by_column.equals(expected)
    gene_map = tmp_path / "map.csv"
    gene_map.write_text("model,query\n" + "".join(
        f"{g},ID{i}\n" for i, g in enumerate(adata.var_names)))
    assert model.predict(renamed, gene_map=gene_map, inplace=False).equals(expected)


def matrix_forms(adata):
    """The same counts in every form an AnnData may hold them: (name, adata, train keywords)."""
    counts = adata.X
    forms = [("csr", adata, {}), ("csc", None, {}), ("dense", None, {}), ("int32", None, {}),
             ("float64", None, {}), ("layer", None, {"layer": "counts"}),
             ("raw", None, {"use_raw": True})]
    out = []
    for name, data, keywords in forms:
        if data is None:
            data = adata.copy()
            if name == "csc":
                data.X = counts.tocsc()
            elif name == "dense":
                data.X = counts.toarray()
            elif name == "int32":
                data.X = counts.astype(np.int32)
            elif name == "float64":
                data.X = counts.astype(np.float64)
            elif name == "layer":
                data.layers["counts"] = counts.copy()
                data.X = sp.csr_matrix(counts.shape, dtype=np.float32)  # not counts
            elif name == "raw":
                data.raw = data.copy()
                data.X = sp.csr_matrix(counts.shape, dtype=np.float32)
        out.append((name, data, keywords))
    # A view: every second cell, against its copy.
    out.append(("view", adata[::2], {}))
    return out


def test_every_matrix_form_reads_the_same_cells(simulated, tmp_path):
    adata = anndata.read_h5ad(simulated)
    run("train", simulated, "--classes", "all", "--threads", 1, "--out", tmp_path / "model.h5")
    model = scgrad.load(tmp_path / "model.h5")
    options = {"classes": "all", "epochs": 3, "batch_size": 0, "test_fraction": 0.2}
    reference = scgrad.train(adata, threads=1, **options).history
    expected = model.predict(adata, inplace=False)
    for name, data, keywords in matrix_forms(adata):
        if name == "view":
            copy = data.copy()
            assert scgrad.train(data, **options).history.drop(columns="seconds").equals(
                scgrad.train(copy, **options).history.drop(columns="seconds"))
            assert model.predict(data, inplace=False).equals(model.predict(copy, inplace=False))
            continue
        history = scgrad.train(data, **options, **keywords).history
        assert history.drop(columns="seconds").equals(reference.drop(columns="seconds")), name
        if not keywords:  # the program's model reads X
            assert model.predict(data, inplace=False).equals(expected), name


def program_message(adata, tmp_path, *args):
    path = tmp_path / "bad.h5ad"
    adata.write_h5ad(path)
    stderr = run("train", path, "--classes", "all", *args, expect=1).stderr
    line = next(line for line in stderr.splitlines() if str(path) in line)
    return line[line.index(str(path)) + len(str(path)):]


@pytest.mark.parametrize("value", [np.nan, -1.0])
def test_bad_values_raise_the_programs_message(value, simulated, tmp_path):
    adata = anndata.read_h5ad(simulated)
    adata.X.data[7] = value
    with pytest.raises(scgrad.InputError) as raised:
        scgrad.train(adata)
    message = str(raised.value)
    assert message.startswith("AnnData: X: holds ")
    assert message[len("AnnData"):] in program_message(adata, tmp_path)
    assert isinstance(raised.value, ValueError)


def test_options_and_files_are_checked(simulated, tmp_path):
    adata = anndata.read_h5ad(simulated)
    with pytest.raises(ValueError, match="no option 'epoch'"):
        scgrad.train(adata, epoch=3)
    for bad, match in [({"epochs": 0}, "epochs must be at least 1"),
                       ({"class_weight": "balance"}, "class_weight must be one of"),
                       ({"test_fraction": 1.0}, "test_fraction"),
                       ({"max_memory": "lots"}, "max_memory: expected a size")]:
        with pytest.raises(ValueError, match=match):
            scgrad.train(adata, **bad)
    with pytest.raises(scgrad.InputError, match="label_key|no column 'kind'"):
        scgrad.train(adata, label_key="kind")
    with pytest.raises(scgrad.InputError, match="no matrix 'counts'"):
        scgrad.train(adata, matrix="counts")
    with pytest.raises(FileNotFoundError):
        scgrad.load(tmp_path / "absent.h5")
    with pytest.raises(scgrad.InputError):
        (tmp_path / "not_a_model.h5").write_text("text")
        scgrad.load(tmp_path / "not_a_model.h5")


def test_ctrl_c_stops_a_run_within_an_epoch(simulated):
    adata = anndata.read_h5ad(simulated)

    class InterruptAtFirstEpoch(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("epoch 1"):
                signal.raise_signal(signal.SIGINT)

    logger = logging.getLogger("scgrad")
    handler = InterruptAtFirstEpoch()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with pytest.raises(KeyboardInterrupt):
            scgrad.train(adata, classes="all", epochs=50, batch_size=32, model="mlp")
    finally:
        logger.removeHandler(handler)
    # The library is left usable.
    assert len(scgrad.train(adata, classes="all", epochs=2, batch_size=0).history) == 2


@pytest.mark.parametrize("order", ["import torch, scgrad", "import scgrad, torch"])
def test_the_module_loads_beside_torch_with_one_libtorch(order):
    code = (f"{order}\n"
            "maps = open('/proc/self/maps').read().split('\\n')\n"
            "libs = {l.split()[-1] for l in maps if 'libtorch_cpu' in l}\n"
            "assert len(libs) == 1, libs\n"
            "print(torch.ones(2).sum().item(), scgrad.Model)\n")
    p = bounded.run([sys.executable, "-c", code], capture_output=True, text=True,
                    env=os.environ)
    assert p.returncode == 0, p.stderr


def test_read_gives_every_format_as_the_h5ad_anndata(tmp_path):
    """scgrad.read: a 10x .h5 (v3 with antibody rows, v2), a Matrix Market folder and a loom,
    written by h5py/scipy from the glia subset, read back as the .h5ad's counts, names and
    labels."""
    import scipy.sparse as sp
    import test_input_formats as formats

    adata = anndata.read_h5ad(formats.GLIA)
    x = formats.counts_of(adata)
    cells, genes = list(adata.obs_names), list(adata.var_names)
    ids = [f"ENSG{i:011d}" for i in range(len(genes))]
    labels = list(adata.obs["author_cell_type"].astype(str))
    with open(tmp_path / "labels.tsv", "w") as f:
        f.write("barcode\tcell_type\n" + "".join(f"{c}\t{lab}\n" for c, lab in zip(cells, labels)))
    formats.write_10x_v3(tmp_path / "v3.h5", x, cells, genes, ids)
    formats.write_10x_v2(tmp_path / "v2.h5", x, cells, genes, ids)
    formats.write_mtx_folder(tmp_path / "mtx", x, cells, genes, ids, gz=True)
    formats.write_loom(tmp_path / "glia.loom", x, cells, genes, labels)
    for path in ("v3.h5", "v2.h5", "mtx", "glia.loom"):
        read = scgrad.read(tmp_path / path, labels=None if path.endswith("loom")
                           else tmp_path / "labels.tsv")
        assert list(read.obs_names) == cells and list(read.var_names) == genes, path
        assert sp.issparse(read.X) and (read.X != x).nnz == 0, path
        key = "author_cell_type" if path.endswith("loom") else "cell_type"
        assert list(read.obs[key].astype(str)) == labels, path
        if not path.endswith("loom"):
            assert list(read.var["gene_ids"]) == ids, path
    with pytest.raises(scgrad.InputError, match="read whole"):
        scgrad.read(tmp_path / "mtx", max_memory=1000)


def test_progress_bar_per_run_when_tqdm_and_a_terminal(monkeypatch, simulated):
    """With tqdm installed and stderr a terminal, each run (weight decay tried, refit) gets a bar
    of its epochs, advanced once per epoch and closed; without either, none is made."""
    bars = []

    class FakeBar:
        def __init__(self, total, desc, unit, leave):
            self.total, self.desc, self.updates, self.closed = total, desc, 0, False
            bars.append(self)

        def update(self, n):
            self.updates += n

        def set_postfix(self, **values):
            self.postfix = values

        def close(self):
            self.closed = True

    adata = anndata.read_h5ad(simulated)
    monkeypatch.setattr(scgrad, "_tqdm", lambda: FakeBar)
    model = scgrad.train(adata, label_key="author_cell_type", classes="all", epochs=4,
                         threads=1)
    assert bars and all(b.closed for b in bars)
    assert bars[0].total == 4 and bars[0].desc.startswith("scgrad weight decay")
    assert all(0 < b.updates <= b.total for b in bars)
    assert any(b.desc == "scgrad refit" for b in bars) and model.classes
    monkeypatch.setattr(scgrad, "_tqdm", lambda: None)
    bars.clear()
    scgrad.train(adata, label_key="author_cell_type", classes="all", epochs=2, threads=1)
    assert not bars

#!/usr/bin/env python3
"""A corpus of malformed and awkward .h5ad files, each run through scgrad.

Every case writes one file (or model file) with one defect, runs a scgrad command on it and
checks the outcome:
  - a defect must end in exit status 1 (not a crash: no signal, no sanitizer report), a message
    on stderr starting "scgrad: error:" that holds every expected fragment (the file, the
    element or option, what was expected), within a time limit (no hang);
  - an awkward but valid file (empty cells, constant genes) must train, with the expected
    notice, and no NaN in the output;
  - no output is left behind by a failed run (the output folder stays empty).

usage: malformed_corpus.py SCGRAD [--keep DIR] [--list]
Prints one line per case and a summary: files tried, clear errors, crashes.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import anndata
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

import bounded

N_CELLS, N_GENES = 60, 40
CLASSES = "Astrocytes,Glioblasts"
TRAIN = ["train", "{file}", "--classes", CLASSES, "--epochs", "2", "--out", "{out}/model.h5"]


def counts(seed=0):
    """Integer counts with two separable classes; every gene and cell has counts."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, size=(N_CELLS, N_GENES)).astype(np.float32)
    x[: N_CELLS // 2, :5] += 6  # markers of the first class
    x[:, 0] += 1
    return x


def labels(names=("Astrocytes", "Glioblasts"), categories=None):
    values = [names[0]] * (N_CELLS // 2) + [names[1 % len(names)]] * (N_CELLS - N_CELLS // 2)
    return pd.Categorical(values, categories=categories)


def write(path, x=None, obs_labels=None, layers=None, raw=None, compression=None, **extra_obs):
    x = counts() if x is None else x
    obs = pd.DataFrame({"author_cell_type": labels() if obs_labels is None else obs_labels,
                        **extra_obs}, index=[f"cell{i}" for i in range(x.shape[0])])
    var = pd.DataFrame(index=[f"gene{j}" for j in range(x.shape[1])])
    a = anndata.AnnData(sp.csr_matrix(x), obs=obs, var=var, layers=layers or {})
    if raw is not None:
        a.raw = anndata.AnnData(sp.csr_matrix(raw), obs=obs, var=var)
    a.write_h5ad(path, compression=compression)


def edit(path, fn):
    with h5py.File(path, "r+") as f:
        fn(f)


def replace(f, name, data, **kwargs):
    attrs = dict(f[name].attrs) if name in f else {}
    del f[name]
    f.create_dataset(name, data=data, **kwargs)
    for k, v in attrs.items():
        f[name].attrs[k] = v


def swap_first_row_indices(f):
    ind = f["X/indices"][:]
    ind[0], ind[1] = ind[1], ind[0]
    replace(f, "X/indices", ind)


def duplicate_in_first_row(f):
    ind = f["X/indices"][:]
    ind[1] = ind[0]
    replace(f, "X/indices", ind)


def blosc_x(path):
    """X compressed with the blosc filter (id 32001), written through Debian's plugin."""
    with h5py.File(path, "r+") as f:
        for name in ["data", "indices"]:
            replace(f, f"X/{name}", f[f"X/{name}"][:], compression=32001,
                    compression_opts=(0, 0, 0, 0, 5, 1, 0), chunks=True)


# --- the cases: (name, build(path, tmp), command, expected fragments, environment) -------------
# build writes the file at `path`; command uses {file} and {out}; "ok" as the first expected
# fragment means the run must succeed.

# --- Inputs other than .h5ad (issue 32): 10x HDF5, Matrix Market, loom, label tables. ---
def barcodes():
    return [f"cell{i}" for i in range(N_CELLS)]


def write_labels(path, rows=None, header="barcode,author_cell_type"):
    rows = rows if rows is not None else list(zip(barcodes(), labels()))
    with open(path, "w") as f:
        f.write(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))


def write_mtx(folder, declared=None, lines=None, features=None, n_barcodes=N_CELLS):
    """A Cell Ranger folder (gzipped); `declared` overrides the size line's entry count, `lines`
    replaces the entry lines, `features` the features.tsv lines."""
    import gzip
    os.makedirs(folder, exist_ok=True)
    coo = sp.coo_matrix(counts().T)
    entries = lines if lines is not None else [
        f"{i + 1} {j + 1} {int(v)}" for i, j, v in zip(coo.row, coo.col, coo.data)]
    n = declared if declared is not None else len(entries)
    with gzip.open(os.path.join(folder, "matrix.mtx.gz"), "wt") as f:
        f.write(f"%%MatrixMarket matrix coordinate integer general\n{N_GENES} {N_CELLS} {n}\n")
        f.write("".join(e + "\n" for e in entries))
    features = features if features is not None else [
        f"ENSG{j}\tgene{j}\tGene Expression" for j in range(N_GENES)]
    with gzip.open(os.path.join(folder, "features.tsv.gz"), "wt") as f:
        f.write("".join(line + "\n" for line in features))
    with gzip.open(os.path.join(folder, "barcodes.tsv.gz"), "wt") as f:
        f.write("".join(b + "\n" for b in barcodes()[:n_barcodes]))


def write_10x(path, feature_types=None, n_barcodes=N_CELLS, indptr_cut=0, genomes=("GRCh38",)):
    x = sp.csr_matrix(counts())
    types = feature_types or ["Gene Expression"] * N_GENES
    with h5py.File(path, "w") as f:
        if len(genomes) > 1:  # Cell Ranger 2: one group per genome
            for genome in genomes:
                g = f.create_group(genome)
                g["data"], g["indices"], g["indptr"] = x.data, x.indices, x.indptr
                g["shape"] = [N_GENES, N_CELLS]
                g["barcodes"] = np.array(barcodes(), dtype="S")
                g["genes"] = np.array([f"ENSG{j}" for j in range(N_GENES)], dtype="S")
                g["gene_names"] = np.array([f"gene{j}" for j in range(N_GENES)], dtype="S")
            return
        m = f.create_group("matrix")
        m["data"] = x.data.astype(np.int32)
        m["indices"] = x.indices.astype(np.int64)
        m["indptr"] = x.indptr[: len(x.indptr) - indptr_cut].astype(np.int64)
        m["shape"] = np.array([N_GENES, N_CELLS], dtype=np.int32)
        m["barcodes"] = np.array(barcodes()[:n_barcodes], dtype="S")
        feat = m.create_group("features")
        feat["id"] = np.array([f"ENSG{j}" for j in range(N_GENES)], dtype="S")
        feat["name"] = np.array([f"gene{j}" for j in range(N_GENES)], dtype="S")
        feat["feature_type"] = np.array(types, dtype="S")


def truncate_to(path, fraction):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(int(size * fraction))


def case_list():
    cases = []

    def add(name, build, expected, command=TRAIN, env=None):
        cases.append((name, build, command, expected, env or {}))

    # Files that are not (complete) AnnData files.
    add("missing file", lambda p, t: None, ["{file}", "No such file"])
    add("a folder, not a file", lambda p, t: os.makedirs(p), ["{file}", "not an HDF5 file"])
    add("empty file", lambda p, t: open(p, "wb").close(), ["{file}", "not an HDF5 file"])
    add("text file", lambda p, t: open(p, "w").write("cell,gene\n1,2\n"),
        ["{file}", "not an HDF5 file"])
    add("HDF5 file that is not AnnData", lambda p, t: h5py.File(p, "w").create_dataset("a", data=[1]),
        ["{file}", "not an AnnData file"])

    def truncated(fraction):
        def build(p, t):
            write(p)
            size = os.path.getsize(p)
            with open(p, "r+b") as f:
                f.truncate(int(size * fraction))
        return build

    add("truncated to 10 %", truncated(0.1), ["{file}", "truncated", "get or write it again"])
    add("truncated to 60 %", truncated(0.6), ["{file}", "truncated"])
    add("truncated to 99 %", truncated(0.99), ["{file}", "truncated"])
    add("no X", lambda p, t: (write(p), edit(p, lambda f: f.__delitem__("X"))),
        ["{file}", "no matrix 'X'"])
    add("no obs", lambda p, t: (write(p), edit(p, lambda f: f.__delitem__("obs"))),
        ["{file}", "not an AnnData file", "obs"])

    # Labels and classes.
    add("label column missing", lambda p, t: write(p),
        ["{file}", "no column 'cell_type'", "author_cell_type"],
        command=TRAIN + ["--label-key", "cell_type"])
    add("requested class absent", lambda p, t: write(p),
        ["{file}", "'Neurons'", "'Astrocytes' (30)", "'Glioblasts' (30)"],
        command=["train", "{file}", "--classes", "Astrocytes,Neurons", "--out", "{out}/m.h5"])
    add("one class requested", lambda p, t: write(p), ["--classes", "at least two"],
        command=["train", "{file}", "--classes", "Astrocytes", "--out", "{out}/m.h5"])
    add("file has one class", lambda p, t: write(p, obs_labels=labels(("Astrocytes",))),
        ["{file}", "author_cell_type", "at least two classes"],
        command=["train", "{file}", "--classes", "all", "--out", "{out}/m.h5"])
    add("class has no cells", lambda p, t: write(
        p, obs_labels=labels(categories=["Astrocytes", "Glioblasts", "OPC"])),
        ["'OPC'", "no cells"],
        command=["train", "{file}", "--classes", "Astrocytes,OPC", "--out", "{out}/m.h5"])
    add("category codes out of range", lambda p, t: (write(p), edit(
        p, lambda f: replace(f, "obs/author_cell_type/codes",
                             np.full(N_CELLS, 7, dtype=np.int8)))),
        ["{file}", "obs/author_cell_type/codes", "code 7"])
    add("label column shorter than obs", lambda p, t: (write(p), edit(
        p, lambda f: replace(f, "obs/author_cell_type/codes", np.zeros(10, dtype=np.int8)))),
        ["{file}", "obs/author_cell_type", "10", "60"])

    # Genes and cells.
    add("no gene passes the filter", lambda p, t: write(p, x=np.where(counts() > 0, 1, 0).astype(
        np.float32) * (np.arange(N_CELLS)[:, None] == 0)), ["{file}", "no gene passes the filter",
                                                              "--min-counts"])
    add("library size 0 (valid: trains, no NaN)", lambda p, t: write(
        p, x=np.where(np.arange(N_CELLS)[:, None] % 10 == 3, 0, counts())),
        ["ok", "6 cells have library size 0"])
    add("gene with SD 0 (valid: trains)", lambda p, t: write(
        p, x=np.hstack([counts()[:, :-1], np.full((N_CELLS, 1), 3, np.float32)])),
        ["ok", "final"])

    # Values that are not counts.
    add("negative values", lambda p, t: write(p, x=counts() - 3),
        ["{file}", "X", "not counts", "-3", "raw/X", "layers/counts",
         "(command-line option: --matrix)"])
    add("log-normalised values", lambda p, t: write(p, x=np.log1p(counts())),
        ["{file}", "X", "not counts", "--allow-non-counts"])
    add("fractions with --allow-non-counts (valid: trains)",
        lambda p, t: write(p, x=counts() * 0.37), ["ok", "final"],
        command=TRAIN + ["--allow-non-counts"])
    add("log-normalised X, counts in layers", lambda p, t: write(
        p, x=np.log1p(counts()), layers={"counts": sp.csr_matrix(counts())}),
        ["{file}", "not counts", "layers/counts", "--matrix"])

    def with_value(value):
        def build(p, t):
            x = counts()
            x[4, 7] = value
            write(p, x=x)
        return build

    add("NaN value", with_value(np.nan), ["{file}", "X", "NaN", "cell4", "gene7"])
    add("Inf value", with_value(np.inf), ["{file}", "X", "Inf", "cell4", "gene7"])
    add("NaN with --allow-non-counts", with_value(np.nan), ["{file}", "NaN"],
        command=TRAIN + ["--allow-non-counts"])

    # Sparse structure.
    def mutate(fn):
        return lambda p, t: (write(p), edit(p, fn))

    add("indptr does not start at 0", mutate(lambda f: replace(f, "X/indptr", f["X/indptr"][:] + 1)),
        ["{file}", "X/indptr", "must start at 0"])
    add("indptr decreases", mutate(lambda f: replace(
        f, "X/indptr", np.concatenate([[0, 50, 20], f["X/indptr"][3:]]))),
        ["{file}", "X/indptr", "decreases"])
    add("indptr ends before the entries", mutate(lambda f: replace(
        f, "X/indptr", np.concatenate([f["X/indptr"][:-1], [5]]))),
        ["{file}", "X/indptr"])
    add("indptr too short for shape", mutate(lambda f: replace(f, "X/indptr", f["X/indptr"][:-5])),
        ["{file}", "X/indptr", "61"])
    add("column index out of range", mutate(lambda f: replace(
        f, "X/indices", np.where(np.arange(f["X/indices"].shape[0]) == 9, 400,
                                 f["X/indices"][:]).astype(np.int32))),
        ["{file}", "X/indices", "400", "[0, 40)"])
    add("negative column index", mutate(lambda f: replace(
        f, "X/indices", np.where(np.arange(f["X/indices"].shape[0]) == 9, -2,
                                 f["X/indices"][:]).astype(np.int32))),
        ["{file}", "X/indices", "-2"])
    add("indices unsorted in a row (valid: sorted on reading)", mutate(swap_first_row_indices),
        ["ok", "final"])
    add("duplicate index in a row", mutate(duplicate_in_first_row),
        ["{file}", "X/indices", "row 0 lists column", "twice", "sum_duplicates"])
    add("data shorter than indices", mutate(lambda f: replace(f, "X/data", f["X/data"][:-4])),
        ["{file}", "X/data", "X/indices"])
    add("shape attribute missing", mutate(lambda f: f["X"].attrs.__delitem__("shape")),
        ["{file}", "X", "shape"])
    add("shape disagrees with var", mutate(lambda f: f["X"].attrs.__setitem__("shape", [60, 39])),
        ["{file}", "39", "40"])
    add("unknown sparse encoding", mutate(lambda f: f["X"].attrs.__setitem__("encoding-type",
                                                                             "coo_matrix")),
        ["{file}", "X", "coo_matrix"])
    add("dense X of strings", mutate(lambda f: (f.__delitem__("X"), f.create_dataset(
        "X", data=np.array([["a"] * N_GENES] * N_CELLS, dtype="S1")))),
        ["{file}", "X", "numbers"])
    add("dense X with 3 dimensions", mutate(lambda f: (f.__delitem__("X"), f.create_dataset(
        "X", data=np.zeros((N_CELLS, N_GENES, 2), np.float32)))),
        ["{file}", "X", "2-D"])

    # Compression.
    add("gzip (valid)", lambda p, t: write(p, compression="gzip"), ["ok", "final"])
    add("lzf (valid)", lambda p, t: write(p, compression="lzf"), ["ok", "final"])
    add("blosc (valid, Debian's plugin)", lambda p, t: (write(p), blosc_x(p)), ["ok", "final"])
    add("blosc without its plugin", lambda p, t: (write(p), blosc_x(p)),
        ["{file}", "X/data", "blosc", "hdf5-filter-plugin-blosc-serial"],
        env={"HDF5_PLUGIN_PATH": "{tmp}/no-plugins"})

    # Model files and prediction.
    trained_once = {}  # options -> a model trained with them (the same file every time)

    def trained_model(p, t, *extra):
        write(os.path.join(t, "train.h5ad"), n_counts=counts().sum(1))
        if extra not in trained_once:
            trained_once[extra] = os.path.join(t, "trained-once.h5")
            trained = run([SCGRAD, "train", os.path.join(t, "train.h5ad"), "--classes", CLASSES,
                           "--epochs", "2", "--out", trained_once[extra], *extra])
            assert trained.returncode == 0, trained.stderr
        shutil.copyfile(trained_once[extra], p)

    def predict(extra=()):
        return ["predict", "{file}", "{tmp}/train.h5ad", "--out", "{out}/pred.h5ad", *extra]

    def damaged_model(damage, *extra):
        """A model trained on the corpus's file, then edited with h5py (`damage(f)`)."""
        return lambda p, t: (trained_model(p, t, *extra), edit(p, damage))

    def replace(f, name, data, **kwargs):
        del f[name]
        f.create_dataset(name, data=data, **kwargs)

    def set_value(name, index, value):
        def damage(f):
            data = f[name][()]
            data[index] = value
            replace(f, name, data)
        return damage

    MLP = ("--model", "mlp", "--hidden", "4")
    strings = h5py.string_dtype()
    model_cases = [
        ("a weight NaN", set_value("weights/linear1.weight", (0, 3), np.nan), (),
         ["weights/linear1.weight", "finite"]),
        ("a bias Inf", set_value("weights/linear1.bias", 0, np.inf), (),
         ["weights/linear1.bias", "finite"]),
        ("the second layer's weights NaN", set_value("weights/linear2.weight", (0, 1), np.nan),
         MLP, ["weights/linear2.weight", "finite"]),
        ("every scaling SD 0", lambda f: replace(f, "scaling/sd", np.zeros(N_GENES, np.float32)),
         (), ["scaling/sd", "every SD must be > 0"]),
        ("a scaling SD negative", set_value("scaling/sd", 2, -1.0), (), ["scaling/sd", "> 0"]),
        ("a scaling mean NaN", set_value("scaling/mean", 5, np.nan), (),
         ["scaling/mean", "finite"]),
        ("a layer of 2e9 units in the spec", lambda f: replace(
            f, "spec", ["linear:2000000000,relu,linear:8"], dtype=strings), (),
         ["spec", "2000000000 units", "at most 1000000"]),
        ("a spec that is not the named model", lambda f: replace(
            f, "spec", ["linear:7,sigmoid,linear:1,sigmoid"], dtype=strings), MLP,
         ["spec", "not the model the file names"]),
        ("a spec that does not parse", lambda f: replace(f, "spec", ["linear:x"], dtype=strings),
         (), ["spec"]),
        ("an empty spec array", lambda f: replace(f, "spec", np.array([], dtype=object),
                                                   dtype=strings), (),
         ["spec", "expected one layer spec"]),
        ("a weight matrix of the wrong shape", lambda f: replace(
            f, "weights/linear1.weight", np.ones((2, N_GENES), np.float32)), (),
         ["weights/linear1.weight", "shape (2, 40)", "(1, 40)"]),
        ("a weight matrix of 3 dimensions", lambda f: replace(
            f, "weights/linear1.weight", np.ones((1, N_GENES, 1), np.float32)), (),
         ["weights/linear1.weight", "shape"]),
        ("weights stored as strings", lambda f: replace(
            f, "weights/linear1.bias", ["1.0"], dtype=strings), (),
         ["weights/linear1.bias", "expected numbers"]),
        ("three classes for a two-class model", lambda f: replace(
            f, "classes", ["Astrocytes", "Glioblasts", "Neurons"], dtype=strings), (),
         ["spec", "3 classes"]),
        ("a class named twice", lambda f: replace(
            f, "classes", ["Astrocytes", "Astrocytes"], dtype=strings), (),
         ["classes", "'Astrocytes' appears more than once"]),
        ("an empty class name", lambda f: replace(f, "classes", ["Astrocytes", ""],
                                                  dtype=strings), (),
         ["classes", "entry 1 is empty"]),
        ("a gene named twice", lambda f: replace(
            f, "genes", [f"gene{j}" for j in range(N_GENES - 1)] + ["gene0"], dtype=strings), (),
         ["genes", "'gene0' appears more than once"]),
        ("a gene list declaring 1e9 entries", lambda f: (
            f.__delitem__("genes"),
            f.create_dataset("genes", shape=(10**9,), dtype=strings, chunks=(1024,))), (),
         ["genes", "declares 1000000000 elements", "damaged"]),
        ("a scaling mean declaring 1e9 values", lambda f: (
            f.__delitem__("scaling/mean"),
            f.create_dataset("scaling/mean", shape=(10**9,), dtype=np.float32,
                             chunks=(1024,))), (),
         ["scaling/mean", "declares 1000000000 elements", "damaged"]),
        ("scaling/sd missing", lambda f: f.__delitem__("scaling/sd"), (),
         ["scaling/sd", "missing dataset"]),
        ("the weights group missing", lambda f: f.__delitem__("weights"), (), ["weights"]),
        ("the weight order listing an extra array", lambda f: f["weights"].attrs.__setitem__(
            "order", ["linear1.weight", "linear1.bias", "linear2.weight"]), (),
         ["weights", "lists 3 arrays", "2 parameters"]),
        ("a negative hidden size", lambda f: f.attrs.__setitem__("hidden", -4.0), MLP,
         ["hidden", "-4 units"]),
        ("compute 'gpu'", lambda f: f.attrs.__setitem__("compute", "gpu"), (),
         ["compute", "'gpu'"]),
        ("target sum 0", lambda f: f["preprocess"].attrs.__setitem__("target_sum", 0.0), (),
         ["preprocess/target_sum", "> 0"]),
        ("a marker attribution NaN", set_value("markers/gradient_x_input", (1, 3), np.nan),
         MLP, ["markers/gradient_x_input", "finite"]),
        ("a marker attribution of the wrong shape", lambda f: replace(
            f, "markers/gradient_x_input", np.ones((3, N_GENES), np.float32)), MLP,
         ["markers/gradient_x_input", "shape (3, 40)", "(2, 40)"]),
        ("the markers group without its attribution",
         lambda f: f.__delitem__("markers/gradient_x_input"), MLP,
         ["markers/gradient_x_input", "missing dataset"]),
        ("a novelty rate NaN", set_value("novelty/type_rates", (1, 3), np.nan), (),
         ["novelty/type_rates", "finite"]),
        ("novelty rates of the wrong shape", lambda f: replace(
            f, "novelty/type_rates", np.ones((2, N_GENES + 1), np.float32)), (),
         ["novelty/type_rates", "shape (2, 41)", "(2, 40)"]),
        ("novelty quantiles that fall", set_value("novelty/deviance_quantiles", (0, 1000), -1.0),
         (), ["novelty/deviance_quantiles", "non-decreasing"]),
        ("novelty quantiles declaring 1e9 values", lambda f: (
            f.__delitem__("novelty/doubt_quantiles"),
            f.create_dataset("novelty/doubt_quantiles", shape=(2, 10**9), dtype=np.float32,
                             chunks=(1, 1024))), (),
         ["novelty/doubt_quantiles", "declares 2000000000 elements", "damaged"]),
        ("a novelty dispersion of 0", lambda f: f["novelty"].attrs.__setitem__(
            "dispersion", 0.0), (), ["novelty/dispersion"]),
        ("the novelty group without its rates", lambda f: f.__delitem__("novelty/type_rates"),
         (), ["novelty/type_rates", "missing dataset"]),
        ("the model attribute missing", lambda f: f.attrs.__delitem__("model"), (),
         ["missing attribute 'model'"]),
        ("the format attribute missing", lambda f: f.attrs.__delitem__("format"), (),
         ["not an scgrad model file"]),
    ]
    for name, damage, extra, expected in model_cases:
        add("model file: " + name, damaged_model(damage, *extra), ["{file}", *expected],
            command=predict())

    add("model file from another program", lambda p, t: (
        write(os.path.join(t, "train.h5ad")),
        h5py.File(p, "w").create_dataset("weights", data=[1.0])),
        ["{file}", "not an scgrad model file"], command=predict())
    add("model file of a newer format", lambda p, t: (trained_model(p, t), edit(
        p, lambda f: f.attrs.__setitem__("format_version", 99))),
        ["{file}", "version 99", "newer"], command=predict())
    add("model file truncated", lambda p, t: (trained_model(p, t), open(p, "r+b").truncate(
        os.path.getsize(p) // 2)), ["{file}", "truncated", "bytes"], command=predict())

    def query(t, var_names, **obs):
        obs = pd.DataFrame(obs, index=[f"c{i}" for i in range(N_CELLS)])
        anndata.AnnData(sp.csr_matrix(counts(1)), obs=obs, var=pd.DataFrame(
            index=var_names)).write_h5ad(os.path.join(t, "new.h5ad"))

    genes = [f"gene{j}" for j in range(N_GENES)]
    # A library size <= 0 or NaN would give the cell an all-zero input and an arbitrary label.
    for name, size in [("negative", -1.0), ("zero", 0.0), ("NaN", np.nan)]:
        add(f"predict: a {name} library size", lambda p, t, size=size: (
            trained_model(p, t, "--library-size-key", "n_counts"),
            query(t, genes, n_counts=np.r_[size, np.full(N_CELLS - 1, 100.0)])),
            ["{tmp}/new.h5ad", "obs/n_counts", "not a positive number", "cell 'c0'"],
            command=["predict", "{file}", "{tmp}/new.h5ad", "--out", "{out}/pred.h5ad"])
    add("predict: a gene named twice in the query (valid, summed)", lambda p, t: (
        trained_model(p, t), query(t, genes[:-1] + ["gene3"])),
        ["ok", "counts were summed (gene3)"],
        command=["predict", "{file}", "{tmp}/new.h5ad", "--out", "{out}/pred.h5ad"])
    add("train: a gene named twice", lambda p, t: (write(p), edit(p, lambda f: replace(
        f, "var/_index", [f"gene{j}" for j in range(N_GENES - 1)] + ["gene1"], dtype=strings))),
        ["{file}", "'gene1' (columns 1 and 39)", "var_names_make_unique"])

    def few_genes(p, t):
        trained_model(p, t)
        x = counts()
        obs = pd.DataFrame(index=[f"c{i}" for i in range(N_CELLS)])
        var = pd.DataFrame(index=[f"other{j}" for j in range(N_GENES)])
        anndata.AnnData(sp.csr_matrix(x), obs=obs, var=var).write_h5ad(os.path.join(t, "new.h5ad"))

    add("predict file with too few matching genes", few_genes,
        ["new.h5ad", "0 of the model's", "genes"],
        command=["predict", "{file}", "{tmp}/new.h5ad", "--out", "{out}/pred.h5ad"])

    # Inputs other than .h5ad (issue 32): each defect ends in one message naming the file.
    mtx_train = ["train", "{tmp}/mtx", "--labels", "{tmp}/labels.csv", "--classes", CLASSES,
                 "--epochs", "2", "--out", "{out}/model.h5"]

    def mtx_case(name, expected, **kwargs):
        def build(p, t):
            write_mtx(os.path.join(t, "mtx"), **{k: v for k, v in kwargs.items() if k != "damage"})
            write_labels(os.path.join(t, "labels.csv"))
            if "damage" in kwargs:
                kwargs["damage"](t)
        add("Matrix Market: " + name, build, expected, command=mtx_train)

    mtx_case("a truncated gzip matrix", ["{tmp}/mtx/matrix.mtx.gz", "gzip stream ends early"],
             damage=lambda t: truncate_to(os.path.join(t, "mtx", "matrix.mtx.gz"), 0.5))
    mtx_case("a size line declaring more entries than the file holds",
             ["{tmp}/mtx/matrix.mtx.gz", "entries its size line declares"], declared=100000)
    mtx_case("a size line declaring fewer entries than the file holds",
             ["{tmp}/mtx/matrix.mtx.gz", "more entries than the 5 the size line declares"],
             declared=5)
    mtx_case("a gene index out of range", ["{tmp}/mtx/matrix.mtx.gz", "line 3", "gene in 1..40"],
             lines=[f"{N_GENES + 1} 1 3"], declared=1)
    mtx_case("a value that is not a number", ["{tmp}/mtx/matrix.mtx.gz", "'abc'", "not a finite"],
             lines=["1 1 abc"], declared=1)
    mtx_case("a features file with a line too few",
             ["{tmp}/mtx/features.tsv.gz", "39 features", "40 genes"],
             features=[f"ENSG{j}\tgene{j}\tGene Expression" for j in range(N_GENES - 1)])
    mtx_case("a barcodes file with a line too few",
             ["{tmp}/mtx/barcodes.tsv.gz", "59 barcodes", "60 cells"], n_barcodes=N_CELLS - 1)
    mtx_case("no Gene Expression feature", ["{tmp}/mtx/features.tsv.gz", "no 'Gene Expression'"],
             features=[f"AB{j}\tab{j}\tAntibody Capture" for j in range(N_GENES)])
    mtx_case("not a Matrix Market matrix", ["{tmp}/mtx/matrix.mtx.gz", "not a Matrix Market"],
             damage=lambda t: __import__("gzip").open(
                 os.path.join(t, "mtx", "matrix.mtx.gz"), "wt").write("gene,cell,count\n"))
    mtx_case("above the memory budget", ["{tmp}/mtx/matrix.mtx.gz", "read whole",
                                         "(command-line option: --max-memory)"],
             declared=10 ** 9)
    # Found by fuzz/matrix_market_fuzzer: 16 bytes per entry overflowed for 10^18 entries.
    mtx_case("a size line declaring 10^18 entries", ["{tmp}/mtx/matrix.mtx.gz", "read whole"],
             declared=10 ** 18 - 1)

    tenx_train = ["train", "{file}", "--labels", "{tmp}/labels.csv", "--classes", CLASSES,
                  "--epochs", "2", "--out", "{out}/model.h5"]

    def tenx_case(name, expected, **kwargs):
        add("10x HDF5: " + name, lambda p, t: (write_10x(p, **kwargs),
                                               write_labels(os.path.join(t, "labels.csv"))),
            expected, command=tenx_train)

    tenx_case("no Gene Expression feature", ["{file}", "feature_type", "no 'Gene Expression'"],
              feature_types=["Antibody Capture"] * N_GENES)
    tenx_case("a barcode too few", ["{file}", "matrix/barcodes", "59 barcodes"],
              n_barcodes=N_CELLS - 1)
    tenx_case("an indptr too short", ["{file}", "matrix/indptr"], indptr_cut=1)
    tenx_case("two genomes (Cell Ranger 2)", ["{file}", "more than one genome", "GRCh38, mm10"],
              genomes=("GRCh38", "mm10"))

    def labels_case(name, rows, expected, header="barcode,author_cell_type"):
        add("labels table: " + name, lambda p, t: (
            write_10x(p), write_labels(os.path.join(t, "labels.csv"), rows, header)),
            expected, command=tenx_train)

    good = list(zip(barcodes(), labels()))
    labels_case("barcodes the matrix lacks", good + [("ghost1", "Astrocytes")],
                ["{tmp}/labels.csv", "1 of its 61 barcodes", "'ghost1'"])
    labels_case("a barcode listed twice", good + [good[0]],
                ["{tmp}/labels.csv", "line 62", "listed twice"])
    labels_case("a line with a field too many", good[:3] + [("cell3", "Astrocytes", "x")],
                ["{tmp}/labels.csv", "line 5", "3 fields, the header has 2"])
    labels_case("no label column", [(b,) for b in barcodes()],
                ["{tmp}/labels.csv", "at least one label column"], header="barcode")

    def loom_without_labels(p, t):
        with h5py.File(p, "w") as f:
            f["matrix"] = counts().T
            f.create_group("row_attrs")["Gene"] = np.array(
                [f"gene{j}" for j in range(N_GENES)], dtype="S")
            f.create_group("col_attrs")["CellID"] = np.array(barcodes(), dtype="S")

    add("loom: no cell-type attribute", loom_without_labels,
        ["{file}", "col_attrs/author_cell_type", "no such cell attribute"])

    # Training.
    add("training diverges", lambda p, t: write(p),
        ["diverged", "epoch", "smaller learning rate", "(command-line option: --lr)"],
        command=TRAIN[:4] + ["--optimizer", "adam", "--lr", "1e20", "--epochs", "5",
                                      "--out", "{out}/model.h5"])
    return cases


def run(command, env=None, timeout=120):
    return bounded.run(command, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})


def check(name, build, command, expected, env, tmp):
    case_dir = os.path.join(tmp, name.replace(" ", "_").replace("/", "_"))
    out = os.path.join(case_dir, "out")
    os.makedirs(out)
    path = os.path.join(case_dir, "input.h5ad")
    build(path, case_dir)
    fill = {"file": path, "out": out, "tmp": case_dir}
    args = [SCGRAD] + [c.format(**fill) for c in command]
    env = {k: v.format(**fill) for k, v in env.items()}
    try:
        p = run(args, env)
    except bounded.TimedOut:
        return "hang", "no answer within 120 s"
    if p.returncode < 0 or "Sanitizer" in p.stderr or "runtime error" in p.stderr:
        return "crash", f"status {p.returncode}: {p.stderr[-600:]}"
    fragments = [e.format(**fill) for e in expected]
    if fragments[0] == "ok":
        if p.returncode != 0:
            return "wrong", f"should succeed, failed: {p.stderr.strip()[-400:]}"
        missing = [f for f in fragments[1:] if f not in p.stdout + p.stderr]
        if "nan" in p.stdout.lower():
            return "wrong", f"NaN in the output: {p.stdout[-400:]}"
        return ("wrong", f"missing {missing}: {p.stdout[-300:]} {p.stderr[-300:]}") if missing \
            else ("ok", "trained")
    if p.returncode != 1:
        return "wrong", f"status {p.returncode}, expected 1: {p.stderr[-300:]}"
    lines = p.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("scgrad: error:")]
    if len(errors) != 1 or lines[-1] != errors[0]:
        return "wrong", f"not one clear message at the end: {p.stderr[-400:]}"
    message = errors[0]
    missing = [f for f in fragments if f not in message]
    if missing:
        return "wrong", f"missing {missing} in: {message}"
    left = os.listdir(out)
    if left:
        return "wrong", f"left output behind: {left}"
    return "ok", message[len("scgrad: error: "):].replace(case_dir + "/", "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scgrad")
    ap.add_argument("--keep", help="write the corpus here and keep it")
    ap.add_argument("--list", action="store_true", help="print every message")
    a = ap.parse_args()
    global SCGRAD
    SCGRAD = os.path.abspath(a.scgrad)
    tmp = a.keep or tempfile.mkdtemp(prefix="scgrad-corpus-")
    os.makedirs(tmp, exist_ok=True)
    os.makedirs(os.path.join(tmp, "no-plugins"), exist_ok=True)
    tally = {}
    try:
        for name, build, command, expected, env in case_list():
            verdict, detail = check(name, build, command, expected, env, tmp)
            tally[verdict] = tally.get(verdict, 0) + 1
            if verdict != "ok" or a.list:
                print(f"[{verdict}] {name}: {detail}")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    total = sum(tally.values())
    defects = total - sum(1 for c in case_list() if c[3][0] == "ok")
    print(f"malformed corpus: {total} files tried ({defects} defects, {total - defects} valid but "
          f"awkward); {tally.get('ok', 0)} as expected, {tally.get('wrong', 0)} wrong messages, "
          f"{tally.get('crash', 0)} crashes, {tally.get('hang', 0)} hangs")
    return 0 if tally.get("ok", 0) == total else 1


if __name__ == "__main__":
    sys.exit(main())

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
        ["{file}", "X", "not counts", "-3", "--matrix raw/X", "layers/counts"])
    add("log-normalised values", lambda p, t: write(p, x=np.log1p(counts())),
        ["{file}", "X", "not counts", "--allow-non-counts"])
    add("fractions with --allow-non-counts (valid: trains)",
        lambda p, t: write(p, x=counts() * 0.37), ["ok", "final"],
        command=TRAIN + ["--allow-non-counts"])
    add("log-normalised X, counts in layers", lambda p, t: write(
        p, x=np.log1p(counts()), layers={"counts": sp.csr_matrix(counts())}),
        ["{file}", "not counts", "--matrix layers/counts"])

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
    def trained_model(p, t):
        write(os.path.join(t, "train.h5ad"))
        run([SCGRAD, "train", os.path.join(t, "train.h5ad"), "--classes", CLASSES, "--epochs", "2",
             "--out", p])

    def predict(extra=()):
        return ["predict", "{file}", "{tmp}/train.h5ad", "--out", "{out}/pred.h5ad", *extra]

    add("model file from another program", lambda p, t: (
        write(os.path.join(t, "train.h5ad")),
        h5py.File(p, "w").create_dataset("weights", data=[1.0])),
        ["{file}", "not an scgrad model file"], command=predict())
    add("model file of a newer format", lambda p, t: (trained_model(p, t), edit(
        p, lambda f: f.attrs.__setitem__("format_version", 99))),
        ["{file}", "version 99", "newer"], command=predict())
    add("model file truncated", lambda p, t: (trained_model(p, t), open(p, "r+b").truncate(
        os.path.getsize(p) // 2)), ["{file}", "truncated", "bytes"], command=predict())

    def few_genes(p, t):
        trained_model(p, t)
        x = counts()
        obs = pd.DataFrame(index=[f"c{i}" for i in range(N_CELLS)])
        var = pd.DataFrame(index=[f"other{j}" for j in range(N_GENES)])
        anndata.AnnData(sp.csr_matrix(x), obs=obs, var=var).write_h5ad(os.path.join(t, "new.h5ad"))

    add("predict file with too few matching genes", few_genes,
        ["new.h5ad", "0 of the model's", "genes"],
        command=["predict", "{file}", "{tmp}/new.h5ad", "--out", "{out}/pred.h5ad"])

    # Training.
    add("training diverges", lambda p, t: write(p),
        ["diverged", "epoch", "smaller --lr"],
        command=TRAIN[:4] + ["--optimizer", "adam", "--lr", "1e20", "--epochs", "5",
                                      "--out", "{out}/model.h5"])
    return cases


def run(command, env=None, timeout=120):
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
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
    except subprocess.TimeoutExpired:
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

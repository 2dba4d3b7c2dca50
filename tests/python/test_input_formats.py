#!/usr/bin/env python3
"""Inputs as sequencing cores hand them over (issue 32): the glia subset written as 10x Genomics
HDF5 (Cell Ranger >= 3 with antibody rows to leave out, and Cell Ranger 2), as Matrix Market
folders (gzipped with features.tsv, plain with genes.tsv), and as loom — every fixture written
here by h5py, scipy and numpy, not by scgrad — trains with the labels from a CSV (loom: from its
own cell attribute) to the very weights the .h5ad route gives, in memory and streamed under
--max-memory, and labels each as a query to the very probabilities of the .h5ad query.

usage: /usr/bin/python3 tests/python/test_input_formats.py build/scgrad
"""
import gzip
import os
import subprocess
import sys
import tempfile

import anndata
import h5py
import numpy as np
import scipy.io
import scipy.sparse as sp

GLIA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data",
                    "darmanis2015_glia_subset.h5ad")
# A small epoch budget keeps the test short; the comparison is exact whatever it is.
TRAIN = ["--classes", "all", "--epochs", "15", "--threads", "1", "--seed", "3",
         "--validation-fraction", "0", "--test-fraction", "0"]


def run(scgrad, *args, expect=0):
    p = subprocess.run([scgrad, *map(str, args)], capture_output=True, text=True, timeout=300)
    if p.returncode != expect:
        raise AssertionError(f"scgrad {' '.join(map(str, args))} exited {p.returncode}, "
                             f"expected {expect}:\n{p.stdout}\n{p.stderr}")
    return p


def counts_of(adata):
    x = adata.X
    x = sp.csr_matrix(x) if not sp.issparse(x) else x.tocsr()
    assert np.array_equal(x.data, np.round(x.data)), "the glia subset holds counts"
    return x


def b(strings):
    return np.array([s.encode() for s in strings])


def write_10x_v3(path, x, barcodes, genes, ids):
    """Genes x cells CSC (= cells x genes CSR), with two antibody-capture rows after the genes."""
    n_cells, n_genes = x.shape
    rng = np.random.default_rng(0)
    antibodies = sp.csr_matrix(rng.poisson(5, size=(n_cells, 2)).astype(np.float32))
    full = sp.hstack([x, antibodies]).tocsr()
    with h5py.File(path, "w") as f:
        m = f.create_group("matrix")
        m["data"] = full.data.astype(np.int32)
        m["indices"] = full.indices.astype(np.int64)
        m["indptr"] = full.indptr.astype(np.int64)
        m["shape"] = np.array([n_genes + 2, n_cells], dtype=np.int32)
        m["barcodes"] = b(barcodes)
        feat = m.create_group("features")
        feat["id"] = b(list(ids) + ["AB1", "AB2"])
        feat["name"] = b(list(genes) + ["CD3_TotalSeqB", "CD4_TotalSeqB"])
        feat["feature_type"] = b(["Gene Expression"] * n_genes + ["Antibody Capture"] * 2)
        feat["genome"] = b(["GRCh38"] * n_genes + [""] * 2)


def write_10x_v2(path, x, barcodes, genes, ids):
    n_cells, n_genes = x.shape
    with h5py.File(path, "w") as f:
        g = f.create_group("GRCh38")
        g["data"] = x.data.astype(np.int32)
        g["indices"] = x.indices.astype(np.int64)
        g["indptr"] = x.indptr.astype(np.int64)
        g["shape"] = np.array([n_genes, n_cells], dtype=np.int32)
        g["barcodes"] = b(barcodes)
        g["genes"] = b(ids)
        g["gene_names"] = b(genes)


def write_mtx_folder(folder, x, barcodes, genes, ids, gz):
    os.makedirs(folder)
    opener = gzip.open if gz else open
    suffix = ".gz" if gz else ""
    with opener(os.path.join(folder, "matrix.mtx" + suffix), "wb") as f:
        scipy.io.mmwrite(f, sp.coo_matrix(x.T.astype(np.int64)))
    features = "features.tsv" if gz else "genes.tsv"
    with opener(os.path.join(folder, features + suffix), "wt") as f:
        for i, g in zip(ids, genes):
            f.write(f"{i}\t{g}\tGene Expression\n" if gz else f"{i}\t{g}\n")
    with opener(os.path.join(folder, "barcodes.tsv" + suffix), "wt") as f:
        f.write("".join(f"{c}\n" for c in barcodes))


def write_loom(path, x, barcodes, genes, labels):
    with h5py.File(path, "w") as f:
        f.create_dataset("matrix", data=x.T.toarray().astype(np.float32), chunks=(64, 64))
        f.create_group("row_attrs")["Gene"] = b(genes)
        cols = f.create_group("col_attrs")
        cols["CellID"] = b(barcodes)
        cols["author_cell_type"] = b(labels)
        cols["n_counts"] = np.asarray(x.sum(axis=1)).ravel()
        f.create_group("layers")


def weights(model):
    with h5py.File(model, "r") as f:
        return {k: f["weights"][k][()] for k in f["weights"]}, f["genes"][()]


def probabilities(path):
    with h5py.File(path, "r") as f:
        return f["obsm/scgrad_probabilities"][()]


def main():
    scgrad = sys.argv[1]
    adata = anndata.read_h5ad(GLIA)
    x = counts_of(adata)
    barcodes = list(adata.obs_names)
    genes = list(adata.var_names)
    ids = [f"ENSG{i:011d}" for i in range(len(genes))]
    labels = list(adata.obs["author_cell_type"].astype(str))
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        j = lambda *p: os.path.join(tmp, *p)  # noqa: E731
        with open(j("labels.csv"), "w") as f:
            f.write("barcode,author_cell_type\n")
            f.write("".join(f"{c},{label}\n" for c, label in zip(barcodes, labels)))
        write_10x_v3(j("v3.h5"), x, barcodes, genes, ids)
        write_10x_v2(j("v2.h5"), x, barcodes, genes, ids)
        write_mtx_folder(j("mtx_gz"), x, barcodes, genes, ids, gz=True)
        write_mtx_folder(j("mtx"), x, barcodes, genes, ids, gz=False)
        write_loom(j("glia.loom"), x, barcodes, genes, labels)
        inputs = {
            "10x v3": [j("v3.h5"), "--labels", j("labels.csv")],
            "10x v2": [j("v2.h5"), "--labels", j("labels.csv")],
            "Matrix Market (gzip)": [j("mtx_gz"), "--labels", j("labels.csv")],
            "Matrix Market file": [j("mtx", "matrix.mtx"), "--labels", j("labels.csv")],
            "loom": [j("glia.loom")],
            # A table's column replaces the loom's attribute of the same name.
            "loom with a labels table": [j("glia.loom"), "--labels", j("labels.csv")],
        }
        for memory, extra in (("in memory", []), ("streamed", ["--max-memory", "2M"])):
            run(scgrad, "train", GLIA, *TRAIN, *extra, "--out", j("h5ad.h5"))
            expected = weights(j("h5ad.h5"))
            for name, args in inputs.items():
                if name.startswith("Matrix Market") and memory == "streamed":
                    # Read whole: a budget below its entries is refused, naming the file.
                    p = run(scgrad, "train", *args, *TRAIN, *extra, "--out", j("m.h5"), expect=1)
                    if "Matrix Market file is read whole" not in p.stderr:
                        problems.append(f"{name}, {memory}: no clear refusal: {p.stderr}")
                    if os.path.exists(j("m.h5")):
                        problems.append(f"{name}, {memory}: a refused run wrote its model")
                    continue
                run(scgrad, "train", *args, *TRAIN, *extra, "--out", j("m.h5"))
                got = weights(j("m.h5"))
                if not np.array_equal(got[1], expected[1]):
                    problems.append(f"{name}, {memory}: other genes than the .h5ad route")
                for key, value in expected[0].items():
                    if not np.array_equal(got[0][key], value):
                        problems.append(f"{name}, {memory}: weights {key} differ from the .h5ad "
                                        f"route's (max {np.abs(got[0][key] - value).max()})")
                os.remove(j("m.h5"))
            print(f"{memory}: {len(inputs)} formats trained", flush=True)
        # Each format as a query: the probabilities of the .h5ad query, bit for bit.
        run(scgrad, "predict", j("h5ad.h5"), GLIA, "--annotations-only", j("q.h5ad"),
            "--threads", "1")
        expected = probabilities(j("q.h5ad"))
        for name, args in inputs.items():
            for extra in ([], ["--max-memory", "2M"]):
                if name.startswith("Matrix Market") and extra:
                    continue
                out = j("q_other.h5ad")
                run(scgrad, "predict", j("h5ad.h5"), args[0], "--annotations-only", out,
                    "--threads", "1", *extra)
                if not np.array_equal(probabilities(out), expected):
                    problems.append(f"{name} as a query {extra}: other probabilities")
                os.remove(out)
        print(f"queries: {len(inputs)} formats labelled", flush=True)
        # inspect describes every format.
        for name, args in inputs.items():
            shown = run(scgrad, "inspect", args[0]).stdout
            if f"{len(barcodes)} × {len(genes)}" not in shown:
                problems.append(f"inspect {name}: not {len(barcodes)} × {len(genes)}: {shown}")
        if "author_cell_type" not in run(scgrad, "inspect", j("glia.loom")).stdout:
            problems.append("inspect loom: its cell attribute is not listed")
        # --out of a non-h5ad query is a new AnnData: counts as read, labels, predictions.
        run(scgrad, "predict", j("h5ad.h5"), j("v3.h5"), "--labels", j("labels.csv"),
            "--label-key", "author_cell_type", "--out", j("v3_out.h5ad"), "--csv", j("v3.csv"),
            "--threads", "1")
        written = anndata.read_h5ad(j("v3_out.h5ad"))
        if list(written.obs_names) != barcodes or list(written.var_names) != genes:
            problems.append("--out of a 10x query: other cells or genes")
        if (written.X != x).nnz != 0:
            problems.append("--out of a 10x query: X is not the counts as read")
        if list(written.obs["author_cell_type"].astype(str)) != labels:
            problems.append("--out of a 10x query: the joined labels are missing")
        if not np.array_equal(written.obsm["scgrad_probabilities"], expected):
            problems.append("--out of a 10x query: other probabilities")
        with open(j("v3.csv")) as f:
            if sum(1 for _ in f) != len(barcodes) + 1:
                problems.append("--csv of a 10x query: not one line per cell")
        print("inspect, --out and --csv: checked", flush=True)
    for p in problems:
        print("PROBLEM:", p)
    if problems:
        sys.exit(1)
    print("every format gave the .h5ad route's weights and probabilities, bit for bit")


if __name__ == "__main__":
    main()

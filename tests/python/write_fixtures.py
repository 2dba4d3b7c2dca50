#!/usr/bin/env python3
"""Writes small .h5ad files with Debian's anndata 0.8 for scgrad's reader tests.

Every file holds X[i, j] = ((7 i + 3 j) mod 5) * factor (zeros where the remainder is 0), 12 cells
x 9 genes, obs 'label' = A/B/C by i mod 3, 'name' strings, 'num' = i / 2, 'flag' = i even.
usage: write_fixtures.py OUT_DIR
"""
import os
import sys

import anndata
import numpy as np
import pandas as pd
import scipy.sparse as sp

N_OBS, N_VARS = 12, 9


def values(factor=1.0, dtype=np.float32):
    i, j = np.meshgrid(np.arange(N_OBS), np.arange(N_VARS), indexing="ij")
    return (((7 * i + 3 * j) % 5) * factor).astype(dtype)


def frame():
    obs = pd.DataFrame(
        {"label": pd.Categorical([["A", "B", "C"][i % 3] for i in range(N_OBS)]),
         "name": [f"n{i}" for i in range(N_OBS)],
         "num": np.arange(N_OBS) / 2.0,
         "flag": np.arange(N_OBS) % 2 == 0},
        index=[f"cell{i}" for i in range(N_OBS)])
    var = pd.DataFrame({"feature_name": [f"SYM{j}" for j in range(N_VARS)]},
                       index=[f"ENSG{j:05d}" for j in range(N_VARS)])
    return obs, var


def main(out):
    os.makedirs(out, exist_ok=True)
    obs, var = frame()
    anndata.AnnData(values(), obs=obs, var=var).write_h5ad(os.path.join(out, "dense.h5ad"))
    anndata.AnnData(sp.csr_matrix(values()), obs=obs, var=var).write_h5ad(os.path.join(out, "csr.h5ad"))
    anndata.AnnData(sp.csc_matrix(values(dtype=np.float64)), obs=obs, var=var, dtype=np.float64).write_h5ad(
        os.path.join(out, "csc.h5ad"))
    anndata.AnnData(sp.csr_matrix(values()), obs=obs, var=var).write_h5ad(
        os.path.join(out, "gzip.h5ad"), compression="gzip")

    m = sp.csr_matrix(values())
    m.indptr = m.indptr.astype(np.int64)
    m.indices = m.indices.astype(np.int64)
    anndata.AnnData(m, obs=obs, var=var).write_h5ad(os.path.join(out, "int64.h5ad"))

    a = anndata.AnnData(sp.csr_matrix(values()), obs=obs, var=var)
    a.raw = a
    a.X = sp.csr_matrix(values(factor=2.0))
    a.layers["counts"] = sp.csr_matrix(values(dtype=np.int64))
    a.layers["dense_counts"] = values(dtype=np.int32)
    a.write_h5ad(os.path.join(out, "raw_layers.h5ad"))

    # One random sparse matrix stored as CSR and as CSC (gzip, small chunks: many pieces).
    rng = np.random.default_rng(0)
    m = sp.random(3000, 400, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    m.data = np.ceil(m.data * 10)
    big_obs = pd.DataFrame(index=[f"cell{i}" for i in range(m.shape[0])])
    big_var = pd.DataFrame(index=[f"gene{j}" for j in range(m.shape[1])])
    for name, matrix in (("large_csr.h5ad", m), ("large_csc.h5ad", m.tocsc())):
        anndata.AnnData(matrix, obs=big_obs, var=big_var).write_h5ad(
            os.path.join(out, name), compression="gzip")


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Builds the real-data benchmark's labelled count files (.h5ad) from git snapshots of public
repositories. Nothing is downloaded: every input is read from a repository snapshot at the commit
listed in README.md (`git show COMMIT:PATH`), so a rebuilt file is the same file.

usage: /usr/bin/python3 bench/real_data/build_datasets.py SNAPSHOTS OUT

SNAPSHOTS is a folder holding one git checkout or bare repository per source, named
`owner+name` with the repository inside (`owner+name/repo`) or at its top, as the project's
`fetch` tool lays them out (e.g. /work/.mirror). OUT receives one .h5ad per dataset: float32 CSR
counts in X (cells x genes), the label in obs['cell_type'] (every other annotation kept beside
it), gene symbols as var_names. R (Debian's r-base-core, r-cran-matrix, r-cran-seuratobject)
reads the two sources kept as R data files; the script installs them when missing.
"""
import gzip
import io
import os
import shutil
import subprocess
import sys
import tempfile

import anndata
import h5py
import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))

# repository -> the commit every file of it is read at (README.md names them too)
COMMITS = {
    "numpde/sta426_deconvo": "d8f378502dbf3496795ade2835decebd27025e7a",
    "stephenslab/fastTopics": "8406f5f4de379e7ff8b43ecfee93cca42a8e7a57",
    "RubD/spatial-datasets": "daa35aafcbf3bec828eb83f33228183ed38b30a3",
    "zhiyhu/CIDER": "0b6e1678c5e05aabe717acb9ad4db801422abac1",
    "LuyiTian/sc_mixology": "7d00ffb0bd043467f365a9358d7312f294f13c9f",
}

# osmFISH's published clusters, grouped into the paper's major classes (Codeluppi et al. 2018,
# figure 2): the benchmark labels the class; the cluster stays in obs['cluster'].
OSMFISH_CLASS = {
    "Astrocyte": "Astrocytes", "Oligodendrocyte": "Oligodendrocytes",
    "Inhibitory": "Inhibitory neurons", "Pyramidal": "Excitatory neurons",
    "pyramidal": "Excitatory neurons", "Hippocampus": "Excitatory neurons",
    "Endothelial": "Vascular", "Pericytes": "Vascular", "Vascular": "Vascular",
    "Perivascular": "Immune", "Microglia": "Immune", "Ependymal": "Ventricle",
    "C.": "Ventricle",
}


class Snapshots:
    def __init__(self, root):
        self.root = root

    def git_dir(self, repo):
        base = os.path.join(self.root, repo.replace("/", "+"))
        for candidate in (os.path.join(base, "repo"), base):
            if os.path.isdir(candidate):
                return candidate
        sys.exit(f"build_datasets: no snapshot of {repo} in {self.root} (expected {base}/repo); "
                 "bring it with the project's fetch tool")

    def read(self, repo, path):
        result = subprocess.run(["git", "-C", self.git_dir(repo), "show",
                                 f"{COMMITS[repo]}:{path}"], capture_output=True)
        if result.returncode != 0:
            sys.exit(f"build_datasets: {repo} at {COMMITS[repo][:12]} has no readable {path}: "
                     f"{result.stderr.decode().strip()}")
        return result.stdout


def counts_file(x, genes, obs, path):
    """x: cells x genes counts. Genes repeated in a source are summed (one column a symbol)."""
    x = sp.csr_matrix(x, dtype=np.float32)
    genes = pd.Index(np.asarray(genes, dtype=str))
    if not genes.is_unique:
        codes, unique = pd.factorize(genes)
        merge = sp.csr_matrix((np.ones(len(codes), dtype=np.float32),
                               (np.arange(len(codes)), codes)), shape=(len(codes), len(unique)))
        x, genes = sp.csr_matrix(x @ merge), pd.Index(unique)
    assert np.all(x.data == np.round(x.data)) and x.data.min() >= 0, path
    obs = obs.copy()
    # sorted populations were separate libraries: barcodes repeat (anndata's make-unique rule)
    obs.index = anndata.utils.make_index_unique(obs.index.astype(str))
    for column in obs.columns:
        if obs[column].dtype == object:
            obs[column] = obs[column].astype(str)
    data = anndata.AnnData(X=x, obs=obs, var=pd.DataFrame(index=genes))
    data.write_h5ad(path)
    types = obs["cell_type"].value_counts()
    print(f"{os.path.basename(path)}: {x.shape[0]} cells x {x.shape[1]} genes, {len(types)} types "
          f"(smallest {types.index[-1]}: {types.iloc[-1]})", flush=True)


def genes_by_cells_table(blob):
    table = pd.read_csv(io.BytesIO(gzip.decompress(blob)), sep="\t", index_col=0)
    return table


def darmanis(s, out):
    repo, base = "numpde/sta426_deconvo", "data/20201206-RefDatasets/2015-Darmanis/b_prepared/"
    counts = genes_by_cells_table(s.read(repo, base + "data.csv.gz"))
    meta = genes_by_cells_table(s.read(repo, base + "meta.csv.gz"))
    meta = meta.loc[counts.columns]
    obs = pd.DataFrame({"cell_type": meta["cell type"].values, "tissue": meta["tissue"].values,
                        "age": meta["age"].values}, index=counts.columns)
    counts_file(counts.values.T, counts.index, obs, os.path.join(out, "darmanis_brain.h5ad"))


def allen_m1_panel(s, out):
    repo, base = "numpde/sta426_deconvo", "data/20201206-RefDatasets/2019-AllenBrain-M1/b_reduced/"
    counts = genes_by_cells_table(s.read(repo, base + "data.csv.gz"))
    meta = genes_by_cells_table(s.read(repo, base + "meta.csv.gz")).loc[counts.columns]
    obs = pd.DataFrame({"cell_type": meta["celltype"].values, "donor": meta["donor"].values,
                        "transcriptome_library_size": meta["libsize"].values.astype(np.float64)},
                       index=counts.columns)
    counts_file(sp.csr_matrix(counts.values.T), counts.index, obs,
                os.path.join(out, "allen_m1_panel.h5ad"))


def from_r(s, repo, path, kind, tmp):
    rda = os.path.join(tmp, os.path.basename(path))
    with open(rda, "wb") as f:
        f.write(s.read(repo, path))
    folder = os.path.join(tmp, kind)
    subprocess.run(["Rscript", os.path.join(HERE, "export_rda.R"), rda, kind, folder], check=True,
                   stdout=subprocess.DEVNULL)
    x = scipy.io.mmread(os.path.join(folder, "matrix.mtx")).T.tocsr()  # cells x genes
    genes = open(os.path.join(folder, "genes.txt")).read().splitlines()
    cells = open(os.path.join(folder, "cells.txt")).read().splitlines()
    meta = pd.read_csv(os.path.join(folder, "meta.tsv"), sep="\t", dtype=str,
                       keep_default_na=False)
    meta.index = cells
    return x, genes, meta


def pbmc_sorted(s, out, tmp):
    x, genes, meta = from_r(s, "stephenslab/fastTopics", "data/pbmc_facs.RData",
                            "fastTopics_pbmc_facs", tmp)
    counts_file(x, genes, meta, os.path.join(out, "pbmc_sorted.h5ad"))


def pancreas_species(s, out, tmp):
    x, genes, meta = from_r(s, "zhiyhu/CIDER", "data/pancreas.RData", "seurat_counts", tmp)
    meta = meta.rename(columns={"Group": "cell_type", "Batch": "species"})
    for species in ("mouse", "human"):
        keep = (meta["species"] == species).values
        counts_file(x[keep], genes, meta[keep],
                    os.path.join(out, f"pancreas_{species}.h5ad"))


def osmfish(s, out, tmp):
    path = os.path.join(tmp, "osmfish.loom")
    with open(path, "wb") as f:
        f.write(s.read("RubD/spatial-datasets",
                       "data/2018_osmFISH_SScortex/raw_data/osmFISH_SScortex_mouse_all_cells.loom"))
    with h5py.File(path, "r") as loom:
        text = lambda d: np.array([v.decode() if isinstance(v, bytes) else str(v) for v in d[:]])
        x = loom["matrix"][:].T  # loom stores genes x cells
        genes = text(loom["row_attrs/Gene"])
        cluster = text(loom["col_attrs/ClusterName"])
        cells = text(loom["col_attrs/CellID"])
        region = text(loom["col_attrs/Region"])
    keep = cluster != "Excluded"
    classes = np.array([OSMFISH_CLASS[c.split(" ")[0]] for c in cluster[keep]])
    obs = pd.DataFrame({"cell_type": classes, "cluster": cluster[keep], "region": region[keep]},
                       index=cells[keep])
    counts_file(x[keep], genes, obs, os.path.join(out, "osmfish_cortex.h5ad"))


def cell_lines(s, out):
    repo = "LuyiTian/sc_mixology"
    for name, label in (("sc_celseq2", "cell_line_demuxlet"), ("sc_dropseq", "cell_line")):
        counts = pd.read_csv(io.BytesIO(gzip.decompress(s.read(repo, f"data/csv/{name}.count.csv.gz"))),
                             index_col=0)
        meta = pd.read_csv(io.BytesIO(gzip.decompress(
            s.read(repo, f"data/csv/{name}.metadata.csv.gz"))), index_col=0)
        cells = [c for c in counts.columns if c in meta.index]
        meta = meta.loc[cells]
        obs = pd.DataFrame({"cell_type": meta[label].astype(str).values}, index=cells)
        if "demuxlet_cls" in meta:  # keep the cells demuxlet calls singlets
            single = (meta["demuxlet_cls"] == "SNG").values
            obs, cells = obs[single], [c for c, k in zip(cells, single) if k]
        counts_file(counts[cells].values.T, counts.index, obs,
                    os.path.join(out, f"cell_lines_{name.split('_')[1]}.h5ad"))


def ensure_r():
    if shutil.which("Rscript"):
        ok = subprocess.run(["Rscript", "-e", "suppressMessages({library(Matrix); "
                             "library(SeuratObject)})"], capture_output=True).returncode == 0
        if ok:
            return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                           "r-base-core", "r-cran-matrix", "r-cran-seuratobject"],
                   check=True, env=env)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    s, out = Snapshots(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    ensure_r()
    with tempfile.TemporaryDirectory() as tmp:
        darmanis(s, out)
        allen_m1_panel(s, out)
        pbmc_sorted(s, out, tmp)
        osmfish(s, out, tmp)
        pancreas_species(s, out, tmp)
        cell_lines(s, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

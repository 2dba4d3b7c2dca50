"""scgrad for scanpy users: train and annotate an in-memory AnnData with scgrad's C++ library.

    import scgrad
    model = scgrad.train(adata, label_key="cell_type", classes="all")
    model.save("model.h5")                   # the file `scgrad predict` reads
    scgrad.load("model.h5").predict(query)   # obs scgrad_label, scgrad_confidence, ...
    adata = scgrad.read("filtered_feature_bc_matrix.h5")   # also Matrix Market, loom

Every option of `scgrad train` / `scgrad predict` is a keyword here, with the same default and
the same name (underscores for dashes). Nothing is re-implemented in Python: the matrix is
handed to C++ without copying (scipy CSR buffers or a C-ordered numpy array; CSC is converted
once, in C++), and the models, numbers and messages are the program's. See docs/python.md.
"""

from __future__ import annotations

import errno
import logging
import os
import sys

import numpy as np
import pandas as pd

from . import _scgrad
from ._scgrad import Error, InputError

__all__ = ["train", "load", "Model", "InputError", "Error", "set_threads"]

log = logging.getLogger("scgrad")

set_threads = _scgrad.set_threads


def _column(name, series: pd.Series) -> tuple:
    """A dataframe column in the form the library takes: (name, kind, categories, codes,
    strings, numbers)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in series.cat.categories]
        codes = series.cat.codes.to_numpy(dtype=np.int32)
        return (str(name), "categorical", categories, codes, [], [])
    if pd.api.types.is_bool_dtype(series.dtype):
        return (str(name), "boolean", [], [], [], series.to_numpy(dtype=float).tolist())
    if pd.api.types.is_numeric_dtype(series.dtype):
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return (str(name), "numeric", [], [], [], numbers.tolist())
    strings = ["" if pd.isna(v) else str(v) for v in series.tolist()]
    return (str(name), "string", [], [], strings, [])


def _values(array: np.ndarray) -> np.ndarray:
    """The stored values as a dtype the library reads (float16 and bool are widened)."""
    if array.dtype == np.float16 or array.dtype.kind == "b":
        array = array.astype(np.float32)
    return np.ascontiguousarray(array)


def _matrix_arguments(matrix) -> tuple:
    """(storage, rows, columns, values, indices, indptr) of a scipy or numpy matrix."""
    import scipy.sparse as sp

    if sp.issparse(matrix):
        if matrix.format not in ("csr", "csc"):
            matrix = matrix.tocsr()  # COO, LIL, ...: once, as anndata would on write
        rows, cols = matrix.shape
        return (matrix.format, rows, cols, _values(matrix.data),
                np.ascontiguousarray(matrix.indices), np.ascontiguousarray(matrix.indptr))
    if hasattr(matrix, "toarray") and not isinstance(matrix, np.ndarray):
        matrix = matrix.toarray()  # e.g. an anndata view of a dense array
    array = np.asarray(matrix)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-d matrix, got {array.ndim} dimensions")
    return ("dense", array.shape[0], array.shape[1], _values(array), None, None)


def _matrices(adata) -> dict:
    """Every matrix of the AnnData by the library's keys: X, raw/X, layers/NAME."""
    found = {}
    if adata.X is not None:
        found["X"] = lambda: adata.X
    if adata.raw is not None:
        found["raw/X"] = lambda: adata.raw.X
    for name in adata.layers.keys():
        found[f"layers/{name}"] = lambda name=name: adata.layers[name]
    return found


def _source(adata, matrix: str, obs_keys=(), var_keys=(), name: str = "AnnData"):
    """The AnnData as the library's source: every matrix named, the requested one (as the
    library resolves `matrix`) borrowed, and the obs and var columns the run reads."""
    source = _scgrad.AnnDataSource(name, [str(n) for n in adata.obs_names],
                                   [str(c) for c in adata.obs.columns])
    for key in dict.fromkeys(k for k in obs_keys if k):
        if key in adata.obs.columns:
            source.add_obs_column(*_column(key, adata.obs[key]))

    def var_of(var, names):
        columns = [_column(k, var[k]) for k in dict.fromkeys(var_keys) if k and k in var.columns]
        return [str(n) for n in names], [str(c) for c in var.columns], columns

    source.set_var("X", *var_of(adata.var, adata.var_names))
    if adata.raw is not None:
        source.set_var("raw/X", *var_of(adata.raw.var, adata.raw.var_names))
    matrices = _matrices(adata)
    source.declare_matrices(list(matrices))
    key = source.resolve_matrix_key(matrix)  # InputError listing the matrices when absent
    if key in matrices:
        source.add_matrix(key, *_matrix_arguments(matrices[key]()))
    return source


def _progress(event: str, details: dict) -> None:
    if event == "epoch":
        parts = [f"epoch {details['epoch']}", f"train_loss {details['train_loss']:.6f}",
                 f"train_accuracy {details['train_accuracy']:.4f}"]
        for key in ("validation_loss", "test_loss"):
            if key in details:
                parts.append(f"{key} {details[key]:.6f}")
        log.info(", ".join(parts))
    elif event == "prepared":
        log.info("%d cells (%d training, %d validation, %d held out) x %d genes%s",
                 details["cells"], details["train_cells"], details["validation_cells"],
                 details["test_cells"], details["genes"],
                 ", streamed" if details["streaming"] else "")
        if details["unlabelled_cells"]:
            log.warning("%d cells have no label (missing or empty) and were left out",
                        details["unlabelled_cells"])
    elif event == "candidate":
        log.info("weight decay %g, class weights %s (%d of at most %d)",
                 details["weight_decay"], details["class_weight"], details["index"] + 1,
                 details["candidates"])
    elif event == "refit":
        log.info("refit on all %d labelled cells: %d epochs, weight decay %g", details["cells"],
                 details["epochs"], details["weight_decay"])


def _tqdm():
    """tqdm's bar class when it is installed and stderr is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class _Progress:
    """Training's progress: to the "scgrad" logger always, and as a bar of epochs per run (each
    weight decay tried, the retrain, the refit) on an interactive terminal with tqdm installed."""

    def __init__(self, max_epochs: int):
        self._bar_class = _tqdm()
        self._bar = None
        self._max_epochs = max_epochs
        self._run = "training"

    def __call__(self, event: str, details: dict) -> None:
        _progress(event, details)
        if self._bar_class is None:
            return
        if event == "candidate" and self._run != "refit":  # the refit trains its one candidate
            self._run = f"weight decay {details['weight_decay']:g}"
        elif event == "refit":
            self._run, self._max_epochs = "refit", details["epochs"]
        elif event == "epoch":
            if details["epoch"] == 1:  # every run starts at epoch 1
                self.close()
                self._bar = self._bar_class(total=self._max_epochs, desc=f"scgrad {self._run}",
                                            unit="epoch", leave=False)
            if self._bar is not None:
                self._bar.update(1)
                self._bar.set_postfix(loss=f"{details['train_loss']:.4f}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _given(**options) -> dict:
    return {k: v for k, v in options.items() if v is not None}


def train(adata, label_key: str | None = None, classes: str = "all", model: str | None = None,
          layer: str | None = None, use_raw: bool | None = None,
          test_fraction: float | None = None, seed: int | None = None,
          threads: int | None = None, **options) -> "Model":
    """Trains a classifier on an in-memory AnnData, as `scgrad train FILE` does on a file.

    label_key: obs column of the labels (default: the program's); classes: "all" or a
    comma-separated list (the first is the positive class of two); model: "logistic", "mlp" or
    a layer spec; layer / use_raw: read `adata.layers[layer]` or `adata.raw.X` instead of X
    (the program's --matrix). Other keywords are the program's options with underscores
    (epochs, lr, batch_size, weight_decay, validation_fraction, patience, class_weight, refit,
    compute, optimizer, max_memory, min_counts, min_cells, target_sum, ...), same defaults.
    threads: sets torch's, OpenMP's and OpenBLAS's threads for the process (None: leave them).
    Progress goes to the "scgrad" logger, and as a bar of epochs when tqdm is installed and
    stderr is a terminal; Ctrl-C stops within one batch.
    """
    if layer is not None and use_raw:
        raise ValueError("give layer or use_raw, not both")
    defaults = _scgrad.train_defaults()
    matrix = options.pop("matrix", None)
    if layer is not None:
        matrix = f"layers/{layer}"
    elif use_raw:
        matrix = "raw/X"
    settings = _given(label_key=label_key, classes=classes, model=model,
                      test_fraction=test_fraction, seed=seed, matrix=matrix, **options)
    if threads is not None:
        set_threads(threads)
    source = _source(adata, settings.get("matrix", defaults["matrix"]),
                     obs_keys=[settings.get("label_key", defaults["label_key"]),
                               settings.get("library_size_key")])
    progress = _Progress(settings.get("epochs", defaults.get("epochs", 0)))
    try:
        result = _scgrad.train(source, settings, progress)
    finally:
        progress.close()
    return Model(result["model"], result)


def read(path, labels=None, matrix: str = "X", max_memory: int | None = None):
    """Any input scgrad reads as an AnnData: an .h5ad, a 10x Genomics .h5 (Cell Ranger >= 3 or 2:
    barcodes as cells, "Gene Expression" features as genes), a Matrix Market folder or its
    matrix.mtx[.gz], or a .loom file — told apart by path and content, as `scgrad train` does.
    X holds the counts (CSR, float32) of `matrix` ("X", "raw" or a layer name); obs the cells'
    names and columns (a loom's cell attributes; `labels`: a CSV/TSV of barcodes and labels,
    joined by barcode); var the genes' names and columns (gene_ids, feature_types, genome).
    max_memory (bytes): a Matrix Market file needing more is refused before it is read."""
    import anndata
    import scipy.sparse

    path = os.fspath(path)
    parts = _scgrad.read(path, os.fspath(labels) if labels else "",
                         max_memory if max_memory is not None else 1 << 62, matrix)
    x = scipy.sparse.csr_matrix((parts["data"], parts["indices"], parts["indptr"]),
                                shape=parts["shape"])

    def frame(names, columns):
        df = pd.DataFrame(index=pd.Index([str(n) for n in names]))
        for name, column in columns.items():
            if column[0] == "categorical":
                df[name] = pd.Categorical.from_codes(column[2], categories=column[1])
            elif column[0] == "boolean":
                df[name] = column[1].astype(bool)
            else:
                df[name] = column[1]
        return df

    return anndata.AnnData(x, obs=frame(parts["obs_names"], parts["obs"]),
                           var=frame(parts["var_names"], parts["var"]))


def load(path: str) -> "Model":
    """A model file written by `scgrad train --out` or Model.save."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, "no such model file", path)
    return Model(_scgrad.load(path))


class Model:
    """A trained classifier: its classes and genes, how it trained, and predict / markers."""

    def __init__(self, model_file, result: dict | None = None):
        self._file = model_file
        self._result = result

    @property
    def classes(self) -> list[str]:
        return list(self._file.classes)

    @property
    def genes(self) -> list[str]:
        return list(self._file.genes)

    @property
    def spec(self) -> str:
        return self._file.spec

    @property
    def data(self) -> dict:
        """What training read: cells (selected), unlabelled_cells (no label: left out), genes,
        train_cells, validation_cells, test_cells, test_cell_names, streaming, sparse."""
        self._require_training("data")
        return dict(self._result["data"])

    @property
    def history(self) -> pd.DataFrame:
        """One row per epoch of the measured run, the columns of --metrics-out's `epochs`."""
        self._require_training("history")
        return pd.DataFrame(self._result["epochs"])

    @property
    def evaluation(self) -> dict:
        """Of the held-out cells (or the training cells without any): `confusion` and
        `per_class` DataFrames, and accuracy, macro_f1, balanced_accuracy, roc_auc, cells."""
        self._require_training("evaluation")
        report = dict(self._result["evaluation"])
        classes = self.classes
        report["confusion"] = pd.DataFrame(report["confusion"], index=pd.Index(classes, name="true"),
                                           columns=pd.Index(classes, name="predicted"))
        report["per_class"] = pd.DataFrame(report["per_class"]).set_index("class")
        return report

    @property
    def summary(self) -> dict:
        """What the training read: cells, genes, training/validation/test cells, streaming."""
        self._require_training("summary")
        return dict(self._result["data"])

    def _require_training(self, what: str) -> None:
        if self._result is None:
            raise AttributeError(f"{what}: this model was loaded from a file, not trained here")

    def save(self, path: str) -> None:
        """Writes the model file `scgrad predict` reads (atomically)."""
        self._file.save(os.fspath(path))

    def markers(self, top: int = 20) -> pd.DataFrame:
        """Each class's top genes, as `scgrad markers`: columns class, rank, gene, score."""
        ranked = _scgrad.markers(self._file, top)
        rows = [(cls, rank + 1, gene, score)
                for cls, genes in zip(self.classes, ranked["markers"])
                for rank, (gene, score) in enumerate(genes)]
        frame = pd.DataFrame(rows, columns=["class", "rank", "gene", "score"])
        frame.attrs["source"] = ranked["source"]
        return frame

    def predict(self, adata, min_confidence: float | None = None,
                max_novelty: float | None = None, majority_vote: bool = False,
                majority_by: str | None = None, gene_key: str | None = None,
                gene_map: str | None = None, inplace: bool = True, threads: int | None = None,
                **options):
        """Labels the cells of an AnnData, as `scgrad predict` does.

        inplace: adds obs scgrad_label, scgrad_confidence and scgrad_novelty (when the model
        has a novelty reference; max_novelty=Q labels cells above Q unassigned, as
        --max-novelty; novelty=False skips it) (and scgrad_over_cluster,
        scgrad_majority_label with voting; categoricals), obsm scgrad_probabilities and uns
        scgrad_classes, as the program's output file; else returns them as a DataFrame (one
        probability column per class). label_key=COL compares the predictions with that obs
        column (uns scgrad_evaluation, or the DataFrame's attrs: accuracy, macro_f1,
        balanced_accuracy, ece, cells). Other keywords: the program's predict options
        (unassigned_label, majority_min_fraction, over_cluster_resolution,
        exact_neighbours_up_to, seed, min_gene_fraction, allow_non_counts, max_memory).
        """
        settings = _given(min_confidence=min_confidence, max_novelty=max_novelty,
                          majority_vote=majority_vote,
                          majority_by=majority_by, gene_key=gene_key,
                          gene_map=None if gene_map is None else os.fspath(gene_map), **options)
        if threads is not None:
            set_threads(threads)
        source = _source(adata, self._file.matrix,
                         obs_keys=[majority_by, self._file.library_size_key,
                                   options.get("label_key")], var_keys=[gene_key])
        out = _scgrad.predict(self._file, source, settings)
        columns = {
            name: pd.Categorical.from_codes(values["codes"], values["categories"])
            if isinstance(values, dict) else values for name, values in out["obs"]}
        # label_key=COL: the predictions against the query's known labels.
        evaluation = {k: out["evaluation"][k] for k in (
            "accuracy", "macro_f1", "balanced_accuracy", "ece", "cells",
            "cells_without_known_label")} if "evaluation" in out else None
        if not inplace:
            frame = pd.DataFrame(columns, index=adata.obs_names.copy())
            probabilities = pd.DataFrame(out["probabilities"], index=frame.index,
                                         columns=out["classes"])
            frame = pd.concat([frame, probabilities], axis=1)
            if evaluation is not None:
                frame.attrs["scgrad_evaluation"] = evaluation
            return frame
        if evaluation is not None:
            adata.uns["scgrad_evaluation"] = evaluation
        # An earlier prediction's columns go as a set, as the program's output file does.
        adata.obs.drop(columns=[c for c in _scgrad.prediction_obs_columns()
                                if c in adata.obs.columns], inplace=True)
        for key, values in columns.items():
            adata.obs[key] = values
        adata.obsm["scgrad_probabilities"] = out["probabilities"]
        adata.uns["scgrad_classes"] = np.array(out["classes"], dtype=object)
        return None

    def __repr__(self) -> str:
        return (f"scgrad.Model({self._file.model!r}, {len(self.classes)} classes, "
                f"{len(self.genes)} genes)")

#!/usr/bin/python3
"""Majority voting from the command line. --majority-by the true label column gives one label
per group; --majority-vote adds scgrad's over-clustering: the same --seed gives the same
clusters, in memory and streamed in blocks, with the exact and the approximate neighbour graph;
the clusters hardly mix the simulated types, and the voted labels are about as accurate as the
clusters are pure (that voting beats corrupted per-cell labels is
MajorityVote.OverScgradsClustersBeatsCorruptedPerCellLabels). The columns reach --out, --annotations-only, the CSV and the
--metrics-out JSON, and anndata reads them as categoricals. Bad voting options are refused by
name.

usage: test_majority.py SCGRAD_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

import anndata
import pandas as pd

import bounded


def run(*args, expect=0):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True)
    if expect is not None and p.returncode != expect:
        sys.exit(f"scgrad {' '.join(map(str, args))}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def main():
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)
        # Markers of fold 2: the per-cell labels make a few mistakes, the clusters are nearly
        # pure (weaker markers: bench/majority_vote_accuracy.sh).
        run("simulate", path("ref.h5ad"), "--cells", 2000, "--genes", 400, "--seed", 1,
            "--marker-fold", 2)
        run("simulate", path("query.h5ad"), "--cells", 3000, "--genes", 400, "--seed", 1,
            "--marker-fold", 2, "--batch-seed", 2)
        run("train", path("ref.h5ad"), "--classes", "all", "--out", path("model.h5"))
        truth = anndata.read_h5ad(path("query.h5ad")).obs["author_cell_type"].astype(str)

        # Voting within the true types: one label per type.
        p = run("predict", path("model.h5"), path("query.h5ad"), "--majority-by",
                "author_cell_type", "--out", path("by.h5ad"))
        obs = anndata.read_h5ad(path("by.h5ad")).obs
        per_group = obs.groupby("author_cell_type")["scgrad_majority_label"].nunique()
        print("--majority-by author_cell_type: labels per group", dict(per_group))
        if (per_group != 1).any():
            problems.append(f"--majority-by gave several labels in a group: {dict(per_group)}")
        if "scgrad_over_cluster" in obs:
            problems.append("--majority-by wrote scgrad_over_cluster")

        # scgrad's over-clustering, twice with one seed, once with another.
        for name, seed in (("a", 0), ("b", 0), ("c", 5)):
            run("predict", path("model.h5"), path("query.h5ad"), "--majority-vote", "--seed",
                seed, "--annotations-only", path(f"{name}.h5ad"), "--csv", path(f"{name}.csv"),
                "--metrics-out", path(f"{name}.json"))
        a, b = (anndata.read_h5ad(path(f"{n}.h5ad")).obs for n in "ab")
        for column in ("scgrad_label", "scgrad_over_cluster", "scgrad_majority_label"):
            if a[column].dtype.name != "category":
                problems.append(f"{column} is {a[column].dtype}, not categorical")
        if not a["scgrad_over_cluster"].astype(str).equals(b["scgrad_over_cluster"].astype(str)):
            problems.append("the same --seed gave different clusters")
        labels = a["scgrad_label"].astype(str).values
        majority = a["scgrad_majority_label"].astype(str).values
        per_cell = (labels == truth.values).mean()
        voted = (majority == truth.values).mean()
        crosstab = pd.crosstab(a["scgrad_over_cluster"], truth.values)
        purity = (crosstab.max(axis=1).sum() / crosstab.values.sum())
        metrics = json.load(open(path("a.json")))
        print(f"--majority-vote: {metrics['over_clustering']['clusters']} clusters, purity "
              f"{purity:.3f}; accuracy per cell {per_cell:.3f}, after voting {voted:.3f}")
        if purity < 0.9:
            problems.append(f"over-clusters mix the simulated types: purity {purity:.3f}")
        if voted < purity - 0.05:
            problems.append(f"voting fell short of the clusters' purity: {voted:.3f} < {purity:.3f}")
        if metrics["majority"]["groups"] != metrics["over_clustering"]["clusters"]:
            problems.append(f"metrics: {metrics['majority']} vs {metrics['over_clustering']}")
        csv = pd.read_csv(path("a.csv"))
        if list(csv.columns[:6]) != ["cell", "label", "confidence", "novelty", "over_cluster",
                                     "majority_label"]:
            problems.append(f"CSV columns: {list(csv.columns)}")
        elif not (csv["majority_label"].astype(str).values == majority).all():
            problems.append("the CSV's majority labels differ from the h5ad's")

        # Streamed in blocks (the PCA's sample gathered from them, the query read again for the
        # projection): the same clusters as in memory.
        run("predict", path("model.h5"), path("query.h5ad"), "--majority-vote",
            "--max-memory", "1M", "--annotations-only", path("streamed.h5ad"))
        streamed = anndata.read_h5ad(path("streamed.h5ad")).obs
        if not streamed["scgrad_over_cluster"].astype(str).equals(a["scgrad_over_cluster"].astype(str)):
            problems.append("a query streamed in blocks gave other clusters than in memory")

        # The approximate neighbour graph (what queries above 20,000 cells get): the same seed
        # gives the same clusters, and they are as pure.
        for name in ("d", "e"):
            run("predict", path("model.h5"), path("query.h5ad"), "--majority-vote",
                "--exact-neighbours-up-to", 0, "--annotations-only", path(f"{name}.h5ad"),
                "--metrics-out", path(f"{name}.json"))
        d, e = (anndata.read_h5ad(path(f"{n}.h5ad")).obs for n in "de")
        if not json.load(open(path("d.json")))["over_clustering"]["approximate_neighbours"]:
            problems.append("--exact-neighbours-up-to 0 did not search approximately")
        if not d["scgrad_over_cluster"].astype(str).equals(e["scgrad_over_cluster"].astype(str)):
            problems.append("the approximate graph: the same --seed gave different clusters")
        crosstab = pd.crosstab(d["scgrad_over_cluster"], truth.values)
        approximate_purity = crosstab.max(axis=1).sum() / crosstab.values.sum()
        print(f"approximate neighbours: {len(crosstab)} clusters, purity {approximate_purity:.3f}")
        if approximate_purity < purity - 0.02:
            problems.append(f"the approximate graph's clusters are less pure: "
                            f"{approximate_purity:.3f} < {purity:.3f}")

        # Refusals: both ways at once, a missing column, a clashing heterogeneous label.
        p = run("predict", path("model.h5"), path("query.h5ad"), "--majority-vote",
                "--exact-neighbours-up-to", -1, expect=None)
        if p.returncode == 0 or "--exact-neighbours-up-to" not in p.stderr:
            problems.append("--exact-neighbours-up-to -1: " + p.stderr)
        p = run("predict", path("model.h5"), path("query.h5ad"), "--majority-vote",
                "--majority-by", "author_cell_type", expect=1)
        if "--majority-by" not in p.stderr or "--majority-vote" not in p.stderr:
            problems.append("both voting options: " + p.stderr)
        p = run("predict", path("model.h5"), path("query.h5ad"), "--majority-by", "leiden",
                expect=1)
        if "leiden" not in p.stderr or "query.h5ad" not in p.stderr:
            problems.append("a missing --majority-by column: " + p.stderr)
    for problem in problems:
        print("FAIL:", problem)
    sys.exit(1 if problems else 0)


SCGRAD = sys.argv[1]
if __name__ == "__main__":
    main()

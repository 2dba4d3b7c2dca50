#!/usr/bin/env python3
"""End-to-end checks of the scgrad program: help, simulate → inspect → train → exercise, and
clear errors (message names the file and what was expected; exit status non-zero)."""
import json
import os
import subprocess
import sys
import tempfile

import anndata

import bounded


def run(*args, ok=True):
    p = bounded.run([SCGRAD, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise AssertionError(f"{args} failed ({p.returncode}): {p.stderr}")
    if not ok and p.returncode == 0:
        raise AssertionError(f"{args} should have failed")
    return p


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for cmd in ["exercise", "inspect", "simulate", "train"]:
            assert "--help" in run(cmd, "--help").stdout or "Options" in run(cmd, "--help").stdout

        sim = os.path.join(tmp, "sim.h5ad")
        out = run("simulate", sim, "--cells", "500", "--genes", "300", "--seed", "2").stdout
        assert "500 cells" in out, out
        a = anndata.read_h5ad(sim)
        assert a.shape == (500, 300) and "Astrocytes" in set(a.obs.author_cell_type)

        out = run("inspect", sim).stdout
        assert "500 × 300" in out and "integer counts" in out and "author_cell_type" in out, out

        metrics = os.path.join(tmp, "m.json")
        out = run("train", sim, "--classes", "Astrocytes,Glioblasts", "--model", "mlp",
                  "--epochs", "3", "--metrics-out", metrics).stdout
        assert "final" in out, out
        m = json.load(open(metrics))
        assert m["classes"] == ["Astrocytes", "Glioblasts"] and len(m["epochs"]) == 3, m
        assert {"train_loss", "train_accuracy", "test_loss", "test_accuracy", "test_macro_f1",
                "test_balanced_accuracy"} <= set(m["final"]), m

        # many classes, a plot, and a multi-class evaluation in the metrics
        png, svg = os.path.join(tmp, "c.png"), os.path.join(tmp, "c.svg")
        run("train", sim, "--classes", "all", "--epochs", "2", "--metrics-out", metrics,
            "--plot", png)
        run("train", sim, "--classes", "all", "--epochs", "2", "--plot", svg)
        assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in open(svg).read(2000)
        m = json.load(open(metrics))
        assert len(m["classes"]) == 8 and len(m["evaluation"]["confusion_matrix"]) == 8, m.keys()
        assert sum(map(sum, m["evaluation"]["confusion_matrix"])) == m["test_cells"]
        # streaming from disk (a 100 KB budget) learns as the in-memory path does
        m_stream = os.path.join(tmp, "stream.json")
        out = run("train", sim, "--classes", "all", "--epochs", "20", "--max-memory", "100K",
                  "--metrics-out", m_stream)
        assert "streamed from disk" in out.stderr, out.stderr
        run("train", sim, "--classes", "all", "--epochs", "20", "--metrics-out", metrics)
        streamed, in_memory = json.load(open(m_stream)), json.load(open(metrics))
        assert streamed["test_cell_names"] == in_memory["test_cell_names"]
        assert abs(streamed["final"]["test_accuracy"] - in_memory["final"]["test_accuracy"]) <= 0.05
        # --max-memory is a target, never a refusal: full-batch training streams too, the
        # gradient summed over chunks, and follows the in-memory full-batch run
        out = run("train", sim, "--classes", "all", "--max-memory", "100K", "--batch-size", "0",
                  "--epochs", "3", "--compute", "sparse", "--metrics-out", m_stream)
        assert "streamed from disk" in out.stderr, out.stderr
        run("train", sim, "--classes", "all", "--batch-size", "0", "--epochs", "3",
            "--compute", "sparse", "--metrics-out", metrics)
        streamed, in_memory = json.load(open(m_stream)), json.load(open(metrics))
        for s, m in zip(streamed["epochs"], in_memory["epochs"], strict=True):
            assert abs(s["train_loss"] - m["train_loss"]) <= 1e-5 * m["train_loss"], (s, m)
        err = run("train", sim, "--classes", "all", "--plot", os.path.join(tmp, "c.gif"),
                  ok=False).stderr
        assert ".png or .svg" in err, err

        ex = os.path.join(tmp, "ex.json")
        out = run("exercise", "--json", ex, "--sim-cells", "400", "--sim-genes", "300").stdout
        assert "Exercise 2.2" in out and "only at step()" in out, out
        j = json.load(open(ex))
        assert set(j["exercise_2_3"]) >= {"logistic", "mlp", "layer_list"}, j.keys()

        # Errors: each names what was wrong and exits non-zero.
        err = run("train", sim, "--classes", "Astrocytes,Neurons2", ok=False).stderr
        assert "'Neurons2'" in err and "Glioblasts" in err, err
        err = run("train", sim, "--classes", "Astrocytes,Glioblasts", "--label-key", "cell_type",
                  ok=False).stderr
        assert "no column 'cell_type'" in err and "author_cell_type" in err, err
        err = run("inspect", os.path.join(tmp, "absent.h5ad"), ok=False).stderr
        assert "absent.h5ad" in err, err
        bad = os.path.join(tmp, "bad.h5ad")
        open(bad, "w").write("partial download")
        err = run("train", bad, "--classes", "A,B", ok=False).stderr
        assert "not an HDF5 file" in err, err
        err = run("train", sim, "--classes", "Astrocytes,Glioblasts", "--model", "linear:5",
                  ok=False).stderr
        assert "linear:1" in err, err
    print("cli end-to-end: all checks passed")
    return 0


if __name__ == "__main__":
    SCGRAD = sys.argv[1]
    sys.exit(main())

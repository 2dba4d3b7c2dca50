#!/usr/bin/env python3
"""scgrad against the exercise's Python/PyTorch pipeline on a simulated atlas-sized file.

usage: /usr/bin/python3 bench/atlas_benchmark.py [--cells 20000] [--genes 20000] [--scgrad build/scgrad]

Simulates (once, kept in /tmp) a two-class file with `scgrad simulate --library-size 2500`
(about 10 % nonzero), then runs, for the logistic and the two-layer model, with the exercise's
settings (no split, full batch, Adam lr 1e-4, 10 epochs):
  - scgrad train (its default --compute auto: the sparse path on such data), and
  - tests/python/reference_pipeline.py: the exercise as the exercise writes it (anndata,
    X.todense(), scale, nn.BCELoss, optim.Adam),
each under /usr/bin/time -v, three times interleaved (scgrad, Python, scgrad, ...), and prints
the median wall time and peak memory of each and the ratios, and the first epochs' losses of
both (the same numbers to 1e-4). It also prints
scgrad's median epoch time against the memory-traffic bound: the bytes an epoch must move
(forward and backward each read the nonzeros, the first layer's weights and write its outputs)
divided by this machine's memory bandwidth, measured here with a large array copy.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXERCISE = ["--test-fraction", "0", "--batch-size", "0", "--lr", "1e-4", "--epochs", "10",
            "--weight-decay", "0"]


def timed(command):
    p = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{p.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return seconds, peak_kb / 1024 ** 2, p


def memory_bandwidth():
    """Bytes per second of a 1 GB array copy (read + write), best of three."""
    a = np.ones(2 ** 28, dtype=np.float32)
    b = np.empty_like(a)
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        np.copyto(b, a)
        best = max(best, 2 * a.nbytes / (time.perf_counter() - start))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=20000)
    ap.add_argument("--genes", type=int, default=20000)
    ap.add_argument("--scgrad", default=os.path.join(ROOT, "build", "scgrad"))
    ap.add_argument("--runs", type=int, default=3, help="interleaved runs of each (median)")
    a = ap.parse_args()
    path = os.path.join(tempfile.gettempdir(), f"scgrad-bench-{a.cells}x{a.genes}.h5ad")
    if not os.path.exists(path):
        subprocess.run([a.scgrad, "simulate", path, "--cells", str(a.cells), "--genes",
                        str(a.genes), "--seed", "1", "--library-size", "2500",
                        "--cell-types", "Astrocytes,Glioblasts"], check=True)
    classes = "Astrocytes,Glioblasts"
    bandwidth = memory_bandwidth()
    print(f"file: {path}; memory bandwidth (array copy): {bandwidth / 1e9:.1f} GB/s; "
          f"threads: {os.cpu_count()}")
    print()
    print("| model | scgrad wall | Python wall | speed-up | scgrad peak | Python peak | memory ratio "
          "| scgrad epoch (median) | traffic bound | epoch / bound | walls (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for model, hidden in [("logistic", 1), ("mlp", 50)]:
        s_runs, p_runs = [], []
        with tempfile.TemporaryDirectory() as tmp:
            metrics = os.path.join(tmp, "m.json")
            for _ in range(a.runs):
                s_runs.append(timed([a.scgrad, "train", path, "--classes", classes, "--model",
                                     model, *EXERCISE, "--metrics-out", metrics]))
                p_runs.append(timed(["/usr/bin/python3",
                                     os.path.join(ROOT, "tests", "python", "reference_pipeline.py"),
                                     path, "--classes", classes, "--model", model]))
            m = json.load(open(metrics))
        s_wall = statistics.median(r[0] for r in s_runs)
        p_wall = statistics.median(r[0] for r in p_runs)
        s_peak = statistics.median(r[1] for r in s_runs)
        p_peak = statistics.median(r[1] for r in p_runs)
        s_losses = [e["train_loss"] for e in m["epochs"]]
        p_losses = json.loads(p_runs[-1][2].stdout)["losses"]
        import h5py
        with h5py.File(path) as f:
            nnz = f["X/data"].shape[0]
        n, g = m["cells"], m["genes"]
        per_pass = nnz * 8 + g * hidden * 4 + n * hidden * 4
        bound = 2 * per_pass / bandwidth
        epoch = statistics.median(e["seconds"] for e in m["epochs"])
        walls = "/".join(f"{r[0]:.2f}" for r in s_runs) + " vs " + "/".join(
            f"{r[0]:.2f}" for r in p_runs)
        print(f"| {model} | {s_wall:.2f} s | {p_wall:.2f} s | {p_wall / s_wall:.1f}x | "
              f"{s_peak:.2f} GB | {p_peak:.2f} GB | 1/{p_peak / s_peak:.1f} | {epoch:.3f} s | "
              f"{bound:.3f} s | {epoch / bound:.1f}x | {walls} |")
        diffs = [abs(x - y) for x, y in zip(s_losses, p_losses)]
        print(f"<!-- {model}: largest loss difference over {len(diffs)} epochs "
              f"{max(diffs):.2e} (first: scgrad {s_losses[0]:.6f}, Python {p_losses[0]:.6f}) -->")


if __name__ == "__main__":
    main()

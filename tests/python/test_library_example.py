#!/usr/bin/env python3
"""The library API (examples/library_example.cpp: fit, save, load, predict) gives what the
program gives: the same model file as `scgrad train --classes all --out` (weights, genes and
scaling identical: the program only parses options and prints), and the same labels as
`scgrad predict`. The program runs with --threads 1, the example's thread count (LibTorch's
default here): sums split between threads may round differently.
usage: test_library_example.py LIBRARY_EXAMPLE SCGRAD DATA.h5ad
"""
import collections
import csv
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

import bounded


def arrays(path):
    with h5py.File(path) as f:
        out = {"genes": list(f["genes"][:]), "classes": list(f["classes"][:]),
               "mean": f["scaling/mean"][:], "sd": f["scaling/sd"][:]}
        for name in f["weights"].attrs["order"]:
            out["weights/" + name] = f["weights"][name][:]
        return out


def main():
    example, scgrad, data = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        library_model = os.path.join(tmp, "library.h5")
        p = bounded.run([example, data, data, library_model], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert "held-out accuracy" in p.stdout and "cells labelled" in p.stdout, p.stdout
        counts = {}
        for line in p.stdout.splitlines():
            if line.startswith("  "):
                name, n = line.strip().rsplit(" ", 1)
                counts[name] = int(n)

        cli_model = os.path.join(tmp, "cli.h5")
        q = bounded.run([scgrad, "train", data, "--classes", "all", "--out", cli_model,
                         "--threads", "1"],
                        capture_output=True, text=True)
        assert q.returncode == 0, q.stderr
        a, b = arrays(library_model), arrays(cli_model)
        assert a.keys() == b.keys(), (a.keys(), b.keys())
        for key in a:
            assert np.array_equal(np.asarray(a[key]), np.asarray(b[key])), key

        labels = os.path.join(tmp, "labels.csv")
        r = bounded.run([scgrad, "predict", cli_model, data, "--csv", labels],
                        capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        with open(labels) as f:
            predicted = collections.Counter(row["label"] for row in csv.DictReader(f))
        assert dict(predicted) == counts, (dict(predicted), counts)
        print(f"library example: the same model file as scgrad train ({len(a['genes'])} genes, "
              f"{len(a) - 4} weight arrays) and the same labels as scgrad predict ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

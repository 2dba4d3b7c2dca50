#!/usr/bin/env python3
"""One preprocessing: a model trained with the matrix in memory (dense and sparse) and one
trained streamed from disk (--max-memory 4M) hold bit-identical genes, scaling means and SDs.
usage: test_same_preprocessing.py SCGRAD_BINARY
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

import bounded


def main():
    scgrad = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        sim = os.path.join(tmp, "sim.h5ad")
        bounded.run([scgrad, "simulate", sim, "--cells", "3000", "--genes", "2000"],
                    check=True, capture_output=True)
        stored = {}
        for name, extra in [("dense", ["--compute", "dense"]), ("sparse", ["--compute", "sparse"]),
                            ("streamed", ["--max-memory", "4M"])]:
            model = os.path.join(tmp, name + ".h5")
            p = bounded.run([scgrad, "train", sim, "--classes", "all", "--epochs", "2",
                             "--optimizer", "adam", "--out", model, *extra],
                            capture_output=True, text=True)
            assert p.returncode == 0, p.stderr
            assert ("streamed from disk" in p.stderr) == (name == "streamed"), p.stderr
            with h5py.File(model) as f:
                stored[name] = (list(f["genes"][:]), f["scaling/mean"][:], f["scaling/sd"][:])
        for name in ("sparse", "streamed"):
            genes, mean, sd = stored[name]
            assert genes == stored["dense"][0], name
            assert np.array_equal(mean, stored["dense"][1]), (name, np.abs(mean - stored["dense"][1]).max())
            assert np.array_equal(sd, stored["dense"][2]), (name, np.abs(sd - stored["dense"][2]).max())
        print(f"same preprocessing: {len(stored['dense'][0])} genes, means and SDs bit-identical "
              "in memory (dense, sparse) and streamed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

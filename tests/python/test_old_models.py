#!/usr/bin/env python3
"""Model files written by an earlier scgrad keep giving the same predictions, bit for bit.

tests/fixtures/model-2026-12-{logistic,mlp}.h5 were written by scgrad at the end of issue 30
(before the redesign of issue 31), trained on `scgrad simulate --cells 400 --genes 150 --seed 11
--cell-types A,B,C --marker-fold 2`; the .npy files beside them hold what that scgrad predicted
(obsm scgrad_probabilities, obs scgrad_novelty) for the same simulation's query batch
(`--cells 300 ... --batch-seed 12`). The simulator is deterministic, so the query is made again
here; the probabilities and novelties must be equal to the last bit.

usage: /usr/bin/python3 tests/python/test_old_models.py build/scgrad
"""
import os
import subprocess
import sys
import tempfile

import anndata
import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
QUERY = ["--cells", "300", "--genes", "150", "--seed", "11", "--cell-types", "A,B,C",
         "--marker-fold", "2", "--batch-seed", "12"]


def main():
    scgrad = sys.argv[1]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        query = os.path.join(tmp, "query.h5ad")
        subprocess.run([scgrad, "simulate", query, *QUERY], check=True, stdout=subprocess.DEVNULL,
                       timeout=60)
        for model in ("logistic", "mlp"):
            stem = os.path.join(FIXTURES, f"model-2026-12-{model}")
            out = os.path.join(tmp, f"{model}.h5ad")
            subprocess.run([scgrad, "predict", stem + ".h5", query, "--out", out, "--threads", "1"],
                           check=True, capture_output=True, timeout=60)
            a = anndata.read_h5ad(out)
            for name, got in (("probabilities", a.obsm["scgrad_probabilities"]),
                              ("novelty", a.obs["scgrad_novelty"].to_numpy())):
                expected = np.load(f"{stem}.{name}.npy")
                if got.dtype != expected.dtype or not np.array_equal(got, expected):
                    problems.append(f"{model}: {name} differ from the old scgrad's (largest "
                                    f"difference {np.abs(got - expected).max():.3g})")
            print(f"{model}: {a.n_obs} cells, probabilities and novelty as the old model file's")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

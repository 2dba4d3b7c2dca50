#!/usr/bin/env python3
"""scgrad train vs the exercise's PyTorch pipeline: every epoch's loss within 1e-6 relative
(float32 rounding; README.md and docs/exercise.md quote this bound).

usage: test_parity.py SCGRAD_BINARY FILE CLASSES MODEL COMPUTE
COMPUTE is dense (the exercise's dense X) or sparse (CSR, scaling folded into the first layer).
FILE may be "simulate" (a file is simulated with scgrad) or a path (the repository's data/).
"""
import json
import os
import subprocess
import sys
import tempfile

import bounded

TOLERANCE = 1e-6


def main():
    scgrad, path, classes, model, compute = sys.argv[1:6]
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        if path == "simulate":
            path = os.path.join(tmp, "sim.h5ad")
            bounded.run([scgrad, "simulate", path, "--cells", "1200", "--genes", "1500",
                         "--seed", "3"], check=True, stdout=subprocess.DEVNULL)
        metrics = os.path.join(tmp, "metrics.json")
        # the exercise's run: no split, full batch, lr 1e-4, 10 epochs
        bounded.run([scgrad, "train", path, "--classes", classes, "--model", model,
                     "--test-fraction", "0", "--batch-size", "0", "--lr", "1e-4",
                     "--epochs", "10", "--weight-decay", "0", "--compute", compute,
                     "--metrics-out", metrics],
                    check=True, stdout=subprocess.DEVNULL)
        ours = json.load(open(metrics))
        ref = json.loads(bounded.run(
            [sys.executable, os.path.join(here, "reference_pipeline.py"), path,
             "--classes", classes, "--model", model],
            check=True, capture_output=True, text=True).stdout)

    assert ours["cells"] == ref["cells"], (ours["cells"], ref["cells"])
    assert ours["genes"] == ref["genes"], (ours["genes"], ref["genes"])
    worst = 0.0
    for e, ref_loss in zip(ours["epochs"], ref["losses"]):
        rel = abs(e["train_loss"] - ref_loss) / abs(ref_loss)
        worst = max(worst, rel)
        print(f"epoch {e['epoch']:2d}  scgrad {e['train_loss']:.7f}  pytorch {ref_loss:.7f}  rel {rel:.2e}")
    assert len(ours["epochs"]) == len(ref["losses"]) == 10
    final_rel = abs(ours["final"]["train_loss"] - ref["final"]["train_loss"]) / ref["final"]["train_loss"]
    print(f"final  scgrad {ours['final']['train_loss']:.7f}  pytorch {ref['final']['train_loss']:.7f}  rel {final_rel:.2e}")
    print(f"largest relative difference over epochs: {worst:.2e} (limit {TOLERANCE})")
    assert worst <= TOLERANCE and final_rel <= TOLERANCE
    for e, ref_acc in zip(ours["epochs"], ref["accuracies"]):
        assert abs(e["train_accuracy"] - ref_acc) <= 1.0 / ours["cells"] + 1e-12
    return 0


if __name__ == "__main__":
    sys.exit(main())

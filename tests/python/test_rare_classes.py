#!/usr/bin/env python3
"""Rare cell types survive the defaults, and the output says when one does not.

A simulated 1:200 file (three types at 66.5 / 33 / 0.5 %: ~30 cells of the rare type among
6,000) is trained with `scgrad train --classes all` and its defaults: the rare type must be
predicted on the held-out cells, and the metrics must carry macro-F1, balanced accuracy, the
selection (validation cells, chosen weight decay and epoch) and the refit. With no class weights
and a strong fixed weight decay the rare type is lost, and a warning names it.
usage: test_rare_classes.py SCGRAD_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py

import bounded


def run(scgrad, *args, ok=True):
    p = bounded.run([scgrad, *args], capture_output=True, text=True)
    assert (p.returncode == 0) == ok, (args, p.returncode, p.stderr[-3000:])
    return p


def main():
    scgrad = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        sim = os.path.join(tmp, "rare.h5ad")
        out = run(scgrad, "simulate", sim, "--cells", "6000", "--genes", "1000", "--seed", "4",
                  "--cell-types", "A,B,C", "--proportions", "0.665,0.33,0.005",
                  "--marker-fold", "3", "--markers-per-type", "10").stdout
        rare = int(out.split("C")[-1].split()[0])
        print(f"rare type: {rare} of 6000 cells")
        assert 15 <= rare <= 45, out

        metrics, model = os.path.join(tmp, "m.json"), os.path.join(tmp, "model.h5")
        p = run(scgrad, "train", sim, "--classes", "all", "--metrics-out", metrics, "--out", model)
        m = json.load(open(metrics))
        per_class = {c["class"]: c for c in m["evaluation"]["per_class"]}
        print(f"defaults: accuracy {m['final']['test_accuracy']:.4f}, macro-F1 "
              f"{m['final']['test_macro_f1']:.4f}, rare recall {per_class['C']['recall']:.3f} "
              f"of {per_class['C']['support']} held-out cells; weight decay "
              f"{m['selection']['weight_decay']:.3g}, epoch {m['selection']['best_epoch']}")
        assert per_class["C"]["support"] >= 5
        assert per_class["C"]["predicted"] > 0 and per_class["C"]["recall"] > 0, per_class["C"]
        assert m["evaluation"]["never_predicted"] == [], m["evaluation"]
        assert "never predicts" not in p.stderr, p.stderr
        # The metrics say what they describe.
        for key in ("test_macro_f1", "test_balanced_accuracy", "epoch"):
            assert key in m["final"], m["final"]
        assert {"f1", "precision", "recall", "support"} <= set(per_class["C"])
        sel = m["selection"]
        # Every weighting along the penalty path, unweighted first, strongest penalty first,
        # each run to convergence; the best validation accuracy + macro-F1 wins, and class
        # weights may not cost either against the best unweighted model. Here they rescue the
        # rare type: balanced or square-root weights win.
        # Last, where the weakest unweighted optimum fits every training cell (separable), one
        # early-stopped run of the weakest penalty, unweighted.
        weights = [c["class_weight"] for c in sel["candidates"]]
        separable = sel["candidates"][2]["train_accuracy"] == 1
        assert weights == ["none"] * 3 + ["sqrt"] * 3 + ["balanced"] * 3 + ["none"] * separable, (
            weights, sel["candidates"][2])
        assert all(c["converged"] for c in sel["candidates"][:9]), sel["candidates"]
        assert all(not c["converged"] for c in sel["candidates"][9:]), sel["candidates"]
        assert sel["chosen_by"] == "validation accuracy + macro-F1", sel
        # (max keeps the first of equals: the candidate trained first)
        score = lambda c: (c["validation_accuracy"] + c["validation_macro_f1"], c["weight_decay"])
        plain = max(sel["candidates"][:3], key=score)
        eligible = [c for c in sel["candidates"] if c["class_weight"] == "none"
                    or (c["validation_accuracy"] >= plain["validation_accuracy"]
                        and c["validation_macro_f1"] >= plain["validation_macro_f1"])]
        best = max(eligible, key=score)
        assert (sel["weight_decay"], sel["class_weight"]) == (
            best["weight_decay"], best["class_weight"]), (sel, best)
        assert sel["class_weight"] in ("balanced", "sqrt") and len(sel["class_weights"]) == 3, sel
        # (n / (K n_c))^p: the rare type's weight over the largest one's is (n_A / n_C)^p
        assert sel["class_weights"][2] > 7 * sel["class_weights"][0], sel
        assert sel["class_weight_chosen"] and sel["validation_cells"] > 0, sel
        assert sel["best_epoch"] <= sel["epochs_trained"] == len(m["epochs"]), sel
        assert all("validation_loss" in e for e in m["epochs"])
        # The logistic model is fitted by L-BFGS, and the held-out cells measure it trained
        # again on all training cells with the chosen settings, to convergence.
        assert sel["optimizer"] == "lbfgs" and sel["retrained_on_training_cells"], sel
        assert m["final"]["retrained"]["cells"] == m["train_cells"], m["final"]
        assert 1 <= m["final"]["retrained"]["epochs"] < sel["max_epochs"], m["final"]
        # The saved model is the refit on every cell, with the chosen settings, to convergence,
        # the weight decay scaled to keep scikit-learn's C = 1 / (weight decay x cells).
        assert m["refit"]["cells"] == m["cells"] == 6000, m["refit"]
        assert 1 <= m["refit"]["epochs"] < sel["max_epochs"], m["refit"]
        fit_cells = m["train_cells"] - sel["validation_cells"]
        scaled = sel["weight_decay"] * fit_cells / 6000
        assert abs(m["refit"]["weight_decay"] - scaled) < 1e-12, (m["refit"], scaled)
        with h5py.File(model) as f:
            t = f["training"].attrs
            assert t["refit"] == 1 and t["epochs"] == m["refit"]["epochs"], dict(t)
            assert t["selected_epoch"] == sel["best_epoch"], dict(t)
            assert abs(t["weight_decay"] - scaled) < 1e-12, dict(t)
            assert t["saved_model_cells"] == 6000, dict(t)
            assert t["class_weight"] == sel["class_weight"], dict(t)
            assert t["optimizer"] == "lbfgs", dict(t)
        assert "refit on all 6000 labelled cells" in p.stderr, p.stderr

        # Without class weights and with a strong fixed L2 penalty the rare type is dropped,
        # and the output says so.
        p = run(scgrad, "train", sim, "--classes", "all", "--class-weight", "none",
                "--weight-decay", "0.1", "--metrics-out", metrics)
        m = json.load(open(metrics))
        print(f"--class-weight none --weight-decay 0.1: never predicted "
              f"{m['evaluation']['never_predicted']}")
        assert m["evaluation"]["never_predicted"] == ["C"], m["evaluation"]
        assert "warning: the model never predicts 'C'" in p.stderr, p.stderr
        assert len(m["selection"]["candidates"]) == 1  # a given weight decay is not searched

        # The exercise's loop (--batch-size 0) has none of it unless asked for.
        run(scgrad, "train", sim, "--classes", "A,B", "--batch-size", "0", "--epochs", "3",
            "--test-fraction", "0", "--metrics-out", metrics, "--out", model)
        m = json.load(open(metrics))
        sel = m["selection"]
        assert sel["validation_cells"] == 0 and sel["class_weight"] == "none", sel
        assert sel["weight_decay"] == 0 and sel["patience"] == 0 and "refit" not in m, sel
        assert len(m["epochs"]) == 3
        # Classes too small to give validation cells (3 cells: 2 A, 1 B): nothing is
        # selected, and the output must not claim otherwise (it once printed held-out figures
        # under the validation columns).
        tiny = os.path.join(tmp, "tiny.h5ad")
        run(scgrad, "simulate", tiny, "--cells", "3", "--genes", "50", "--seed", "7",
            "--cell-types", "A,B,C", "--markers-per-type", "5")
        p = run(scgrad, "train", tiny, "--classes", "all", "--min-counts", "0", "--epochs", "4",
                "--metrics-out", metrics)
        m = json.load(open(metrics))
        assert m["selection"]["validation_cells"] == 0 and m["test_cells"] == 1, m["selection"]
        assert "validation_loss" not in m["epochs"][0] and 1 <= len(m["epochs"]) <= 4, m["epochs"]
        assert "valid_loss" not in p.stdout and "selected:" not in p.stdout, p.stdout
        assert "test_loss" in p.stdout, p.stdout
        assert "no class has enough training cells for validation" in p.stderr, p.stderr
    print("rare classes: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

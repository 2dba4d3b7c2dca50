#!/usr/bin/env python3
"""Interrupted runs never leave a broken output: scgrad is killed while it writes, and the
destination must then be the old file, byte for byte, or the complete new one.

For `simulate` (a file written row by row) and `predict` (a copy of the input plus labels), each
run is stopped at several points of its duration with SIGKILL (nothing can clean up: a
".NAME.tmp-PID" file may stay beside the destination) and with SIGTERM (scgrad removes its
temporary files before dying). The predict input is checked to be unchanged.

usage: test_interrupted_writes.py SCGRAD
"""
import glob
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import anndata

import bounded

CELLS, GENES = 20000, 2000


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def run(*args):
    p = bounded.run([SCGRAD, *args], capture_output=True, text=True)
    assert p.returncode == 0, f"{args}: {p.stderr}"


def timed(command):
    start = time.monotonic()
    bounded.run(command, check=True, capture_output=True)
    return time.monotonic() - start


def interrupt(command, dest, check_new, duration, label):
    """Runs `command` over `dest` and kills it at several fractions of `duration`. Returns how
    many SIGKILLs landed while the output was being written (its temporary file was left)."""
    pristine = dest + ".before"
    shutil.copyfile(dest, pristine)
    old = digest(dest)
    mid_write = 0
    pattern = os.path.join(os.path.dirname(dest), "." + os.path.basename(dest) + ".tmp-*")
    for sig in (signal.SIGKILL, signal.SIGTERM):
        # at fixed points of a run, and just after the temporary output appears (mid-write)
        for when in (0.3, 0.7, "writing", "writing+50ms"):
            p = bounded.start(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if isinstance(when, float):
                time.sleep(duration * when)
            else:
                while p.poll() is None and not glob.glob(pattern):
                    time.sleep(0.002)
                if when.endswith("50ms"):
                    time.sleep(0.05)
            p.send_signal(sig)
            status = bounded.wait(p)
            temporaries = glob.glob(pattern)
            point = f"{when:.0%} of a run" if isinstance(when, float) else when
            where = f"{label}: {sig.name} at {point} (exit {status})"
            if status == 0:  # finished before the signal: the new file, whole
                check_new(dest)
                assert not temporaries, f"{where}: left {temporaries}"
                print(f"{where}: finished first; the new file is whole")
            else:
                assert status == -sig, f"{where}: unexpected exit status"
                if sig == signal.SIGTERM:
                    assert not temporaries, f"{where}: SIGTERM left {temporaries}"
                mid_write += bool(temporaries)
                if digest(dest) != old:  # killed after the rename: must be the whole new file
                    check_new(dest)
                    print(f"{where}: killed after the output was in place; it is whole")
                else:
                    print(f"{where}: old file intact" +
                          ("; killed while writing" if temporaries else ""))
                for t in temporaries:
                    os.remove(t)
            shutil.copyfile(pristine, dest)  # the old file again for the next round
    return mid_write


def main():
    with tempfile.TemporaryDirectory() as tmp:
        # --- simulate, writing over an earlier (small) simulated file ---
        dest = os.path.join(tmp, "sim.h5ad")
        run("simulate", dest, "--cells", "50", "--genes", "100", "--seed", "9")
        command = [SCGRAD, "simulate", dest, "--cells", str(CELLS), "--genes", str(GENES),
                   "--seed", "1", "--cell-types", "Astrocytes,Glioblasts"]
        big = os.path.join(tmp, "big.h5ad")
        duration = timed([SCGRAD, "simulate", big, *command[3:]])

        def whole_simulation(path):
            assert anndata.read_h5ad(path, backed="r").shape == (CELLS, GENES)

        n_sim = interrupt(command, dest, whole_simulation, duration, "simulate")

        # --- predict, writing over an earlier prediction ---
        model = os.path.join(tmp, "model.h5")
        run("train", big, "--classes", "Astrocytes,Glioblasts", "--epochs", "1", "--out", model)
        input_digest = digest(big)
        dest = os.path.join(tmp, "pred.h5ad")
        small = os.path.join(tmp, "small.h5ad")
        run("simulate", small, "--cells", "50", "--genes", str(GENES), "--seed", "1",
            "--cell-types", "Astrocytes,Glioblasts")
        run("predict", model, small, "--out", dest)
        command = [SCGRAD, "predict", model, big, "--out", dest]
        duration = timed([SCGRAD, "predict", model, big, "--out", os.path.join(tmp, "p2.h5ad")])

        def whole_prediction(path):
            a = anndata.read_h5ad(path)
            assert a.shape == (CELLS, GENES) and a.obs["scgrad_label"].notna().all()

        n_pred = interrupt(command, dest, whole_prediction, duration, "predict")
        assert digest(big) == input_digest, "predict changed its input file"

        print(f"interrupted writes: {n_sim} SIGKILLs of simulate and {n_pred} of predict landed "
              "while the output was being written; every destination was the old file or the "
              "whole new one; SIGTERM left no temporary file; the input was never changed")
        assert n_sim >= 2 and n_pred >= 2, "the kills did not land while writing"
    return 0


if __name__ == "__main__":
    SCGRAD = sys.argv[1]
    sys.exit(main())

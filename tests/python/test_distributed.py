#!/usr/bin/python3
"""Data-parallel training (c10d + Gloo) on loopback: 2 and 3 local ranks against 1 process on
a simulated file — per-epoch losses within 1e-5 relative (Adam; L-BFGS, whose line search
amplifies float32 rounding, within 5e-4), held-out
metrics equal, model files equal up to float rounding — and the faults: a rank killed
mid-epoch, a different file on rank 1, a wrong port, a RANK given twice (0 or another): every
rank ends within the timeout (a duplicate RANK within seconds) with one clear line, exit status
1, and no output file; an unresolvable MASTER_ADDR is refused at once. `scgrad launch`: SIGTERM,
SIGINT or SIGHUP to it leaves no rank alive; --nproc 1000 is refused; a command without `--`
gets a hint.

usage: test_distributed.py SCGRAD_BINARY
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

import bounded


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, expect=0, env=None):
    p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True, env=env)
    if p.returncode != expect:
        sys.exit(f"scgrad {' '.join(map(str, args))}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def rank_env(rank, port, world=2):
    env = dict(os.environ, WORLD_SIZE=str(world), RANK=str(rank), LOCAL_RANK=str(rank),
               MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    return env


def start_rank(rank, port, *args):
    return bounded.start([SCGRAD, *map(str, args)], env=rank_env(rank, port),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def alive(pids):
    """The pids still running (zombies count as gone)."""
    out = []
    for pid in pids:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(pid)
    return out


def children_of(pid):
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def launcher_problems(path):
    """`scgrad launch` owns its ranks: a signal to it reaches every rank and it waits for them;
    too many ranks are refused; a command given without `--` gets a hint."""
    problems = []
    long_run = ["train", path("cells.h5ad"), "--classes", "all", "--model", "mlp", "--epochs",
                300, "--patience", 0, "--batch-size", 16]
    for signal_number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        launcher = bounded.start([SCGRAD, "launch", "--nproc", "2", "--master-port",
                                  str(free_port()), "--", *map(str, long_run)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        ranks = []
        while len(ranks) < 2 and time.monotonic() - started < 30:
            ranks = children_of(launcher.pid)
            time.sleep(0.1)
        time.sleep(2)  # the ranks have joined and train
        launcher.send_signal(signal_number)
        status = bounded.wait(launcher, timeout=30)
        seconds = time.monotonic() - started
        left = alive(ranks)
        name = signal.Signals(signal_number).name
        if len(ranks) != 2 or left or status != 128 + signal_number:
            problems.append(f"launch and {name}: exit {status}, ranks {ranks}, still alive "
                            f"{left}: {launcher.stderr.read()[-300:]!r}")
        print(f"launch and {name}: exit {status}, no rank alive ({seconds:.1f} s in all)")
    for args, fragment in [
        (["launch", "--nproc", 1000, "--", "train", path("cells.h5ad"), "--classes", "all"],
         "more than 4 ranks per core"),
        (["launch", "--nproc", 2, "train", path("cells.h5ad"), "--classes", "all", "--out",
          path("never.h5")], "put the command to run after --"),
    ]:
        p = bounded.run([SCGRAD, *map(str, args)], capture_output=True, text=True, timeout=60)
        if p.returncode == 0 or fragment not in p.stderr:
            problems.append(f"launch {args[1:3]}: exit {p.returncode}: {p.stderr[-300:]!r}")
        print(f"launch {' '.join(map(str, args[1:3]))}...: refused ({fragment})")
    return problems


def largest_relative_difference(one, two):
    worst = 0.0
    for a, b in zip(one["epochs"], two["epochs"]):
        for key, value in a.items():
            if key != "seconds":
                worst = max(worst, abs(value - b[key]) / max(abs(value), 1e-30))
    return worst


def model_difference(path_one, path_two):
    """The largest difference between the two model files' float arrays; their shapes equal."""
    worst = 0.0
    with h5py.File(path_one) as one, h5py.File(path_two) as two:
        def visit(name, item):
            nonlocal worst
            if isinstance(item, h5py.Dataset) and item.dtype.kind == "f":
                assert two[name].shape == item.shape, name
                worst = max(worst, float(np.max(np.abs(item[()] - two[name][()]), initial=0)))
        one.visititems(visit)
    return worst


def main():
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)
        run("simulate", path("cells.h5ad"), "--cells", 1500, "--genes", 300, "--seed", 5,
            "--cell-types", "A,B,C,Rare", "--proportions", "0.45,0.35,0.15,0.05")
        run("simulate", path("other.h5ad"), "--cells", 1500, "--genes", 300, "--seed", 6,
            "--cell-types", "A,B,C,Rare", "--proportions", "0.45,0.35,0.15,0.05")

        # Same answer as one process, on 2 and 3 ranks.
        for name, options, tolerance, sizes in [
                ("mlp, Adam, batches of 64", ["--model", "mlp", "--epochs", 4, "--batch-size", 64],
                 1e-5, (2, 3)),
                ("mlp, streamed from disk (--max-memory 200K: preparation passes, chunks and "
                 "evaluations divided among the ranks), batches of 64",
                 ["--model", "mlp", "--epochs", 3, "--batch-size", 64, "--max-memory", "200K",
                  "--compute", "sparse"], 1e-5, (2, 3)),
                ("mlp, streamed from disk (--max-memory 200K), full batch",
                 ["--model", "mlp", "--epochs", 3, "--batch-size", 0, "--max-memory", "200K",
                  "--weight-decay", 0, "--compute", "sparse"], 1e-5, (2,)),
                ("logistic, the defaults (L-BFGS)", [], 5e-4, (2,))]:
            common = ["train", path("cells.h5ad"), "--classes", "all", "--threads", 1, *options]
            run(*common, "--out", path("one.h5"), "--metrics-out", path("one.json"))
            one = json.load(open(path("one.json")))
            for size in sizes:
                launched = run("launch", "--nproc", size, "--master-port", free_port(), "--",
                               *common, "--out", path("many.h5"), "--metrics-out",
                               path("many.json"))
                many = json.load(open(path("many.json")))
                worst = largest_relative_difference(one, many)
                weights = model_difference(path("one.h5"), path("many.h5"))
                label = f"{name}, {size} ranks"
                print(f"{label}: {len(many['epochs'])} epochs, largest relative difference of "
                      f"the per-epoch figures {worst:.2g}, of the model files' values "
                      f"{weights:.2g}")
                if f"trained data-parallel on {size} ranks" not in launched.stderr:
                    problems.append(f"{label}: the run does not say it trained on {size} ranks")
                if len(one["epochs"]) != len(many["epochs"]) or worst > tolerance:
                    problems.append(f"{label}: per-epoch figures differ by {worst:.3g} > "
                                    f"{tolerance}")
                # Counts and the metrics from them are equal; the calibration error sums float
                # probabilities, which differ in their last bits.
                left, right = dict(one["evaluation"]), dict(many["evaluation"])
                ece_one, ece_many = left.pop("ece"), right.pop("ece")
                left.pop("ece_uncalibrated"), right.pop("ece_uncalibrated")
                if left != right or abs(ece_one - ece_many) > 1e-4:
                    problems.append(f"{label}: held-out metrics differ")
                if weights > 1e-4:
                    problems.append(f"{label}: model files differ by {weights:.3g}")

        # Faults: each case ends on every rank within the timeout, exit 1, one clear line,
        # no output file.
        def fault(name, ranks, expected, timeout, kill_rank_one_after_epoch=False):
            started = time.monotonic()
            if kill_rank_one_after_epoch:
                # Rank 0 prints; once its first epoch is done, rank 1 is killed.
                while "\n    1 " not in open(path("rank0.log")).read():
                    if time.monotonic() - started > 60:
                        break
                    time.sleep(0.1)
                ranks[1].kill()
            for r in ranks:
                bounded.wait(r, timeout=2 * timeout + 30)
            seconds = time.monotonic() - started
            for rank, r in enumerate(ranks):
                stderr = r.stderr.read() if r.stderr else open(path("rank0.log")).read()
                if kill_rank_one_after_epoch and rank == 1:
                    continue
                lines = [l for l in stderr.splitlines() if l.startswith("scgrad: error:")]
                if r.returncode != 1 or len(lines) != 1 or expected not in lines[0]:
                    problems.append(f"{name}: rank {rank} exit {r.returncode}, {stderr[-400:]!r}")
            if seconds > 2 * timeout + 10:
                problems.append(f"{name}: took {seconds:.0f} s (timeout {timeout} s)")
            for out in ("f0.h5", "f1.h5"):
                if os.path.exists(path(out)):
                    problems.append(f"{name}: {out} was written")
            print(f"{name}: every rank stopped after {seconds:.1f} s")

        train = lambda file, rank, timeout, *extra: [
            "train", path(file), "--classes", "all", "--threads", 1, "--dist-timeout", timeout,
            "--out", path(f"f{rank}.h5"), *extra]
        port = free_port()
        fault("a different file on rank 1",
              [start_rank(0, port, *train("cells.h5ad", 0, 20)),
               start_rank(1, port, *train("other.h5ad", 1, 20))],
              "rank(s) 1 differ from rank 0's", 20)
        port = free_port()
        streamed = ["--max-memory", "200K"]  # the ranks merge their preparation passes
        fault("a different file on rank 1, streamed",
              [start_rank(0, port, *train("cells.h5ad", 0, 20, *streamed)),
               start_rank(1, port, *train("other.h5ad", 1, 20, *streamed))],
              "rank(s) 1 differ from rank 0's", 20)
        fault("rank 1 at a wrong port",
              [start_rank(0, free_port(), *train("cells.h5ad", 0, 5)),
               start_rank(1, free_port(), *train("cells.h5ad", 1, 5))],
              "could not join the run", 5)
        port = free_port()
        long_run = ["--model", "mlp", "--epochs", 300, "--patience", 0, "--batch-size", 16]
        with open(path("rank0.log"), "w") as log:
            rank0 = bounded.start([SCGRAD, *map(str, train("cells.h5ad", 0, 20, *long_run))],
                                  env=rank_env(0, port), stdout=log, stderr=log, text=True)
        rank0.stderr = None
        rank1 = start_rank(1, port, *train("cells.h5ad", 1, 20, *long_run))
        fault("rank 1 killed mid-run", [rank0, rank1], "failed", 20,
              kill_rank_one_after_epoch=True)
        port = free_port()
        rank0 = start_rank(0, port, *train("cells.h5ad", 0, 60))
        time.sleep(1)  # rank 0 listens; the second rank 0 finds the port taken
        fault("RANK 0 given twice", [rank0, start_rank(0, port, *train("cells.h5ad", 1, 60))],
              "RANK 0 is given to two processes", 4)
        port = free_port()
        world3 = lambda rank: dict(rank_env(rank, port, world=3))
        three = [bounded.start([SCGRAD, *map(str, train("cells.h5ad", 0, 60))], env=world3(0),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
        for twin in (1, 2):
            three.append(bounded.start([SCGRAD, *map(str, train("cells.h5ad", twin, 60))],
                                       env=world3(1), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True))
        fault("RANK 1 given twice", three, "RANK 1 is given to two processes", 4)
        started = time.monotonic()
        p = bounded.run([SCGRAD, *map(str, train("cells.h5ad", 1, 300))], capture_output=True,
                        text=True, env=dict(rank_env(1, free_port()),
                                            MASTER_ADDR="no-such-host.invalid"))
        seconds = time.monotonic() - started
        if p.returncode != 1 or "'no-such-host.invalid' cannot be resolved" not in p.stderr \
                or seconds > 30:
            problems.append(f"unresolvable MASTER_ADDR: exit {p.returncode} after {seconds:.0f} "
                            f"s: {p.stderr[-300:]!r}")
        print(f"unresolvable MASTER_ADDR: refused after {seconds:.1f} s")
        problems.extend(launcher_problems(path))
    if problems:
        sys.exit("\n".join(problems))
    print("distributed: ok")


if __name__ == "__main__":
    SCGRAD = sys.argv[1]
    main()

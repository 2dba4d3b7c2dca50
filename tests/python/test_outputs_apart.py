#!/usr/bin/env python3
"""No output option of any command can replace a file the same run reads.

For every command and every output option (train --out/--metrics-out/--plot, predict --out/--csv,
exercise --json), pointed at each of the run's inputs by the same name, through a symbolic link
and through a hard link: exit status 1 before any work (nothing on stdout), a message naming
both, and the input byte-for-byte unchanged. Two outputs naming one file, and a directory given
as an output, are refused too.
usage: test_outputs_apart.py SCGRAD_BINARY
"""
import hashlib
import os
import subprocess
import sys
import tempfile

import bounded


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    scgrad = sys.argv[1]
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data.h5ad")
        model = os.path.join(tmp, "model.h5")
        bounded.run([scgrad, "simulate", data, "--cells", "120", "--genes", "60"], check=True,
                    capture_output=True)
        bounded.run([scgrad, "train", data, "--classes", "all", "--epochs", "1", "--out",
                     model], check=True, capture_output=True)
        os.symlink(data, os.path.join(tmp, "data-link.h5ad"))
        os.link(data, os.path.join(tmp, "data-hard.h5ad"))
        os.symlink(model, os.path.join(tmp, "model-link.h5"))
        os.link(model, os.path.join(tmp, "model-hard.h5"))
        names = {data: ["data.h5ad", "data-link.h5ad", "data-hard.h5ad"],
                 model: ["model.h5", "model-link.h5", "model-hard.h5"]}
        runs = [  # command before the output option, output option, inputs it reads
            (["train", data, "--classes", "all", "--epochs", "1"], "--out", [data]),
            (["train", data, "--classes", "all", "--epochs", "1"], "--metrics-out", [data]),
            (["train", data, "--classes", "all", "--epochs", "1"], "--plot", [data]),
            (["predict", model, data], "--out", [data, model]),
            (["predict", model, data], "--csv", [data, model]),
            (["exercise", data, "--epochs", "1"], "--json", [data]),
        ]
        for command, option, inputs in runs:
            for source in inputs:
                for name in names[source]:
                    before = digest(source)
                    p = bounded.run([scgrad, *command, option, os.path.join(tmp, name)],
                                    capture_output=True, text=True)
                    ok = (p.returncode == 1 and p.stdout == "" and option in p.stderr
                          and "replace the data this run reads" in p.stderr
                          and digest(source) == before)
                    problems += not ok
                    print(f"[{'ok' if ok else 'wrong'}] {command[0]} {option} {name}: "
                          f"{p.stderr.strip()[-160:]}")
        for args, fragment in [
            (["train", data, "--classes", "all", "--out", os.path.join(tmp, "same.json"),
              "--metrics-out", os.path.join(tmp, "same.json")], "is also --out"),
            (["predict", model, data, "--out", tmp], "is a directory"),
        ]:
            p = bounded.run([scgrad, *args], capture_output=True, text=True)
            ok = p.returncode == 1 and fragment in p.stderr and p.stdout == ""
            problems += not ok
            print(f"[{'ok' if ok else 'wrong'}] {fragment}: {p.stderr.strip()[-160:]}")
    print(f"outputs apart: {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Outputs the user owns (issue 28): devices, pipes and links are respected, and a run that fails
for any reason, early or late, leaves every pre-existing output byte-identical.

- `predict --csv /dev/stdout | head -3` exits 0, the pipe carries the CSV alone (the report goes
  to stderr), /dev/stdout stays a link;
- `--csv FIFO` delivers the CSV to the reader and the FIFO stays a FIFO;
- character devices made with mknod (like /dev/null and /dev/full) are written into, never
  replaced; a write that fails on one (ENOSPC) replaces no file;
- a symbolic link given as --out keeps being a link and the file it names is updated;
- sockets and directories are refused before any work; /proc is named as a pseudo-filesystem;
- late failures (gnuplot missing when the plot is drawn, after the model and metrics were
  written; a device that fails at the end) for train, predict, markers, exercise and simulate
  leave every existing output as it was, checked by SHA-256.
usage: test_outputs_owned.py SCGRAD_BINARY
"""
import hashlib
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading

import bounded

problems = []


def check(ok, what, detail=""):
    print(f"[{'ok' if ok else 'wrong'}] {what}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        problems.append(f"{what}: {detail}")


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def make_device(path, minor, fallback):
    """A character device node like /dev/null (minor 3) or /dev/full (7) where a rename could
    replace it; the real one when mknod is not allowed (not root)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        return path
    except PermissionError:
        return fallback


def main():
    scgrad = sys.argv[1]
    run = lambda *args, **kw: bounded.run([scgrad, *map(str, args)], capture_output=True,
                                          text=True, timeout=240, **kw)
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)
        data, model = path("cells.h5ad"), path("model.h5")
        run("simulate", data, "--cells", 300, "--genes", 60, check=True)
        run("train", data, "--classes", "all", "--threads", 1, "--out", model, check=True)
        predict = ["predict", model, data, "--threads", 1]

        # /dev/stdout into a pipe that closes early.
        p = bounded.run(["bash", "-o", "pipefail", "-c",
                         f"'{scgrad}' predict '{model}' '{data}' --threads 1 --csv /dev/stdout "
                         "| head -3"], capture_output=True, text=True, timeout=240)
        lines = p.stdout.splitlines()
        check(p.returncode == 0 and len(lines) == 3 and lines[0].startswith("cell,label,")
              and os.path.islink("/dev/stdout"),
              "--csv /dev/stdout | head -3: exit 0, the CSV alone, /dev/stdout still a link",
              f"exit {p.returncode}, {lines!r}, {p.stderr[-300:]!r}")

        # A FIFO with a reader.
        fifo = path("labels.fifo")
        os.mkfifo(fifo)
        received = {}
        reader = threading.Thread(target=lambda: received.update(text=open(fifo).read()))
        reader.start()
        p = run(*predict, "--csv", fifo)
        reader.join(timeout=240)
        check(p.returncode == 0 and received.get("text", "").count("\n") == 301
              and stat.S_ISFIFO(os.stat(fifo).st_mode),
              "--csv FIFO: the reader gets 300 cells and the header; the FIFO stays",
              f"exit {p.returncode}, {len(received.get('text', ''))} bytes, {p.stderr[-300:]!r}")

        # Device nodes, and a write that fails on one.
        null = make_device(path("null"), 3, "/dev/null")
        full = make_device(path("full"), 7, "/dev/full")
        p = run(*predict, "--out", null)
        check(p.returncode == 0 and stat.S_ISCHR(os.stat(null).st_mode),
              f"--out {os.path.basename(null)} (a device): written into, still a device",
              f"exit {p.returncode}: {p.stderr[-300:]!r}")
        keep, keep_json = path("keep.h5ad"), path("keep.json")
        open(keep, "w").write("an earlier result")
        open(keep_json, "w").write("{}")
        before = {f: digest(f) for f in (keep, keep_json)}
        unchanged = lambda: all(digest(f) == d for f, d in before.items())
        p = run(*predict, "--out", keep, "--metrics-out", keep_json, "--csv", full)
        check(p.returncode == 1 and "no space left on device" in p.stderr and unchanged()
              and stat.S_ISCHR(os.stat(full).st_mode),
              "--csv on a device that fails (ENOSPC): exit 1, no file replaced, still a device",
              f"exit {p.returncode}: {p.stderr[-300:]!r}")

        # A symbolic link as --out.
        target = path("results-model.h5")
        open(target, "w").write("old")
        os.symlink("results-model.h5", path("latest.h5"))
        p = run("train", data, "--classes", "all", "--threads", 1, "--out", path("latest.h5"))
        check(p.returncode == 0 and os.path.islink(path("latest.h5"))
              and open(target, "rb").read(4) == b"\x89HDF",
              "train --out LINK: the link kept, the file it names is the new model",
              f"exit {p.returncode}: {p.stderr[-300:]!r}")

        # Refused before any work.
        sock_path = path("socket")
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(sock_path)
        for option, target_path, fragment in [
            ("--csv", sock_path, "is a socket"),
            ("--annotations-only", tmp, "is a directory"),
            ("--metrics-out", "/proc/version", "pseudo-filesystem"),
            ("--plot", path("labels.txt"), "must end in .png or .svg"),
        ]:
            p = run(*predict, "--out", keep, option, target_path)
            check(p.returncode == 1 and fragment in p.stderr and option in p.stderr
                  and unchanged() and p.stdout == "",
                  f"predict {option} {os.path.basename(target_path)}: refused before any work",
                  f"exit {p.returncode}: {p.stderr[-300:]!r}")
        listener.close()

        # Late failures: gnuplot is missing when the pictures are drawn, after the other
        # outputs were written.
        no_gnuplot = dict(os.environ, PATH="/nonexistent")
        model_copy = path("keep-model.h5")
        open(model_copy, "wb").write(open(model, "rb").read())
        before[model_copy] = digest(model_copy)
        p = run("train", data, "--classes", "all", "--threads", 1, "--out", model_copy,
                "--metrics-out", keep_json, "--plot", path("curves.png"), env=no_gnuplot)
        check(p.returncode == 1 and "gnuplot failed" in p.stderr and unchanged()
              and not os.path.exists(path("curves.png")),
              "train failing at its plot: the model and metrics files unchanged",
              f"exit {p.returncode}: {p.stderr[-300:]!r}")
        p = run(*predict, "--out", keep, "--metrics-out", keep_json, "--csv", path("new.csv"),
                "--plot", path("labels.png"), env=no_gnuplot)
        check(p.returncode == 1 and "gnuplot failed" in p.stderr and unchanged()
              and not os.path.exists(path("new.csv")),
              "predict failing at its plot: no output replaced or created",
              f"exit {p.returncode}: {p.stderr[-300:]!r}")
        for args in (["markers", model, "--csv", full],
                     ["exercise", data, "--epochs", 1, "--json", full],
                     ["simulate", full, "--cells", 50, "--genes", 60]):
            p = run(*args)
            check(p.returncode == 1 and "no space left on device" in p.stderr
                  and stat.S_ISCHR(os.stat(full).st_mode),
                  f"{args[0]} into a failing device: exit 1, the device kept",
                  f"exit {p.returncode}: {p.stderr[-300:]!r}")
        leftovers = [n for n in os.listdir(tmp) if ".tmp-" in n]
        check(not leftovers, "no staging file left behind", repr(leftovers))
    print(f"outputs owned: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""`pip install` of the checkout (pyproject.toml + setup.py) into a fresh prefix gives a scgrad
package that imports and trains with nothing of the build tree on the path.

usage: /usr/bin/python3 tests/python/test_pip_install.py SOURCE_DIR BUILD_DIR
(BUILD_DIR: the configured tree pip builds the module in; already built, nothing compiles.)
"""
import os
import subprocess
import sys
import tempfile

TRAIN = """
import anndata, scgrad, sys
assert scgrad.__file__.startswith(sys.argv[1]), scgrad.__file__
a = anndata.read_h5ad(sys.argv[2])
m = scgrad.train(a, label_key="author_cell_type", classes="all", epochs=2, threads=1)
print(len(m.classes), "classes", len(m.genes), "genes from", scgrad.__file__)
"""


def main():
    source, build = sys.argv[1], sys.argv[2]
    glia = os.path.join(source, "data", "darmanis2015_glia_subset.h5ad")
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "prefix")
        env = {**os.environ, "SCGRAD_BUILD_DIR": build}
        p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                            "--no-deps", "--no-cache-dir", "--target", prefix, source],
                           capture_output=True, text=True, env=env, timeout=900)
        if p.returncode != 0:
            sys.exit(f"pip install failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        # Only the installed package on the path: not build/python, not the source tree.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = prefix
        p = subprocess.run([sys.executable, "-c", TRAIN, prefix, glia], capture_output=True,
                           text=True, env=env, cwd=tmp, timeout=300)
        if p.returncode != 0:
            sys.exit(f"the installed package did not train:\n{p.stderr[-2000:]}")
        print(p.stdout.strip())
    print("pip install: the installed scgrad imports and trains")


if __name__ == "__main__":
    main()

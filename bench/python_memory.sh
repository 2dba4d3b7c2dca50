#!/usr/bin/env bash
# Peak memory of scgrad.train on an in-memory AnnData against the program on the same file:
# the 20,000 x 20,000 benchmark file (bench/atlas_file.sh), the same options. The issue's bound:
# the Python process's peak <= the AnnData's own size (RSS after anndata.read_h5ad, less the
# interpreter's before) + the program's peak. ~2 minutes; not run in CI.
#   usage: bench/python_memory.sh [SCGRAD] [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
model=${2:-logistic}
file=$(bench/atlas_file.sh "$scgrad")
options=(--classes Astrocytes,Glioblasts --model "$model" --epochs 3 --threads 2)
program_kb=$(/usr/bin/time -f "%M" "$scgrad" train "$file" "${options[@]}" 2>&1 >/dev/null | tail -1)
PYTHONPATH=build/python /usr/bin/python3 - "$file" "$model" "$program_kb" <<'PY'
import resource, sys
def rss_kb():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
import anndata, torch, scgrad  # noqa: F401
before = rss_kb()
adata = anndata.read_h5ad(sys.argv[1])
after = rss_kb()
print("| model | interpreter (MB) | AnnData (MB) | program peak (MB) | Python peak (MB) "
      "| Python peak - interpreter | AnnData + program |")
print("|---|---|---|---|---|---|---|")
scgrad.train(adata, classes="Astrocytes,Glioblasts", model=sys.argv[2], epochs=3, threads=2)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
program = int(sys.argv[3])
print(f"| {sys.argv[2]} | {before // 1024} | {(after - before) // 1024} | {program // 1024} "
      f"| {peak // 1024} | {(peak - before) // 1024} | {(after - before + program) // 1024} |")
PY

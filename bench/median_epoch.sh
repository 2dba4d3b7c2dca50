# Sourced by the benchmark scripts: `median_epoch METRICS.json` prints the median of the
# per-epoch seconds that `scgrad train --metrics-out` wrote.
median_epoch() {
  /usr/bin/python3 -c 'import json, statistics, sys
epochs = json.load(open(sys.argv[1]))["epochs"]
print("%.4f" % statistics.median(e["seconds"] for e in epochs))' "$1"
}

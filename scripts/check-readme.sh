#!/usr/bin/env bash
# Runs the README's examples as a user who just cloned the repository would: every
# `build/scgrad ...` command of its ```sh blocks (with continuation lines; after `&&`, the part
# from build/scgrad on — installing and building are done) and its ```python blocks, in order,
# in a copy of the tracked files with no ../shared beside it, against BUILD_DIR's program.
# Where a plain ``` block follows a code block (blank lines between at most), it shows what that
# block prints: scripts/shown_output.py checks that every shown line was printed, so the README
# cannot drift from the program. The examples run on one core (taskset), as `--threads 1`
# would: their numbers are the single-thread ones, the same on any machine with these libraries.
# Run by ctest (readme_commands).
#   usage: scripts/check-readme.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clone=$work/scgrad
mkdir "$clone"
git ls-files -z | xargs -0 cp --parents -t "$clone"
ln -s "$build" "$clone/build"
[[ ! -e $work/shared ]]
/usr/bin/python3 - README.md "$work/commands" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
out = sys.argv[2]
os.makedirs(out)
blocks = list(re.finditer(r"^```(\w*)\n(.*?)^```\n", text, re.S | re.M))
n = shown = 0
for i, block in enumerate(blocks):
    language, body = block.groups()
    if language == "python":
        kind, command = "py", body
    elif language == "sh":
        joined = re.sub(r"\\\n\s*", " ", body)
        lines = [line[line.index("build/scgrad"):] for line in joined.splitlines()
                 if "build/scgrad" in line and not line.lstrip().startswith("#")]
        kind, command = "sh", "\n".join(lines) + "\n"
        if not lines:
            continue
    else:
        continue
    n += 1
    with open(os.path.join(out, f"{n:02d}.{kind}"), "w") as f:
        f.write(command)
    after = blocks[i + 1] if i + 1 < len(blocks) else None
    if after and after.group(1) == "" and not text[block.end():after.start()].strip():
        shown += 1
        with open(os.path.join(out, f"{n:02d}.shown"), "w") as f:
            f.write(after.group(2))
print(f"{n} README examples, {shown} with the output they print")
PY
cpu=$(/usr/bin/python3 -c "import os; print(min(os.sched_getaffinity(0)))")
for f in "$work"/commands/*; do
  [[ $f == *.shown ]] && continue
  echo "== $(head -c 200 "$f" | head -1)"
  case $f in
    *.sh) (cd "$clone" && taskset -c "$cpu" bash -e "$f" > "$work/out" 2>&1) ||
            { cat "$work/out"; exit 1; } ;;
    *.py)
      if grep -q "import.*scgrad" "$f" && [[ ! -d $build/python/scgrad ]]; then
        echo "(skipped: this build has no Python module, e.g. the sanitizer build)" > "$work/out"
        tail -1 "$work/out"
        continue
      fi
      (cd "$clone" && PYTHONPATH=build/python taskset -c "$cpu" /usr/bin/python3 "$f" \
        > "$work/out" 2>&1) || { cat "$work/out"; exit 1; } ;;
  esac
  tail -2 "$work/out"
  if [[ -f ${f%.*}.shown ]]; then
    scripts/shown_output.py "${f%.*}.shown" "$work/out" || { cat "$work/out"; exit 1; }
    echo "   (the shown output: $(grep -c . "${f%.*}.shown") lines, each printed)"
  fi
done
echo "check-readme: every example ran without ../shared"

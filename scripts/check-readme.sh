#!/usr/bin/env bash
# Runs the README's examples as a user who just cloned the repository would: every
# `build/scgrad ...` command of its ```sh blocks (with continuation lines; after `&&`, the part
# from build/scgrad on — installing and building are done) and its ```python blocks, in order,
# in a copy of the tracked files with no ../shared beside it, against BUILD_DIR's program.
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
n = 0
for language, body in re.findall(r"^```(sh|python)\n(.*?)^```", text, re.S | re.M):
    if language == "python":
        commands = [("py", body)]
    else:
        joined = re.sub(r"\\\n\s*", " ", body)
        commands = [("sh", line[line.index("build/scgrad"):]) for line in joined.splitlines()
                    if "build/scgrad" in line and not line.lstrip().startswith("#")]
    for kind, command in commands:
        n += 1
        with open(os.path.join(out, f"{n:02d}.{kind}"), "w") as f:
            f.write(command)
print(f"{n} README examples")
PY
for f in "$work"/commands/*; do
  echo "== $(head -c 200 "$f" | head -1)"
  case $f in
    *.sh) (cd "$clone" && bash -e "$f" > "$work/out" 2>&1) || { cat "$work/out"; exit 1; } ;;
    *.py)
      if grep -q "import.*scgrad" "$f" && [[ ! -d $build/python/scgrad ]]; then
        echo "(skipped: this build has no Python module, e.g. the sanitizer build)" > "$work/out"
      else
        (cd "$clone" && PYTHONPATH=build/python /usr/bin/python3 "$f" > "$work/out" 2>&1) ||
          { cat "$work/out"; exit 1; }
      fi ;;
  esac
  tail -2 "$work/out"
done
echo "check-readme: every example ran without ../shared"

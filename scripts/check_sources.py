#!/usr/bin/python3
"""Source rules the compiler cannot check, run by the test command (ctest: source_rules_*).

  hdf5-door     libhdf5 is called only through the one door (src/io/hdf5/, src/io/hdf5.hpp) and
                the LZF filter's registration (src/io/lzf_filter.cpp): no other file under src/
                or app/ names an H5* function or H5*_ constant, or includes <hdf5.h>.
  no-cli-flags  library messages are in the API's words: no string literal under src/ or
                include/ mentions a command-line flag (--name); the program (app/) adds them.
  layers        a folder of the library includes only the folders below it (LAYERS): the data
                flows up from util/ and io/ to train/ and predict/, and nothing includes upwards.
  function-length
                no function under src/ is longer than MAX_FUNCTION_LINES lines (its signature to
                its closing brace, comments and blank lines included).

Usage: check_sources.py RULE [PROJECT_DIR]; prints each violation as FILE:LINE: TEXT and exits
1 when there is one.
"""
import pathlib
import re
import sys

DOOR = {"src/io/hdf5.hpp", "src/io/lzf_filter.cpp"}
DOOR_FOLDER = "src/io/hdf5/"
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".c", ".cc"}
# H5Dread(, H5Fflush(, H5T_NATIVE_FLOAT, H5P_DEFAULT, H5free_memory( ... but not H5adFile.
HDF5_NAME = re.compile(r"\bH5(?!ad)(?:[A-Z]{1,2}_\w+|[A-Za-z]\w*\s*\()")
HDF5_INCLUDE = re.compile(r'#\s*include\s*[<"]hdf5(_hl)?\.h[>"]')
FLAG = re.compile(r"--[a-z]")
# Each library folder and the folders it may include (src/X and include/scgrad/X alike).
LAYERS = {
    "util": set(),
    "io": {"util"},
    "preprocess": {"util", "io"},
    "simulate": {"util", "io"},
    "novelty": {"util", "io", "preprocess"},
    "model": {"util"},
    "saved": {"util", "io", "preprocess", "novelty", "model"},
    "distributed": {"util"},
    "infer": {"util", "model", "distributed"},
    "cluster": {"util", "model"},
    "train": {"util", "io", "preprocess", "novelty", "model", "saved", "distributed", "infer"},
    "predict": {"util", "io", "preprocess", "novelty", "model", "saved", "infer", "cluster"},
    "exercise": {"util", "io", "preprocess", "model", "infer", "train"},
}
LIBRARY_INCLUDE = re.compile(r'#\s*include\s*"scgrad/([a-z_]+)/')
MAX_FUNCTION_LINES = 80
# The closing of a function's head: ") {", ") const {", ") -> T {", ") noexcept {", ...
FUNCTION_HEAD = re.compile(r"\)\s*(const\s*)?(noexcept\s*)?(override\s*)?(->\s*[\w:<>, ]+\s*)?$")
TYPE_HEAD = re.compile(r"\b(namespace|struct|class|enum|union)\b[^;{}]*$")


def files(root, folders):
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES:
                yield path


def code_and_literals(text):
    """Splits C++ source into (code without comments and literals, [(line, literal)])."""
    code, literals, i, line = [], [], 0, 1
    while i < len(text):
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif c == "R" and text.startswith('R"', i):
            delimiter = text[i + 2:text.index("(", i)]
            end = text.index(")" + delimiter + '"', i)
            literals.append((line, text[text.index("(", i) + 1:end]))
            line += text.count("\n", i, end)
            i = end + len(delimiter) + 2
        elif c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            if c == '"':
                literals.append((line, text[i + 1:j]))
            code.append(" ")
            i = j + 1
        else:
            if c == "\n":
                line += 1
            code.append(c)
            i += 1
    return "".join(code), literals


def hdf5_door(root):
    found = []
    for path in files(root, ["src", "app"]):
        name = path.relative_to(root).as_posix()
        if name in DOOR or name.startswith(DOOR_FOLDER):
            continue
        text = path.read_text()
        code, _ = code_and_literals(text)
        for number, line in enumerate(code.splitlines(), 1):
            if HDF5_NAME.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
        for number, line in enumerate(text.splitlines(), 1):
            if HDF5_INCLUDE.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    return found, "libhdf5 called outside the door (src/io/hdf5/); add a function there"


def no_cli_flags(root):
    found = []
    for path in files(root, ["src", "include"]):
        _, literals = code_and_literals(path.read_text())
        for number, literal in literals:
            if FLAG.search(literal):
                found.append(f"{path.relative_to(root).as_posix()}:{number}: \"{literal}\"")
    return found, ("a library message names a command-line flag; say it in the API's words "
                   "and let app/ add the flag")


def layers(root):
    found = []
    for folder, allowed in LAYERS.items():
        for path in files(root, [f"src/{folder}", f"include/scgrad/{folder}"]):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = LIBRARY_INCLUDE.search(line)
                if match and match.group(1) != folder and match.group(1) not in allowed:
                    found.append(f"{path.relative_to(root).as_posix()}:{number}: {line.strip()}")
    unknown = sorted(p.name for p in (root / "src").iterdir() if p.is_dir() and p.name not in LAYERS)
    found += [f"src/{name}: a folder the layer table (LAYERS) does not place" for name in unknown]
    return found, ("a folder includes one above it; move the shared piece down, or place the "
                   "folder in LAYERS")


def long_functions(code):
    """(first line, lines) of each function body outside another function, in code without
    comments and literals."""
    stack, line, start = [], 1, 0
    for i, c in enumerate(code):
        if c == "\n":
            line += 1
        elif c == "{":
            before = code[max(0, i - 300):i].rstrip()
            if "function" not in stack and FUNCTION_HEAD.search(before) and \
                    not TYPE_HEAD.search(before):
                # The head starts after the previous statement, block or brace.
                boundary = max(code.rfind(ch, 0, i) for ch in ";{}")
                start = line - code.count("\n", boundary, i) + 1
                stack.append("function")
            else:
                stack.append("block")
        elif c == "}" and stack and stack.pop() == "function":
            yield start, line - start + 1


def function_length(root):
    found = []
    for path in files(root, ["src"]):
        code, _ = code_and_literals(path.read_text())
        for start, lines in long_functions(code):
            if lines > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(root).as_posix()}:{start}: {lines} lines")
    return found, (f"a function is longer than {MAX_FUNCTION_LINES} lines; split it into steps "
                   "with names")


def main():
    rules = {"hdf5-door": hdf5_door, "no-cli-flags": no_cli_flags, "layers": layers,
             "function-length": function_length}
    if len(sys.argv) < 2 or sys.argv[1] not in rules:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(rules)}}} [PROJECT_DIR]")
    root = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else ".").resolve()
    found, why = rules[sys.argv[1]](root)
    for item in found:
        print(item)
    if found:
        print(f"{sys.argv[1]}: {len(found)} violation(s): {why}")
        sys.exit(1)
    print(f"{sys.argv[1]}: no violation")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Compares what the README shows a command printing with what it printed.

usage: shown_output.py SHOWN ACTUAL   (exit 0 when every shown line was printed, 1 otherwise)

Once the block matches, each of its lines is edited in turn (text appended) and must then fail
to match: no shown line escapes the comparison.

The shown block is an excerpt: its lines must stand in the output in the same order and, between
two elision lines ("..." or "…"), one after the other; before its first line and after its last
the output may hold more. Lines are compared with runs of spaces folded. What differs from run
to run is masked on both sides: a time "in 0.08 s", and the last column of the rows (lines that
start with a step or epoch number) of a table whose header ends in "seconds".
"""
import re
import sys

ELISIONS = {"...", "…"}


def normalised(lines):
    out, columns = [], None
    for line in lines:
        words = line.split()
        if words and words[-1] == "seconds":
            columns = len(words)
        elif columns and len(words) == columns and re.fullmatch(r"\d+", words[0]) \
                and re.fullmatch(r"[\d.]+", words[-1]):
            words[-1] = "<seconds>"  # a row of the table: it starts with its step or epoch
        elif " ".join(words) not in ELISIONS:
            columns = None  # the table has ended
        out.append(re.sub(r"\bin \d+(\.\d+)? s\b", "in <t> s", " ".join(words)))
    return out


def runs(shown):
    """The shown lines as runs that must be contiguous, split at elision lines."""
    parts, current = [], []
    for line in shown:
        if line in ELISIONS:
            parts.append(current)
            current = []
        else:
            current.append(line)
    parts.append(current)
    return [p for p in parts if p]


def find(run, actual, start):
    for i in range(start, len(actual) - len(run) + 1):
        if actual[i:i + len(run)] == run:
            return i
    return -1


def mismatch(shown_text, actual_text):
    """None when the shown block is an excerpt of the output, else what is wrong."""
    shown = normalised(shown_text.strip("\n").splitlines())
    actual = normalised(actual_text.splitlines())
    position = 0
    for run in runs(shown):
        found = find(run, actual, position)
        if found < 0:
            # name the first line of the run that is not printed where it should be
            for k in range(len(run), 0, -1):
                if find(run[:k], actual, position) >= 0:
                    break
            else:
                k = 0
            return f"shown but not printed: {run[k]!r}"
        position = found + len(run)
    return None


def unchecked_lines(shown_text, actual_text):
    """The shown lines whose editing the comparison would not notice (none, when it works)."""
    lines = shown_text.strip("\n").splitlines()
    missed = []
    for i, line in enumerate(lines):
        if line.strip() in ELISIONS:
            continue
        edited = lines[:i] + [line + " (edited)"] + lines[i + 1:]
        if mismatch("\n".join(edited), actual_text) is None:
            missed.append(line)
    return missed


if __name__ == "__main__":
    shown, actual = (open(path).read() for path in sys.argv[1:3])
    problem = mismatch(shown, actual)
    if problem:
        print(f"the README's output differs from what the command printed: {problem}")
        sys.exit(1)
    missed = unchecked_lines(shown, actual)
    if missed:
        print(f"editing these shown lines would go unnoticed: {missed}")
        sys.exit(1)

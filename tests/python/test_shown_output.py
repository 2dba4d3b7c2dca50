"""scripts/shown_output.py, which keeps the README's shown outputs equal to what the commands
print (readme_commands): an excerpt matches; an edited number, a reordered or a missing line
does not; times are masked; every shown line is compared."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from shown_output import mismatch, unchecked_lines  # noqa: E402

PRINTED = """data.h5ad: 253 cells (read and preprocessed in 0.08 s)
 step  train_loss  train_acc  seconds
    1    0.030993     1.0000     0.03
    2    0.001035     1.0000     0.04
    3    0.000044     1.0000     0.05
  best step 3
  accuracy 0.9608, macro-F1 0.9378
wrote model m.h5
"""

SHOWN = """data.h5ad: 253 cells (read and preprocessed in 0.11 s)
 step  train_loss  train_acc  seconds
    1    0.030993     1.0000     0.02
  ...
    3    0.000044     1.0000     0.09
  best step 3
  accuracy 0.9608, macro-F1 0.9378
"""


def test_an_excerpt_with_other_times_matches():
    assert mismatch(SHOWN, PRINTED) is None
    assert mismatch("  accuracy 0.9608,   macro-F1 0.9378\n", PRINTED) is None  # spaces folded


def test_every_shown_line_is_compared():
    assert unchecked_lines(SHOWN, PRINTED) == []


def test_an_edited_number_fails_and_is_named():
    problem = mismatch(SHOWN.replace("0.9378", "0.9379"), PRINTED)
    assert problem and "0.9379" in problem
    assert mismatch(SHOWN.replace("0.000044", "0.000045"), PRINTED)


def test_lines_between_elisions_are_contiguous_and_in_order():
    assert mismatch("  best step 3\n    1    0.030993     1.0000     0.03\n", PRINTED)
    assert mismatch("    1    0.030993     1.0000     0.03\n    3    0.000044     1.0000     0.05\n",
                    PRINTED.replace(" seconds", " secs"))
    assert mismatch("wrote model m.h5\nanother line\n", PRINTED)


def test_only_a_seconds_column_is_masked():
    # the same row outside a table headed "seconds": its last number is compared
    assert mismatch("    1    0.030993     1.0000     0.09\n", PRINTED)

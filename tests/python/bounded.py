"""Every process a test starts ends: `run` and `start` put it in a process group of its own,
and one that outlives its time is killed with its whole group (a launcher's ranks, a shell's
children) and the test fails naming the command and what it printed. Groups still alive when
the test exits are killed too, so no stray rank outlives a failed test.

    run(command, timeout=300, check=False, capture_output=False, input=None, **popen_options)
        -> subprocess.CompletedProcess  (subprocess.run's contract, bounded)
    start(command, **popen_options) -> subprocess.Popen;  wait(process, timeout) -> exit status
"""
import atexit
import os
import signal
import subprocess

SECONDS = 600  # a backstop against hangs: ctest's TIMEOUT of each test is the tighter bound
_started = []


class TimedOut(AssertionError):
    """A command outlived its time; its process group was killed."""


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@atexit.register
def _kill_leftovers():
    for process in _started:
        if process.poll() is None:
            _kill_group(process)


def _text(command):
    return " ".join(map(str, command)) if isinstance(command, (list, tuple)) else str(command)


def _tail(output):
    if not output:
        return ""
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    return "\n" + output[-2000:]


def start(command, **popen_options):
    process = subprocess.Popen(command, start_new_session=True, **popen_options)
    _started.append(process)
    return process


def wait(process, timeout=SECONDS):
    """The process's exit status; past `timeout` seconds its group is killed and the test fails."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.wait()
        raise TimedOut(f"killed after {timeout} s: {_text(process.args)}") from None


def run(command, timeout=SECONDS, check=False, capture_output=False, input=None,
        **popen_options):
    if capture_output:
        popen_options["stdout"] = popen_options["stderr"] = subprocess.PIPE
    if input is not None:
        popen_options["stdin"] = subprocess.PIPE
    process = start(command, **popen_options)
    try:
        out, err = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        out, err = process.communicate()
        raise TimedOut(f"killed after {timeout} s: {_text(command)}{_tail(out)}"
                             f"{_tail(err)}") from None
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    result = subprocess.CompletedProcess(command, process.returncode, out, err)
    if check:
        result.check_returncode()
    return result

"""Helpers for tests that start the command line in a child process."""

import contextlib
import signal
import subprocess
import sys
from pathlib import Path

#: The ``qbcircuit`` console script beside this Python (what a user types; absent when the
#: package is not installed).
CONSOLE = str(Path(sys.executable).with_name("qbcircuit"))


def popen_with_ctrl_c(command: list[str], **kwargs) -> subprocess.Popen:
    """``subprocess.Popen(command, **kwargs)``, the child taking Ctrl-C as from a terminal.

    A run in the background (``cmd &`` in a script: CI) ignores SIGINT, and children inherit
    an ignored signal; a signal this process handles is reset to the default in the child at
    exec. So this process handles SIGINT while it starts the child.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(command, **kwargs)
    finally:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGINT, previous)

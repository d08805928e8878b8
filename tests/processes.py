"""Helpers for tests that start the command line in a child process."""

import sys


def default_sigint(command: list[str]) -> list[str]:
    """``command`` started with Ctrl-C as a terminal gives it.

    A run in the background (``cmd &`` in a script: CI) ignores SIGINT, and children inherit
    that: the child resets it, then is exec'd (no fork-time Python code, which JAX warns of).
    """
    reset = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
             "os.execv(sys.argv[1], sys.argv[1:])")
    return [sys.executable, "-c", reset, *command]

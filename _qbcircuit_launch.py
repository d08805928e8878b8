"""The ``qbcircuit`` console script: start a sweep's worker before the package is imported.

Importing qbcircuit (Qiskit, SciPy) takes about half a second, and a spawned sweep worker
imports it again before its first point. For ``qbcircuit sweep`` this module starts that
worker first, then imports the package: both imports run side by side (on two cores, the
worker is ready about as soon as the command; measured 2.2 s -> 2.0 s for a 32 x 32 closed
sweep). The pool is offered to :mod:`qbcircuit.parallel`, which takes it if the sweep
starts workers of that number and terminates it otherwise (a grid too small for a pool,
``--help``, an error). Every other command goes straight to :func:`qbcircuit.cli.main`.

This module lives outside the package on purpose: any ``qbcircuit.*`` import runs the
package's ``__init__`` (the import this saves). It imports only the standard library.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

#: Signals recorded, not acted on, while the package is imported (see :func:`main`).
_STOPS = (signal.SIGINT, signal.SIGTERM)


def _init(parent, pids, beats) -> None:
    """Worker initializer: the package's own (die with the parent, heartbeat)."""
    from qbcircuit.parallel import _worker_init

    _worker_init(parent, pids, beats)


def _warm() -> None:
    """First job of a pre-started worker: import what a sweep point runs."""
    import qbcircuit.sweep  # noqa: F401


def _pool_wanted(argv: list[str]) -> int:
    """Worker processes to pre-start for this command line (0: none).

    A ``sweep`` on the default local pool (no ``--jobs``, no ``--scheduler``, not ``--help``)
    on a machine with more than one core available: one less than the cores (this process is
    one of the sweep's processes), which is the pool a sweep starts there unless memory says
    otherwise (then the pool is not taken and is terminated).
    """
    if not argv or argv[0] != "sweep":
        return 0
    args = argv[1:]
    if any(a in ("-h", "--help") or a.startswith("--scheduler") for a in args):
        return 0
    if any(a == "--jobs" or a.startswith("--jobs=") for a in args):
        return 0  # the user's number: the sweep sizes its pool itself
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return cores - 1


def _prestart(workers: int):
    """A spawn pool of ``workers`` processes, the first one started and importing."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    pids, beats = ctx.Array("q", workers), ctx.Array("d", workers, lock=False)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                               initargs=(os.getpid(), pids, beats))
    started = time.monotonic()
    # spawns one process now (the pool adds the others when fed), SIGINT blocked in it as
    # qbcircuit.parallel.sigint_held does: a terminal's Ctrl-C is this process's to handle
    masks = hasattr(signal, "pthread_sigmask")  # POSIX
    held = signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,)) if masks else None
    try:
        pool.submit(_warm)
    finally:
        if masks:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pool, pids, beats, started


@contextlib.contextmanager
def _stops_recorded():
    """Ctrl-C and SIGTERM recorded (in the list yielded) instead of acting, during the block."""
    got: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: got.append(signum))
                for s in _STOPS}
    try:
        yield got
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def main() -> int:
    """Entry point of the ``qbcircuit`` console script (see :func:`qbcircuit.cli.main`).

    A Ctrl-C or SIGTERM during the start-up (the pool, the package import) is recorded, not
    raised (a KeyboardInterrupt inside a half-imported C extension printed a traceback, and
    once crashed the interpreter at exit; SIGTERM killed without a word), and ends the
    command after it as :func:`qbcircuit.cli.main` would: one line, status 130 or 143.
    """
    offered = None
    with _stops_recorded() as stops:
        workers = _pool_wanted(sys.argv[1:])
        if workers > 0:
            offered = _prestart(workers)
        from qbcircuit import parallel
        from qbcircuit.cli import main as cli_main
    if stops:
        if offered is not None:
            parallel.offer_pool(*offered)
            parallel.discard_offered_pool()
        interrupted = stops[0] == signal.SIGINT
        sys.stderr.write(f"qbcircuit: {'interrupted' if interrupted else 'terminated'}\n")
        return 130 if interrupted else 143
    if offered is None:
        return cli_main()
    parallel.offer_pool(*offered)
    try:
        return cli_main()
    finally:
        parallel.discard_offered_pool()


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    raise SystemExit(main())

"""Independent jobs in worker processes that die with their parent and survive a lost worker.

``map_jobs(fn, jobs, workers=...)`` runs ``fn(job)`` for every job and returns the results in
order. With more than one worker the jobs run in a ``spawn`` process pool (fork after JAX or
OpenMP threads can deadlock), and:

* workers die with the parent process: each one asks Linux for ``SIGTERM`` when its parent
  goes (``prctl(PR_SET_PDEATHSIG)``) and exits at once if the parent died during its start-up,
  so a killed or crashed run leaves no orphans; on an exception or Ctrl-C in the parent,
  running workers are terminated at once (not waited for);
* a worker that dies (killed, out of memory) breaks the pool: the jobs that had not finished
  are run again in a fresh pool, up to ``retries`` times; then the run fails with one
  :class:`WorkerError` line. Results already finished are kept for the retry.
* with ``caller_works=True`` the calling process computes too: ``workers - 1`` processes are
  started, and while they import the package (about half a second each) and run, the caller
  runs jobs from the far end of the list itself (the pool is fed from the front, a few jobs
  at a time), collecting finished jobs in between; so ``workers`` processes compute, and the
  start-up of the pool costs the caller nothing.
* a pool started ahead of its jobs (:func:`offer_pool`: the ``qbcircuit`` console script
  starts a sweep's worker before it imports the package, so both imports run side by side)
  is taken by the next run that starts a pool of its size, and terminated otherwise.
``imap_jobs`` is the streaming form (results as they finish, for checkpoints and progress), and
also runs on any ``concurrent.futures.Executor`` the caller owns (e.g. a dask.distributed
``client.get_executor()``): there a job whose worker was lost (dask's ``KilledWorker``) is
submitted again, up to ``retries`` times, and on an error or Ctrl-C the unfinished futures are
cancelled (the executor itself is the caller's to shut down).
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool

from tqdm.auto import tqdm

from ._checks import ParameterError, available_memory
from .params import QbcircuitWarning

_PR_SET_PDEATHSIG = 1
#: Seconds between the heartbeats of a local worker.
HEARTBEAT_SECONDS = 0.5
#: Default seconds without progress before acting: a local worker without a heartbeat for
#: that long is killed and its jobs run again; a dask cluster without a worker (or a
#: scheduler that does not answer) for that long ends the run.
STALL_SECONDS = 60.0
#: Seconds a cluster executor is waited on before its cluster is checked (workers, scheduler).
CLUSTER_POLL_SECONDS = 2.0
#: Seconds a dask scheduler has to answer a check.
CLUSTER_REPLY_SECONDS = 5.0
#: Memory of one idle worker process (measured: 265 MB resident after the imports and a
#: dynamics point on Python 3.11, numpy, scipy, qiskit; rounded up).
WORKER_BYTES = 300 * 2**20


class WorkerError(ParameterError):
    """Worker processes kept dying; the message says how often and what to try."""


def _worker_init(parent: int, pids, beats) -> None:
    """Pool initializer: die with the parent, then beat (:func:`_heartbeat`)."""
    _die_with_parent(parent)
    with pids.get_lock():  # claim a slot of the pool's heartbeat table
        slot = list(pids).index(0)
        pids[slot] = os.getpid()
    beats[slot] = time.monotonic()
    threading.Thread(target=_heartbeat, args=(beats, slot), daemon=True).start()


def _heartbeat(beats, slot: int) -> None:
    """Write the time into the worker's slot every ``HEARTBEAT_SECONDS``.

    A thread, so it beats through long jobs (numpy releases the GIL, Python switches threads
    every few ms); it stops when the process is stopped (SIGSTOP) or frozen.
    """
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        beats[slot] = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process


def _stalled(pids, beats, stall_seconds: float, pool, started: float) -> list[int]:
    """Pids of the workers whose last heartbeat is older than ``stall_seconds``.

    Also the processes of ``pool`` (started at ``started``, ``time.monotonic``) that have sent
    no heartbeat at all ``stall_seconds`` after the start: stopped or frozen during their
    start-up, they would hold the jobs queued for them forever.
    """
    now = time.monotonic()
    out = [pid for pid, beat in zip(pids, beats, strict=True)
           if pid and now - beat > stall_seconds]
    if now - started > stall_seconds:
        beating = set(pids)
        out += [pid for pid in list(getattr(pool, "_processes", {})) if pid not in beating]
    return out


def _die_with_parent(parent: int) -> None:
    """Pool initializer: SIGTERM this worker when its parent ``parent`` exits.

    Linux delivers the signal (``prctl(PR_SET_PDEATHSIG)``) only for a parent that dies after
    the call, and the initializer runs after the worker's start-up imports (about a second):
    a parent killed in between is seen here (the worker was re-parented) and the worker exits
    at once, instead of waiting forever for jobs (and holding the caller's stdout). Where prctl
    is missing, a thread watches the parent.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:  # pragma: no cover - not Linux
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def worker_limit(point_bytes: int = 0) -> tuple[int, str]:
    """How many local workers fit: (count, the resource that sets it: "cores" or "memory").

    One worker per core available to this process (``sched_getaffinity``), and no more than
    the available memory (:func:`~qbcircuit._checks.available_memory`, limits included) holds
    at ``WORKER_BYTES`` plus ``point_bytes`` (the largest point's estimate) each.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    # the workers share the machine's and the cgroup's memory; a process limit is each one's
    fit = available_memory(shared_only=True) // (WORKER_BYTES + max(0, int(point_bytes)))
    return (max(1, fit), "memory") if fit < cores else (cores, "cores")


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued jobs and terminate the running workers."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public handle in 3.11
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=2)
        if proc.is_alive():  # stopped (SIGTERM waits for SIGCONT) or ignoring it
            proc.kill()
            proc.join(timeout=5)


def as_executor(executor):
    """``executor`` as a ``concurrent.futures.Executor``: a dask ``Client`` gives its own.

    A ``Client``'s ``submit`` returns dask futures, which ``concurrent.futures.wait`` cannot
    wait on; ``client.get_executor()`` wraps them.

    Raises:
        ParameterError: an object without the Executor interface.
    """
    kind = type(executor)
    if kind.__name__ == "Client" and kind.__module__.startswith("distributed"):
        return executor.get_executor()
    if not callable(getattr(executor, "submit", None)):
        raise ParameterError("executor must have the concurrent.futures.Executor interface "
                             f"(submit), got {type(executor).__name__}; for a dask "
                             "cluster pass the Client or client.get_executor()")
    return executor


#: A local pool started ahead of its jobs (by the ``qbcircuit`` console script, before the
#: package was imported): (pool, pids, beats, start time), or None. Taken by the next
#: :func:`imap_jobs` that starts a pool of its size.
_offered = None


def offer_pool(pool: ProcessPoolExecutor, pids, beats, started: float) -> None:
    """Offer a spawn pool already started (its workers importing) to the next local run.

    ``pool`` must run :func:`_worker_init` with ``pids`` and ``beats`` (its heartbeat table,
    one slot per worker) as initializer; ``started`` is its ``time.monotonic()`` start. A
    pool already offered and not taken is terminated.
    """
    global _offered
    discard_offered_pool()
    _offered = (pool, pids, beats, started)


def discard_offered_pool() -> None:
    """Terminate the offered pool if no run took it."""
    global _offered
    offered, _offered = _offered, None
    if offered is not None:
        _terminate(offered[0])


def _take_offered(size: int):
    """The offered pool if it has ``size`` workers (it is then no longer offered), else None."""
    global _offered
    if _offered is None or len(_offered[1]) != size:
        return None
    offered, _offered = _offered, None
    return offered


@contextlib.contextmanager
def sigint_held():
    """Hold SIGINT back in this thread (delivered after the block) while workers are spawned.

    A terminal's Ctrl-C goes to every process of the foreground group: workers would each print
    a KeyboardInterrupt traceback (idle in the pool's queue, or importing). A spawned process
    inherits the signal mask of the thread that forks it, so workers spawned inside this
    block never see SIGINT (and Python leaves a blocked SIGINT alone); this process stops
    them on its own Ctrl-C (SIGTERM). Outside the main thread (or without POSIX signal masks)
    nothing is held.
    """
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "pthread_sigmask")):  # not POSIX: nothing to hold
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _lost_worker(err: BaseException) -> bool:
    """True for a task that failed because its worker died (dask's ``KilledWorker``)."""
    return type(err).__name__ == "KilledWorker"


def imap_jobs(
    fn: Callable,
    jobs: Sequence,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    retries: int = 2,
    stall_seconds: float = STALL_SECONDS,
    caller_works: bool = False,
) -> Iterator[tuple[int, object]]:
    """Yield ``(i, fn(jobs[i]))`` as the jobs finish (any order).

    Args:
        fn: a picklable (module-level) function.
        jobs: the arguments, one per call.
        workers: processes of the local pool when ``executor`` is None; 1 runs in this process.
            With ``caller_works`` this process is one of them (``workers - 1`` are started).
        executor: a ``concurrent.futures.Executor`` to run on instead of the local pool (or a
            dask ``Client``: its ``get_executor()``).
        retries: how often unfinished jobs are run again after a worker died.
        stall_seconds: a local worker without a heartbeat for this long (stopped, frozen) is
            killed and its jobs run again (counted as a death); on a dask cluster, the run
            ends after this long without any worker or without an answer of the scheduler.
        caller_works: this process runs jobs too (local pool only): from the far end of
            ``jobs``, while the pool starts and runs.

    Raises:
        WorkerError: workers died more than ``retries`` times; a cluster without workers.
    """
    if executor is not None:
        yield from _imap_executor(fn, jobs, as_executor(executor), retries, stall_seconds)
        return
    if workers <= 1:
        for i, job in enumerate(jobs):
            yield i, fn(job)
        return
    done = [False] * len(jobs)
    ctx = multiprocessing.get_context("spawn")
    processes = workers - 1 if caller_works else workers
    for attempt in range(retries + 1):
        pending = [i for i in range(len(jobs)) if not done[i]]
        if not pending:
            return
        # with the caller working, a single job left is its own (no worker started for it)
        size = min(processes, len(pending) - (1 if caller_works else 0))
        if size < 1:
            for i in pending:
                result = fn(jobs[i])
                done[i] = True
                yield i, result
            return
        offered = _take_offered(size) if attempt == 0 else None
        if offered is not None:  # started ahead, its workers importing (or ready) already
            pool, pids, beats, started = offered
        else:
            discard_offered_pool()  # not of this size: its workers would only compete
            pids, beats = ctx.Array("q", size), ctx.Array("d", size, lock=False)
            pool = ProcessPoolExecutor(max_workers=size, mp_context=ctx,
                                       initializer=_worker_init,
                                       initargs=(os.getpid(), pids, beats))
            started = time.monotonic()
        killed = set()
        # jobs not handed out yet: the pool's from the front; the caller's from the back (the
        # last one is always the caller's). With the caller working, the pool holds a few at a
        # time (one running and two waiting per worker: fed between the caller's jobs), so
        # that both ends meet late and even.
        queue = collections.deque(pending)
        held = 3 * size if caller_works else len(pending)
        futures: dict = {}
        try:
            while queue or futures:
                while len(queue) > (1 if caller_works else 0) and len(futures) < held:
                    i = queue.popleft()
                    with sigint_held():  # a worker spawned here starts deaf to Ctrl-C
                        futures[pool.submit(fn, jobs[i])] = i
                finished = [fut for fut in futures if fut.done()]
                if not finished and caller_works and queue:
                    i = queue.pop()
                    result = fn(jobs[i])
                    done[i] = True
                    yield i, result
                    continue
                if not finished:
                    finished, _ = wait(futures, timeout=2 * HEARTBEAT_SECONDS,
                                       return_when=FIRST_COMPLETED)
                for pid in [] if finished else _stalled(pids, beats, stall_seconds, pool,
                                                        started):
                    if pid in killed:
                        continue
                    killed.add(pid)  # acted on once
                    warnings.warn(f"worker process {pid} sent no heartbeat for "
                                  f"{stall_seconds:g} s (stopped?): killed, its jobs run again",
                                  QbcircuitWarning, stacklevel=2)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)  # the pool breaks: retried below
                for fut in finished:
                    i = futures.pop(fut)
                    result = fut.result()  # BrokenProcessPool if a worker died
                    done[i] = True
                    yield i, result
            _terminate(pool)  # idle workers exit at once; a stopped one is not waited for
        except BrokenProcessPool:
            _terminate(pool)
            if attempt == retries:
                left = sum(1 for d in done if not d)
                raise WorkerError(
                    f"worker processes died {retries + 1} times ({left} of {len(jobs)} "
                    "jobs unfinished); out of memory? try fewer workers"
                ) from None
        except BaseException:  # an error in a job, Ctrl-C, SIGTERM, closed early: stop now
            _terminate(pool)
            raise


def cluster_problem(executor) -> str | None:
    """Why a dask executor's cluster cannot run jobs now, or None (also for other executors).

    "the dask scheduler does not answer" (killed, unreachable: no reply within
    ``CLUSTER_REPLY_SECONDS``) or "the dask cluster has no worker".
    """
    client = getattr(executor, "_client", None)
    if client is None:
        return None
    try:
        threads = client.nthreads(callback_timeout=CLUSTER_REPLY_SECONDS)
    except Exception:  # noqa: BLE001 - any failure to answer (timeout, closed comm)
        return "the dask scheduler does not answer"
    return None if sum(threads.values()) else "the dask cluster has no worker"


def _imap_executor(fn, jobs, executor: Executor, retries: int, stall_seconds: float):
    tries = [0] * len(jobs)
    futures = {}
    finished_jobs = 0
    since = None  # when the cluster was first seen unable to run jobs
    try:
        futures = {executor.submit(fn, job): i for i, job in enumerate(jobs)}
        while futures:
            finished, _ = wait(futures, timeout=CLUSTER_POLL_SECONDS,
                               return_when=FIRST_COMPLETED)
            if not finished:
                problem = cluster_problem(executor)
                since = None if problem is None else since or time.monotonic()
                if since is not None and time.monotonic() - since > stall_seconds:
                    raise WorkerError(f"{problem} ({stall_seconds:g} s without progress; "
                                      f"{finished_jobs} of {len(jobs)} jobs finished)")
                continue
            since = None
            for fut in finished:
                i = futures.pop(fut)
                try:
                    result = fut.result()
                except BrokenExecutor:
                    raise WorkerError(f"the executor broke (a worker died); {len(futures) + 1} "
                                      f"of {len(jobs)} jobs unfinished") from None
                except CancelledError:  # not by us: dask cancels all when its scheduler goes
                    problem = cluster_problem(executor) or "the cluster cancelled a job"
                    raise WorkerError(f"{problem} (a job was cancelled; {finished_jobs} of "
                                      f"{len(jobs)} jobs finished)") from None
                except Exception as err:
                    if not _lost_worker(err):
                        raise
                    tries[i] += 1
                    if tries[i] > retries:
                        raise WorkerError(f"job {i} lost its worker {tries[i]} times; out of "
                                          "memory? try fewer workers per machine") from None
                    futures[executor.submit(fn, jobs[i])] = i
                    continue
                finished_jobs += 1
                yield i, result
    finally:
        for fut in futures:
            fut.cancel()


def map_jobs(
    fn: Callable,
    jobs: Sequence,
    *,
    workers: int = 1,
    executor: Executor | None = None,
    retries: int = 2,
    progress: bool = False,
    desc: str = "jobs",
    weights: Sequence[int] | None = None,
) -> list:
    """``[fn(job) for job in jobs]``, in worker processes when ``workers > 1``.

    Args:
        fn: a picklable (module-level) function.
        jobs: the arguments, one per call.
        workers: processes; 1 runs in this process.
        executor: a ``concurrent.futures.Executor`` to run on instead (see :func:`imap_jobs`).
        retries: how often the unfinished jobs are run again after a worker died.
        progress: show a progress bar (tqdm).
        desc: the progress bar's label.
        weights: progress units per job (default 1 each), e.g. grid points per chunk.

    Returns:
        the results, in the order of ``jobs``.

    Raises:
        WorkerError: workers died more than ``retries`` times.
    """
    weights = list(weights) if weights is not None else [1] * len(jobs)
    results: list = [None] * len(jobs)
    with tqdm(total=sum(weights), disable=not progress, desc=desc) as bar:
        stream = imap_jobs(fn, jobs, workers=workers, executor=executor, retries=retries)
        with contextlib.closing(stream):
            for i, result in stream:
                results[i] = result
                bar.update(weights[i])
    return results

"""Worker processes: results in order, retried after a lost worker, never left behind."""

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import CONSOLE, popen_with_ctrl_c

from qbcircuit.parallel import WorkerError, imap_jobs, map_jobs


def _square(x):
    return x * x


def _die_once(args):
    """Kill this worker (as `kill -9` would) the first time job 1 runs."""
    x, marker = args
    if x == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


def _always_die(x):
    os.kill(os.getpid(), signal.SIGKILL)


def test_results_are_in_order_with_and_without_workers():
    assert map_jobs(_square, range(7), workers=1) == [x * x for x in range(7)]
    assert map_jobs(_square, range(7), workers=2) == [x * x for x in range(7)]


def test_a_killed_worker_is_retried(tmp_path):
    marker = str(tmp_path / "died")
    assert map_jobs(_die_once, [(x, marker) for x in range(4)], workers=2) == [0, 1, 4, 9]
    assert os.path.exists(marker)  # the worker really died once


def test_workers_that_keep_dying_end_in_one_error():
    with pytest.raises(WorkerError, match="worker processes died 2 times"):
        map_jobs(_always_die, [0, 1], workers=2, retries=1)


def _children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _workers(pid):
    found = []
    for c in _children(pid):
        try:
            with open(f"/proc/{c}/cmdline") as fh:
                if "spawn_main" in fh.read():
                    found.append(c)
        except OSError:
            pass
    return found


#: Sweeps start at most one worker per core.
TWO_CORES = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no pool")
SLOW_SWEEP = ["sweep", "--vary", "g=0.1:2:30", "--vary", "zeta=-1:1:30", "--method", "dynamics",
              "--points", "401", "--no-progress"]
#: The two ways to run a pooled sweep: ``python -m qbcircuit --jobs 2`` (the pool started by the
#: sweep) and the console script a user types, which starts its worker before the package import
#: (``_qbcircuit_launch``; one per core but one).
SWEEP_ENTRIES = pytest.mark.parametrize("command", [
    pytest.param([sys.executable, "-m", "qbcircuit", *SLOW_SWEEP, "--jobs", "2"], id="module"),
    pytest.param([CONSOLE, *SLOW_SWEEP], id="console-script",
                 marks=pytest.mark.skipif(not Path(CONSOLE).exists(),
                                          reason="package not installed (no console script)")),
])


@TWO_CORES
@SWEEP_ENTRIES
@pytest.mark.dynamics
def test_workers_exit_when_the_parent_is_killed_during_their_start_up(command):
    """SIGKILL of the parent while its workers import: they must not live on (issue 23.2).

    They hold the caller's stdout: ``communicate`` returns only when every one has exited.
    """
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers = []
    try:
        while not workers and proc.poll() is None:
            time.sleep(0.01)
            workers = _workers(proc.pid)
        helpers = _children(proc.pid)  # the workers and the resource tracker, starting up
        proc.kill()
        try:
            proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail("a process of the killed run still holds its stdout")
        deadline = time.monotonic() + 30
        while any(_alive(h) for h in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert workers and not any(_alive(h) for h in helpers), "orphans of the killed run"
    finally:  # a failed run leaves no orphans to the machine either
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _pool_size(monkeypatch, jobs):
    """The workers a sweep asking for ``jobs`` would start (its work skipped)."""
    import qbcircuit.sweep as sw
    from qbcircuit import BatteryParams

    used = []

    def fake_run(base, axes, names, shape, metrics, times, method, options, done, store,
                 executor, jobs, *rest):
        used.append(jobs)
        done.update({k: [0.0] * len(metrics) for k in range(math.prod(shape))})

    monkeypatch.setattr(sw, "_run", fake_run)
    sw.sweep(BatteryParams(), {"g": [0.5, 1.0]}, ["max_energy"], [0.0, 1.0], jobs=jobs)
    return used[0]


def test_jobs_are_capped_by_cores_with_a_warning(monkeypatch):
    from qbcircuit import QbcircuitWarning

    cores = len(os.sched_getaffinity(0))
    with pytest.warns(QbcircuitWarning, match=rf"^jobs = 64: {cores} worker process\(es\) run "
                      rf"\(one per core, {cores} core"):
        assert _pool_size(monkeypatch, 64) == cores


def test_jobs_are_capped_by_memory_with_a_warning(monkeypatch):
    """--jobs 64 in a 3 GB cgroup: the OOM killer took the parent (issue 23.2)."""
    import qbcircuit.parallel as par
    from qbcircuit import QbcircuitWarning

    monkeypatch.setattr(par, "available_memory", lambda **kw: 2 * par.WORKER_BYTES)
    monkeypatch.setattr("qbcircuit.sweep.available_memory", lambda **kw: 2 * par.WORKER_BYTES)
    with pytest.warns(QbcircuitWarning, match=r"^jobs = 64: 1 worker process\(es\) run \(the "
                      r"0.6 GiB of memory available hold 1 at about 30\d MiB each\)"):
        assert _pool_size(monkeypatch, 64) == 1
    with pytest.warns(QbcircuitWarning, match=r"^jobs = one per core: 1 worker"):
        assert _pool_size(monkeypatch, None) == 1


def _stop_a_pooled_sweep(command, out, stop, settle, **popen):
    """Run ``command --out out``, wait for its worker and ``settle`` s more, call ``stop(proc)``.

    Returns (exit status, stderr) once the command and every process it started have ended.
    """
    proc = popen_with_ctrl_c([*command, "--out", str(out)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, **popen)
    workers = []
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        workers = _workers(proc.pid)
    assert workers, "the worker did not start"
    time.sleep(settle)
    helpers = _children(proc.pid)  # the workers and multiprocessing's resource tracker
    stop(proc)
    _, err = proc.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in helpers), "worker processes outlived the run"
    return proc.returncode, err


@TWO_CORES
@pytest.mark.parametrize(("sig", "status", "line"), [(signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGTERM, 143, "terminated")])
@SWEEP_ENTRIES
@pytest.mark.dynamics
def test_signals_end_a_sweep_in_one_line_without_orphans(tmp_path, sig, status, line, command):
    out = tmp_path / "sweep.csv"
    code, err = _stop_a_pooled_sweep(command, out, lambda proc: proc.send_signal(sig),
                                     settle=1.0)  # working
    assert code == status
    assert err.strip().splitlines()[-1] == f"qbcircuit: {line}" and "Traceback" not in err
    assert not out.exists() and os.listdir(tmp_path) == []  # no partial output


@TWO_CORES
@SWEEP_ENTRIES
@pytest.mark.dynamics
def test_a_terminal_ctrl_c_prints_one_line_not_the_workers_tracebacks(tmp_path, command):
    """A terminal sends Ctrl-C to the whole process group: idle or importing workers printed
    a KeyboardInterrupt traceback each."""
    out = tmp_path / "sweep.csv"
    code, err = _stop_a_pooled_sweep(command, out, lambda proc: os.killpg(proc.pid,
                                                                          signal.SIGINT),
                                     settle=0.3, start_new_session=True)  # importing or idle
    assert code == 130 and err.splitlines()[-1] == "qbcircuit: interrupted"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err  # no worker's
    assert not out.exists()


def _stop_once(args):
    x, marker = args
    if x == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGSTOP)  # as `kill -STOP` of a worker
    return x * x


def test_a_stopped_worker_is_detected_and_its_job_run_elsewhere(tmp_path):
    """A SIGSTOPped worker stalled the pool forever, silently (issue 22.5)."""
    from qbcircuit import QbcircuitWarning

    marker = str(tmp_path / "stopped")
    with pytest.warns(QbcircuitWarning, match=r"worker process \d+ sent no heartbeat for 3 s "
                      r"\(stopped\?\): killed, its jobs run again"):
        results = list(imap_jobs(_stop_once, [(x, marker) for x in range(4)], workers=2,
                                 stall_seconds=3))
    assert sorted(results) == [(x, x * x) for x in range(4)]


@TWO_CORES
@pytest.mark.dynamics
def test_a_sweep_with_a_stopped_worker_finishes(tmp_path):
    """`kill -STOP` of a worker stalled the sweep forever with no message (issue 22.5)."""
    out, ck = tmp_path / "s.csv", tmp_path / "ck"
    proc = subprocess.Popen(
        # enough work that the pool is caught at it (about a minute of worker time)
        [sys.executable, "-m", "qbcircuit", "sweep", "--vary", "g=0.1:2:30", "--vary",
         "zeta=0,1", "--set", "kappa=0.2", "--method", "dynamics", "--t-max", "10", "--points",
         "201", "--jobs", "2",
         "--no-progress", "--stall-timeout", "3", "--checkpoint", str(ck), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = None
    try:
        # the probe writes one or two records; a third comes from the pool, now at work
        while proc.poll() is None and not (ck.exists() and ck.read_bytes().count(b"\n") > 3):
            time.sleep(0.05)
        workers = _workers(proc.pid)
        if workers:
            stopped = workers[0]
            os.kill(stopped, signal.SIGSTOP)
        _, err = proc.communicate(timeout=600)
    finally:
        if stopped and _alive(stopped):
            os.kill(stopped, signal.SIGKILL)
    assert stopped is not None, "the sweep ended before its pool worked"
    assert proc.returncode == 0, err
    assert len(out.read_text().splitlines()) == 1 + 60
    # a stopped worker holding a chunk is found by its missing heartbeat (an idle one is
    # simply not waited for at the end)
    warned = [line for line in err.splitlines() if "sent no heartbeat" in line]
    assert warned in ([], [f"qbcircuit: warning: worker process {stopped} sent no heartbeat "
                           "for 3 s (stopped?): killed, its jobs run again"]), err


def _pid_of(args):
    x, folder = args
    time.sleep(0.2)
    open(os.path.join(folder, f"{x}.{os.getpid()}"), "w").close()
    return x


@pytest.mark.filterwarnings("ignore:worker process")  # when it held its next job
def test_a_worker_stopped_while_idle_does_not_hold_the_end_of_the_pool(tmp_path):
    """Shutting the pool down waited forever for a stopped worker to take its sentinel."""
    stream = imap_jobs(_pid_of, [(x, str(tmp_path)) for x in range(4)], workers=2,
                       stall_seconds=3)
    got = [next(stream)]
    pids = {int(name.split(".")[1]) for name in os.listdir(tmp_path)}
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)  # idle, or holding its next job
        got += list(stream)
    finally:
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert sorted(x for _, x in got) == [0, 1, 2, 3]


def _square_where(args):
    """(x squared, the pid that computed it); raises in the process ``fail_in`` (if any)."""
    x, fail_in = args
    if os.getpid() == fail_in:
        raise fail_in_error(x)
    time.sleep(0.02)
    return x * x, os.getpid()


def fail_in_error(x):
    return ValueError(f"job {x} failed here")


def test_the_caller_computes_too_from_the_far_end():
    """caller_works: jobs 0, 1, ... go to the worker, the last ones to this process."""
    got = dict(imap_jobs(_square_where, [(x, 0) for x in range(40)], workers=2,
                         caller_works=True))
    assert {x: v for x, (v, _) in got.items()} == {x: x * x for x in range(40)}
    here = sorted(x for x, (_, pid) in got.items() if pid == os.getpid())
    assert here and here[-1] == 39 and got[0][1] != os.getpid()  # both sides computed
    assert here == list(range(here[0], 40))  # one block at the far end
    assert _workers(os.getpid()) == []  # the pool is gone


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_an_error_in_the_callers_own_job_terminates_the_pool(monkeypatch, error):
    """An error (or Ctrl-C) while this process runs a job of its own leaves no worker behind."""
    started = []

    def fail(x):
        started.extend(_workers(os.getpid()))  # the pool, starting
        return error(f"job {x} failed here")

    monkeypatch.setattr(sys.modules[__name__], "fail_in_error", fail)
    with pytest.raises(error, match="failed here"):
        list(imap_jobs(_square_where, [(x, os.getpid()) for x in range(40)], workers=2,
                       caller_works=True))
    assert len(started) == 1, "the pool had not started"
    assert not _alive(started[0]) and _workers(os.getpid()) == []


def _die_once_in_a_worker(args):
    """Kill the worker that runs job 0 the first time (never the caller)."""
    x, marker, caller = args
    if x == 0 and os.getpid() != caller and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.02)
    return x * x


def test_a_killed_worker_is_retried_while_the_caller_computes(tmp_path):
    marker = str(tmp_path / "died")
    jobs = [(x, marker, os.getpid()) for x in range(20)]  # job 0 is the worker's first
    got = dict(imap_jobs(_die_once_in_a_worker, jobs, workers=2, caller_works=True))
    assert got == {x: x * x for x in range(20)} and os.path.exists(marker)
    assert _workers(os.getpid()) == []


# -- a pool started ahead of its jobs (the console script's, before the package import) ---------
def test_the_console_script_prestarts_workers_only_for_a_local_sweep(monkeypatch):
    import _qbcircuit_launch as launch

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert launch._pool_wanted(["sweep", "--vary", "g=0.1:3:32"]) == 2  # one per core but one
    for argv in (["simulate"], [], ["sweep", "--help"], ["sweep", "--jobs", "4"],
                 ["sweep", "--jobs=1"], ["sweep", "--scheduler", "tcp://127.0.0.1:8786"],
                 ["figures", "sweep"]):
        assert launch._pool_wanted(argv) == 0, argv
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert launch._pool_wanted(["sweep"]) == 0  # one core: no pool


def test_an_offered_pool_is_taken_by_a_run_of_its_size():
    import _qbcircuit_launch as launch
    import qbcircuit.parallel as par

    offered = launch._prestart(1)
    par.offer_pool(*offered)
    got = dict(imap_jobs(_square_where, [(x, 0) for x in range(40)], workers=2,
                         caller_works=True))
    assert {x: v for x, (v, _) in got.items()} == {x: x * x for x in range(40)}
    theirs = {pid for _, pid in got.values() if pid != os.getpid()}
    assert theirs and theirs <= set(offered[1])  # computed by the offered pool's worker
    assert par._offered is None and _workers(os.getpid()) == []  # taken, then shut down


def test_an_offered_pool_of_another_size_is_terminated_not_used():
    import _qbcircuit_launch as launch
    import qbcircuit.parallel as par

    offered = launch._prestart(2)
    par.offer_pool(*offered)
    early = _workers(os.getpid())
    assert len(early) == 1  # one process started at once, the other on demand
    got = dict(imap_jobs(_square_where, [(x, 0) for x in range(40)], workers=2,
                         caller_works=True))  # a pool of one worker
    assert {x: v for x, (v, _) in got.items()} == {x: x * x for x in range(40)}
    assert not {pid for _, pid in got.values()} & set(early)
    assert not _alive(early[0]) and par._offered is None and _workers(os.getpid()) == []


def test_an_offered_pool_nobody_takes_is_terminated():
    import _qbcircuit_launch as launch
    import qbcircuit.parallel as par

    par.offer_pool(*launch._prestart(1))
    early = _workers(os.getpid())
    assert map_jobs(_square, range(5), workers=1) == [0, 1, 4, 9, 16]  # no pool: not taken
    par.discard_offered_pool()
    assert early and not any(_alive(p) for p in early) and _workers(os.getpid()) == []

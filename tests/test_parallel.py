"""Worker processes: results in order, retried after a lost worker, never left behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

from qbcircuit.parallel import WorkerError, map_jobs


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


@pytest.mark.parametrize(("sig", "status", "line"), [(signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGTERM, 143, "terminated")])
@pytest.mark.dynamics
def test_signals_end_a_sweep_in_one_line_without_orphans(tmp_path, sig, status, line):
    out = tmp_path / "sweep.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "qbcircuit", "sweep", "--vary", "g=0.1:2:30", "--vary",
         "zeta=-1:1:30", "--jobs", "2", "--method", "dynamics", "--points", "401",
         "--no-progress", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        workers = [c for c in _children(proc.pid) if "spawn_main" in
                   open(f"/proc/{c}/cmdline").read().replace("\0", " ")]
    assert len(workers) == 2, "the workers did not start"
    time.sleep(1.0)  # let them start working
    helpers = _children(proc.pid)  # the workers and multiprocessing's resource tracker
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status
    assert err.strip().splitlines()[-1] == f"qbcircuit: {line}" and "Traceback" not in err
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in helpers), "worker processes outlived the run"
    assert not out.exists() and os.listdir(tmp_path) == []  # no partial output

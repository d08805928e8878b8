"""Input checks and the memory available to a run (qbcircuit._checks)."""

import re
import subprocess
import sys

import numpy as np
import pytest

from qbcircuit import BatteryParams, ParameterError, _checks, simulate
from qbcircuit._checks import available_memory, check_times

GIB = 2**30


def _tree(tmp_path, proc_line, files):
    """A fake /proc/self/cgroup and /sys/fs/cgroup: {relative path: text}."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "cgroup").write_text(proc_line + "\n")
    root = tmp_path / "sys"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path / "cgroup"), str(root)


def test_cgroup_v2_limit_of_the_process_and_its_ancestors(tmp_path):
    proc, root = _tree(tmp_path, "0::/jobs/run", {
        "memory.max": "max\n",
        "jobs/memory.max": f"{8 * GIB}\n", "jobs/memory.current": f"{5 * GIB}\n",
        "jobs/memory.stat": "anon 1\ninactive_file 1073741824\n",
        "jobs/run/memory.max": f"{6 * GIB}\n", "jobs/run/memory.current": f"{2 * GIB}\n",
        "jobs/run/memory.stat": "inactive_file 0\n",
    })
    # run: 6 - 2 = 4 GiB; its parent: 8 - 5 + 1 (reclaimable cache) = 4 GiB; min: 4 GiB
    assert _checks._cgroup_room(proc, root) == 4 * GIB
    proc, root = _tree(tmp_path / "b", "0::/run", {"run/memory.max": "max\n",
                                                    "run/memory.current": "5\n"})
    assert _checks._cgroup_room(proc, root) is None


def test_cgroup_v1_memory_limit(tmp_path):
    proc, root = _tree(tmp_path, "4:memory:/process_api/x\n3:cpuset:/", {
        "memory/memory.limit_in_bytes": "9223372036854771712\n",
        "memory/memory.usage_in_bytes": "1\n",
        "memory/process_api/x/memory.limit_in_bytes": f"{3 * GIB}\n",
        "memory/process_api/x/memory.usage_in_bytes": f"{1 * GIB}\n",
        "memory/process_api/x/memory.stat": "total_inactive_file 0\n",
    })
    assert _checks._cgroup_room(proc, root) == 2 * GIB


def test_cgroup_namespace_reads_the_mount_root(tmp_path):
    proc, root = _tree(tmp_path, "0::/elsewhere", {"memory.max": f"{GIB}\n",
                                                    "memory.current": "0\n"})
    assert _checks._cgroup_room(proc, root) == GIB


def test_the_least_room_is_available(monkeypatch):
    monkeypatch.setattr(_checks, "_meminfo_available", lambda: 20 * GIB)
    monkeypatch.setattr(_checks, "_cgroup_room", lambda: 3 * GIB)
    monkeypatch.setattr(_checks, "_rlimit_room", lambda: 2 * GIB)
    assert available_memory() == 2 * GIB
    assert available_memory(shared_only=True) == 3 * GIB
    monkeypatch.setattr(_checks, "_cgroup_room", lambda: None)
    monkeypatch.setattr(_checks, "_rlimit_room", lambda: None)
    assert available_memory() == 20 * GIB


def test_the_address_space_limit_is_read():
    code = ("import resource; from qbcircuit._checks import available_memory; "
            "resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30)); "
            "print(available_memory())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert 0 < int(out) < 6 * GIB


@pytest.mark.parametrize(("times", "message"), [
    (np.array(["2024-01-01", "2024-01-03"], dtype="datetime64[D]"), "datetime64[D]"),
    ([np.datetime64("2024-01-01"), np.datetime64("2024-01-02")], "datetime64[D]"),
    (np.array([1, 2], dtype="timedelta64[s]"), "timedelta64[s]"),
    (np.array([False, True]), "bool"),
    (["0", "1"], "<U1"),
])
def test_times_that_are_not_numbers_are_refused(times, message):
    """simulate(p, datetime64 days) ran silently on day numbers (issue 23.6)."""
    with pytest.raises(ParameterError, match=rf"^times must be an array of real numbers, got "
                       rf"{re.escape(message)}$"):
        simulate(BatteryParams(), times, method="exact")


def test_integer_times_are_numbers():
    assert check_times(np.array([0, 2], dtype=np.int32)).tolist() == [0.0, 2.0]


def test_the_truncation_message_names_omega_q_when_it_is_the_cause():
    """--omega-q 1e-300 --zeta 1 said alpha needs a 300-digit number of Fock levels."""
    with pytest.raises(ParameterError, match=r"^\|g zeta\|/omega_q = 1e\+300 \(g = 1, zeta = 1, "
                       r"omega_q = 1e-300\) pumps photons beyond the 512 Fock levels the binary "
                       r"encoding allows; use a larger omega_q or a smaller \|g zeta\|$"):
        BatteryParams(omega_q=1e-300, zeta=1)
    with pytest.raises(ParameterError, match=r"^the coherent charger \(mean photons 100\) needs "
                       r"171 Fock levels"):
        BatteryParams(alpha=10, encoding="unary")

"""Input checks and the memory available to a run (qbcircuit._checks)."""

import subprocess
import sys

from qbcircuit import _checks
from qbcircuit._checks import available_memory

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

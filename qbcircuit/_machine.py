"""What machine a run is on, for run metadata and benchmark reports."""

from __future__ import annotations

import platform


def cpu_name() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo; elsewhere what ``platform`` knows)."""
    try:
        with open("/proc/cpuinfo") as fh:
            return next(line.split(":", 1)[1].strip() for line in fh
                        if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def machine_line(modules=("numpy", "scipy", "qutip", "qbcircuit")) -> str:
    """One line for a benchmark report: date, system, CPU, cores, Python and module versions.

    Modules that are not installed are left out.
    """
    import datetime
    import importlib
    import os

    versions = {"python": platform.python_version()}
    for name in modules:
        try:
            versions[name] = importlib.import_module(name).__version__
        except ImportError:
            pass
    vs = ", ".join(f"{k} {v}" for k, v in versions.items())
    return (f"{datetime.date.today()}, {platform.system()} {platform.machine()}, {cpu_name()}, "
            f"{os.cpu_count()} cores; {vs}")


def blas_threads() -> str:
    """The thread pools threadpoolctl sees (call inside the limits): library, version, threads."""
    from threadpoolctl import threadpool_info

    pools = [f"{p['internal_api']} {p.get('version') or '?'} ({p['user_api']}, "
             f"{p['num_threads']} thread{'s' if p['num_threads'] != 1 else ''})"
             for p in threadpool_info()]
    return "; ".join(pools or ["none"])


def peak_rss_mib() -> float | None:
    """High-water mark of this process's resident set in MiB (Linux VmHWM), else None.

    Not ``resource.getrusage(...).ru_maxrss``: Linux keeps that across ``exec``, so a child
    started from a large benchmark process would report its parent's peak.
    """
    import re

    try:
        with open("/proc/self/status") as fh:
            found = re.search(r"^VmHWM:\s+(\d+)\s+kB", fh.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) / 1024 if found else None

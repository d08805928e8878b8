"""Input checks, in one place: every error names the parameter, its value and the allowed range."""

from __future__ import annotations

import math
import os
from numbers import Complex, Real

import numpy as np


class ParameterError(ValueError):
    """An input outside its allowed range. The message names the parameter and the range."""


class SolverError(ParameterError):
    """A numerical solver failed on these inputs; the message says what to try instead."""


def check_real(name: str, value, *, low=None, high=None, low_open=False) -> float:
    """Return ``value`` as a float after checking it is a finite real in [low, high].

    >>> check_real("g", 2)
    2.0
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ParameterError(f"{name} must be a real number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        raise ParameterError(f"{name} must be finite, got a number of {len(str(value))} "
                             "digits") from None
    if not math.isfinite(value):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ParameterError(f"{name} must be {'>' if low_open else '>='} {low:g}, got {value!r}")
    if high is not None and value > high:
        raise ParameterError(f"{name} must be <= {high:g}, got {value!r}")
    return value


def check_complex(name: str, value, *, max_abs=None) -> complex:
    """Return ``value`` as a complex after checking it is finite with |value| <= max_abs."""
    if isinstance(value, bool) or not isinstance(value, Complex):
        raise ParameterError(f"{name} must be a complex number, got {value!r}")
    try:
        value = complex(value)
    except OverflowError:
        raise ParameterError(f"{name} must be finite, got a number beyond the float range"
                             ) from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    if max_abs is not None and abs(value) > max_abs:
        raise ParameterError(f"|{name}| must be <= {max_abs:g}, got |{name}| = {abs(value):.6g}")
    return value


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_int(name: str, value, *, low=None, high=None) -> int:
    """Return ``value`` after checking it is an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(f"{name} must be in [{low}, {high}], got {value}")
    return value


#: Most output times of one trajectory (10^7 times are 80 MB of times and 2.6 GB of two-cell
#: states before any solve).
MAX_POINTS = 10**6


def check_points(name: str, value) -> int:
    """Return a number of output times: an integer in [2, ``MAX_POINTS``].

    >>> check_points("points", 501)
    501
    """
    if (isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value)
            or int(value) != value):
        raise ParameterError(f"{name} must be an integer in [2, {MAX_POINTS}], got {value!r}")
    if not 2 <= value <= MAX_POINTS:
        raise ParameterError(f"{name} must be an integer in [2, {MAX_POINTS}], got {value}")
    return int(value)


def check_times(times) -> np.ndarray:
    """Return ``times`` as a 1-D float array: finite, non-negative and strictly increasing.

    >>> check_times([0, 0.5, 1.0])
    array([0. , 0.5, 1. ])
    """
    try:
        raw = np.asarray(times)
    except (TypeError, ValueError):
        raise ParameterError(f"times must be an array of real numbers, got {times!r}") from None
    # dates, durations, booleans and text would convert to floats silently (datetime64: days)
    if raw.dtype.kind in "mMbUSV":
        raise ParameterError(f"times must be an array of real numbers, got {raw.dtype}")
    try:
        arr = np.asarray(raw, dtype=float)
    except OverflowError:
        raise ParameterError("times must be finite (found a number beyond the float range)"
                             ) from None
    except (TypeError, ValueError):
        raise ParameterError(f"times must be an array of real numbers, got {times!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(f"times must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError("times must be finite (found NaN or inf)")
    if arr[0] < 0:
        raise ParameterError(f"times must be >= 0, got times[0] = {arr[0]:g}")
    if arr.size > 1 and np.any(np.diff(arr) <= 0):
        i = int(np.argmax(np.diff(arr) <= 0))
        raise ParameterError(
            f"times must be strictly increasing, got times[{i}] = {arr[i]:g} >= "
            f"times[{i + 1}] = {arr[i + 1]:g}"
        )
    return arr


def check_order(order) -> int:
    """Return a product-formula order, 1 (Lie-Trotter) or 2 (symmetric split)."""
    if isinstance(order, bool) or order not in (1, 2):
        raise ParameterError(f"order must be 1 (Lie-Trotter) or 2 (Suzuki-Trotter), got {order!r}")
    return int(order)


def check_dt(dt) -> float:
    """Return a time step: a finite number > 0."""
    if isinstance(dt, bool):
        raise ParameterError(f"dt must be a finite number > 0, got {dt!r}")
    try:
        value = float(dt)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"dt must be a finite number > 0, got {dt!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"dt must be a finite number > 0, got {dt!r}")
    return value


def available_memory(*, shared_only: bool = False) -> int:
    """Bytes of memory this process may still allocate.

    The least of what the machine has available (Linux: ``MemAvailable``), what the cgroup
    (v1 or v2) memory limit leaves, and what the process's own limits leave (``RLIMIT_AS``,
    ``RLIMIT_DATA``).

    Args:
        shared_only: leave out the per-process limits (what several worker processes share).

    >>> available_memory() > 0
    True
    """
    rooms = [_meminfo_available(), _cgroup_room()]
    if not shared_only:
        rooms.append(_rlimit_room())
    return max(0, min(r for r in rooms if r is not None))


def _meminfo_available() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    try:  # pragma: no cover - not Linux
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 1 << 62


def _status_bytes(field: str, status: str = "/proc/self/status") -> int | None:
    try:
        with open(status) as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    return None


def _rlimit_room() -> int | None:
    """What RLIMIT_AS (address space) and RLIMIT_DATA (data) leave this process, if set."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    rooms = []
    for limit, field in (("RLIMIT_AS", "VmSize"), ("RLIMIT_DATA", "VmData")):
        if not hasattr(resource, limit):  # pragma: no cover
            continue
        soft = resource.getrlimit(getattr(resource, limit))[0]
        used = _status_bytes(field)
        if soft != resource.RLIM_INFINITY and used is not None:
            rooms.append(soft - used)
    return min(rooms, default=None)


#: A cgroup v1 limit at or above this means "no limit" (the kernel's page-rounded 2^63 - 1).
_CGROUP_V1_UNLIMITED = 1 << 60


def _read_int(path: str) -> int | None:
    try:
        with open(path) as fh:
            text = fh.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # v2 "max": no limit


def _stat_field(path: str, name: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                key, _, value = line.partition(" ")
                if key == name:
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _cgroup_room(proc_cgroup: str = "/proc/self/cgroup", root: str = "/sys/fs/cgroup"
                 ) -> int | None:
    """What the cgroup memory limits leave (the least over this cgroup and its ancestors).

    v2: ``memory.max - memory.current``; v1: ``memory.limit_in_bytes -
    memory.usage_in_bytes``; the inactive page cache (reclaimed before the OOM killer acts)
    counts as free. None when no limit is set or the files cannot be read.
    """
    try:
        with open(proc_cgroup) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    rooms = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2
            base, files = root, ("memory.max", "memory.current", "inactive_file")
        elif "memory" in controllers.split(","):  # v1
            base = os.path.join(root, "memory")
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
        else:
            continue
        folder = os.path.normpath(os.path.join(base, path.lstrip("/")))
        if not os.path.isdir(folder):  # a cgroup namespace: our cgroup is the mount's root
            folder = base
        while True:  # this cgroup, then each ancestor up to the mount's root
            limit = _read_int(os.path.join(folder, files[0]))
            usage = _read_int(os.path.join(folder, files[1]))
            if limit is not None and limit < _CGROUP_V1_UNLIMITED and usage is not None:
                cache = _stat_field(os.path.join(folder, "memory.stat"), files[2])
                rooms.append(limit - usage + cache)
            if len(folder) <= len(base):
                break
            folder = os.path.dirname(folder)
    return min(rooms, default=None)

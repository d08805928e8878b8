"""N-dimensional parameter sweeps: figures of merit over a grid, on a process pool or a cluster.

``sweep(base, {"g": gs, "delta": ds}, ["max_energy"], times)`` evaluates every metric of
:mod:`qbcircuit.metrics` at every point of the grid ``gs x ds`` (any number of axes; any
sweepable parameter, complex ``alpha`` included; choice parameters such as ``encoding`` or the
model variants with explicit values) and returns a :class:`SweepResult`: each metric as an
N-D array with its axes, and a tidy table (one row per grid point).

How it runs:

* Every axis value is validated before any work (and every combination of the parameters that
  interact in the validation: alpha, zeta, encoding, initial cells, cell coupling), and a grid
  of more than ``MAX_POINTS`` points is refused before it is allocated. The grid's points are
  estimated as :func:`qbcircuit.simulate` estimates a run (memory, time): a point that cannot
  fit or finish is refused naming it (:func:`check_grid_cost`).
* This process starts solving, from the far end of the grid, and times every chunk. Locally,
  once the rate measured so far (the first point's warm-up left out) puts the points left above
  ``POOL_MIN_SECONDS`` of work, ``jobs - 1`` worker processes are started and this process
  keeps computing while they start and run: the pool takes chunks from the front, this process
  from the back (:mod:`qbcircuit.parallel`: workers die with the parent, a lost worker's chunk
  is run again). A grid's cost is rarely uniform (a closed corner of an open grid is 20x
  cheaper), so no single point decides. Chunks are small (``CHUNKS_PER_PROCESS`` per process,
  at most ``chunk_seconds`` of work) so the processes end together; ``jobs = 1`` runs here.
* On an executor (``executor=client.get_executor()`` for a dask.distributed cluster) one or
  two points are timed here first and the rest goes to the cluster in chunks of about
  ``chunk_seconds``, at least four per worker. Results do not depend on the executor or the
  chunking: each point is solved alone, BLAS pinned to one thread.
* With ``checkpoint=PATH`` every finished chunk is appended to PATH durably (flush + fsync);
  a rerun computes only the missing points. A checkpoint written for another sweep (parameters,
  grid, metrics, times, method, engine options, package version) is refused with the reason; a
  truncated last record (a kill mid-write) is dropped and its points recomputed.
* The default method is ``"exact"``: one eigendecomposition per closed-system point, and the
  exact engine's Chebyshev expansion for open systems; both measured the fastest of the
  package's engines per point (``benchmarks/README.md``, Sweeps). Each point's truncation is
  sized by :class:`~qbcircuit.BatteryParams` to its own alpha.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import itertools
import json
import logging
import math
import os
import sys
import textwrap
import time
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController
from tqdm.auto import tqdm

from ._checks import ParameterError, available_memory, check_int, check_real, check_times
from ._io import OutputFile, checked_path, csv_text, format_duration
from .engines import resolve
from .metrics import QUANTITIES, REDUCERS, describe, parse_metric
from .model import BatteryModel, initial_cell_state
from .parallel import (
    STALL_SECONDS,
    WORKER_BYTES,
    WorkerError,
    as_executor,
    imap_jobs,
    worker_limit,
)
from .params import BatteryParams, CostWarning, QbcircuitWarning, TruncationWarning
from .simulate import _solve, check_cost, warn_if_truncated

#: Default engine of a sweep (measured the fastest per point, closed and open).
DEFAULT_METHOD = "exact"
#: Largest grid accepted (points); larger grids are refused before they are allocated.
MAX_POINTS = 1_000_000
#: Estimated runs longer than this (seconds) are announced with the estimate before the work.
LONG_RUN_SECONDS = 60.0
#: Workers are started once the points left are estimated at more than this much work
#: (seconds, at the rate measured here so far): a spawned worker takes about 0.6 s to import
#: the package (measured on 2 cores, Python 3.11, qiskit 1), during which this process keeps
#: solving points, so the pool gains from about this much work on.
POOL_MIN_SECONDS = 1.0
#: A first point quicker than this (seconds; it pays for warm-up) is followed by a second
#: one before the rate is trusted.
PROBE_QUICK_SECONDS = 0.2
#: Work per chunk (seconds) solved here before workers are started: the decision is taken again
#: after each.
PROBE_CHUNK_SECONDS = 0.1
#: Chunks per process on a local pool: small enough that no process idles long at the end
#: while another finishes a chunk, ...
CHUNKS_PER_PROCESS = 40
#: ... and at least this much work each (seconds), so that the pool's traffic stays small (a
#: local pool of 2 passes about 500 empty chunks a second, measured).
MIN_CHUNK_SECONDS = 0.02
#: Choice parameters that may be varied with explicit values.
CHOICE_AXES = tuple(n for n, f in BatteryParams.fields().items() if f.metadata.get("choices"))
#: Parameters a sweep axis may vary.
AXES = BatteryParams.sweepable() + CHOICE_AXES
#: Parameters whose combinations are validated together (the truncation depends on them).
_INTERACTING = ("alpha", "zeta", "encoding", "initial_cells", "cell_coupling", "fock",
                "tail_tol")
_CHECKPOINT_FORMAT = 1
_THREADS = ThreadpoolController()
_LOG = logging.getLogger(__name__)


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------------- grid


def axis_values(name: str, values) -> np.ndarray:
    """One axis as a 1-D array of the parameter's type (complex alpha, str choices, float).

    Raises:
        ParameterError: an unknown name, an empty axis, or values of the wrong kind.
    """
    if name not in AXES:
        raise ParameterError(f"cannot vary {name!r}: a sweep varies one of {', '.join(AXES)}")
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        values = [values]
    try:
        size = len(values)
    except TypeError:
        raise ParameterError(f"values of {name} must be a list or 1-D array") from None
    if size == 0:
        raise ParameterError(f"{name} needs at least one value")
    if size > MAX_POINTS:
        raise ParameterError(f"{name} has {size} values, more than a sweep's {MAX_POINTS} "
                             "points: use fewer values")
    kind = {"alpha": complex}.get(name, str if name in CHOICE_AXES else float)
    try:
        arr = np.asarray(values, dtype=object if kind is str else kind)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"values of {name} must be {kind.__name__} numbers, got "
                             f"{list(values)[:5]!r}") from None
    if arr.ndim != 1:
        raise ParameterError(f"values of {name} must be a 1-D list, got shape {arr.shape}")
    return arr


def _value(v):
    """A numpy scalar as the plain Python value BatteryParams takes."""
    return v.item() if isinstance(v, np.generic) else v


def _text(v) -> str:
    """A CSV cell: floats and complex numbers round-trip (``1+0.5j``), strings as they are."""
    v = _value(v)
    if isinstance(v, str):
        return v
    if isinstance(v, complex):
        return repr(v.real) if v.imag == 0 else repr(v).strip("()")
    return repr(float(v))


def check_grid(base: BatteryParams, axes: Mapping, metrics) -> tuple[dict, tuple[str, ...]]:
    """Validate a sweep before any work; return (axes as arrays, metrics without repeats).

    Every value of every axis is checked on ``base``, and every combination of the values of
    the interacting parameters (alpha, zeta, encoding, initial cells, ...).

    Raises:
        ParameterError: the message names the parameter, the value and the rule.
    """
    if not isinstance(base, BatteryParams):
        raise ParameterError(f"base must be a BatteryParams, got {type(base).__name__}")
    if not isinstance(axes, Mapping) or not axes:
        raise ParameterError("a sweep needs at least one axis: {name: values, ...}")
    sizes = {}
    for name, values in axes.items():
        try:
            sizes[name] = len(values) if not isinstance(values, str) else 1
        except TypeError:
            sizes[name] = 1
    check_size(sizes)
    arrays = {name: axis_values(name, values) for name, values in axes.items()}
    metrics = check_metrics(metrics)
    reps = {name: _representatives(name, arr) for name, arr in arrays.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)  # an explicit fock: warned per point
        for name, values in reps.items():
            for v in values:
                _point(base, {name: v})
        inter = [n for n in reps if n in _INTERACTING]
        if len(inter) > 1:
            for combo in itertools.product(*(reps[n] for n in inter)):
                _point(base, dict(zip(inter, combo, strict=True)))
    return arrays, metrics


def check_grid_cost(base: BatteryParams, axes: Mapping[str, np.ndarray], times, method: str,
                    options: Mapping) -> int:
    """Estimate the grid's points as :func:`qbcircuit.simulate` does, before any work.

    Returns the largest estimated memory of one point (bytes), to size the pool.

    A point that cannot fit in memory or finish is refused naming the point; a long one warns
    (:class:`~qbcircuit.CostWarning`, naming the point). The points estimated are the corners
    of the grid (every combination of each axis's extremes, see :func:`_representatives`):
    the engines' estimates grow with the levels (|alpha|) and with the magnitude of every
    frequency and rate, each a convex function of a parameter, so their maximum over the grid
    is at a corner.

    Raises:
        ParameterError: "sweep point g = 1e8: this dynamics run needs about ...".
    """
    engine = resolve(method, dict(options))
    names = list(axes)
    corners = itertools.product(*(_representatives(n, axes[n]) for n in names))
    warned: dict[str, None] = {}
    most = 0
    for combo in corners:
        values = dict(zip(names, combo, strict=True))
        where = ", ".join(f"{k} = {_text(v)}" for k, v in values.items())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CostWarning)
            warnings.simplefilter("ignore", TruncationWarning)  # warned per point when solved
            try:
                cost = check_cost(engine, BatteryModel(_point(base, values)), times)
            except ParameterError as err:
                raise ParameterError(f"sweep point {where}: {err}") from None
        most = max(most, cost.bytes)
        long = [w for w in caught if issubclass(w.category, CostWarning)]
        if long and not warned:  # the first long point stands for the others
            warned[f"sweep point {where}: {long[0].message}"] = None
    for message in warned:
        warnings.warn(message, CostWarning, stacklevel=3)
    return most


def _representatives(name: str, arr: np.ndarray) -> list:
    """Values whose validation stands for the whole axis (the checks are ranges).

    Choices: each distinct value. Numbers: a non-finite one if any (it is refused), else the
    smallest and largest (alpha: the largest modulus, which needs the most levels).
    """
    if arr.dtype == object:
        return list(dict.fromkeys(arr))
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        return [arr[bad[0]]]
    if arr.dtype.kind == "c":
        return [arr[np.argmax(np.abs(arr))]]
    return list(dict.fromkeys([arr[np.argmin(arr)], arr[np.argmax(arr)]]))


def check_size(sizes: Mapping[str, int], estimate: str = "") -> int:
    """The number of grid points; a ParameterError when above ``MAX_POINTS``."""
    n = math.prod(sizes.values())
    if n > MAX_POINTS:
        shape = " x ".join(f"{s} {name}" for name, s in sizes.items())
        raise ParameterError(
            f"the grid has {n:,} points ({shape}), more than the {MAX_POINTS:,} a sweep "
            f"takes{estimate}: use fewer values per axis or fewer axes (or split the sweep)"
        )
    return n


def check_metrics(metrics) -> tuple[str, ...]:
    """Metric names checked against the registry, repeats dropped (order kept)."""
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = tuple(dict.fromkeys(metrics))
    if not metrics:
        raise ParameterError("a sweep needs at least one metric, e.g. max_energy")
    for m in metrics:
        parse_metric(m)
    return metrics


def _point(base: BatteryParams, values: Mapping) -> BatteryParams:
    try:
        return dataclasses.replace(base, **{k: _value(v) for k, v in values.items()})
    except ParameterError as err:
        where = ", ".join(f"{k} = {_text(v)}" for k, v in values.items())
        raise ParameterError(f"sweep point {where}: {err}") from None


# --------------------------------------------------------------------------- work


def _solve_chunk(job) -> dict:
    """Worker: the metrics of each point of a chunk (module-level: pickled by reference)."""
    base, names, points, metrics, times, method, options = job
    values, caught_messages = [], []
    with _THREADS.limit(limits=1, user_api="blas"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TruncationWarning)
        for point in points:
            values.append(_solve_point(_point(base, dict(zip(names, point, strict=True))),
                                       times, method, metrics, options))
        caught_messages = [str(w.message) for w in caught
                           if issubclass(w.category, TruncationWarning)]
    return {"values": values, "warnings": list(dict.fromkeys(caught_messages)),
            "version": _version()}


def _solve_point(params, times, method, metrics, options) -> list[float]:
    """The metrics of one point, computing only the quantities they need.

    The solve is :func:`qbcircuit.simulate`'s (sized truncation, re-solve when the top level
    fills, the same truncation warning); a sweep of max_energy skips the concurrence.
    """
    engine = resolve(method, options)
    states = _solve(params, times, engine.evolve, floor=engine.population_floor)
    warn_if_truncated(states.top_level_population(), states.levels, engine)
    cells = states.cell_states()
    initial = initial_cell_state(params.initial_cells)
    curves: dict[str, np.ndarray] = {}
    out = []
    for m in metrics:
        reducer, quantity = parse_metric(m)
        if quantity not in curves:
            curves[quantity] = QUANTITIES[quantity].compute(states.times, cells, initial)
        out.append(float(REDUCERS[reducer][1](states.times, curves[quantity])))
    return out


def _executor_workers(executor) -> int:
    """Parallel slots of an executor (dask: the cluster's threads), for estimates and chunks."""
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads(callback_timeout=5).values()))
        except Exception:  # noqa: BLE001 - a guess only
            return 1
    return max(1, int(getattr(executor, "_max_workers", 1) or 1))


# --------------------------------------------------------------------------- checkpoint


class Checkpoint:
    """An append-only record of finished chunks for one sweep (see the module docstring).

    Line 1 is a JSON header describing the sweep; each further line is one chunk,
    ``{"i": [flat indices], "v": [[metric values], ...]} <crc32>``. Opened, it is locked
    (one run at a time) until :meth:`close`.
    """

    def __init__(self, path, description: dict):
        self.path = Path(checked_path(path, "checkpoint"))
        self.description = description
        self.done: dict[int, list[float]] = {}
        self._fh = None

    def open(self, n_points: int, n_metrics: int) -> dict[int, list[float]]:
        """Create the file or read it back; return {flat index: metric values} finished."""
        path = self.path
        if path.is_dir():
            raise ParameterError(f"checkpoint {str(path)!r} is a directory")
        if path.exists() and not path.is_file():  # a FIFO or device: no records to read back
            raise ParameterError(f"checkpoint {str(path)!r} is not a regular file (a FIFO, "
                                 "device or socket): give a file path")
        if not path.exists():
            header = json.dumps({"qbcircuit_sweep_checkpoint": self.description}) + "\n"
            with OutputFile(path) as out:  # atomic: a header is whole or absent
                out.write_text(header)
        try:
            self._fh = open(path, "r+b")  # noqa: SIM115 - held open while the sweep runs
        except OSError as err:
            raise ParameterError(f"cannot open checkpoint {str(path)!r}: "
                                 f"{err.strerror or err}") from None
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.close()
            raise ParameterError(f"checkpoint {str(path)!r} is in use by another running "
                                 "sweep") from None
        data = self._fh.read()
        lines = data.split(b"\n")
        self._check_header(lines[0])
        good = len(lines[0]) + 1
        first_line: dict[int, int] = {}
        for k, line in enumerate(lines[1:], start=2):
            last = k == len(lines)  # the text after the final newline: empty, or truncated
            record = self._record(line, n_points, n_metrics) if line else "an empty line"
            if isinstance(record, str):
                if last:
                    break  # a record cut short by a kill: recomputed
                self.close()
                raise ParameterError(f"checkpoint {str(path)!r} is corrupt at line {k} "
                                     f"({record}); delete it to start over")
            for i, v in zip(*record, strict=True):
                if i in self.done and self.done[i] != v:
                    self.close()
                    raise ParameterError(
                        f"checkpoint {str(path)!r} disagrees with itself: grid point {i} has "
                        f"other values at line {k} than at line {first_line[i]}; delete it to "
                        "start over"
                    )
                self.done[i] = v
                first_line.setdefault(i, k)
            good += len(line) + 1
        self._fh.truncate(good)
        self._fh.seek(good)
        return self.done

    def _check_header(self, line: bytes) -> None:
        try:
            theirs = json.loads(line)["qbcircuit_sweep_checkpoint"]
            if not isinstance(theirs, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, RecursionError):  # nested thousands deep
            self.close()
            raise ParameterError(f"{str(self.path)!r} is not a qbcircuit sweep checkpoint "
                                 "(or its header is corrupt); delete it or use another path"
                                 ) from None
        ours = self.description
        for key, what in (("format", "checkpoint format"), ("version", "qbcircuit version"),
                          ("method", "method"), ("options", "engine options"),
                          ("times", "times"), ("axes", "varied parameters (in this order)"),
                          ("grid", "grid values"), ("base", "fixed parameters"),
                          ("metrics", "metrics")):
            if theirs.get(key) != ours.get(key):
                self.close()
                raise ParameterError(
                    f"checkpoint {str(self.path)!r} was written for other {what}: "
                    f"{_short(theirs.get(key))}, this sweep has {_short(ours.get(key))}; "
                    "use another checkpoint path, or delete it to start over"
                )

    @staticmethod
    def _record(line: bytes, n_points: int, n_metrics: int):
        """``(indices, values)`` of one record, or the reason it is not a valid one."""
        try:
            payload, crc = line.rsplit(b" ", 1)
            if int(crc, 16) != zlib.crc32(payload):
                return "its checksum does not match"
            rec = json.loads(payload)
            idx, vals = rec["i"], rec["v"]
        except (ValueError, KeyError, TypeError, RecursionError):
            return "not a complete record"
        if not (isinstance(idx, list) and isinstance(vals, list) and len(idx) == len(vals)):
            return "not a complete record"
        for i, v in zip(idx, vals, strict=True):
            if type(i) is not int or not 0 <= i < n_points:
                return f"grid point index {_short(i)} is not in [0, {n_points})"
            if not isinstance(v, list) or len(v) != n_metrics:
                return f"point {i} needs {n_metrics} metric value(s), got {_short(v)}"
            for x in v:
                # json gives int, float; refuse bool, str, None, NaN, inf and beyond floats
                try:
                    ok = type(x) in (int, float) and math.isfinite(x)
                except OverflowError:
                    ok = False
                if not ok:
                    return f"point {i} has the value {_short(x)}, not a finite number"
        return idx, [[float(x) for x in v] for v in vals]

    def append(self, indices: Sequence[int], values: Sequence[Sequence[float]]) -> None:
        """Append one chunk durably (flush + fsync)."""
        payload = json.dumps({"i": [int(i) for i in indices], "v": values},
                             separators=(",", ":")).encode()
        self._fh.write(payload + b" " + f"{zlib.crc32(payload):08x}".encode() + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Release the lock and close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _digest(values) -> str:
    return hashlib.sha256("\n".join(_text(v) for v in values).encode()).hexdigest()[:16]


def describe_sweep(base, axes, metrics, times, method, options) -> dict:
    """What a checkpoint must match: package version, method, options, times, grid, metrics."""
    def summary(arr):
        return f"{len(arr)} values {_text(arr[0])} .. {_text(arr[-1])} #{_digest(arr)}"

    return {
        "format": _CHECKPOINT_FORMAT,
        "version": _version(),
        "method": method,
        "options": {k: repr(v) for k, v in sorted(options.items())},
        "times": summary(times),
        "axes": list(axes),
        "grid": {name: summary(arr) for name, arr in axes.items()},
        "base": {name: _text(getattr(base, name)) if getattr(base, name) is not None else None
                 for name in BatteryParams.fields() if name not in axes},
        "metrics": list(metrics),
    }


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class SweepResult:
    """Figures of merit on a grid.

    Attributes:
        base: the parameters that do not vary.
        axes: varied parameter -> its values, in grid order (the first varies slowest).
        metrics: metric -> array of shape ``shape``: ``metrics[m][i, j, ...]`` is at
            ``axes[0][i]``, ``axes[1][j]``, ...
        times: the times of every trajectory.
        method: the engine.
    """

    base: BatteryParams
    axes: dict[str, np.ndarray]
    metrics: dict[str, np.ndarray]
    times: np.ndarray
    method: str

    def __getitem__(self, metric: str) -> np.ndarray:
        """The N-D array of one metric."""
        return self.metrics[metric]

    @property
    def shape(self) -> tuple[int, ...]:
        """Values per axis."""
        return tuple(len(v) for v in self.axes.values())

    def columns(self) -> dict[str, np.ndarray]:
        """The tidy table as columns: one per varied parameter, one per metric."""
        grids = np.meshgrid(*self.axes.values(), indexing="ij")
        cols = {name: g.ravel() for name, g in zip(self.axes, grids, strict=True)}
        cols.update({m: v.ravel() for m, v in self.metrics.items()})
        return cols

    def table(self) -> np.ndarray:
        """The tidy table as one numpy structured array, whatever is installed.

        One record per grid point, one field per varied parameter then per metric (the
        columns of :meth:`columns`); ``pandas.DataFrame(result.table())`` makes a data frame.

        >>> res = SweepResult(BatteryParams(), {"g": np.array([0.5, 1.0])},
        ...                   {"max_energy": np.array([0.1, 0.2])}, np.array([0.0]), "exact")
        >>> res.table().dtype.names, res.table()["max_energy"].tolist()
        (('g', 'max_energy'), [0.1, 0.2])
        """
        cols = self.columns()
        out = np.empty(len(next(iter(cols.values()))),
                       dtype=[(name, col.dtype) for name, col in cols.items()])
        for name, col in cols.items():
            out[name] = col
        return out

    def to_csv_text(self, labels: Mapping[str, str] | None = None) -> str:
        """CSV: one column per varied parameter (``labels`` may rename them), then per metric."""
        labels = labels or {}
        cols = self.columns()
        return csv_text([labels.get(n, n) for n in cols], zip(*cols.values(), strict=True))

    def to_csv(self, path, labels: Mapping[str, str] | None = None) -> Path:
        """Write :meth:`to_csv_text` to ``path`` atomically."""
        with OutputFile(path) as out:
            out.write_text(self.to_csv_text(labels))
        return Path(path)

    def plot(self, metrics: Sequence[str] | None = None):
        """Line plots (one axis) or heat maps (two axes), one panel per metric.

        The first varied parameter is horizontal. Returns a matplotlib ``Figure``.

        Raises:
            ParameterError: more than two varied parameters (fix all but two and plot a slice).
        """
        check_plottable(list(self.axes))
        import matplotlib.pyplot as plt

        metrics = list(metrics or self.metrics)
        ncols = min(2, len(metrics))
        nrows = math.ceil(len(metrics) / ncols)
        fig, axs = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 4.0 * nrows),
                                constrained_layout=True, squeeze=False)
        names = list(self.axes)
        xs, xticks = _plot_coords(self.axes[names[0]])
        for ax, m in zip(axs.ravel(), metrics, strict=False):
            if len(names) == 1:
                ax.plot(xs, self.metrics[m], marker="." if len(xs) < 50 else None)
                ax.set_ylabel(m)
            else:
                ys, yticks = _plot_coords(self.axes[names[1]])
                mesh = ax.pcolormesh(xs, ys, self.metrics[m].T, shading="nearest")
                fig.colorbar(mesh, ax=ax, label=m)
                ax.set_ylabel(names[1])
                if yticks is not None:
                    ax.set_yticks(ys, yticks)
            if xticks is not None:
                ax.set_xticks(xs, xticks)
            ax.set_xlabel(names[0])
            ax.set_title(describe(m), fontsize=8)
        for ax in axs.ravel()[len(metrics):]:
            ax.set_visible(False)
        fixed = self.fixed_parameters().replace(" = ", "\N{NO-BREAK SPACE}=\N{NO-BREAK SPACE}")
        fig.suptitle(textwrap.fill(f"fixed: {fixed}; {self.method}", width=int(60 * ncols)),
                     fontsize=8)
        return fig

    def fixed_parameters(self) -> str:
        """The parameters that do not vary, as ``name = value, ...`` (a plot's title).

        >>> text = SweepResult(BatteryParams(alpha=2), {"g": np.array([1.0])}, {},
        ...                    np.array([0.0]), "exact").fixed_parameters()
        >>> "alpha = 2" in text.split(", "), "g = 1" in text.split(", ")
        (True, False)
        """
        parts = []
        for name in BatteryParams.fields():
            if name in self.axes:
                continue
            v = _value(getattr(self.base, name))
            if isinstance(v, complex) and v.imag == 0:
                v = v.real
            text = ("auto" if v is None else v if isinstance(v, str)
                    else f"{v:g}" if isinstance(v, float | int) else str(v).strip("()"))
            parts.append(f"{name} = {text}")
        return ", ".join(parts)


def check_plottable(names: Sequence[str]) -> None:
    """A ParameterError unless one or two parameters vary (what a line or heat map shows)."""
    if len(names) > 2:
        raise ParameterError(
            f"a plot shows one varied parameter (lines) or two (heat maps), this sweep varies "
            f"{len(names)} ({', '.join(names)}): drop the plot, or fix all but two (--set) "
            "and plot that slice"
        )


def _plot_coords(values: np.ndarray):
    """Numeric increasing axes as they are; anything else at 0, 1, ... with text labels."""
    if values.dtype.kind == "c" and np.all(values.imag == 0):
        values = values.real
    if values.dtype.kind == "f" and (len(values) == 1 or np.all(np.diff(values) > 0)):
        return values, None
    return np.arange(len(values)), [_text(v) for v in values]


# --------------------------------------------------------------------------- sweep


def sweep(
    base_params: BatteryParams,
    axes: Mapping[str, Sequence],
    metrics: str | Sequence[str] = ("max_energy",),
    times=None,
    *,
    method: str = DEFAULT_METHOD,
    executor: Executor | None = None,
    jobs: int | None = None,
    checkpoint=None,
    chunk_seconds: float = 1.0,
    stall_seconds: float = STALL_SECONDS,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
    **engine_options,
) -> SweepResult:
    """Evaluate ``metrics`` at every point of the grid ``axes`` around ``base_params``.

    Args:
        base_params: the parameters that do not vary.
        axes: varied parameter -> values (the grid is their product; the first varies
            slowest). Any of ``AXES``; complex values for alpha, strings for choices.
        metrics: metric names of :mod:`qbcircuit.metrics` (``<reducer>_<quantity>``).
        times (array of shape (T,)): times of every trajectory (default: 201 in [0, 10]).
        method: the engine (default ``"exact"``, the fastest per point).
        executor: a ``concurrent.futures.Executor`` to run the chunks on, or a dask
            ``Client`` (its ``get_executor()`` is used); default: a local process pool of
            ``jobs`` workers.
        jobs: local processes that compute, this one included (default: one per core;
            1 = only this one), at most one per core and as many as the available memory
            holds (a warning says so). Workers are started only for work worth their start.
        checkpoint: a file path: finished chunks are appended there and a rerun resumes.
        chunk_seconds: the most work per task (seconds, at the rate measured here).
        stall_seconds: a local worker without a heartbeat for this long (stopped, frozen) is
            killed and its chunk run again; a cluster without any worker, or whose scheduler
            does not answer, for this long ends the sweep (a ``WorkerError`` saying how many
            points were done; the checkpoint keeps them).
        progress: show a progress bar (and the estimate of a long run).
        log: called with one-line messages (the estimate of a long run); default: stderr
            when ``progress``.
        **engine_options: passed to :func:`qbcircuit.simulate`.

    Returns:
        the result, each metric an array of shape ``(len(values) for each axis)``.

    Raises:
        ParameterError: a bad axis, value, metric, option or checkpoint (before any work).

    >>> r = sweep(BatteryParams(alpha=1), {"g": [0.5, 1.0], "zeta": [0.0, 1.0, 0.5]},
    ...           ["max_energy"], [0.0, 0.5, 1.0], jobs=1)
    >>> r["max_energy"].shape
    (2, 3)
    """
    times = check_times(np.linspace(0.0, 10.0, 201) if times is None else times)
    resolve(method, engine_options)  # refuse foreign or out-of-range options now
    axes, metrics = check_grid(base_params, axes, metrics)
    point_bytes = check_grid_cost(base_params, axes, times, method, engine_options)
    if not (isinstance(chunk_seconds, (int, float)) and 0 < chunk_seconds < math.inf):
        raise ParameterError(f"chunk_seconds must be a number > 0, got {chunk_seconds!r}")
    stall_seconds = check_real("stall_seconds", stall_seconds, low=0.0, low_open=True)
    if executor is None:
        asked = None if jobs is None else check_int("jobs", jobs, low=1, high=1024)
        fit, reason = worker_limit(point_bytes)
        jobs = fit if asked is None else min(asked, fit)
        if jobs < (asked or math.inf) and (asked is not None or reason == "memory"):
            have = available_memory(shared_only=True) / 2**30
            why = (f"one per core, {fit} core(s)" if reason == "cores" else
                   f"the {have:.1f} GiB of memory available hold {fit} at about "
                   f"{(WORKER_BYTES + point_bytes) / 2**20:.0f} MiB each")
            warnings.warn(f"jobs = {asked or 'one per core'}: {jobs} worker process(es) run "
                          f"({why})", QbcircuitWarning, stacklevel=2)
        slots = jobs
    else:
        executor = as_executor(executor)
        slots = _executor_workers(executor)
    if log is None and progress:
        def log(msg):
            print(f"qbcircuit: {msg}", file=sys.stderr)
    names = list(axes)
    shape = tuple(len(a) for a in axes.values())
    n = math.prod(shape)
    store = None
    if checkpoint is not None:
        store = Checkpoint(checkpoint, describe_sweep(base_params, axes, metrics, times, method,
                                                      engine_options))
    try:
        done = store.open(n, len(metrics)) if store else {}
        _run(base_params, axes, names, shape, metrics, times, method, engine_options, done,
             store, executor, jobs, slots, chunk_seconds, progress, log, stall_seconds)
    except WorkerError as err:
        kept = f", kept in checkpoint {str(store.path)!r}" if store else ""
        raise WorkerError(f"{err}; {len(done)} of {n} grid points done{kept}") from None
    finally:
        if store:
            store.close()
    values = np.array([done[k] for k in range(n)], dtype=float).reshape(*shape, len(metrics))
    return SweepResult(base=base_params, axes=axes,
                       metrics={m: values[..., j] for j, m in enumerate(metrics)},
                       times=times, method=method)


def _run(base, axes, names, shape, metrics, times, method, options, done, store, executor,
         jobs, slots, chunk_seconds, progress, log, stall_seconds=STALL_SECONDS):
    """Fill ``done`` with every missing point: here first, timed, then on the workers too.

    This process solves points from the far end of the grid (the first call pays for
    warm-up, so the rate counts the later ones) until the measured rate says the rest is worth
    ``POOL_MIN_SECONDS``; then the rest is cut into chunks for ``jobs - 1`` local workers and
    this process (:func:`~qbcircuit.parallel.imap_jobs` with ``caller_works``), or for the
    executor. With ``jobs = 1`` everything runs here, in chunks of ``chunk_seconds``.
    """
    n = math.prod(shape)
    missing = [k for k in range(n) if k not in done]
    if not missing:
        return
    seen_warnings: dict[str, None] = {}

    def point_of(k):
        return tuple(a[i] for a, i in zip(axes.values(), np.unravel_index(k, shape),
                                          strict=True))

    def job(ks):
        return (base, names, [point_of(k) for k in ks], metrics, times, method, options)

    def record(ks, result):
        if result["version"] != _version():
            raise ParameterError(f"a worker runs qbcircuit {result['version']}, this process "
                                 f"{_version()}: install the same version on every worker")
        if store:
            store.append(ks, result["values"])
        done.update(zip(ks, result["values"], strict=True))
        seen_warnings.update(dict.fromkeys(result["warnings"]))

    local_pool = executor is None and jobs > 1
    with tqdm(total=n, initial=n - len(missing), disable=not progress,
              desc=f"sweep ({method})", unit="pt") as bar:
        # here, from the far end (a grid's cost is rarely uniform: its first corner may be
        # the cheapest, e.g. closed at kappa = gamma = 0), timing every chunk
        first = None  # seconds of the first point (warm-up included)
        warm_points, warm_seconds = 0, 0.0  # the points after it
        while missing:
            if first is None or (not warm_points and first <= PROBE_QUICK_SECONDS):
                size = 1  # the probe: a quick first point (warm-up) is timed again
            else:
                rate = warm_seconds / warm_points if warm_points else first
                if executor is not None or (local_pool and len(missing) * rate
                                            > POOL_MIN_SECONDS):
                    break  # the rest goes to the cluster, or is worth starting workers
                work = PROBE_CHUNK_SECONDS if local_pool else chunk_seconds
                size = max(1, min(int(work / max(rate, 1e-9)), math.ceil(len(missing) / 4)))
            ks = missing[-size:]
            del missing[-size:]
            t0 = time.perf_counter()
            record(ks, _solve_chunk(job(ks)))
            seconds = time.perf_counter() - t0
            bar.update(len(ks))
            if first is None:
                first = seconds
            else:
                warm_points += len(ks)
                warm_seconds += seconds
        if missing:
            per_point = warm_seconds / warm_points if warm_points else first
            workers = jobs if executor is None else slots
            estimate = len(missing) * per_point / workers
            if log and estimate > LONG_RUN_SECONDS:
                log(f"{len(missing)} points at {per_point:.3g} s each on {workers} "
                    f"process(es): about {format_duration(estimate)}")
            if executor is None:  # balanced at the end: chunks far shorter than the run
                work = min(chunk_seconds, max(MIN_CHUNK_SECONDS,
                                              estimate / CHUNKS_PER_PROCESS))
                size = max(1, int(work / max(per_point, 1e-9)))
            else:
                size = max(1, int(chunk_seconds / max(per_point, 1e-6)))
                size = max(1, min(size, math.ceil(len(missing) / (4 * workers))))
            chunks = [missing[i:i + size] for i in range(0, len(missing), size)]
            if executor is None:
                _LOG.info("%d points left at %.3g s each: %d worker process(es) started, this "
                          "process computes too; %d chunks of %d point(s)", len(missing),
                          per_point, jobs - 1, len(chunks), size)
            stream = imap_jobs(_solve_chunk, [job(c) for c in chunks],
                               workers=jobs if executor is None else 1, executor=executor,
                               stall_seconds=stall_seconds, caller_works=executor is None)
            try:
                for i, result in stream:
                    record(chunks[i], result)
                    bar.update(len(chunks[i]))
            finally:
                stream.close()
    for message in seen_warnings:
        warnings.warn(message, TruncationWarning, stacklevel=3)

"""Parameter landscapes: a figure of merit over a grid of two parameters (beyond the paper).

Each grid point is one trajectory; points are independent, so the grid is split into chunks
solved in worker processes (``workers``; one process per core by default, see
:mod:`qbcircuit.parallel`: workers die with the run, a lost worker's chunks are retried), with a
progress bar. Results do not depend on the number of workers.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np

from ._checks import ParameterError, check_choice, check_int, check_times
from .metrics import describe, evaluate, parse_metric
from .parallel import map_jobs
from .params import BatteryParams
from .simulate import DEFAULT_METHOD, simulate_many
from .trajectory import Trajectory

#: BatteryParams fields a landscape axis may vary.
AXES = BatteryParams.sweepable()


@dataclass(frozen=True)
class Landscape:
    """A figure of merit on a grid: ``values[i, j]`` at ``y[i]``, ``x[j]``."""

    x_name: str
    x: np.ndarray
    y_name: str
    y: np.ndarray
    metric: str
    values: np.ndarray

    def to_csv_text(self) -> str:
        """CSV with one row per grid point: ``<x_name>,<y_name>,<metric>``."""
        rows = [f"{self.x_name},{self.y_name},{self.metric}"]
        for i, yv in enumerate(self.y):
            for j, xv in enumerate(self.x):
                rows.append(f"{_text(xv)},{_text(yv)},{_text(self.values[i, j])}")
        return "\n".join(rows) + "\n"


def _text(value) -> str:
    value = complex(value)
    return repr(value.real) if value.imag == 0 else repr(value)


def landscape_grid(base: BatteryParams, x, y, metric: str = "max_energy"):
    """Check a landscape's axes and metric; return (x_name, xs, y_name, ys, grid of params).

    Every grid point is validated here, so a bad value fails before any work is done.
    """
    parse_metric(metric)
    (x_name, xs), (y_name, ys) = x, y
    for name in (x_name, y_name):
        check_choice("landscape axis", name, AXES)
    if x_name == y_name:
        raise ParameterError(f"the two landscape axes must differ, got {x_name!r} twice")
    xs = np.asarray(xs, dtype=complex if x_name == "alpha" else float)
    ys = np.asarray(ys, dtype=complex if y_name == "alpha" else float)
    if xs.ndim != 1 or ys.ndim != 1 or xs.size == 0 or ys.size == 0:
        raise ParameterError("landscape axes need non-empty 1-D lists of values")
    grid = [dataclasses.replace(base, **{x_name: xv.item(), y_name: yv.item()})
            for yv in ys for xv in xs]
    return x_name, xs, y_name, ys, grid


def _solve_chunk(args) -> list[float]:
    params, times, method, metric, options = args
    trajs: list[Trajectory] = simulate_many(params, times, method=method, **options)
    return [evaluate(metric, tr) for tr in trajs]


def landscape(
    base: BatteryParams,
    x: tuple[str, np.ndarray],
    y: tuple[str, np.ndarray],
    times,
    *,
    metric: str = "max_energy",
    method: str = DEFAULT_METHOD,
    workers: int | None = None,
    progress: bool = False,
    **options,
) -> Landscape:
    """Evaluate ``metric`` on the grid ``x`` x ``y`` around ``base``.

    Args:
        base: the parameters that do not vary.
        x: (name, values) of the horizontal axis, a ``BatteryParams`` field in ``AXES``.
        y: (name, values) of the vertical axis.
        times (array of shape (T,)): times of every trajectory.
        metric: one of ``METRICS``.
        method: the engine.
        workers: worker processes (default: one per core; 1 = in this process).
        progress: show a progress bar.
        **options: engine options.

    Returns:
        the landscape, ``values`` of shape (len(y), len(x)).

    >>> ls = landscape(BatteryParams(alpha=1), ("g", [0.5, 1.0]), ("zeta", [0.0, 1.0]),
    ...                [0.0, 0.5, 1.0], method="exact", workers=1)
    >>> ls.values.shape
    (2, 2)
    """
    times = check_times(times)
    x_name, xs, y_name, ys, grid = landscape_grid(base, x, y, metric)
    if workers is None:
        workers = os.cpu_count() or 1
    workers = check_int("workers", workers, low=1, high=256)
    n_chunks = min(len(grid), 4 * workers)
    chunks = [list(c) for c in np.array_split(np.array(grid, dtype=object), n_chunks)]
    jobs = [(c, times, method, metric, options) for c in chunks]
    results = map_jobs(_solve_chunk, jobs, workers=workers, progress=progress,
                       desc=f"landscape ({metric})", weights=[len(c) for c in chunks])
    values = np.array([v for r in results for v in r]).reshape(ys.size, xs.size)
    return Landscape(x_name, xs.real if x_name != "alpha" else xs, y_name,
                     ys.real if y_name != "alpha" else ys, metric, values)


def plot_landscape(ls: Landscape):
    """A colour map of the landscape, returned as a matplotlib ``Figure``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5), constrained_layout=True)
    mesh = ax.pcolormesh(np.real(ls.x), np.real(ls.y), ls.values, shading="nearest")
    fig.colorbar(mesh, ax=ax, label=describe(ls.metric))
    ax.set_xlabel(ls.x_name)
    ax.set_ylabel(ls.y_name)
    ax.set_title(f"{ls.metric} over ({ls.x_name}, {ls.y_name})")
    return fig

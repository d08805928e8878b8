r"""Figures of merit, in one registry: quantities over time and the reducers that summarise them.

A *quantity* is a function of the cells' reduced states over time (``energy``,
``fluctuation``, ``concurrence``, ``ergotropy``, ``power``, ``battery_energy``,
``battery_power``, ``battery_ergotropy`` and its two-cell name ``joint_ergotropy``); a *reducer*
turns its curve into one number (``max``, ``min``, ``mean``, ``final``, ``time_of_max``,
``first_peak``). A *metric* is ``<reducer>_<quantity>``, e.g. ``max_energy``,
``time_of_max_energy``, ``first_peak_energy``, ``max_joint_ergotropy``. The trajectory's
fields, its CSV columns, the sweep metrics and the CLI's choices all come from here.

All quantities are normalised by :math:`\omega_q` (energies) or :math:`\omega_q` per unit time
(power), as the paper plots them (docs/conventions.md). For N cells, ``energy``,
``fluctuation``, ``ergotropy`` and ``power`` are the last cell's, ``concurrence`` that of the
pair (1, N) (absent for one cell: ``Quantity.pair``), the ``battery_*`` quantities those of all
cells together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import observables as obs
from ._checks import ParameterError


@dataclass(frozen=True)
class Quantity:
    """A figure of merit over time.

    Attributes:
        name: its name (a CSV column, the second half of a metric name).
        description: what it is, for help texts and axis labels.
        compute: ``compute(times, cell_states, initial_cell_state) -> array of shape (T,)``.
        paper: one of the paper's three plotted quantities (the CSV's default columns).
        pair: needs two cells (absent for a one-cell battery).
    """

    name: str
    description: str
    compute: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    paper: bool = False
    pair: bool = False

    def applies(self, cells: int) -> bool:
        """Whether the quantity exists for a battery of ``cells`` cells."""
        return cells > 1 or not self.pair


def _power(times, cells, initial):
    return obs.average_power(times, obs.energy(cells, initial))


def _battery_power(times, cells, initial):
    return obs.average_power(times, obs.battery_energy(cells, initial))


_BATTERY_ERGOTROPY = Quantity("battery_ergotropy", "ergotropy of all cells together / omega_q",
                              lambda t, c, i: obs.battery_ergotropy(c))

#: The quantities, in CSV column order.
QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    Quantity("energy", "stored energy E/omega_q of the secondary (last) cell, Eq. (5)",
             lambda t, c, i: obs.energy(c, i), paper=True),
    Quantity("fluctuation", "energy fluctuation Sigma/omega_q, Eq. (6)",
             lambda t, c, i: obs.fluctuation(c), paper=True),
    Quantity("concurrence", "concurrence of cells 1 and N, Eq. (8)",
             lambda t, c, i: obs.pair_concurrence(c), paper=True, pair=True),
    Quantity("ergotropy", "ergotropy of the secondary (last) cell / omega_q",
             lambda t, c, i: obs.ergotropy(c)),
    Quantity("power", "average charging power E/t (omega_q per unit time)", _power),
    Quantity("joint_ergotropy", "ergotropy of the cells together / omega_q (two-cell name "
             "of battery_ergotropy)", _BATTERY_ERGOTROPY.compute),
    Quantity("battery_energy", "energy stored in all cells / omega_q",
             lambda t, c, i: obs.battery_energy(c, i)),
    Quantity("battery_power", "average charging power of all cells (omega_q per unit time)",
             _battery_power),
    _BATTERY_ERGOTROPY,
)}


#: A first maximum must stand out from the curve by this fraction of the curve's range
#: (``scipy.signal.find_peaks`` prominence): a ripple of a few percent before the main rise is
#: not "the first peak", and a curve that only rises has none.
FIRST_PEAK_PROMINENCE = 0.1


def first_peak_index(values: np.ndarray) -> int | None:
    """Index of the first local maximum of a sampled curve, or None if it has none.

    The one definition of "first maximum" of the package (the ``first_peak`` reducer, the
    paper's claims, figures and report all use it): the first peak found by
    ``scipy.signal.find_peaks`` with a prominence of at least :data:`FIRST_PEAK_PROMINENCE`
    times the curve's range. A maximum at the last sample (still rising) is not a peak.

    >>> t = np.linspace(0, 10, 1001)
    >>> float(t[first_peak_index(np.sin(t) + 0.01 * np.sin(40 * t))].round(1))
    1.6
    >>> first_peak_index(t) is None
    True
    """
    from scipy.signal import find_peaks

    y = np.asarray(values, float)
    rng = float(np.ptp(y)) if y.size else 0.0
    if rng <= 0:
        return None
    peaks, _ = find_peaks(y, prominence=FIRST_PEAK_PROMINENCE * rng)
    return int(peaks[0]) if peaks.size else None


def first_peak(times: np.ndarray, values: np.ndarray) -> tuple[float, float, bool]:
    """(time, height, found) of the first maximum (:func:`first_peak_index`).

    A curve without one (monotone over the window) gives the time and height of its largest
    value and ``found = False``.
    """
    y = np.asarray(values, float)
    i = first_peak_index(y)
    found = i is not None
    if i is None:
        i = int(np.argmax(y))
    return float(np.asarray(times)[i]), float(y[i]), found


def _first_peak(times: np.ndarray, values: np.ndarray) -> float:
    """Value at the first maximum (the largest value if the curve has none)."""
    return first_peak(times, values)[1]


#: Reducers: name -> (description, reduce(times, values) -> float).
REDUCERS: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], float]]] = {
    "max": ("largest", lambda t, v: float(np.max(v))),
    "min": ("smallest", lambda t, v: float(np.min(v))),
    "mean": ("time average", lambda t, v: float(np.trapezoid(v, t) / (t[-1] - t[0]))
             if t[-1] > t[0] else float(v[0])),
    "final": ("at the last time", lambda t, v: float(v[-1])),
    "time_of_max": ("time of the largest", lambda t, v: float(t[np.argmax(v)])),
    "first_peak": ("at the first maximum", _first_peak),
}

#: Every metric name, ``<reducer>_<quantity>``.
METRICS: tuple[str, ...] = tuple(f"{r}_{q}" for r in REDUCERS for q in QUANTITIES)


def parse_metric(name: str) -> tuple[str, str]:
    """``"time_of_max_energy"`` -> ``("time_of_max", "energy")``; a ParameterError otherwise."""
    for reducer in sorted(REDUCERS, key=len, reverse=True):
        quantity = name[len(reducer) + 1:]
        if name.startswith(reducer + "_") and quantity in QUANTITIES:
            return reducer, quantity
    raise ParameterError(
        f"metric must be <reducer>_<quantity> with reducer in {', '.join(REDUCERS)} and "
        f"quantity in {', '.join(QUANTITIES)} (e.g. max_energy), got {name!r}"
    )


def describe(name: str) -> str:
    """A metric's description, e.g. ``"largest stored energy E/omega_q ..."``."""
    reducer, quantity = parse_metric(name)
    return f"{REDUCERS[reducer][0]} {QUANTITIES[quantity].description}"


def evaluate(name: str, trajectory) -> float:
    """The metric ``name`` of a :class:`~qbcircuit.Trajectory` (NaN where it is absent)."""
    reducer, quantity = parse_metric(name)
    return REDUCERS[reducer][1](trajectory.times, trajectory.quantity(quantity))

"""Cross-checks for ``qbcircuit reproduce``: engines, an optional QuTiP build, first maxima.

* :func:`engine_deviations`: the largest deviation of energy, fluctuation and concurrence of a
  suite solved by one engine from the same suite solved by ``exact``, per panel.
* :func:`qutip_suite` (optional: only when ``qutip`` is importable): the suite solved by the
  independent QuTiP build of :mod:`qbcircuit.qutip_reference` (none of this package's model,
  engines or observables).
* :func:`first_maximum` and :func:`first_maximum_rows`: where the stored energy first peaks,
  under Eq. (1) and under a variant, against the paper's window [0, 1.3].
"""

from __future__ import annotations

import numpy as np

from ..metrics import first_peak_index
from ..qutip_reference import QUTIP_OPTIONS, qutip_available, qutip_trajectory
from .suite import PANELS, PARAMETRIC_WINDOW

QUANTITY_NAMES = ("energy", "fluctuation", "concurrence")


def _curves(entries, trajs):
    """(panel, trajectory) pairs; a trajectory may be any object with the three arrays."""
    return [(e.panel, t) for e, t in zip(entries, trajs, strict=True)]


def engine_deviations(entries, checked, reference) -> dict[str, dict[str, float]]:
    """Per panel, max |checked - reference| of each quantity over its trajectories and times.

    Args:
        entries: the suite entries (their panels).
        checked: one trajectory-like object per entry (``energy``, ``fluctuation``,
            ``concurrence`` arrays), or a list of such lists (several windows).
        reference: the same shape, from the reference engine on the same times.

    Returns:
        ``{panel: {"energy": ..., "fluctuation": ..., "concurrence": ...}}``.
    """
    if checked and isinstance(checked[0], list | tuple):
        windows = list(zip(checked, reference, strict=True))
    else:
        windows = [(checked, reference)]
    out: dict[str, dict[str, float]] = {p: dict.fromkeys(QUANTITY_NAMES, 0.0) for p in PANELS}
    for got, ref in windows:
        for (panel, a), (_, b) in zip(_curves(entries, got), _curves(entries, ref), strict=True):
            for q in QUANTITY_NAMES:
                dev = float(np.max(np.abs(np.asarray(getattr(a, q)) - np.asarray(getattr(b, q)))))
                out[panel][q] = max(out[panel][q], dev)
    return out


class QutipCurve:
    """Energy, fluctuation and concurrence of one QuTiP solve (the three arrays only)."""

    def __init__(self, times, energy, fluctuation, concurrence):
        self.times = np.asarray(times)
        self.energy = np.asarray(energy)
        self.fluctuation = np.asarray(fluctuation)
        self.concurrence = np.asarray(concurrence)


def qutip_curve(params, times, levels: int) -> QutipCurve:
    """One trajectory from QuTiP alone (:func:`qutip_trajectory`), Eq. (1)-(3) or a variant.

    Args:
        params: a :class:`~qbcircuit.params.BatteryParams` (only its values are read).
        times: the times.
        levels: cavity Fock levels (use what our engine used, ``Trajectory.levels``).
    """
    return QutipCurve(times, *qutip_trajectory(times, params, levels=levels))


def qutip_suite(entries, trajectories, *, progress=None) -> list[QutipCurve]:
    """QuTiP curves for a suite, at the times and truncations of ``trajectories``."""
    out = []
    for entry, tr in zip(entries, trajectories, strict=True):
        out.append(qutip_curve(entry.params, tr.times, tr.levels))
        if progress is not None:
            progress.update(1)
    return out


def first_maximum(times, values, *, tol: float = 1e-12) -> tuple[float, float, bool]:
    """Time and height of the first local maximum of a sampled curve.

    The first sample that rises above its predecessor and is not exceeded by its successor
    (the definition of ``qbcircuit.metrics``' ``first_peak``), refined by a parabola through
    the three samples around it.

    Returns:
        (time, height, found); ``found`` is False when the curve only rises (the last sample
        is returned then).
    """
    t = np.asarray(times, float)
    v = np.asarray(values, float)
    i = first_peak_index(v, tol)
    if i is None:
        return float(t[-1]), float(v[-1]), False
    y0, y1, y2 = v[i - 1], v[i], v[i + 1]
    h = t[i + 1] - t[i]
    curv = y0 - 2 * y1 + y2
    if curv < 0 and np.isclose(t[i] - t[i - 1], h):
        shift = 0.5 * (y0 - y2) / curv
        return float(t[i] + shift * h), float(y1 - 0.25 * (y0 - y2) * shift), True
    return float(t[i]), float(y1), True


def first_maximum_rows(entries, trajs_a, trajs_b, name_a: str, name_b: str) -> list[dict]:
    """Per panel, curve and zeta: the first energy maximum of two models, against [0, 1.3]."""
    end = PARAMETRIC_WINDOW[1]
    rows = []
    for entry, a, b in zip(entries, trajs_a, trajs_b, strict=True):
        row = {"panel": entry.panel, "curve": entry.label.split(", zeta")[0],
               "zeta": entry.params.zeta}
        for name, tr in ((name_a, a), (name_b, b)):
            t, e, found = first_maximum(tr.params.lam * tr.times, tr.energy)
            row[f"{name}: time"] = t
            row[f"{name}: height"] = e
            row[f"{name}: within [0, {end:g}]"] = bool(found and t <= end)
        rows.append(row)
    return rows

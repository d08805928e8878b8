"""Cross-checks for ``qbcircuit reproduce``: engines against ``exact``, and the QuTiP build.

* :func:`engine_deviations`: the largest deviation of energy, fluctuation and concurrence of a
  suite solved by one engine from the same suite solved by ``exact``, per panel.
* :func:`qutip_suite` (optional: only when ``qutip`` is importable): the suite solved by the
  QuTiP build of :mod:`qbcircuit.interop` (QuTiP's own operators, solver and observables: none
  of this package's Pauli operators, engines or observables).
"""

from __future__ import annotations

import numpy as np

from ..interop import qutip_trajectory
from .suite import PANELS

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
    # only the panels of the entries checked (a subset must not show 0 for the others)
    out: dict[str, dict[str, float]] = {p: dict.fromkeys(QUANTITY_NAMES, 0.0) for p in PANELS
                                        if any(e.panel == p for e in entries)}
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

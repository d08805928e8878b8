"""Cross-checks for ``qbcircuit reproduce``: engines, an optional QuTiP build, first maxima.

* :func:`engine_deviations`: the largest deviation of energy, fluctuation and concurrence of a
  suite solved by one engine from the same suite solved by ``exact``, per panel.
* :func:`qutip_suite` (optional: only when ``qutip`` is importable): the paper suite built
  again from QuTiP's own operators (Fock space first, ``mesolve``, ``ptrace``, ``variance``,
  ``concurrence``), with none of this package's model, engines or observables. It reads only
  the parameters' values and the truncation each of our trajectories used.
* :func:`first_maximum` and :func:`first_maximum_rows`: where the stored energy first peaks,
  under Eq. (1) and under a variant, against the paper's window [0, 1.3].
"""

from __future__ import annotations

import importlib.util

import numpy as np

from .paper import PANELS, PARAMETRIC_WINDOW

QUANTITY_NAMES = ("energy", "fluctuation", "concurrence")
#: Tolerances of the QuTiP solve (its own error is then far below our engines' 1e-7).
QUTIP_OPTIONS = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 1_000_000}


def qutip_available() -> bool:
    """True when QuTiP can be imported (the QuTiP cross-check is optional)."""
    return importlib.util.find_spec("qutip") is not None


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
    """One trajectory from QuTiP alone (cavity (x) cell 1 (x) cell 2, Eq. (1)-(3) or a variant).

    Args:
        params: a :class:`~qbcircuit.params.BatteryParams` (only its values are read).
        times: the times.
        levels: cavity Fock levels (use what our engine used, ``Trajectory.levels``).
    """
    import qutip as qt

    p = params
    a = qt.tensor(qt.destroy(levels), qt.qeye(2), qt.qeye(2))
    # qutip basis(2, 0) = |g>, destroy(2) = |g><e| = sigma_-
    sm = [qt.tensor(qt.qeye(levels), qt.destroy(2), qt.qeye(2)),
          qt.tensor(qt.qeye(levels), qt.qeye(2), qt.destroy(2))]
    sz = [2 * s.dag() * s - 1 for s in sm]
    sx = [s + s.dag() for s in sm]
    sy = [-1j * (s.dag() - s) for s in sm]
    H = (p.omega_q + p.delta) * a.dag() * a + p.omega_q / 2 * (sz[0] + sz[1])
    for s in sm if p.charger_coupling == "both" else sm[:1]:
        H += p.lam * (s.dag() * a + s * a.dag())
    if p.cell_coupling == "xy":
        H += p.g / 2 * ((1 + p.zeta) * sx[0] * sx[1] + (1 - p.zeta) * sy[0] * sy[1])
    else:
        H += p.g * p.zeta * (sm[0].dag() * sm[1] + sm[0] * sm[1].dag())
    c_ops = []
    if p.kappa > 0:
        c_ops.append(np.sqrt(p.kappa) * a)
    if p.gamma > 0:
        c_ops += [np.sqrt(p.gamma) * s for s in sm]
    cells = [qt.basis(2, int(ch == "e")) for ch in p.initial_cells]
    psi0 = qt.tensor(qt.coherent(levels, p.alpha, method="analytic").unit(), *cells)
    result = qt.mesolve(H, psi0, np.asarray(times, float), c_ops, options=QUTIP_OPTIONS)
    z0 = qt.expect(sz[1], psi0)
    energy, fluct, conc = [], [], []
    for state in result.states:
        rho = state if state.isoper else qt.ket2dm(state)
        energy.append(0.5 * (qt.expect(sz[1], rho) - z0))
        fluct.append(0.5 * np.sqrt(max(0.0, qt.variance(sz[1], rho))))
        conc.append(qt.concurrence(rho.ptrace([1, 2])))
    return QutipCurve(times, energy, fluct, conc)


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
    rises = np.diff(v)
    turn = np.flatnonzero((rises[:-1] > tol) & (rises[1:] <= tol))
    if turn.size == 0:
        return float(t[-1]), float(v[-1]), False
    i = int(turn[0]) + 1
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

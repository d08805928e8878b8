"""Cross-checks for ``qbcircuit reproduce``: engines, an optional QuTiP build, first maxima.

* :func:`engine_deviations`: the largest deviation of energy, fluctuation and concurrence of a
  suite solved by one engine from the same suite solved by ``exact``, per panel.
* :func:`qutip_model`, :func:`qutip_trajectory`, :func:`qutip_suite` (optional: only when
  ``qutip`` is importable): Eq. (1)-(3) (or a variant) built again from QuTiP's own operators
  (Fock space first, ``mesolve``, ``ptrace``, ``variance``, ``concurrence``), with none of this
  package's model, engines or observables: it reads only the parameters' values and the
  truncation. The one independent reference: the report's cross-check, the tests
  (``tests/qutip_reference.py``) and the benchmarks all use it.
* :func:`first_maximum` and :func:`first_maximum_rows`: where the stored energy first peaks,
  under Eq. (1) and under a variant, against the paper's window [0, 1.3].
"""

from __future__ import annotations

import importlib.util

import numpy as np

from .metrics import first_peak_index
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


#: Positional order of the model's inputs, and the defaults of those that have one.
ORDER = ("alpha", "delta", "g", "zeta", "kappa", "gamma", "omega_q", "lam", "levels",
         "initial_cells", "charger_coupling", "cell_coupling")
DEFAULTS = dict(delta=0.0, g=1.0, zeta=0.0, kappa=0.0, gamma=0.0, omega_q=1.0, lam=1.0,
                initial_cells="gg", charger_coupling="primary", cell_coupling="xy")


def model_inputs(*args, **kwargs) -> dict:
    """The inputs as a dict, from a parameter object (read by attribute), positions or keywords.

    ``qutip_model(params)``, ``qutip_model(params, levels=40)``, ``qutip_model(alpha=1,
    levels=13)`` and ``qutip_model(1, 0, 1, 0, 0, 0, 1, 1, 13)`` all work. Only the inputs are
    read from a parameter object; nothing of qbcircuit computes anything here.
    """
    if len(args) == 1 and hasattr(args[0], "alpha"):
        p = args[0]
        values = {k: getattr(p, k) for k in ORDER}
    else:
        values = {**DEFAULTS, **dict(zip(ORDER, args, strict=False))}
    values.update(kwargs)
    missing = [k for k in ORDER if k not in values]
    if missing:
        raise TypeError(f"qutip build: missing {missing}")
    return values


def qutip_model(*args, **kwargs):
    """Hamiltonian, collapse operators, initial state and sigma_z of cell 2, as qutip objects.

    Inputs as for :func:`model_inputs`.
    """
    import qutip as qt

    v = model_inputs(*args, **kwargs)
    (alpha, delta, g, zeta, kappa, gamma, omega_q, lam, levels, initial_cells, charger,
     cells_coupling) = (v[k] for k in ORDER)
    a = qt.tensor(qt.destroy(levels), qt.qeye(2), qt.qeye(2))
    # qutip basis(2, 0) = |g>, destroy(2) = |g><e| = sigma_-.
    sm1 = qt.tensor(qt.qeye(levels), qt.destroy(2), qt.qeye(2))
    sm2 = qt.tensor(qt.qeye(levels), qt.qeye(2), qt.destroy(2))
    sz = [2 * s.dag() * s - 1 for s in (sm1, sm2)]
    sx = [s + s.dag() for s in (sm1, sm2)]
    sy = [-1j * (s.dag() - s) for s in (sm1, sm2)]
    omega_c = omega_q + delta
    H = omega_c * a.dag() * a + omega_q / 2 * (sz[0] + sz[1])
    # charger: Jaynes-Cummings on cell 1 (Eq. 1), or on both cells (Tavis-Cummings variant)
    for s in (sm1, sm2) if charger == "both" else (sm1,):
        H += lam * (s.dag() * a + s * a.dag())
    if cells_coupling == "xy":  # Eq. (1)
        H += g / 2 * ((1 + zeta) * sx[0] * sx[1] + (1 - zeta) * sy[0] * sy[1])
    else:  # flip-flop of strength g*zeta
        H += g * zeta * (sm1.dag() * sm2 + sm1 * sm2.dag())
    c_ops = []
    if kappa > 0:
        c_ops.append(np.sqrt(kappa) * a)
    if gamma > 0:
        c_ops += [np.sqrt(gamma) * sm1, np.sqrt(gamma) * sm2]
    cells = [qt.basis(2, int(ch == "e")) for ch in initial_cells]
    psi0 = qt.tensor(qt.coherent(levels, alpha, method="analytic").unit(), *cells)
    return H, c_ops, psi0, sz[1]


def qutip_observables(states, sz2, sz2_initial):
    """Energy, fluctuation and concurrence from qutip states (kets or density matrices).

    Energy E/wq = (<sz2>_t - <sz2>_0)/2 (Eq. 5 with H_QB = (wq/2) sz2); fluctuation
    Sigma/wq = sqrt(Var(H_QB))/wq = sqrt(Var(sz2))/2 by qutip's own ``variance`` (Eq. 6 for an
    initial eigenstate of H_QB, without the package's reduced formula); concurrence by qutip.
    """
    import qutip as qt

    energy, fluct, conc = [], [], []
    for s in states:
        rho = s if s.isoper else qt.ket2dm(s)
        cells = rho.ptrace([1, 2])
        energy.append(0.5 * (qt.expect(sz2, rho) - sz2_initial))
        fluct.append(0.5 * np.sqrt(max(0.0, qt.variance(sz2, rho))))
        conc.append(qt.concurrence(cells))
    return np.array(energy), np.array(fluct), np.array(conc)


def qutip_trajectory(times, *args, options=None, **kwargs):
    """Energy, fluctuation, concurrence at ``times`` from qutip ``mesolve``.

    Inputs as for :func:`model_inputs`: a parameter object or keywords.
    """
    import qutip as qt

    H, c_ops, psi0, sz2 = qutip_model(*args, **kwargs)
    result = qt.mesolve(H, psi0, np.asarray(times, float), c_ops,
                        options=options or QUTIP_OPTIONS)
    z0 = qt.expect(sz2, psi0)
    return qutip_observables(result.states, sz2, z0)


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

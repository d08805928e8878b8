r"""States and models out, in QuTiP's form (QuTiP is optional: ``pip install qutip``).

QuTiP's order and conventions (:class:`~qbcircuit.layout.Layout`): the charger first, then
cells 1 .. N; each cell in the convention of ``qutip.destroy(2)``, so ``basis(2, 0)`` = |g>,
``destroy(2)`` = :math:`\sigma_-` and :math:`\sigma_z = |e\rangle\langle e| -
|g\rangle\langle g|` (note: *not* ``qutip.sigmaz()``, which calls ``basis(2, 0)`` "up").

* :func:`to_qutip`: a code-space state of an engine as a ``Qobj`` with ``dims``;
* :func:`qutip_model`: the battery of a :class:`~qbcircuit.params.BatteryParams` built with
  QuTiP's operators (Hamiltonian, collapse operators, initial state), to hand to ``mesolve``;
* :func:`qutip_trajectory`: energy, fluctuation and concurrence from QuTiP alone (its own
  ``mesolve``, ``expect``, ``variance``, ``ptrace``, ``concurrence``): the independent
  cross-check of the paper report (none of the package's operators, engines or observables).

>>> from qbcircuit import BatteryParams
>>> H, c_ops, psi0 = qutip_model(BatteryParams(cells=3, alpha=0.1, kappa=0.1, gamma=0.2))
>>> H.dims[0], len(c_ops)
([5, 2, 2, 2], 4)
"""

from __future__ import annotations

import importlib.util

import numpy as np

from . import _optional
from .layout import Layout
from .model import present_channels
from .params import BatteryParams

#: Tolerances of a QuTiP cross-check solve (its own error is then far below our engines' 1e-7).
QUTIP_OPTIONS = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 1_000_000}


def qutip_available() -> bool:
    """True when QuTiP can be imported (the QuTiP cross-check is optional)."""
    return importlib.util.find_spec("qutip") is not None


def to_qutip(state: np.ndarray, layout: Layout):
    """A code-space ket (D,) or density matrix (D, D) as a QuTiP ``Qobj`` in QuTiP order.

    Dims ``[[d, 2, ..., 2], [1, ...]]`` for a ket, ``[[d, 2, ..., 2]] * 2`` for a density
    matrix (charger first, then cells 1 .. N).
    """
    qt = _optional.qutip()
    data = layout.to_qutip_order(np.asarray(state))
    dims = layout.qutip_dims
    if data.ndim == 1:
        return qt.Qobj(data.reshape(-1, 1), dims=[dims, [1] * len(dims)])
    return qt.Qobj(data, dims=[dims, dims])


def qutip_model(params: BatteryParams, *, levels: int | None = None):
    r"""The battery in QuTiP: (H, collapse operators, initial state), charger first.

    .. math::

        H = \omega_c a^\dagger a + \frac{\omega_q}{2}\sum_j\sigma_z^{(j)}
            + \lambda\sum_{j\in\text{driven}}(\sigma_+^{(j)}a + \sigma_-^{(j)}a^\dagger)
            + \sum_{j}\frac{g}{2}[(1+\zeta)\sigma_x^{(j)}\sigma_x^{(j+1)}
            + (1-\zeta)\sigma_y^{(j)}\sigma_y^{(j+1)}],

    collapse operators :math:`\sqrt{\kappa(\bar n+1)}a`, :math:`\sqrt{\kappa\bar n}a^\dagger`,
    :math:`\sqrt{\gamma(\bar n+1)}\sigma_-^{(j)}`, :math:`\sqrt{\gamma\bar n}\sigma_+^{(j)}`,
    :math:`\sqrt{\gamma_\phi}\sigma_z^{(j)}` (non-zero rates only; the rows of
    ``qbcircuit.model.DISSIPATOR_TERMS``, each on its subsystem), and the initial state
    (a ket for a coherent or Fock charger, a density matrix for a thermal one), each
    truncated to ``levels`` (default ``params.levels``) and renormalised.

    Args:
        params: the battery parameters.
        levels: Fock levels d of the charger (default ``params.levels``).

    Returns:
        (H, c_ops, rho0): QuTiP ``Qobj`` s with dims ``[d, 2, ..., 2]``.
    """
    qt = _optional.qutip()
    p = params
    d = p.levels if levels is None else int(levels)
    N = p.cells

    def embed(op, site):  # site 0 = charger, j = cell j
        factors = [qt.qeye(d)] + [qt.qeye(2)] * N
        factors[site] = op
        return qt.tensor(factors)

    a = embed(qt.destroy(d), 0)
    sm = [embed(qt.destroy(2), j) for j in range(1, N + 1)]  # destroy(2): basis(2, 0) = |g>
    sz = [2 * s.dag() * s - 1 for s in sm]
    sx = [s + s.dag() for s in sm]
    sy = [1j * (s - s.dag()) for s in sm]
    H = (p.omega_q + p.delta) * a.dag() * a + 0.5 * p.omega_q * sum(sz)
    driven = sm if p.drives_all_cells else sm[:1]
    H += p.lam * sum(s.dag() * a + s * a.dag() for s in driven)
    for j in range(N - 1):
        if p.cell_coupling == "exchange_zeta":
            H += p.g * p.zeta * (sm[j].dag() * sm[j + 1] + sm[j] * sm[j + 1].dag())
        else:
            H += 0.5 * p.g * ((1 + p.zeta) * sx[j] * sx[j + 1]
                              + (1 - p.zeta) * sy[j] * sy[j + 1])
    # the channels of the model's dissipator table, each on its subsystem in QuTiP's operators
    a_fock = qt.destroy(d).full()
    c_ops = []
    for ch in present_channels(p).values():
        rate = ch.rate(p)
        if rate <= 0:
            continue
        if ch.site == "cavity":
            c_ops.append(np.sqrt(rate) * embed(qt.Qobj(ch.local(a_fock)), 0))
        else:  # (|g>, |e>) = (basis(2, 0), basis(2, 1)): the local matrix as it is
            c_ops += [np.sqrt(rate) * embed(qt.Qobj(ch.local), j) for j in range(1, N + 1)]
    cells = [qt.basis(2, int(ch == "e")) for ch in p.initial_cells]
    if p.charger_state == "coherent":  # truncated analytic amplitudes, renormalised
        charger = qt.coherent(d, p.alpha, method="analytic").unit()
    elif p.charger_state == "fock":
        charger = qt.basis(d, int(p.mean_photons))
    else:  # truncated Bose-Einstein populations, renormalised
        charger = qt.thermal_dm(d, p.mean_photons, method="analytic").unit()
        return H, c_ops, qt.tensor([charger] + [c * c.dag() for c in cells])
    return H, c_ops, qt.tensor([charger] + cells)


def qutip_trajectory(times, params: BatteryParams, *, levels: int | None = None, options=None):
    r"""Energy, fluctuation and concurrence at ``times`` from QuTiP alone.

    :func:`qutip_model` solved by ``mesolve`` (``QUTIP_OPTIONS``); energy
    :math:`E/\omega_q = (\langle\sigma_z^{(N)}\rangle_t - \langle\sigma_z^{(N)}\rangle_0)/2`,
    fluctuation :math:`\sqrt{\mathrm{Var}(\sigma_z^{(N)})}/2` by QuTiP's ``variance``,
    concurrence of cells (1, N) by QuTiP's ``concurrence`` (``None`` for one cell).

    Returns:
        (energy, fluctuation, concurrence), arrays of shape (T,).
    """
    qt = _optional.qutip()
    H, c_ops, rho0 = qutip_model(params, levels=levels)
    N = params.cells
    d = H.dims[0][0]
    factors = [qt.qeye(d)] + [qt.qeye(2)] * N
    factors[N] = 2 * qt.num(2) - 1  # sigma_z of cell N: |e><e| - |g><g| (basis(2, 0) = |g>)
    sz = qt.tensor(factors)
    result = qt.mesolve(H, rho0, np.asarray(times, float), c_ops,
                        options=options or QUTIP_OPTIONS)
    z0 = qt.expect(sz, rho0)
    energy, fluct, conc = [], [], []
    for s in result.states:
        rho = s if s.isoper else qt.ket2dm(s)
        energy.append(0.5 * (qt.expect(sz, rho) - z0))
        fluct.append(0.5 * np.sqrt(max(0.0, qt.variance(sz, rho))))
        if N > 1:
            conc.append(qt.concurrence(rho.ptrace([1, N])))
    return np.array(energy), np.array(fluct), (np.array(conc) if N > 1 else None)

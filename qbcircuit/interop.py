r"""States and models out, in QuTiP's form (QuTiP is optional: ``pip install qutip``).

QuTiP's order and conventions (:class:`~qbcircuit.layout.Layout`): the charger first, then
cells 1 .. N; each cell in the convention of ``qutip.destroy(2)``, so ``basis(2, 0)`` = |g>,
``destroy(2)`` = :math:`\sigma_-` and :math:`\sigma_z = |e\rangle\langle e| -
|g\rangle\langle g|` (note: *not* ``qutip.sigmaz()``, which calls ``basis(2, 0)`` "up").

* :func:`to_qutip`: a code-space state of an engine as a ``Qobj`` with ``dims``;
* :func:`qutip_model`: the battery of a :class:`~qbcircuit.params.BatteryParams` built with
  QuTiP's operators (Hamiltonian, collapse operators, initial state), to hand to ``mesolve``.

>>> from qbcircuit import BatteryParams
>>> H, c_ops, psi0 = qutip_model(BatteryParams(cells=3, fock=4, alpha=0.1, kappa=0.1))
>>> H.dims[0], len(c_ops)
([4, 2, 2, 2], 1)
"""

from __future__ import annotations

import numpy as np

from . import _optional
from .layout import Layout
from .params import BatteryParams


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
    :math:`\sqrt{\gamma_\phi}\sigma_z^{(j)}` (non-zero rates only), and the initial state
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
    nth = p.n_thermal
    rated = [(p.kappa * (nth + 1), a), (p.kappa * nth, a.dag())]
    for s, z in zip(sm, sz, strict=True):
        rated += [(p.gamma * (nth + 1), s), (p.gamma * nth, s.dag()), (p.dephasing, z)]
    c_ops = [np.sqrt(rate) * op for rate, op in rated if rate > 0]
    cells = [qt.basis(2, int(ch == "e")) for ch in p.initial_cells]
    amps = p.charger_amplitudes(d)
    if amps is not None:
        charger = qt.Qobj(amps / np.linalg.norm(amps))
        return H, c_ops, qt.tensor([charger] + cells)
    pops = p.charger_populations(d)
    charger = qt.Qobj(np.diag(pops / pops.sum()))
    return H, c_ops, qt.tensor([charger] + [c * c.dag() for c in cells])

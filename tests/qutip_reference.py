"""An independent QuTiP build of Eq. (1)-(3) (and its variants): the tests' oracle.

Built from QuTiP's own operators, solver and observables only (Fock space first: cavity (x)
cell 1 (x) cell 2; ``mesolve``, ``ptrace``, ``variance``, ``concurrence``), with none of this
package's model, encodings, engines, observables or its public QuTiP build
(:mod:`qbcircuit.interop`): it reads only the parameters' values and the truncation. The tests
and the benchmarks use it; the N-cell model has its own independent build
(``tests/chain_reference.py``).
"""

from __future__ import annotations

import numpy as np

#: Tolerances of the QuTiP solve (its own error is then far below our engines' 1e-7).
QUTIP_OPTIONS = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 1_000_000}
REFERENCE_OPTIONS = QUTIP_OPTIONS


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

"""An independent build of the N-cell battery for the tests: raw numpy Kronecker products.

Written without the package's operators, layout or QuTiP's tensor helpers, from the equations
(docs/conventions.md): charger first, then cells 1..N, each cell in the basis (|g>, |e>).
"""

import numpy as np
import qutip as qt

SM = np.array([[0.0, 1.0], [0.0, 0.0]])  # |g><e|
SP = SM.T
SZ = np.diag([-1.0, 1.0])
SX = SM + SP
SY = np.array([[0.0, 1j], [-1j, 0.0]])


def _kron_all(mats):
    out = np.ones((1, 1))
    for m in mats:
        out = np.kron(out, m)
    return out


def chain_model(*, levels, cells, alpha=0.0, delta=0.0, g=1.0, zeta=0.0, kappa=0.0,
                gamma=0.0, omega_q=1.0, lam=1.0, charger="coherent", photons=None,
                tavis_cummings=False, dephasing=0.0, n_thermal=0.0, initial=None):
    """(H, c_ops, rho0) as QuTiP objects with dims [levels, 2, ..., 2]."""
    d, N = levels, cells

    def at(op, site):
        mats = [np.eye(d)] + [np.eye(2)] * N
        mats[site] = op
        return _kron_all(mats)

    n_op = np.diag(np.arange(d, dtype=float))
    a = np.diag(np.sqrt(np.arange(1, d, dtype=float)), 1)
    A = at(a, 0)
    H = (omega_q + delta) * at(n_op, 0)
    for j in range(1, N + 1):
        H = H + 0.5 * omega_q * at(SZ, j)
    for j in range(1, N + 1 if tavis_cummings else 2):
        H = H + lam * (at(SP, j) @ A + at(SM, j) @ A.conj().T)
    for j in range(1, N):
        H = H + 0.5 * g * ((1 + zeta) * at(SX, j) @ at(SX, j + 1)
                           + (1 - zeta) * at(SY, j) @ at(SY, j + 1))
    jumps = [(kappa * (n_thermal + 1), A), (kappa * n_thermal, A.conj().T)]
    for j in range(1, N + 1):
        jumps += [(gamma * (n_thermal + 1), at(SM, j)), (gamma * n_thermal, at(SP, j)),
                  (dephasing, at(SZ, j))]
    dims = [[d] + [2] * N] * 2
    c_ops = [qt.Qobj(np.sqrt(r) * op, dims=dims).to("csr") for r, op in jumps if r > 0]
    n = np.arange(d)
    if charger == "coherent":
        from scipy.special import gammaln
        amps = np.exp(-abs(alpha) ** 2 / 2 + n * np.log(abs(alpha) + 1e-300)
                      - 0.5 * gammaln(n + 1)) * np.exp(1j * n * np.angle(alpha))
        if alpha == 0:
            amps = (n == 0).astype(complex)
        rho_c = np.outer(amps, amps.conj())
    elif charger == "fock":
        rho_c = np.diag((n == photons).astype(float))
    else:
        p = (photons / (photons + 1)) ** n / (photons + 1)
        rho_c = np.diag(p)
    rho_c = rho_c / np.trace(rho_c)
    initial = initial or "g" * N
    cells_rho = [np.diag([1.0, 0.0]) if ch == "g" else np.diag([0.0, 1.0]) for ch in initial]
    rho0 = _kron_all([rho_c] + cells_rho)
    return qt.Qobj(H, dims=dims).to("csr"), c_ops, qt.Qobj(rho0, dims=dims)


def cell_sigma_z(levels, cells, j):
    """sigma_z of cell j (1..N) as a QuTiP operator, for expect()."""
    mats = [np.eye(levels)] + [np.eye(2)] * cells
    mats[j] = SZ
    return qt.Qobj(_kron_all(mats), dims=[[levels] + [2] * cells] * 2)

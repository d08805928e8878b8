r"""The exact engine, the reference every other engine is checked against.

* Closed system (:math:`\kappa = \gamma = 0`): eigendecomposition :math:`H = V E V^\dagger` on
  the code space, then :math:`|\psi(t)\rangle = V e^{-iEt} V^\dagger|\psi(0)\rangle` for every
  time at once.
* Open system: Eq. (4), :math:`\rho(t) = e^{t\mathcal{L}}\rho(0)` with the Liouvillian as a
  *sparse* matrix and ``scipy.sparse.linalg.expm_multiply`` (a dense Liouvillian for 7 qubits
  would take 4 GiB).

Row-major vectorisation, :math:`\mathrm{vec}(A X B) = (A \otimes B^T)\,\mathrm{vec}(X)`:

.. math::

    \mathcal{L} = -i(H\otimes 1 - 1\otimes H^T)
      + \sum_k \Big[C_k\otimes C_k^* - \tfrac12 C_k^\dagger C_k\otimes 1
      - \tfrac12 1\otimes (C_k^\dagger C_k)^T\Big].
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply

from ..model import BatteryModel
from ..states import EvolvedStates


def liouvillian(hamiltonian: sp.spmatrix, collapse: list[sp.spmatrix]) -> sp.csr_matrix:
    """Sparse Liouvillian (row-major vectorisation) of Eq. (2), shape (D^2, D^2)."""
    dim = hamiltonian.shape[0]
    eye = sp.identity(dim, dtype=complex, format="csr")
    H = sp.csr_matrix(hamiltonian, dtype=complex)
    L = -1j * (sp.kron(H, eye) - sp.kron(eye, H.T))
    for C in collapse:
        C = sp.csr_matrix(C, dtype=complex)
        CdC = (C.conj().T @ C).tocsr()
        L = L + sp.kron(C, C.conj()) - 0.5 * sp.kron(CdC, eye) - 0.5 * sp.kron(eye, CdC.T)
    return sp.csr_matrix(L)


def _is_uniform(times: np.ndarray) -> bool:
    if times.size < 3:
        return True
    steps = np.diff(times)
    return bool(np.allclose(steps, steps[0], rtol=1e-12, atol=0.0))


def evolve(model: BatteryModel, times: np.ndarray) -> EvolvedStates:
    """Exact states of ``model`` at ``times`` (non-negative, increasing).

    Args:
        model: the battery model.
        times (array of shape (T,)): output times.

    Returns:
        kets for a closed system, density matrices otherwise.
    """
    times = np.asarray(times, dtype=float)
    psi0 = model.initial_ket
    if model.params.is_closed:
        energies, V = np.linalg.eigh(model.hamiltonian_matrix.toarray())
        coeffs = V.conj().T @ psi0
        phases = np.exp(-1j * np.outer(times, energies))  # (T, D)
        return EvolvedStates(times, model.levels, kets=(phases * coeffs) @ V.T)

    dim = psi0.size
    L = liouvillian(model.hamiltonian_matrix, model.collapse_matrices)
    rho0 = np.outer(psi0, psi0.conj()).ravel()
    if times[0] > 0:
        rho0 = expm_multiply(L * times[0], rho0)
    if times.size == 1:
        vecs = rho0[None]
    elif _is_uniform(times):
        vecs = expm_multiply(
            L, rho0, start=0.0, stop=times[-1] - times[0], num=times.size, endpoint=True
        )
    else:
        vecs = np.empty((times.size, dim * dim), dtype=complex)
        vecs[0] = rho0
        for i, step in enumerate(np.diff(times), start=1):
            vecs[i] = expm_multiply(L * step, vecs[i - 1])
    return EvolvedStates(times, model.levels, density_matrices=vecs.reshape(-1, dim, dim))

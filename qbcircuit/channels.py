r"""Exact channels of the dissipator of Eq. (2) over a time step h (for circuits).

The dissipators act on different subsystems (the cavity, each cell) and commute, so over a
step h their joint solution is the product of one channel per subsystem:

* each cell: amplitude damping with :math:`p = 1 - e^{-\gamma h}` (Eq. (2)); with thermal
  pumping or dephasing, the exponential of that cell's generator (:func:`lindblad_kraus`);
* the cavity: the bosonic loss channel of transmissivity :math:`\eta = e^{-\kappa h}`, Kraus
  operators :math:`K_l = \sum_{n \ge l}\sqrt{\binom{n}{l}}\,\eta^{(n-l)/2}(1-\eta)^{l/2}
  |n-l\rangle\langle n|`, :math:`l = 0..d-1`, embedded through the encoding (identity on
  register states outside the code space, so the channel is trace preserving on the register);
  with a thermal bath, the exponential of the cavity's generator, embedded the same way.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import expm
from scipy.special import comb

from .encodings import Encoding


def damping_probability(gamma: float, h: float) -> float:
    """Amplitude-damping probability of a cell over a step h: 1 - exp(-gamma h)."""
    return 1.0 - math.exp(-gamma * h)


def transmissivity(kappa: float, h: float) -> float:
    """Transmissivity of the cavity loss channel over a step h: exp(-kappa h)."""
    return math.exp(-kappa * h)


def loss_kraus(levels: int, eta: float) -> list[np.ndarray]:
    r"""Kraus operators of the bosonic loss channel on ``levels`` Fock levels, Fock basis.

    :math:`K_l = \sum_{n\ge l}\sqrt{\binom{n}{l}}\,\eta^{(n-l)/2}(1-\eta)^{l/2}
    |n-l\rangle\langle n|`;
    :math:`\sum_l K_l^\dagger K_l = 1` exactly (binomial theorem), so truncation costs nothing.

    Args:
        levels: Fock levels d.
        eta: transmissivity in [0, 1] (:math:`e^{-\kappa\,dt}`).

    Returns:
        d matrices of shape (d, d).

    >>> K = loss_kraus(4, 0.9)
    >>> bool(np.allclose(sum(k.conj().T @ k for k in K), np.eye(4)))
    True
    """
    n = np.arange(levels)
    out = []
    for lost in range(levels):
        K = np.zeros((levels, levels))
        src = n[lost:]
        K[src - lost, src] = np.sqrt(comb(src, lost) * eta ** (src - lost) * (1 - eta) ** lost)
        out.append(K)
    return out


def encoded_loss_kraus(encoding: Encoding, eta: float) -> list[np.ndarray]:
    r""":func:`loss_kraus` on the cavity register through ``encoding.embed``.

    The identity on register states outside the code space is added to :math:`K_0`, so that
    :math:`\sum_l K_l^\dagger K_l = 1` on the whole register. The matrices are
    :math:`2^k \times 2^k` (k cavity qubits): for unary (k = d) this is feasible only for a few
    levels, see ``MAX_LOSS_QUBITS`` in the trotter engine.
    """
    # operators that vanish are dropped (eta = 1 keeps only K_0)
    return encoded_kraus(encoding, loss_kraus(encoding.levels, eta))


def lindblad_kraus(jumps, h: float) -> list[np.ndarray]:
    r"""Kraus operators of :math:`e^{h\mathcal L}`, :math:`\mathcal L = \sum_k D[L_k]`.

    ``jumps`` are the collapse operators with their rates folded in (:math:`\sqrt{r_k}L_k`),
    dense (n, n) matrices of one subsystem. The superoperator (column stacking, as
    ``qiskit.quantum_info.SuperOp``) is exponentiated exactly and turned into Kraus operators
    by ``qiskit.quantum_info.Kraus``.

    >>> sm = np.array([[0, 1], [0, 0]], dtype=complex)  # |0><1|: decay to |0>
    >>> K = lindblad_kraus([np.sqrt(0.5) * sm], 1.0)
    >>> bool(np.allclose(sum(k.conj().T @ k for k in K), np.eye(2)))
    True
    """
    from qiskit.quantum_info import Kraus, SuperOp

    jumps = [np.asarray(L, dtype=complex) for L in jumps]
    n = jumps[0].shape[0]
    eye = np.eye(n)
    gen = np.zeros((n * n, n * n), dtype=complex)
    for L in jumps:  # vec(A X B) = (B^T kron A) vec(X), column stacking
        LdL = L.conj().T @ L
        gen += np.kron(L.conj(), L) - 0.5 * np.kron(eye, LdL) - 0.5 * np.kron(LdL.T, eye)
    return [np.asarray(k) for k in Kraus(SuperOp(expm(h * gen))).data]


def encoded_kraus(encoding: Encoding, kraus: list[np.ndarray]) -> list[np.ndarray]:
    """Fock-space Kraus operators on the cavity register through ``encoding.embed``.

    The identity on register states outside the code space is added to the first operator,
    so that the channel is trace preserving on the whole register.
    """
    ks = [encoding.embed(K) for K in kraus]
    outside = np.ones(1 << encoding.num_qubits)
    outside[encoding.code_indices()] = 0.0
    ks[0] = ks[0] + np.diag(outside)
    return [K for K in ks if np.any(np.abs(K) > 0)]

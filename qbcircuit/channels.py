r"""Exact channels of the dissipator of Eq. (2) over a time step h (for circuits).

The three dissipators act on different subsystems and commute, so over a step h their joint
solution is the product of

* each cell: amplitude damping with :math:`p = 1 - e^{-\gamma h}`;
* the cavity: the bosonic loss channel of transmissivity :math:`\eta = e^{-\kappa h}`, Kraus
  operators :math:`K_l = \sum_{n \ge l}\sqrt{\binom{n}{l}}\,\eta^{(n-l)/2}(1-\eta)^{l/2}
  |n-l\rangle\langle n|`, :math:`l = 0..d-1`, embedded through the encoding (identity on
  register states outside the code space, so the channel is trace preserving on the register).
"""

from __future__ import annotations

import math

import numpy as np
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
    ks = [encoding.embed(K) for K in loss_kraus(encoding.levels, eta)]
    outside = np.ones(1 << encoding.num_qubits)
    outside[encoding.code_indices()] = 0.0
    ks[0] = ks[0] + np.diag(outside)
    # drop operators that vanish (eta = 1 keeps only K_0)
    return [K for K in ks if np.any(np.abs(K) > 0)]

r"""Shot-based estimates of the cells: what an experiment on the Trotter circuit would report.

From the counts of the nine two-qubit Pauli settings (:data:`qbcircuit.circuits.
TOMOGRAPHY_SETTINGS`):

* energy :math:`E/\omega_q = (\langle\sigma_z^{(2)}\rangle - \langle\sigma_z^{(2)}\rangle_0)/2`,
  from the secondary cell's Z-basis outcomes (settings XZ, YZ, ZZ pooled:
  :math:`\langle\sigma_z^{(2)}\rangle = 2P(e) - 1`), with the binomial standard error;
* the cells' state by linear inversion,
  :math:`\rho = \tfrac14\sum_{a,b\in\{I,X,Y,Z\}}\langle a\otimes b\rangle\, b\otimes a`
  (Qiskit order: the primary cell is qubit 0), and its Wootters concurrence, with a standard
  error from a parametric bootstrap (counts resampled multinomially).

Pure numpy: no circuits, no simulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import observables as obs

_PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1.0, -1.0]).astype(complex),
}


@dataclass(frozen=True)
class ShotEstimate:
    """Estimates from ``shots`` per setting, with one-standard-error bars.

    Attributes:
        time: the time of the measurement.
        shots: shots per tomography setting.
        energy, energy_error: E/omega_q of the secondary cell and its standard error.
        concurrence, concurrence_error: concurrence of the linear-inversion state and its
            bootstrap standard error.
        cell_state (array of shape (4, 4)): the linear-inversion estimate (may be non-physical).
    """

    time: float
    shots: int
    energy: float
    energy_error: float
    concurrence: float
    concurrence_error: float
    cell_state: np.ndarray


def probabilities(counts: dict, shots: int) -> np.ndarray:
    """Outcome frequencies (p00, p01, p10, p11) indexed by ``primary + 2 * secondary``."""
    p = np.zeros(4)
    for key, n in counts.items():
        bits = key.replace(" ", "")
        p[int(bits[-1]) + 2 * int(bits[-2])] += n
    return p / shots


def linear_inversion(settings, freqs: np.ndarray) -> np.ndarray:
    """Two-cell states from outcome frequencies, batched.

    Args:
        settings: the (primary, secondary) Pauli bases, length 9.
        freqs (array of shape (..., 9, 4)): frequencies per setting, index primary + 2 secondary.

    Returns:
        array of shape (..., 4, 4).
    """
    s0 = np.array([1, -1, 1, -1])  # eigenvalue of the primary's Pauli for outcome index
    s1 = np.array([1, 1, -1, -1])  # ... of the secondary's
    ones = np.ones(4)
    sums: dict[tuple[str, str], list] = {}
    for k, (a, b) in enumerate(settings):
        f = freqs[..., k, :]
        for pa, wa in (("I", ones), (a, s0)):
            for pb, wb in (("I", ones), (b, s1)):
                sums.setdefault((pa, pb), []).append(f @ (wa * wb))
    rho = 0
    for (pa, pb), values in sums.items():
        mean = np.mean(values, axis=0)
        rho = rho + mean[..., None, None] * np.kron(_PAULI[pb], _PAULI[pa])
    return rho / 4


def estimate(settings, counts: list[dict], shots: int, time: float, initial_sz2: float, *,
             resamples: int = 200, seed=None) -> ShotEstimate:
    """Energy and concurrence with error bars from the counts of the nine settings."""
    freqs = np.stack([probabilities(c, shots) for c in counts])  # (9, 4)
    z_settings = [k for k, (_, b) in enumerate(settings) if b == "Z"]
    p_e = float(np.mean(freqs[z_settings][:, 2:].sum(axis=1)))  # secondary bit = 1: excited
    n_z = shots * len(z_settings)
    energy = 0.5 * ((2 * p_e - 1) - initial_sz2)
    energy_error = float(np.sqrt(max(p_e * (1 - p_e), 0.0) / n_z))
    rho = linear_inversion(settings, freqs)
    rng = np.random.default_rng(seed)
    boot = rng.multinomial(shots, np.clip(freqs, 0, None), size=(resamples, len(settings)))
    conc_boot = obs.concurrence(linear_inversion(settings, boot / shots))
    return ShotEstimate(
        time=float(time), shots=int(shots), energy=float(energy),
        energy_error=energy_error, concurrence=float(obs.concurrence(rho)),
        concurrence_error=float(np.std(conc_boot, ddof=1)), cell_state=rho,
    )

r"""Shot-based estimates of the cells: what an experiment on the Trotter circuit would report.

:func:`sample_cells` runs the Trotter circuit to a time t (trotter engine, with its noise model)
and measures the reported pair of cells, (1, N) (for the paper's two cells, both), in the nine
two-qubit Pauli settings (:data:`TOMOGRAPHY_SETTINGS`, circuits from :func:`cell_measurements`);
from the counts:

* energy :math:`E/\omega_q = (\langle\sigma_z^{(2)}\rangle - \langle\sigma_z^{(2)}\rangle_0)/2`,
  from the secondary cell's Z-basis outcomes (settings XZ, YZ, ZZ pooled:
  :math:`\langle\sigma_z^{(2)}\rangle = 2P(e) - 1`), with the binomial standard error;
* the cells' state by linear inversion,
  :math:`\rho = \tfrac14\sum_{a,b\in\{I,X,Y,Z\}}\langle a\otimes b\rangle\, b\otimes a`
  (Qiskit order: the primary cell is qubit 0), and its Wootters concurrence, with a standard
  error from a parametric bootstrap (counts resampled multinomially).

The estimators are pure numpy; the simulator runs in the trotter engine (the only importer of
qiskit-aer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit

from . import observables as obs
from ._checks import check_int, check_real
from .model import BatteryModel

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


#: Two-qubit Pauli settings (primary basis, secondary basis) of full state tomography.
TOMOGRAPHY_SETTINGS = tuple((a, b) for a in "XYZ" for b in "XYZ")


def cell_measurements(model: BatteryModel, circuit: QuantumCircuit) -> list[QuantumCircuit]:
    """``circuit`` followed by a measurement of the two cells in each tomography setting.

    For setting (a, b) the primary cell is measured in the eigenbasis of Pauli a and the
    secondary in that of b (X: H; Y: S^dag then H; Z: nothing), into clbits 0 (primary) and
    1 (secondary). Count keys are then ``"<secondary bit><primary bit>"``.

    Returns:
        nine circuits, in the order of ``TOMOGRAPHY_SETTINGS``.
    """
    out = []
    for a, b in TOMOGRAPHY_SETTINGS:
        qc = QuantumCircuit(circuit.num_qubits, 2, name=f"tomo_{a}{b}")  # with any ancillas
        qc.compose(circuit, inplace=True)
        for basis, q in ((a, model.primary_qubit), (b, model.secondary_qubit)):
            if basis == "Y":
                qc.sdg(q)
            if basis in "XY":
                qc.h(q)
        qc.measure([model.primary_qubit, model.secondary_qubit], [0, 1])
        out.append(qc)
    return out


def sample_cells(model: BatteryModel, time: float, *, shots: int = 10_000,
                 dt: float | None = None, order: int = 2, seed: int | None = None
                 ) -> ShotEstimate:
    """Shot-based energy and concurrence at ``time``, as an experiment would report them.

    The Trotter circuit to ``time`` runs with its noise model (trotter engine); the state
    reached is measured in the nine two-qubit Pauli settings of the cells, ``shots`` shots
    each, on the density-matrix simulator.

    Args:
        model: the battery model (used as given).
        time: the measurement time, >= 0.
        shots: shots per tomography setting, >= 1.
        dt: largest Trotter step (default: the engine's).
        order: 1 or 2.
        seed: seed of the simulator's sampling and of the bootstrap.

    Returns:
        the estimates with their error bars.
    """
    from .engines import trotter

    time = check_real("time", time, low=0.0)
    shots = check_int("shots", shots, low=1, high=10**8)
    rho = trotter.state_at(model, time, dt=dt, order=order)
    measurements = cell_measurements(model, QuantumCircuit(model.num_qubits))
    counts = trotter.sample_counts(model, rho, measurements, shots=shots, seed=seed)
    sz0 = float(obs.secondary_sigma_z(model.initial_cells[None])[0])
    return estimate(TOMOGRAPHY_SETTINGS, counts, shots, time, sz0, seed=seed)

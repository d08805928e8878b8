"""Shot-based estimates (qbcircuit/tomography.py): circuits, inversion, sample_cells."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, random_density_matrix

from qbcircuit import BatteryModel, BatteryParams, simulate
from qbcircuit.tomography import TOMOGRAPHY_SETTINGS, cell_measurements, linear_inversion

INVERSION_ATOL = 1e-12  # linear inversion of exact frequencies
SIGMAS = 3.0  # mean of several seeds within this many standard errors (+ the Trotter error)
SEEDS = range(6)
TROTTER_SLACK = 2e-3  # Trotter error of the sampled circuit at dt = 0.02


_PAULIS = {"X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
           "Z": np.diag([1.0, -1.0])}


def _born_freqs(rho: np.ndarray) -> np.ndarray:
    """Born-rule frequencies of the nine settings, from projectors (I +- P)/2, no circuits.

    Outcome index primary + 2 secondary; bit 0 is the +1 eigenvalue; qubit 0 (primary) is the
    right-hand Kronecker factor (Qiskit order).
    """
    out = []
    for a, b in TOMOGRAPHY_SETTINGS:
        proj = {q: [(np.eye(2) + s * _PAULIS[q]) / 2 for s in (1, -1)] for q in (a, b)}
        out.append([np.trace(np.kron(proj[b][s1], proj[a][s0]) @ rho).real
                    for s1 in (0, 1) for s0 in (0, 1)])
    return np.array(out)


def test_linear_inversion_recovers_the_state():
    rho = random_density_matrix(4, seed=3).data
    got = linear_inversion(TOMOGRAPHY_SETTINGS, _born_freqs(rho))
    np.testing.assert_allclose(got, rho, atol=INVERSION_ATOL, rtol=0)


def test_measurement_circuits_measure_the_cells():
    model = BatteryModel(BatteryParams(alpha=1, fock=16))
    circs = cell_measurements(model, QuantumCircuit(model.num_qubits))
    assert len(circs) == 9
    measured = {model.primary_qubit, model.secondary_qubit}
    for qc in circs:
        qubits = {qc.find_bit(q).index for i in qc.data if i.operation.name == "measure"
                  for q in i.qubits}
        assert qubits == measured


def test_measurement_rotations_give_the_born_rule_frequencies():
    """The circuits' basis changes, run on a random two-cell state, against projectors."""
    model = BatteryModel(BatteryParams(alpha=0, fock=2))  # cavity: 1 qubit in |0>
    cells = random_density_matrix(4, seed=11).data
    vac = np.zeros((2, 2))
    vac[0, 0] = 1
    rho = DensityMatrix(np.kron(cells, vac))  # qubits: cavity 0, primary 1, secondary 2
    for k, qc in enumerate(cell_measurements(model, QuantumCircuit(model.num_qubits))):
        rotated = rho.evolve(qc.remove_final_measurements(inplace=False))
        got = rotated.probabilities([model.primary_qubit, model.secondary_qubit])
        np.testing.assert_allclose(got, _born_freqs(cells)[k], atol=INVERSION_ATOL)


@pytest.mark.aer
def test_shot_estimates_are_unbiased_within_error_bars():
    from qbcircuit.engines import trotter
    from qbcircuit.tomography import estimate, sample_cells

    params = BatteryParams(alpha=1, fock=16, zeta=1, gamma=0.2)
    model = BatteryModel(params)
    ex = simulate(params, [0.0, 1.0], method="exact")
    one = sample_cells(model, 1.0, shots=5_000, dt=0.02, seed=7)  # the public path
    assert 0 < one.energy_error < 0.02 and 0 < one.concurrence_error < 0.1
    # the bias, over several seeds of the same circuit: the mean within 3 standard errors
    rho = trotter.state_at(model, 1.0, dt=0.02)
    circuits = cell_measurements(model, QuantumCircuit(model.num_qubits))
    runs = [estimate(TOMOGRAPHY_SETTINGS, trotter.sample_counts(model, rho, circuits,
                                                                shots=5_000, seed=s),
                     5_000, 1.0, -1.0, seed=s) for s in SEEDS]
    for name, exact_value in (("energy", ex.energy[-1]), ("concurrence", ex.concurrence[-1])):
        values = np.array([getattr(r, name) for r in runs])
        errors = np.array([getattr(r, f"{name}_error") for r in runs])
        mean_error = np.sqrt(np.sum(errors**2)) / len(runs)
        assert abs(values.mean() - exact_value) < SIGMAS * mean_error + TROTTER_SLACK, name

"""Shot-based estimates (qbcircuit/tomography.py and trotter.sample_cells)."""

import numpy as np
import pytest
from qiskit.quantum_info import DensityMatrix, random_density_matrix

from qbcircuit import BatteryModel, BatteryParams, simulate
from qbcircuit.circuits import TOMOGRAPHY_SETTINGS, cell_measurements
from qbcircuit.tomography import linear_inversion

INVERSION_ATOL = 1e-12  # linear inversion of exact frequencies
SIGMAS = 5.0  # shot estimates within this many standard errors (+ the Trotter error)
TROTTER_SLACK = 2e-3  # Trotter error of the sampled circuit at dt = 0.02


def _exact_freqs(rho: np.ndarray) -> np.ndarray:
    """Outcome frequencies of the nine settings for a two-qubit state (qubit 0 = primary)."""
    from qiskit import QuantumCircuit

    out = []
    for a, b in TOMOGRAPHY_SETTINGS:
        qc = QuantumCircuit(2)
        for basis, q in ((a, 0), (b, 1)):
            if basis == "Y":
                qc.sdg(q)
            if basis in "XY":
                qc.h(q)
        out.append(DensityMatrix(rho).evolve(qc).probabilities())
    return np.array(out)


def test_linear_inversion_recovers_the_state():
    rho = random_density_matrix(4, seed=3).data
    got = linear_inversion(TOMOGRAPHY_SETTINGS, _exact_freqs(rho))
    np.testing.assert_allclose(got, rho, atol=INVERSION_ATOL, rtol=0)


def test_measurement_circuits_measure_the_cells():
    model = BatteryModel(BatteryParams(alpha=1, fock=16))
    from qiskit import QuantumCircuit

    circs = cell_measurements(model, QuantumCircuit(model.num_qubits))
    assert len(circs) == 9
    measured = {model.primary_qubit, model.secondary_qubit}
    for qc in circs:
        qubits = {qc.find_bit(q).index for i in qc.data if i.operation.name == "measure"
                  for q in i.qubits}
        assert qubits == measured


@pytest.mark.aer
def test_shot_estimates_agree_with_exact_within_error_bars():
    from qbcircuit.engines.trotter import sample_cells

    params = BatteryParams(alpha=1, fock=16, zeta=1, gamma=0.2)
    est = sample_cells(BatteryModel(params), 1.0, shots=20_000, dt=0.02, seed=7)
    ex = simulate(params, [0.0, 1.0], method="exact")
    assert abs(est.energy - ex.energy[-1]) < SIGMAS * est.energy_error + TROTTER_SLACK
    assert abs(est.concurrence - ex.concurrence[-1]) < (
        SIGMAS * est.concurrence_error + TROTTER_SLACK
    )
    assert 0 < est.energy_error < 0.01 and 0 < est.concurrence_error < 0.05

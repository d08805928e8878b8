"""EvolvedStates: rotating-frame states give lab-frame cell states and unchanged diagnostics."""

import numpy as np
import pytest
from qiskit.quantum_info import DensityMatrix, partial_trace

from qbcircuit import BatteryModel, BatteryParams
from qbcircuit.layout import Layout
from qbcircuit.states import EvolvedStates

STATE_ATOL = 1e-12


def _random_states(dim, times, rng):
    """Random density matrices (T, dim, dim): positive, unit trace, generic phases."""
    a = rng.normal(size=(times, dim, dim)) + 1j * rng.normal(size=(times, dim, dim))
    rho = a @ a.conj().transpose(0, 2, 1)
    return rho / np.trace(rho, axis1=1, axis2=2)[:, None, None]


@pytest.mark.parametrize("kind", ["density_matrices", "kets"])
def test_frame_cell_states_equal_the_partial_trace_of_the_lab_states(kind):
    model = BatteryModel(BatteryParams(alpha=0.6, fock=4, encoding="gray"))
    dim, times = 4 * model.levels, np.array([0.0, 0.7, 1.9])
    rng = np.random.default_rng(5)
    frame = rng.normal(size=dim) * 3
    if kind == "kets":
        psi = rng.normal(size=(3, dim)) + 1j * rng.normal(size=(3, dim))
        states = EvolvedStates(times, model.layout, kets=psi / np.linalg.norm(psi, axis=1)[:, None],
                               frame=frame)
        lab = np.einsum("ti,tj->tij", states.kets, states.kets.conj())
    else:
        states = EvolvedStates(times, model.layout,
                               density_matrices=_random_states(dim, 3, rng), frame=frame)
        lab = states.density_matrices
    # the lab frame by hand: e^{-iFt} rho_F e^{iFt}
    stored = states._rhos if kind == "density_matrices" else np.einsum(
        "ti,tj->tij", states._kets[:, 0], states._kets[:, 0].conj())
    phase = np.exp(-1j * np.outer(times, frame))
    by_hand = phase[:, :, None] * stored * phase[:, None, :].conj()
    assert np.max(np.abs(lab - by_hand)) < STATE_ATOL
    # oracle: qiskit's partial_trace of the lab-frame state on the whole register
    cells = states.cell_states()
    n = model.num_qubits
    for t in range(3):
        full = np.zeros((1 << n, 1 << n), dtype=complex)
        idx = np.ix_(model.code_basis, model.code_basis)
        full[idx] = lab[t]
        oracle = partial_trace(DensityMatrix(full), list(range(model.num_cavity_qubits))).data
        assert np.max(np.abs(cells[t] - oracle)) < STATE_ATOL


def test_diagnostics_do_not_depend_on_the_frame():
    rng = np.random.default_rng(7)
    rho = _random_states(12, 4, rng)
    rho[1, 0, 0] -= 1e-3  # a trace error and, with it, a negative eigenvalue somewhere
    times = np.linspace(0, 1, 4)
    lab = EvolvedStates(times, Layout(3), density_matrices=rho).diagnostics()
    framed = EvolvedStates(times, Layout(3), density_matrices=rho,
                           frame=rng.normal(size=12)).diagnostics()
    for key, value in lab.items():
        assert abs(framed[key] - value) < STATE_ATOL, key
    assert lab["trace_error"] == pytest.approx(1e-3)


def test_lowest_eigenvalue_is_exact_below_the_resolution_and_zero_above():
    from qbcircuit.states import EIGENVALUE_RESOLUTION, lowest_eigenvalue

    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8)))

    def rho(smallest):
        w = np.array([0.5, 0.3, 0.2, 0.0, 0.0, 0.0, 0.0, smallest])
        return (Q * w) @ Q.conj().T

    below, above = -100 * EIGENVALUE_RESOLUTION, -0.1 * EIGENVALUE_RESOLUTION
    assert abs(lowest_eigenvalue(np.array([rho(0.0), rho(below)])) - below) < 1e-14
    assert lowest_eigenvalue(np.array([rho(0.0), rho(above)])) == 0.0

import numpy as np
import pytest
from qiskit.quantum_info import DensityMatrix, Statevector, partial_trace

from qbcircuit import BatteryModel, BatteryParams

OPERATOR_ATOL = 1e-12


@pytest.fixture(params=["binary", "gray", "unary"])
def model(request):
    return BatteryModel(BatteryParams(alpha=0.8 - 0.3j, zeta=0.4, g=0.9, delta=0.3, kappa=0.2,
                                      gamma=0.1, omega_q=1.2, fock=8, tail_tol=1e-3,
                                      encoding=request.param))


def test_layout_cells_sit_above_the_cavity(model):
    k = model.num_cavity_qubits
    assert (model.primary_qubit, model.secondary_qubit, model.num_qubits) == (k, k + 1, k + 2)
    # sigma_z = -Z: |g> = |0> has sigma_z = -1.
    ground = model.initial_state
    for cell in (1, 2):
        assert np.isclose(ground.expectation_value(model.sigma_z(cell)).real, -1.0)
    # H_QB acts only on qubit k+1.
    (label,) = model.battery_hamiltonian.paulis.to_labels()
    assert label[0] == "Z" and set(label[1:]) == {"I"}


def test_hamiltonian_is_hermitian_with_real_coefficients(model):
    H = model.hamiltonian
    assert np.max(np.abs(H.coeffs.imag)) == 0
    M = H.to_matrix()
    assert np.max(np.abs(M - M.conj().T)) < OPERATOR_ATOL


def test_hamiltonian_terms_act_as_written(model):
    """Check Eq. (1) term by term on basis states (|0> = g, sigma_- = |g><e|)."""
    p = model.params
    enc = model.encoding
    # |e, g> (x) |n>  --JC-->  sqrt(n+1) |g, g> (x) |n+1>
    n = 3
    cav = enc.fock_state(n).data
    cav_up = enc.fock_state(n + 1).data
    g_, e_ = np.array([1, 0]), np.array([0, 1])
    eg = np.kron(np.kron(g_, e_), cav)  # secondary (x) primary (x) cavity
    gg_up = np.kron(np.kron(g_, g_), cav_up)
    H = model.hamiltonian.to_matrix()
    assert np.isclose(gg_up.conj() @ H @ eg, p.lam * np.sqrt(n + 1))
    # diagonal: omega_c n + (omega_q/2)(+1 - 1)
    assert np.isclose(eg.conj() @ H @ eg, p.omega_c * n)
    # XY coupling: <e,e|H|g,g> = (g/2)[(1+zeta) - (1-zeta)] = g zeta  (counter-rotating part)
    gg = np.kron(np.kron(g_, g_), cav)
    ee = np.kron(np.kron(e_, e_), cav)
    assert np.isclose(ee.conj() @ H @ gg, p.g * p.zeta)
    # flip-flop: <g,e|H|e,g> = (g/2)[(1+zeta) + (1-zeta)] = g
    ge = np.kron(np.kron(e_, g_), cav)
    assert np.isclose(ge.conj() @ H @ eg, p.g)


def test_collapse_operators(model):
    p = model.params
    assert len(model.collapse_ops) == 3
    a = model.collapse_ops[0].to_matrix() / np.sqrt(p.kappa)
    N = model.photon_number.to_matrix()
    P = np.zeros_like(N)
    idx = model.code_basis
    P[idx, idx] = 1
    assert np.max(np.abs(P @ (a.conj().T @ a) @ P - P @ N @ P)) < OPERATOR_ATOL
    s1 = model.collapse_ops[1].to_matrix() / np.sqrt(p.gamma)
    vac = model.code_basis[0]
    e1 = np.zeros(1 << model.num_qubits)
    e1[vac + (1 << model.primary_qubit)] = 1.0
    out = s1 @ e1
    assert np.isclose(out[vac], 1.0) and np.isclose(np.linalg.norm(out), 1.0)


def test_closed_model_has_no_collapse_operators():
    assert BatteryModel(BatteryParams(alpha=1)).collapse_ops == []


def test_initial_state_and_code_space_reduction_match_qiskit(model):
    sv = model.initial_state
    assert isinstance(sv, Statevector) and np.isclose(np.linalg.norm(sv.data), 1.0)
    photon = sv.expectation_value(model.photon_number).real
    amps = np.abs(model.initial_ket.reshape(4, -1)[0]) ** 2
    assert np.isclose(photon, np.sum(np.arange(model.levels) * amps))
    # Reduced cell state from the code space equals qiskit's partial_trace on the register.
    rng = np.random.default_rng(3)
    ket = rng.normal(size=4 * model.levels) + 1j * rng.normal(size=4 * model.levels)
    ket /= np.linalg.norm(ket)
    full = np.zeros(1 << model.num_qubits, dtype=complex)
    full[model.code_basis] = ket
    oracle = partial_trace(DensityMatrix(full), list(range(model.num_cavity_qubits))).data
    ours = model.layout.cells_from_kets(ket[None])[0]
    assert np.max(np.abs(ours - oracle)) < OPERATOR_ATOL


def test_pauli_term_counts_per_encoding():
    counts = {
        enc: BatteryModel(BatteryParams(alpha=1, fock=16, encoding=enc)).pauli_term_counts()
        for enc in ("binary", "gray", "unary")
    }
    assert counts["unary"]["annihilation"] == 4 * 15
    assert counts["unary"]["number"] == 16  # 15 Z terms and the identity
    # unary H, counted by hand: identity + 15 cavity Z (a^dag a) + Z on each cell + XX, YY of
    # the cells + 4 per neighbouring pair (X1 XX, X1 YY, Y1 XY, Y1 YX) from the JC term
    assert counts["unary"]["hamiltonian"] == 1 + 15 + 2 + 2 + 4 * 15
    # a binary and a Gray register hold the same operators in permuted bases: the same number
    # of Pauli terms is not implied, but a^dag a is diagonal in both: identity + 4 Z terms
    assert counts["binary"]["number"] == counts["gray"]["number"] == 5
    assert "BatteryModel(binary, fock=16" in repr(BatteryModel(BatteryParams(alpha=1, fock=16)))

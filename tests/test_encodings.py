import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp

from qbcircuit import BatteryModel, BatteryParams, Encoding, ParameterError
from qbcircuit.encodings import code_space_matrix

OPERATOR_ATOL = 1e-12
SPECTRUM_ATOL = 1e-10
ENCODINGS = ["binary", "gray", "unary"]


def truncated_a(d):
    return np.diag(np.sqrt(np.arange(1, d)), 1)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("d", [2, 3, 5, 8])
def test_encoded_operators_equal_truncated_matrices_on_the_code_space(encoding, d):
    enc = Encoding(encoding, d)
    idx = enc.code_indices()
    A = enc.annihilation().to_matrix()
    N = enc.number().to_matrix()
    assert np.max(np.abs(A[np.ix_(idx, idx)] - truncated_a(d))) < OPERATOR_ATOL
    assert np.max(np.abs(N[np.ix_(idx, idx)] - np.diag(np.arange(d)))) < OPERATOR_ATOL
    # The code space is invariant: no amplitude leaks to non-code states.
    P = enc.code_projector().to_matrix()
    for op in (A, A.conj().T, N):
        assert np.max(np.abs(op @ P - P @ op @ P)) < OPERATOR_ATOL


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_fock_states_and_projectors(encoding):
    enc = Encoding(encoding, 6)
    for n in range(6):
        ket = enc.fock_state(n)
        assert np.isclose(ket.expectation_value(enc.number()).real, n, atol=OPERATOR_ATOL)
        assert np.isclose(ket.expectation_value(enc.fock_projector(n)).real, 1, atol=OPERATOR_ATOL)


def test_register_sizes_and_gray_code():
    assert [Encoding(e, 9).num_qubits for e in ENCODINGS] == [4, 4, 9]
    gray = Encoding("gray", 16).code_indices()
    assert all(bin(int(a ^ b)).count("1") == 1 for a, b in zip(gray[:-1], gray[1:], strict=True))
    assert Encoding("unary", 4).code_indices().tolist() == [1, 2, 4, 8]


def test_unary_term_count_grows_linearly():
    counts = [len(Encoding("unary", d).annihilation()) for d in (4, 8, 16)]
    assert counts == [12, 28, 60]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 1 + 0.5j, "zeta": 0.5, "delta": -0.3, "omega_q": 1.4, "g": 0.7},
        {"alpha": 1.0, "zeta": -0.6, "delta": 2.0, "g": 1.3},
    ],
)
def test_every_encoding_gives_the_same_spectrum(kwargs):
    spectra = []
    for enc in ENCODINGS:
        model = BatteryModel(BatteryParams(fock=8, encoding=enc, tail_tol=1e-3, **kwargs))
        spectra.append(np.linalg.eigvalsh(model.hamiltonian_matrix.toarray()))
    # Gray and binary also agree on the whole register (d = 8 fills it).
    for s in spectra[1:]:
        assert np.max(np.abs(s - spectra[0])) < SPECTRUM_ATOL
    full = BatteryModel(BatteryParams(fock=8, encoding="gray", tail_tol=1e-3, **kwargs))
    full_spectrum = np.linalg.eigvalsh(full.hamiltonian.to_matrix())
    assert np.max(np.abs(full_spectrum - spectra[0])) < SPECTRUM_ATOL


@settings(max_examples=40, deadline=None)
@given(
    labels=st.lists(st.text(alphabet="IXYZ", min_size=5, max_size=5), min_size=1, max_size=6),
    coeffs=st.lists(st.complex_numbers(max_magnitude=2, allow_nan=False), min_size=6,
                    max_size=6),
    subset=st.lists(st.integers(0, 31), min_size=1, max_size=32, unique=True),
)
def test_code_space_restriction_matches_qiskit_to_matrix(labels, coeffs, subset):
    op = SparsePauliOp(labels, coeffs[: len(labels)])
    dense = op.to_matrix()
    basis = np.array(subset)
    for path in ("terms", "register", "auto"):
        restricted = code_space_matrix(op, basis, path=path).toarray()
        assert np.max(np.abs(restricted - dense[np.ix_(basis, basis)]), initial=0) < OPERATOR_ATOL


def test_phased_pauli_labels_are_restricted_correctly():
    op = SparsePauliOp(["-iXY", "iZZ"], [1.0, 0.5])
    basis = np.arange(4)
    for path in ("terms", "register"):
        restricted = code_space_matrix(op, basis, path=path).toarray()
        assert np.max(np.abs(restricted - op.to_matrix())) < OPERATOR_ATOL


def test_dense_objects_are_refused_for_huge_registers():
    with pytest.raises(ParameterError, match="dense register objects are built only up to 16"):
        Encoding("unary", 20).code_projector()
    with pytest.raises(ParameterError, match="encoding must be one of"):
        Encoding("qutrit", 4)

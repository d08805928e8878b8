r"""The battery model as Qiskit operators: Hamiltonian Eq. (1), collapse operators Eq. (2), Eq. (3).

Qubit layout (Qiskit little-endian; physics.md):

* cavity register: qubits 0 .. k-1 (k from the encoding and the truncation);
* primary cell (paper's qubit 1, coupled to the charger): qubit k;
* secondary cell (paper's qubit 2, the battery whose energy is reported): qubit k+1.

Each cell has :math:`|0\rangle = |g\rangle`, :math:`|1\rangle = |e\rangle`, hence
:math:`\sigma_x = X`, :math:`\sigma_y = -Y`, :math:`\sigma_z = -Z` and
:math:`\sigma_- = |g\rangle\langle e| = (X + iY)/2`.

Engines work in the *code space*: the 4d register states that encode a Fock level, ordered
cells-major (index ``c * d + n`` with cell index ``c = b1 + 2 b2``, b1 the primary cell's bit).
The reduced state of the cells is then the 4x4 matrix in Qiskit's two-qubit convention
(qubit 0 = primary, qubit 1 = secondary), the same one ``partial_trace`` returns.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp
from qiskit.quantum_info import SparsePauliOp, Statevector

from .encodings import MAX_DENSE_QUBITS, Encoding
from .params import BatteryParams, coherent_amplitudes

# Two-qubit cell operators; qubit 0 = primary cell, qubit 1 = secondary cell.
_SIGMA_MINUS = [("X", 0.5), ("Y", 0.5j)]  # (X + iY)/2 = |g><e|
_SIGMA_PLUS = [("X", 0.5), ("Y", -0.5j)]  # (X - iY)/2 = |e><g|


def _cell_op(qubit: int, terms) -> SparsePauliOp:
    return SparsePauliOp.from_sparse_list([(p, [qubit], c) for p, c in terms], num_qubits=2)


def code_space_matrix(op: SparsePauliOp, basis) -> sp.csr_matrix:
    r"""Matrix of ``op`` between the register basis states ``basis``: ``M[i, j] = <b_i|op|b_j>``.

    Every Pauli string maps a basis state to one basis state,
    :math:`P|x\rangle = i^{n_Y}(-1)^{|x \wedge z|}|x \oplus x_P\rangle`, so the restriction
    costs (terms x len(basis)) and never forms the :math:`2^n` register matrix (the unary
    register has up to 62 qubits). ``op.to_matrix(sparse=True)`` is the test oracle.

    Args:
        op: operator on at most 62 qubits.
        basis: distinct register basis indices, shape (m,).

    Returns:
        complex CSR matrix of shape (m, m).
    """
    basis = np.asarray(basis, dtype=np.uint64)
    nq = op.num_qubits
    if nq > 62:
        raise ValueError(f"operators on more than 62 qubits are not supported, got {nq}")
    weights = np.left_shift(np.uint64(1), np.arange(nq, dtype=np.uint64))
    xmask = (op.paulis.x.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
    zmask = (op.paulis.z.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
    ny = np.sum(op.paulis.x & op.paulis.z, axis=1)
    # PauliList.phase q is the group phase (-i)^q of the label; Y = i X Z contributes i per Y.
    coeffs = op.coeffs * (1j) ** ny * (-1j) ** op.paulis.phase
    order = np.argsort(basis)
    sorted_basis = basis[order]
    rows, cols, vals = [], [], []
    cols_all = np.arange(basis.size)
    for xm, zm, c in zip(xmask, zmask, coeffs, strict=True):
        if c == 0:
            continue
        target = basis ^ xm
        pos = np.searchsorted(sorted_basis, target)
        pos[pos == basis.size] = 0
        hit = sorted_basis[pos] == target
        sign = 1 - 2 * (np.bitwise_count(basis & zm) & 1).astype(np.int64)
        rows.append(order[pos[hit]])
        cols.append(cols_all[hit])
        vals.append(c * sign[hit])
    if not rows:
        return sp.csr_matrix((basis.size, basis.size), dtype=complex)
    m = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(basis.size, basis.size),
    )
    return m.tocsr()


class BatteryModel:
    r"""Hamiltonian, collapse operators and initial state of the battery on qubits.

    .. math::

        H = \omega_c a^\dagger a + \frac{\omega_q}{2}(\sigma_z^{(1)} + \sigma_z^{(2)})
            + \lambda(\sigma_+^{(1)} a + \sigma_-^{(1)} a^\dagger)
            + \frac{g}{2}[(1+\zeta)\sigma_x^{(1)}\sigma_x^{(2)}
            + (1-\zeta)\sigma_y^{(1)}\sigma_y^{(2)}]

    Collapse operators :math:`\sqrt{\kappa}\,a`, :math:`\sqrt{\gamma}\,\sigma_-^{(1)}`,
    :math:`\sqrt{\gamma}\,\sigma_-^{(2)}` (only those with a non-zero rate are kept).
    A model holds operators; it never integrates (engines do).

    Args:
        params: the battery parameters.

    >>> m = BatteryModel(BatteryParams(alpha=1, fock=16))
    >>> m.num_qubits, m.pauli_term_counts()["hamiltonian"]
    (6, 73)
    """

    def __init__(self, params: BatteryParams):
        self.params = params
        self.encoding = Encoding(params.encoding, params.levels)
        self.levels = params.levels
        self.num_cavity_qubits = self.encoding.num_qubits
        self.num_qubits = self.num_cavity_qubits + 2
        self.primary_qubit = self.num_cavity_qubits
        self.secondary_qubit = self.num_cavity_qubits + 1

    # -- operators on the whole register -------------------------------------------------------
    @cached_property
    def _id_cav(self) -> SparsePauliOp:
        return SparsePauliOp("I" * self.num_cavity_qubits)

    @cached_property
    def _id_cells(self) -> SparsePauliOp:
        return SparsePauliOp("II")

    @cached_property
    def annihilation(self) -> SparsePauliOp:
        """The cavity's a on the whole register."""
        return self._id_cells.tensor(self.encoding.annihilation())

    @cached_property
    def photon_number(self) -> SparsePauliOp:
        """The cavity's a^dag a on the whole register."""
        return self._id_cells.tensor(self.encoding.number())

    def sigma_minus(self, cell: int) -> SparsePauliOp:
        """Lowering operator of cell 1 (primary) or 2 (secondary) on the whole register."""
        return _cell_op(cell - 1, _SIGMA_MINUS).tensor(self._id_cav)

    def sigma_z(self, cell: int) -> SparsePauliOp:
        """sigma_z = -Z of cell 1 (primary) or 2 (secondary) on the whole register."""
        return _cell_op(cell - 1, [("Z", -1.0)]).tensor(self._id_cav)

    @cached_property
    def hamiltonian_terms(self) -> list[tuple[str, float, SparsePauliOp]]:
        r"""Eq. (1) as ``(name, coefficient, operator)`` with :math:`H = \sum_k c_k O_k`.

        The operators depend only on the structure (encoding, truncation), the coefficients
        only on the parameter values: ``number`` (:math:`\omega_c`), ``sigma_z``
        (:math:`\omega_q/2`, :math:`\sigma_z^{(1)}+\sigma_z^{(2)}`), ``jaynes_cummings``
        (:math:`\lambda`, :math:`\sigma_+^{(1)}a + \sigma_-^{(1)}a^\dagger`), ``xx``
        (:math:`g(1+\zeta)/2`, :math:`\sigma_x^{(1)}\sigma_x^{(2)} = X X`) and ``yy``
        (:math:`g(1-\zeta)/2`, :math:`\sigma_y^{(1)}\sigma_y^{(2)} = Y Y`).
        """
        p = self.params
        a = self.encoding.annihilation()
        jc = _cell_op(0, _SIGMA_PLUS).tensor(a) + _cell_op(0, _SIGMA_MINUS).tensor(a.adjoint())
        xx = SparsePauliOp.from_sparse_list([("XX", [0, 1], 1.0)], 2).tensor(self._id_cav)
        yy = SparsePauliOp.from_sparse_list([("YY", [0, 1], 1.0)], 2).tensor(self._id_cav)
        return [
            ("number", p.omega_c, self.photon_number),
            ("sigma_z", p.omega_q / 2, (self.sigma_z(1) + self.sigma_z(2)).simplify()),
            ("jaynes_cummings", p.lam, _real_coefficients(jc)),
            ("xx", p.g * (1 + p.zeta) / 2, xx),
            ("yy", p.g * (1 - p.zeta) / 2, yy),
        ]

    @cached_property
    def dissipator_terms(self) -> list[tuple[str, float, SparsePauliOp]]:
        """Eq. (2) as ``(name, rate, operator)``: the dissipator is sum_k rate_k D[O_k].

        All three channels are listed, also those whose rate is zero.
        """
        p = self.params
        return [
            ("cavity_loss", p.kappa, self.annihilation),
            ("primary_decay", p.gamma, self.sigma_minus(1)),
            ("secondary_decay", p.gamma, self.sigma_minus(2)),
        ]

    @cached_property
    def frame_operator(self) -> SparsePauliOp:
        r"""The diagonal part of H.

        :math:`\omega_c a^\dagger a + (\omega_q/2)(\sigma_z^{(1)}+\sigma_z^{(2)})`.
        """
        return _weighted_sum(self.hamiltonian_terms[:2])

    @cached_property
    def interaction(self) -> SparsePauliOp:
        """H minus the frame operator: the JC and XY couplings."""
        return _real_coefficients(_weighted_sum(self.hamiltonian_terms[2:]))

    @cached_property
    def hamiltonian(self) -> SparsePauliOp:
        """The Hamiltonian Eq. (1), simplified, with real coefficients (a Hermitian sum)."""
        return _real_coefficients(_weighted_sum(self.hamiltonian_terms))

    @cached_property
    def collapse_ops(self) -> list[SparsePauliOp]:
        """Collapse operators with their rates folded in: sqrt(kappa) a, sqrt(gamma) s-(1,2).

        Only channels with a non-zero rate are kept.
        """
        return [
            (np.sqrt(rate) * op).simplify(atol=1e-14)
            for _, rate, op in self.dissipator_terms
            if rate > 0
        ]

    @cached_property
    def battery_hamiltonian(self) -> SparsePauliOp:
        r"""H_QB = (omega_q/2) sigma_z^{(2)}, the secondary cell's energy, Eq. (5)."""
        return (self.params.omega_q / 2) * self.sigma_z(2)

    def pauli_term_counts(self) -> dict[str, int]:
        """Pauli-term counts of H, of a and of a^dag a on the register (teaching material)."""
        return {
            "hamiltonian": len(self.hamiltonian),
            "annihilation": len(self.encoding.annihilation()),
            "number": len(self.encoding.number()),
        }

    # -- the code space ------------------------------------------------------------------------
    @cached_property
    def code_basis(self) -> np.ndarray:
        """Register indices of the 4d code states, cells-major: entry c*d + n, shape (4d,)."""
        cav = self.encoding.code_indices()
        cells = np.arange(4, dtype=np.int64) << self.num_cavity_qubits
        return (cells[:, None] + cav[None, :]).ravel()

    def code_matrix(self, op: SparsePauliOp) -> sp.csr_matrix:
        """``op`` restricted to the code space (see :func:`code_space_matrix`)."""
        return code_space_matrix(op, self.code_basis)

    @cached_property
    def hamiltonian_matrix(self) -> sp.csr_matrix:
        """H on the code space, CSR of shape (4d, 4d)."""
        return self.code_matrix(self.hamiltonian)

    @cached_property
    def collapse_matrices(self) -> list[sp.csr_matrix]:
        """Collapse operators on the code space, CSR of shape (4d, 4d) each."""
        return [self.code_matrix(c) for c in self.collapse_ops]

    @cached_property
    def initial_ket(self) -> np.ndarray:
        """Eq. (3) in the code basis, complex array of shape (4d,).

        Cells in ``initial_cells``, cavity in the renormalised truncated coherent state.
        """
        p = self.params
        amps = coherent_amplitudes(p.alpha, self.levels)
        amps = amps / np.linalg.norm(amps)
        ket = np.zeros((4, self.levels), dtype=complex)
        # label "xy": x = primary, y = secondary; cell index c = b1 + 2 b2
        label = p.initial_cells
        ket[(label[0] == "e") + 2 * (label[1] == "e")] = amps
        return ket.ravel()

    @property
    def initial_state(self) -> Statevector:
        """Eq. (3) as a ``Statevector`` on the whole register (registers up to 18 qubits)."""
        if self.num_qubits > MAX_DENSE_QUBITS + 2:
            raise ValueError(
                f"the register has {self.num_qubits} qubits; a dense Statevector is built only "
                f"up to {MAX_DENSE_QUBITS + 2}"
            )
        vec = np.zeros(1 << self.num_qubits, dtype=complex)
        vec[self.code_basis] = self.initial_ket
        return Statevector(vec)

    def __repr__(self) -> str:
        p = self.params
        return (
            f"BatteryModel({p.encoding}, fock={self.levels}, qubits={self.num_qubits}, "
            f"H terms={len(self.hamiltonian)}, collapse ops={len(self.collapse_ops)})"
        )


def _weighted_sum(terms) -> SparsePauliOp:
    return sum((c * op for _, c, op in terms[1:]), terms[0][1] * terms[0][2]).simplify(atol=1e-14)


def _real_coefficients(op: SparsePauliOp) -> SparsePauliOp:
    """Simplify a Hermitian sum and check that its Pauli coefficients are real."""
    op = op.simplify(atol=1e-14)
    if np.max(np.abs(op.coeffs.imag), initial=0.0) > 1e-12:
        raise AssertionError("a Hermitian operator has complex Pauli coefficients")
    return SparsePauliOp(op.paulis, op.coeffs.real.astype(complex))


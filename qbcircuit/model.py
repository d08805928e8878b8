r"""The battery model as Qiskit operators: Hamiltonian Eq. (1), collapse operators Eq. (2), Eq. (3).

Qubit layout (Qiskit little-endian; docs/conventions.md):

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

from functools import cached_property, lru_cache
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from qiskit.quantum_info import SparsePauliOp, Statevector

from ._checks import check_int
from .encodings import MAX_DENSE_QUBITS, Encoding, code_space_matrix
from .params import MAX_FOCK, BatteryParams, coherent_amplitudes

# Two-qubit cell operators; qubit 0 = primary cell, qubit 1 = secondary cell.
_SIGMA_MINUS = [("X", 0.5), ("Y", 0.5j)]  # (X + iY)/2 = |g><e|
_SIGMA_PLUS = [("X", 0.5), ("Y", -0.5j)]  # (X - iY)/2 = |e><g|


def _cell_op(qubit: int, terms) -> SparsePauliOp:
    return SparsePauliOp.from_sparse_list([(p, [qubit], c) for p, c in terms], num_qubits=2)


def cell_index(label: str) -> int:
    """Cell index c = b1 + 2 b2 of a product cell state ``"xy"`` (x = primary, y = secondary).

    >>> cell_index("gg"), cell_index("eg"), cell_index("ge")
    (0, 1, 2)
    """
    return (label[0] == "e") + 2 * (label[1] == "e")


def initial_cell_state(label: str) -> np.ndarray:
    """The two-cell density matrix |xy><xy| of a product label, shape (4, 4)."""
    rho = np.zeros((4, 4), dtype=complex)
    rho[cell_index(label), cell_index(label)] = 1.0
    return rho


class Term(NamedTuple):
    """One term of Eq. (1) (a coefficient) or Eq. (2) (a rate) times a structural operator.

    Attributes:
        name: the operator's name (``HAMILTONIAN_TERMS``, ``DISSIPATOR_TERMS``).
        coefficient: its coefficient in H, or its rate in the dissipator.
        operator: the operator on the whole register (depends only on the structure).
        in_frame: part of the rotating frame (the diagonal part of H) of frame-based engines.
    """

    name: str
    coefficient: float
    operator: SparsePauliOp
    in_frame: bool = False


def _xy(p, sign: int) -> float:
    # xy: (g/2)[(1+zeta) XX + (1-zeta) YY]; exchange_zeta: g zeta (s+s- + s-s+) = (g zeta/2)(XX+YY)
    if p.cell_coupling == "exchange_zeta":
        return p.g * p.zeta / 2
    return p.g * (1 + sign * p.zeta) / 2


#: Eq. (1) term by term: name -> (belongs to the rotating frame, coefficient of the parameters,
#: whether the term is present). A model variant changes coefficients or adds terms here only.
HAMILTONIAN_TERMS = {
    "number": (True, lambda p: p.omega_c, None),
    "sigma_z": (True, lambda p: p.omega_q / 2, None),
    "jaynes_cummings": (False, lambda p: p.lam, None),
    "jaynes_cummings_secondary": (False, lambda p: p.lam,
                                  lambda p: p.charger_coupling == "both"),
    "xx": (False, lambda p: _xy(p, +1), None),
    "yy": (False, lambda p: _xy(p, -1), None),
}
#: Eq. (2) channel by channel: name -> rate of the parameters.
DISSIPATOR_TERMS = {
    "cavity_loss": lambda p: p.kappa,
    "primary_decay": lambda p: p.gamma,
    "secondary_decay": lambda p: p.gamma,
}


class _Structure:
    """Operators that depend only on the encoding and the truncation, shared by every model.

    Building a ``SparsePauliOp`` from the embedded matrix and restricting it to the code space
    costs tens of milliseconds; a sweep over parameter values reuses one structure (cached).
    """

    def __init__(self, encoding: str, levels: int):
        self.encoding = Encoding(encoding, levels)
        k = self.encoding.num_qubits
        id_cav = SparsePauliOp("I" * k)
        a = self.encoding.annihilation()
        self.annihilation = SparsePauliOp("II").tensor(a)
        self.photon_number = SparsePauliOp("II").tensor(self.encoding.number())
        self.sigma_minus = [_cell_op(c, _SIGMA_MINUS).tensor(id_cav) for c in (0, 1)]
        self.sigma_z = [_cell_op(c, [("Z", -1.0)]).tensor(id_cav) for c in (0, 1)]
        jc = [_cell_op(c, _SIGMA_PLUS).tensor(a) + _cell_op(c, _SIGMA_MINUS).tensor(a.adjoint())
              for c in (0, 1)]
        self.operators = {
            "number": self.photon_number,
            "sigma_z": (self.sigma_z[0] + self.sigma_z[1]).simplify(),
            "jaynes_cummings": _real_coefficients(jc[0]),
            "jaynes_cummings_secondary": _real_coefficients(jc[1]),
            "xx": SparsePauliOp.from_sparse_list([("XX", [0, 1], 1.0)], 2).tensor(id_cav),
            "yy": SparsePauliOp.from_sparse_list([("YY", [0, 1], 1.0)], 2).tensor(id_cav),
            "cavity_loss": self.annihilation,
            "primary_decay": self.sigma_minus[0],
            "secondary_decay": self.sigma_minus[1],
        }
        cav = self.encoding.code_indices()
        cells = np.arange(4, dtype=np.int64) << k
        self.code_basis = (cells[:, None] + cav[None, :]).ravel()
        self._code_matrices: dict[str, sp.csr_matrix] = {}

    def code_matrix(self, name: str) -> sp.csr_matrix:
        """The named operator on the code space (computed once)."""
        if name not in self._code_matrices:
            self._code_matrices[name] = code_space_matrix(self.operators[name], self.code_basis)
        return self._code_matrices[name]

    @lru_cache(maxsize=8)  # noqa: B019 - structures are few and live as long as the process
    def term_stack(self, names: tuple[str, ...]):
        """The named operators on one sparsity pattern: (indptr, indices, data of shape (K, nnz)).

        ``sum_k c_k M_k`` is then one product ``c @ data`` (0.05 ms instead of 0.6 ms of
        sparse sums for the Hamiltonian of a sweep point).
        """
        mats = [self.code_matrix(n).tocoo() for n in names]
        dim = self.code_basis.size
        keys = np.unique(np.concatenate([m.row.astype(np.int64) * dim + m.col for m in mats]))
        data = np.zeros((len(mats), keys.size), dtype=complex)
        for k, m in enumerate(mats):
            np.add.at(data[k], np.searchsorted(keys, m.row.astype(np.int64) * dim + m.col),
                      m.data)
        rows, cols = np.divmod(keys, dim)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=dim))])
        return indptr, cols, data


@lru_cache(maxsize=32)
def _structure(encoding: str, levels: int) -> _Structure:
    """The shared operators of one (encoding, levels): a memo of immutable objects."""
    return _Structure(encoding, levels)


def structure_matrices(encoding: str, levels: int, names) -> list[sp.csr_matrix]:
    """The named operators of one structure on the code space (shared: read only)."""
    structure = _structure(encoding, levels)
    return [structure.code_matrix(name) for name in names]


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

    Operators that depend only on the encoding and the truncation are built once per
    (encoding, levels) and shared between models (a sweep pays for them once).

    Args:
        params: the battery parameters.
        levels: Fock levels d to keep, overriding ``params.levels`` (the automatic
            re-solve of :func:`qbcircuit.simulate` and the qubit-register padding of the
            trotter engine use it); default ``params.levels``.

    >>> m = BatteryModel(BatteryParams(alpha=1, fock=16))
    >>> m.num_qubits, m.pauli_term_counts()["hamiltonian"]
    (6, 73)
    """

    def __init__(self, params: BatteryParams, *, levels: int | None = None):
        self.params = params
        if levels is None:
            levels = params.levels
        else:
            levels = check_int("levels", levels, low=2, high=MAX_FOCK[params.encoding])
        self._structure = _structure(params.encoding, levels)
        self.encoding = self._structure.encoding
        self.levels = levels
        self.num_cavity_qubits = self.encoding.num_qubits
        self.num_qubits = self.num_cavity_qubits + 2
        self.primary_qubit = self.num_cavity_qubits
        self.secondary_qubit = self.num_cavity_qubits + 1

    # -- operators on the whole register -------------------------------------------------------
    @property
    def annihilation(self) -> SparsePauliOp:
        """The cavity's a on the whole register."""
        return self._structure.annihilation

    @property
    def photon_number(self) -> SparsePauliOp:
        """The cavity's a^dag a on the whole register."""
        return self._structure.photon_number

    def sigma_minus(self, cell: int) -> SparsePauliOp:
        """Lowering operator of cell 1 (primary) or 2 (secondary) on the whole register."""
        return self._structure.sigma_minus[cell - 1]

    def sigma_z(self, cell: int) -> SparsePauliOp:
        """sigma_z = -Z of cell 1 (primary) or 2 (secondary) on the whole register."""
        return self._structure.sigma_z[cell - 1]

    @cached_property
    def hamiltonian_terms(self) -> list[Term]:
        r"""Eq. (1) as :class:`Term` s with :math:`H = \sum_k c_k O_k` (see ``HAMILTONIAN_TERMS``).

        The operators depend only on the structure (encoding, truncation), the coefficients
        only on the parameter values: ``number`` (:math:`\omega_c`), ``sigma_z``
        (:math:`\omega_q/2`, :math:`\sigma_z^{(1)}+\sigma_z^{(2)}`), ``jaynes_cummings``
        (:math:`\lambda`, :math:`\sigma_+^{(1)}a + \sigma_-^{(1)}a^\dagger`), ``xx``
        (:math:`g(1+\zeta)/2`, :math:`\sigma_x^{(1)}\sigma_x^{(2)} = X X`) and ``yy``
        (:math:`g(1-\zeta)/2`, :math:`\sigma_y^{(1)}\sigma_y^{(2)} = Y Y`). The first two
        (diagonal) form the rotating frame (``Term.in_frame``).

        Variants (``params.variant``): ``charger_coupling="both"`` adds
        ``jaynes_cummings_secondary`` (:math:`\lambda`,
        :math:`\sigma_+^{(2)}a + \sigma_-^{(2)}a^\dagger`); ``cell_coupling="exchange_zeta"``
        gives ``xx`` and ``yy`` the coefficient :math:`g\zeta/2` each, i.e.
        :math:`g\zeta(\sigma_+^{(1)}\sigma_-^{(2)} + \sigma_-^{(1)}\sigma_+^{(2)})`.
        """
        ops, p = self._structure.operators, self.params
        return [Term(name, float(coefficient(p)), ops[name], in_frame)
                for name, (in_frame, coefficient, present) in HAMILTONIAN_TERMS.items()
                if present is None or present(p)]

    @cached_property
    def dissipator_terms(self) -> list[Term]:
        """Eq. (2) as :class:`Term` s: the dissipator is sum_k rate_k D[O_k].

        All three channels are listed, also those whose rate is zero.
        """
        ops = self._structure.operators
        return [Term(name, float(rate(self.params)), ops[name])
                for name, rate in DISSIPATOR_TERMS.items()]

    @property
    def structure(self) -> tuple:
        """What the operators depend on: models with equal structure differ in coefficients only.

        (encoding, levels, initial cells, Hamiltonian term names, dissipator term names); the
        batching key of engines that solve many parameter sets at once.
        """
        return (self.params.encoding, self.levels, self.params.initial_cells,
                tuple(t.name for t in self.hamiltonian_terms),
                tuple(t.name for t in self.dissipator_terms))

    @cached_property
    def frame_operator(self) -> SparsePauliOp:
        r"""The rotating frame: the terms flagged ``in_frame`` (the diagonal part of H).

        :math:`\omega_c a^\dagger a + (\omega_q/2)(\sigma_z^{(1)}+\sigma_z^{(2)})`.
        """
        return _weighted_sum([t for t in self.hamiltonian_terms if t.in_frame])

    @cached_property
    def frame_diagonal(self) -> np.ndarray:
        """Diagonal of the frame operator on the code space, real array of shape (4d,)."""
        return sum(t.coefficient * self.term_matrix(t.name).diagonal().real
                   for t in self.hamiltonian_terms if t.in_frame)

    @cached_property
    def interaction(self) -> SparsePauliOp:
        """H minus the frame operator: the JC and XY couplings."""
        return _real_coefficients(_weighted_sum([t for t in self.hamiltonian_terms
                                                 if not t.in_frame]))

    @cached_property
    def hamiltonian(self) -> SparsePauliOp:
        """The Hamiltonian Eq. (1), simplified, with real coefficients (a Hermitian sum)."""
        return _real_coefficients(_weighted_sum(self.hamiltonian_terms))

    @cached_property
    def collapse_ops(self) -> list[SparsePauliOp]:
        """Collapse operators with their rates folded in: sqrt(kappa) a, sqrt(gamma) s-(1,2).

        Only channels with a non-zero rate are kept.
        """
        return [(np.sqrt(t.coefficient) * t.operator).simplify(atol=1e-14)
                for t in self.dissipator_terms if t.coefficient > 0]

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
    @property
    def code_basis(self) -> np.ndarray:
        """Register indices of the 4d code states, cells-major: entry c*d + n, shape (4d,)."""
        return self._structure.code_basis

    def code_matrix(self, op: SparsePauliOp) -> sp.csr_matrix:
        """``op`` restricted to the code space (see :func:`code_space_matrix`)."""
        return code_space_matrix(op, self.code_basis)

    def term_matrix(self, name: str) -> sp.csr_matrix:
        """A named Hamiltonian or dissipator operator on the code space (shared: read only)."""
        return self._structure.code_matrix(name)

    @cached_property
    def hamiltonian_matrix(self) -> sp.csr_matrix:
        """H on the code space, CSR of shape (4d, 4d): the weighted sum of the term matrices.

        On the union of the terms' patterns, so a zero coefficient leaves explicit zeros.
        """
        terms = self.hamiltonian_terms
        indptr, indices, data = self._structure.term_stack(tuple(t.name for t in terms))
        values = np.array([t.coefficient for t in terms]) @ data
        dim = 4 * self.levels
        return sp.csr_matrix((values, indices, indptr), shape=(dim, dim))

    @cached_property
    def collapse_matrices(self) -> list[sp.csr_matrix]:
        """Collapse operators on the code space, CSR of shape (4d, 4d) each (non-zero rates)."""
        return [np.sqrt(t.coefficient) * self.term_matrix(t.name)
                for t in self.dissipator_terms if t.coefficient > 0]

    @cached_property
    def initial_ket(self) -> np.ndarray:
        """Eq. (3) in the code basis, complex array of shape (4d,).

        Cells in ``initial_cells``, cavity in the renormalised truncated coherent state.
        """
        p = self.params
        amps = coherent_amplitudes(p.alpha, self.levels)
        amps = amps / np.linalg.norm(amps)
        ket = np.zeros((4, self.levels), dtype=complex)
        ket[cell_index(p.initial_cells)] = amps
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


def _weighted_sum(terms: list[Term]) -> SparsePauliOp:
    first, *rest = terms
    return sum((t.coefficient * t.operator for t in rest),
               first.coefficient * first.operator).simplify(atol=1e-14)


def _real_coefficients(op: SparsePauliOp) -> SparsePauliOp:
    """Simplify a Hermitian sum and check that its Pauli coefficients are real."""
    op = op.simplify(atol=1e-14)
    if np.max(np.abs(op.coeffs.imag), initial=0.0) > 1e-12:
        raise AssertionError("a Hermitian operator has complex Pauli coefficients")
    return SparsePauliOp(op.paulis, op.coeffs.real.astype(complex))


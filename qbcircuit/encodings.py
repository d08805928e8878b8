r"""Cavity encodings: a truncated bosonic mode of ``d`` Fock levels as qubits.

Qiskit is little-endian: qubit 0 is the rightmost tensor factor and bit 0 of a basis index.

==========  =======================  ====================================================
encoding    qubits k                 Fock state :math:`|n\rangle` becomes the basis state
==========  =======================  ====================================================
binary      ceil(log2 d)             n
gray        ceil(log2 d)             the Gray code n XOR (n >> 1): neighbours differ in one bit
unary       d                        :math:`2^n` (only qubit n is set; one-hot)
==========  =======================  ====================================================

Register states that encode no Fock state (all but d of the :math:`2^d` unary states, and the
top binary/Gray states when d is not a power of two) form the complement of the *code space*;
the encoded operators map the code space into itself, so the dynamics never populates them.
All three encodings give identical physics; they differ in Pauli-term counts and circuit cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from ._checks import ParameterError, check_choice, check_int

#: The encodings, and the most Fock levels each allows (unary: one qubit per level, and the
#: code-space conversion handles at most 62 qubits): the one table of both.
ENCODINGS = ("binary", "gray", "unary")
MAX_FOCK = {"binary": 512, "gray": 512, "unary": 60}

#: Largest register for which a dense Qiskit object (Statevector, projector) is built.
MAX_DENSE_QUBITS = 16


@dataclass(frozen=True)
class Encoding:
    """Map of a ``levels``-level truncated mode onto a qubit register.

    Args:
        name: ``"binary"``, ``"gray"`` or ``"unary"``.
        levels: number of Fock levels d >= 2.

    >>> enc = Encoding("gray", 4)
    >>> enc.num_qubits, enc.basis_index([0, 1, 2, 3]).tolist()
    (2, [0, 1, 3, 2])
    """

    name: str
    levels: int

    def __post_init__(self):
        check_choice("encoding", self.name, ENCODINGS)
        check_int("fock", self.levels, low=2, high=MAX_FOCK[self.name])

    @property
    def num_qubits(self) -> int:
        """Qubits of the cavity register, k."""
        if self.name == "unary":
            return self.levels
        return max(1, (self.levels - 1).bit_length())

    def basis_index(self, n) -> np.ndarray:
        """Register basis index (int64 array) of each Fock level in ``n``."""
        n = np.asarray(n, dtype=np.int64)
        if self.name == "binary":
            return n
        if self.name == "gray":
            return n ^ (n >> 1)
        return np.left_shift(np.int64(1), n)

    def code_indices(self) -> np.ndarray:
        """Register basis indices of Fock levels 0 .. d-1, shape (d,)."""
        return self.basis_index(np.arange(self.levels))

    def annihilation(self) -> SparsePauliOp:
        r"""The truncated annihilation operator :math:`a = \sum_n \sqrt{n}|n-1\rangle\langle n|`.

        Binary and Gray: ``SparsePauliOp.from_operator`` on the embedded matrix. Unary: the sum
        :math:`\sum_n \sqrt{n}\,\sigma^+_{n-1}\sigma^-_n` (4 Pauli terms per level), which stays
        sparse where the dense matrix would have :math:`4^d` entries.
        """
        d = self.levels
        if self.name == "unary":
            terms = []
            for n in range(1, d):
                c = np.sqrt(n) / 4
                # sigma+_{n-1} sigma-_n = (X - iY)_{n-1} (X + iY)_n / 4
                terms += [
                    ("XX", [n - 1, n], c),
                    ("XY", [n - 1, n], 1j * c),
                    ("YX", [n - 1, n], -1j * c),
                    ("YY", [n - 1, n], c),
                ]
            return SparsePauliOp.from_sparse_list(terms, num_qubits=d)
        n = np.arange(1, d)
        return self._from_fock_matrix(n - 1, n, np.sqrt(n))

    def number(self) -> SparsePauliOp:
        r"""The number operator :math:`a^\dagger a = \sum_n n |n\rangle\langle n|`."""
        d = self.levels
        if self.name == "unary":
            # n |1><1|_n = n (I - Z_n) / 2
            terms = [("Z", [n], -n / 2) for n in range(1, d)]
            terms.append(("", [], sum(range(d)) / 2))
            return SparsePauliOp.from_sparse_list(terms, num_qubits=d).simplify()
        n = np.arange(d)
        return self._from_fock_matrix(n, n, n.astype(float))

    def fock_projector(self, n: int) -> SparsePauliOp:
        r"""Projector :math:`|n\rangle\langle n|` on the register."""
        n = check_int("n", n, low=0, high=self.levels - 1)
        if self.name == "unary":
            return SparsePauliOp.from_sparse_list([("", [], 0.5), ("Z", [n], -0.5)], self.levels)
        return self._from_fock_matrix([n], [n], [1.0])

    def code_projector(self) -> SparsePauliOp:
        """Projector onto the code space (identity for binary/Gray with d a power of two).

        Unary needs up to 2^d Pauli terms, so this is refused for registers of more than
        ``MAX_DENSE_QUBITS`` qubits; use :meth:`code_indices` there.
        """
        self._check_dense()
        dim = 1 << self.num_qubits
        diag = np.zeros(dim)
        diag[self.code_indices()] = 1.0
        return SparsePauliOp.from_operator(Operator(np.diag(diag))).simplify()

    def state(self, amplitudes) -> Statevector:
        """Encoded superposition sum_n amplitudes[n] |n> as a ``Statevector`` on the register."""
        amplitudes = np.asarray(amplitudes, dtype=complex)
        if amplitudes.shape != (self.levels,):
            raise ParameterError(
                f"amplitudes must have shape ({self.levels},), got {amplitudes.shape}"
            )
        self._check_dense()
        vec = np.zeros(1 << self.num_qubits, dtype=complex)
        vec[self.code_indices()] = amplitudes
        return Statevector(vec)

    def fock_state(self, n: int) -> Statevector:
        """The encoded Fock state |n> as a ``Statevector``."""
        n = check_int("n", n, low=0, high=self.levels - 1)
        amps = np.zeros(self.levels, dtype=complex)
        amps[n] = 1.0
        return self.state(amps)

    def embed(self, matrix) -> np.ndarray:
        """A d x d Fock-basis matrix as a dense register matrix (zero outside the code space)."""
        self._check_dense()
        matrix = np.asarray(matrix)
        idx = self.code_indices()
        out = np.zeros((1 << self.num_qubits,) * 2, dtype=complex)
        out[np.ix_(idx, idx)] = matrix
        return out

    def _from_fock_matrix(self, rows, cols, values) -> SparsePauliOp:
        d = self.levels
        mat = np.zeros((d, d), dtype=complex)
        mat[np.asarray(rows), np.asarray(cols)] = values
        return SparsePauliOp.from_operator(Operator(self.embed(mat))).simplify(atol=1e-14)

    def _check_dense(self):
        if self.num_qubits > MAX_DENSE_QUBITS:
            raise ParameterError(
                f"the {self.name} register has {self.num_qubits} qubits; dense register objects "
                f"are built only up to {MAX_DENSE_QUBITS} qubits (fock <= {MAX_DENSE_QUBITS} "
                "for unary)"
            )


#: ``code_space_matrix`` restricts Qiskit's sparse register matrix when the register has at
#: most this many times the code space's states (binary and Gray registers hold at most
#: twice as many): ``to_matrix`` (compiled) beats the per-term loop 3-8x there (a 384-term
#: Jaynes-Cummings operator on 8 qubits: 0.9 ms against 7.2 ms).
REGISTER_PATH_FACTOR = 8


def code_space_matrix(op: SparsePauliOp, basis, *, path: str = "auto") -> sp.csr_matrix:
    r"""Matrix of ``op`` between the register basis states ``basis``: ``M[i, j] = <b_i|op|b_j>``.

    Two ways, the same matrix. When the register is small next to the code space
    (``REGISTER_PATH_FACTOR``; binary and Gray encodings), rows and columns of Qiskit's
    ``op.to_matrix(sparse=True)``. Otherwise (the unary register has up to 62 qubits) term by
    term: every Pauli string maps a basis state to one basis state,
    :math:`P|x\rangle = i^{n_Y}(-1)^{|x \wedge z|}|x \oplus x_P\rangle`, so the restriction
    costs (terms x len(basis)) and never forms the :math:`2^n` register matrix. The tests
    check both against the dense ``op.to_matrix()``.

    Args:
        op: operator on at most 62 qubits.
        basis: distinct register basis indices, shape (m,).
        path: ``"auto"``, ``"register"`` or ``"terms"`` (the tests force each).

    Returns:
        complex CSR matrix of shape (m, m).
    """
    basis = np.asarray(basis, dtype=np.uint64)
    nq = op.num_qubits
    if nq > 62:
        raise ValueError(f"operators on more than 62 qubits are not supported, got {nq}")
    if path == "register" or (path == "auto" and nq <= 24
                              and 2**nq <= REGISTER_PATH_FACTOR * max(basis.size, 1)):
        index = basis.astype(np.int64)
        return sp.csr_matrix(op.to_matrix(sparse=True))[index][:, index].tocsr()
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

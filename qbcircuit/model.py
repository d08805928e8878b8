r"""The battery model as Qiskit operators: Hamiltonian Eq. (1), collapse operators Eq. (2), Eq. (3).

Qubit layout (Qiskit little-endian; docs/conventions.md, :mod:`qbcircuit.layout`):

* cavity register: qubits 0 .. k-1 (k from the encoding and the truncation);
* cell j = 1 .. N: qubit k + j - 1. Cell 1 (the paper's primary cell) is coupled to the
  charger; for the paper's N = 2, cell 2 (qubit k+1) is the secondary cell whose energy is
  reported.

Each cell has :math:`|0\rangle = |g\rangle`, :math:`|1\rangle = |e\rangle`, hence
:math:`\sigma_x = X`, :math:`\sigma_y = -Y`, :math:`\sigma_z = -Z` and
:math:`\sigma_- = |g\rangle\langle e| = (X + iY)/2`.

Engines work in the *code space*: the :math:`2^N d` register states that encode a Fock level,
ordered cells-major (index ``c * d + n`` with ``c = sum_j b_j 2^(j-1)``, b_j cell j's bit; see
:class:`~qbcircuit.layout.Layout`). The reduced state of the cells is then the
:math:`2^N\times 2^N` matrix in Qiskit's convention (qubit 0 = cell 1), the same one
``partial_trace`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from qiskit.quantum_info import SparsePauliOp, Statevector

from ._checks import ParameterError, check_int
from .encodings import MAX_DENSE_QUBITS, Encoding, code_space_matrix
from .layout import SIGMA_MINUS, SIGMA_PLUS, SIGMA_Z, Layout
from .params import MAX_FOCK, BatteryParams

# One-cell operators as Pauli sums on the cell's qubit (|0> = |g>).
_SIGMA_MINUS = [("X", 0.5), ("Y", 0.5j)]  # (X + iY)/2 = |g><e|
_SIGMA_PLUS = [("X", 0.5), ("Y", -0.5j)]  # (X - iY)/2 = |e><g|


def _cell_op(qubits, terms, cells: int) -> SparsePauliOp:
    """A product of one-cell Pauli terms on the cells' register of ``cells`` qubits."""
    return SparsePauliOp.from_sparse_list([(p, list(qubits), c) for p, c in terms],
                                          num_qubits=cells)


def cell_index(label: str) -> int:
    """Cells' basis index c = sum_j b_j 2^(j-1) of a product label (cell 1 first).

    >>> cell_index("gg"), cell_index("eg"), cell_index("ge"), cell_index("gge")
    (0, 1, 2, 4)
    """
    return Layout(1, len(label)).cell_index(label)


def initial_cell_state(label: str) -> np.ndarray:
    """The cells' density matrix |label><label| of a product label, shape (2^N, 2^N)."""
    return Layout(1, len(label)).cell_density(label)


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
#: Cell operators are summed over the cells (``sigma_z``) or over the chain's bonds (``xx``,
#: ``yy``); ``jaynes_cummings_rest`` couples the charger to cells 2 .. N (Tavis-Cummings).
HAMILTONIAN_TERMS = {
    "number": (True, lambda p: p.omega_c, None),
    "sigma_z": (True, lambda p: p.omega_q / 2, None),
    "jaynes_cummings": (False, lambda p: p.lam, None),
    "jaynes_cummings_rest": (False, lambda p: p.lam,
                             lambda p: p.drives_all_cells and p.cells > 1),
    "xx": (False, lambda p: _xy(p, +1), lambda p: p.cells > 1),
    "yy": (False, lambda p: _xy(p, -1), lambda p: p.cells > 1),
}
class Channel(NamedTuple):
    """One row of the dissipator: sum over its operators of rate D[O].

    Attributes:
        rate: the rate as a function of the parameters.
        present: whether the channel exists for these parameters (``None``: always).
        site: ``"cavity"`` (one operator) or ``"cell"`` (one operator per cell j, named
            ``<name>_<j>``: D[s-(1)] + D[s-(2)], not D[s-(1) + s-(2)]).
        local: the operator on its subsystem: for the cavity a function of the annihilation
            operator ``a`` (a ``SparsePauliOp`` or a Fock-basis matrix, using only
            ``conjugate``, ``transpose`` and products); for a cell a 2x2 matrix in the basis
            (|g>, |e>).
    """

    rate: Callable
    present: Callable | None
    site: str
    local: object


def _dagger(a):
    return a.conjugate().transpose()


#: Eq. (2) and its generalisations channel by channel (see :class:`Channel`). A new bath is a
#: row here (and a field of BatteryParams): the model, the engines' channels and the QuTiP
#: build read it.
DISSIPATOR_TERMS = {
    "cavity_loss": Channel(lambda p: p.kappa * (p.n_thermal + 1), None, "cavity", lambda a: a),
    "cavity_gain": Channel(lambda p: p.kappa * p.n_thermal, lambda p: p.n_thermal > 0,
                           "cavity", _dagger),
    "decay": Channel(lambda p: p.gamma * (p.n_thermal + 1), None, "cell", SIGMA_MINUS),
    "excitation": Channel(lambda p: p.gamma * p.n_thermal, lambda p: p.n_thermal > 0, "cell",
                          SIGMA_PLUS),
    "dephasing": Channel(lambda p: p.dephasing, lambda p: p.dephasing > 0, "cell", SIGMA_Z),
}


def channel_names(name: str, cells: int) -> list[str]:
    """The operators of one dissipator row: ``[name]`` or ``[name_1, ..., name_N]``."""
    if DISSIPATOR_TERMS[name].site == "cell":
        return [f"{name}_{j}" for j in range(1, cells + 1)]
    return [name]


def present_channels(params) -> dict[str, Channel]:
    """The dissipator rows present for ``params`` (rates may still be zero)."""
    return {name: ch for name, ch in DISSIPATOR_TERMS.items()
            if ch.present is None or ch.present(params)}


class _Structure:
    """Operators that depend only on the encoding and the truncation, shared by every model.

    Building a ``SparsePauliOp`` from the embedded matrix and restricting it to the code space
    costs tens of milliseconds; a sweep over parameter values reuses one structure (cached).
    """

    def __init__(self, encoding: str, levels: int, cells: int = 2):
        self.encoding = Encoding(encoding, levels)
        self.layout = Layout(levels, cells)
        k = self.encoding.num_qubits
        id_cav = SparsePauliOp("I" * k)
        id_cells = SparsePauliOp("I" * cells)
        a = self.encoding.annihilation()
        self.annihilation = id_cells.tensor(a)
        self.photon_number = id_cells.tensor(self.encoding.number())
        qubits = range(cells)  # cell j on qubit j - 1 of the cells' register

        def site(terms, q):
            return _cell_op([q], terms, cells).tensor(id_cav)

        def bond(label, q):
            return _cell_op([q, q + 1], [(label, 1.0)], cells).tensor(id_cav)

        self.sigma_minus = [site(_SIGMA_MINUS, q) for q in qubits]
        self.sigma_plus = [site(_SIGMA_PLUS, q) for q in qubits]
        self.sigma_z = [site([("Z", -1.0)], q) for q in qubits]
        jc = [_cell_op([q], _SIGMA_PLUS, cells).tensor(a)
              + _cell_op([q], _SIGMA_MINUS, cells).tensor(a.adjoint()) for q in qubits]
        bonds = range(cells - 1)
        self.operators = {
            "number": self.photon_number,
            "sigma_z": SparsePauliOp.sum(self.sigma_z).simplify(),
            "jaynes_cummings": _real_coefficients(jc[0]),
        }
        if cells > 1:
            self.operators.update({
                "jaynes_cummings_rest": _real_coefficients(SparsePauliOp.sum(jc[1:])),
                "xx": SparsePauliOp.sum([bond("XX", q) for q in bonds]).simplify(),
                "yy": SparsePauliOp.sum([bond("YY", q) for q in bonds]).simplify(),
            })
        for name, ch in DISSIPATOR_TERMS.items():
            if ch.site == "cavity":
                self.operators[name] = id_cells.tensor(ch.local(a)).simplify(atol=1e-14)
                continue
            local = SparsePauliOp.from_operator(ch.local).simplify(atol=1e-14)
            terms = [(label.to_label(), c) for label, c in zip(local.paulis, local.coeffs,
                                                                 strict=True)]
            for q in qubits:
                self.operators[f"{name}_{q + 1}"] = site(terms, q)
        cav = self.encoding.code_indices()
        cell_states = np.arange(1 << cells, dtype=np.int64) << k
        self.code_basis = (cell_states[:, None] + cav[None, :]).ravel()
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
def _structure(encoding: str, levels: int, cells: int = 2) -> _Structure:
    """The shared operators of one (encoding, levels, cells): a memo of immutable objects."""
    return _Structure(encoding, levels, cells)


def structure_matrices(encoding: str, levels: int, names, cells: int = 2
                       ) -> list[sp.csr_matrix]:
    """The named operators of one structure on the code space (shared: read only)."""
    structure = _structure(encoding, levels, cells)
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
    With ``params.cells`` = N the cells form a chain (bonds (j, j+1)); thermal baths and
    dephasing add the channels of :class:`~qbcircuit.params.BatteryParams`
    (``DISSIPATOR_TERMS``). A model holds operators; it never integrates (engines do).
    Its :attr:`layout` gives the subsystem dimensions and factor order.

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
        self._structure = _structure(params.encoding, levels, params.cells)
        self.encoding = self._structure.encoding
        self.layout: Layout = self._structure.layout
        self.levels = levels
        self.cells = params.cells
        self.num_cavity_qubits = self.encoding.num_qubits
        self.num_qubits = self.num_cavity_qubits + self.cells
        #: register qubits of cells 1 .. N
        self.cell_qubits = tuple(self.num_cavity_qubits + j for j in range(self.cells))
        self.primary_qubit = self.cell_qubits[0]
        #: the last cell's qubit (the paper's secondary cell for N = 2)
        self.secondary_qubit = self.cell_qubits[-1]

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
        """Lowering operator of cell j (1 = primary, N = last) on the whole register."""
        return self._structure.sigma_minus[self.layout._check_cell(cell) - 1]

    def sigma_plus(self, cell: int) -> SparsePauliOp:
        """Raising operator of cell j on the whole register."""
        return self._structure.sigma_plus[self.layout._check_cell(cell) - 1]

    def sigma_z(self, cell: int) -> SparsePauliOp:
        """sigma_z = -Z of cell j (1 = primary, N = last) on the whole register."""
        return self._structure.sigma_z[self.layout._check_cell(cell) - 1]

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

        Variants (``params.variant``): ``charger_coupling="all"`` (or ``"both"``) adds
        ``jaynes_cummings_rest`` (:math:`\lambda`,
        :math:`\sum_{j\ge2}\sigma_+^{(j)}a + \sigma_-^{(j)}a^\dagger`);
        ``cell_coupling="exchange_zeta"``
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

        Every present channel is listed (``DISSIPATOR_TERMS``), also those whose rate is zero:
        for the paper's model, ``cavity_loss``, ``decay_1``, ``decay_2``.
        """
        ops, p = self._structure.operators, self.params
        return [Term(channel, float(ch.rate(p)), ops[channel])
                for name, ch in present_channels(p).items()
                for channel in channel_names(name, self.cells)]

    @property
    def structure(self) -> tuple:
        """What the operators depend on: models with equal structure differ in coefficients only.

        (encoding, levels, cells, charger state, initial cells, Hamiltonian term names,
        dissipator term names); the batching key of engines that solve many parameter sets at
        once.
        """
        p = self.params
        return (p.encoding, self.levels, self.cells, p.charger_state, p.cell_label,
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
        r"""H_QB = (omega_q/2) sigma_z^{(N)}, the last (secondary) cell's energy, Eq. (5)."""
        return (self.params.omega_q / 2) * self.sigma_z(self.cells)

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
        """Register indices of the 2^N d code states, cells-major: entry c*d + n."""
        return self._structure.code_basis

    def code_matrix(self, op: SparsePauliOp) -> sp.csr_matrix:
        """``op`` restricted to the code space (see :func:`code_space_matrix`)."""
        return code_space_matrix(op, self.code_basis)

    def term_matrix(self, name: str) -> sp.csr_matrix:
        """A named Hamiltonian or dissipator operator on the code space (shared: read only)."""
        return self._structure.code_matrix(name)

    @cached_property
    def hamiltonian_matrix(self) -> sp.csr_matrix:
        """H on the code space, CSR of shape (D, D), D = 2^N d: the weighted sum of the terms.

        On the union of the terms' patterns, so a zero coefficient leaves explicit zeros.
        """
        terms = self.hamiltonian_terms
        indptr, indices, data = self._structure.term_stack(tuple(t.name for t in terms))
        values = np.array([t.coefficient for t in terms]) @ data
        dim = self.layout.code_dim
        return sp.csr_matrix((values, indices, indptr), shape=(dim, dim))

    @cached_property
    def collapse_matrices(self) -> list[sp.csr_matrix]:
        """Collapse operators on the code space, CSR of shape (D, D) each (non-zero rates)."""
        return [np.sqrt(t.coefficient) * self.term_matrix(t.name)
                for t in self.dissipator_terms if t.coefficient > 0]

    @cached_property
    def initial_ensemble(self) -> tuple[np.ndarray, np.ndarray]:
        r"""The initial state as an ensemble: :math:`\sum_m w_m|\psi_m\rangle\langle\psi_m|`.

        (One member for a pure initial state.)

        Cells in ``initial_cells``; the charger in its renormalised truncated state: one
        member for a coherent or Fock charger, one Fock state per populated level for a
        thermal one.

        Returns:
            (weights of shape (M,), kets of shape (M, D)) in the code basis.
        """
        p, lay = self.params, self.layout
        c = lay.cell_index(p.cell_label)
        amps = p.charger_amplitudes(self.levels)
        if amps is not None:
            if not np.any(amps):
                raise ParameterError(f"fock = {self.levels} keeps no level of the Fock charger "
                                     f"|{int(p.mean_photons)}>: raise fock")
            kets = np.zeros((1, lay.cell_dim, self.levels), dtype=complex)
            kets[0, c] = amps / np.linalg.norm(amps)
            return np.ones(1), kets.reshape(1, -1)
        pops = p.charger_populations(self.levels)
        pops = pops / pops.sum()
        n = np.flatnonzero(pops > 0)
        kets = np.zeros((n.size, lay.cell_dim, self.levels), dtype=complex)
        kets[np.arange(n.size), c, n] = 1.0
        return pops[n], kets.reshape(n.size, -1)

    @cached_property
    def initial_ket(self) -> np.ndarray:
        """Eq. (3) in the code basis, complex array of shape (D,) (a pure initial state).

        Cells in ``initial_cells``, cavity in the renormalised truncated coherent (or Fock)
        state. A thermal charger is mixed: see :attr:`initial_ensemble`.
        """
        weights, kets = self.initial_ensemble
        if weights.size != 1:
            raise ParameterError("a thermal charger is a mixed state, not a ket: use "
                                 "initial_ensemble or initial_density_matrix")
        return kets[0]

    @property
    def initial_density_matrix(self) -> np.ndarray:
        """The initial state on the code space, dense complex array of shape (D, D)."""
        weights, kets = self.initial_ensemble
        return np.einsum("m,mi,mj->ij", weights, kets, kets.conj())

    @property
    def initial_cells(self) -> np.ndarray:
        """The cells' initial density matrix, shape (2^N, 2^N)."""
        return self.layout.cell_density(self.params.cell_label)

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

    def register_state(self, code_state: np.ndarray):
        """A code-space ket (D,) or density matrix (D, D) as a Qiskit state on the register.

        Returns a ``Statevector`` or ``DensityMatrix`` in the qubit order of
        :attr:`hamiltonian` (registers up to 18 qubits).
        """
        from qiskit.quantum_info import DensityMatrix

        if self.num_qubits > MAX_DENSE_QUBITS + 2:
            raise ParameterError(f"the register has {self.num_qubits} qubits; a dense Qiskit "
                                 f"state is built only up to {MAX_DENSE_QUBITS + 2}")
        full = 1 << self.num_qubits
        code_state = np.asarray(code_state)
        if code_state.ndim == 1:
            vec = np.zeros(full, dtype=complex)
            vec[self.code_basis] = code_state
            return Statevector(vec)
        rho = np.zeros((full, full), dtype=complex)
        rho[np.ix_(self.code_basis, self.code_basis)] = code_state
        return DensityMatrix(rho)

    def __repr__(self) -> str:
        p = self.params
        return (
            f"BatteryModel({p.encoding}, fock={self.levels}, cells={self.cells}, "
            f"qubits={self.num_qubits}, "
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


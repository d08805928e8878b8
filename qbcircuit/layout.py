r"""The subsystem layout: a charger of ``levels`` Fock levels and a chain of ``cells`` qubits.

One object carries what every other module once knew as literals ("two cells", a 4x4 cell
state, the index ``b1 + 2 b2``): the dimensions, the order of the factors, and the single-site
and bond operators generated from them. It travels with the model and with the evolved states,
as ``Qobj.dims`` does in QuTiP.

Orders of the factors (docs/conventions.md):

* **Register** (Qiskit, little-endian): cavity qubits 0 .. k-1, cell j (j = 1 .. N) on qubit
  k + j - 1. Cell 1 is the primary cell (driven by the charger), cell N the last one; for
  N = 2, cell 2 is the paper's secondary cell.
* **Code space** (what the engines evolve): index ``c * d + n``, n the Fock level and
  ``c = sum_j b_j 2^(j-1)`` the cells' basis index, b_j = 1 when cell j is excited. A cell
  state (cavity traced out) is then a :math:`2^N \times 2^N` matrix in Qiskit's convention:
  qubit 0 = cell 1, the leftmost tensor factor is cell N.
* **QuTiP** (:meth:`Layout.qutip_dims`, :func:`qbcircuit.interop`): charger first, then cells
  1 .. N, each cell in the convention of ``qutip.destroy(2)`` (``basis(2, 0)`` = |g>).

Each cell has :math:`|0\rangle = |g\rangle`, so :math:`\sigma_z = -Z`,
:math:`\sigma_- = |g\rangle\langle e|`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._checks import ParameterError, check_int

#: Most cells a layout holds (the cell state is 2^N x 2^N; the code space 2^N d).
MAX_CELLS = 10

#: One cell's operators in the basis (|g>, |e>).
SIGMA_MINUS = np.array([[0.0, 1.0], [0.0, 0.0]], dtype=complex)  # |g><e|
SIGMA_PLUS = SIGMA_MINUS.T.copy()
SIGMA_Z = np.diag([-1.0, 1.0]).astype(complex)  # |e><e| - |g><g|
SIGMA_X = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=complex)
SIGMA_Y = np.array([[0.0, 1j], [-1j, 0.0]], dtype=complex)  # = -Y in |0> = |g>
#: Pauli labels of the cell operators on a qubit with |0> = |g>: sigma_x = X, sigma_y = -Y.
PAULI_SIGNS = {"x": ("X", 1.0), "y": ("Y", -1.0), "z": ("Z", -1.0)}


@dataclass(frozen=True)
class Layout:
    """Dimensions and factor order of the battery: charger, then cells 1 .. N in a chain.

    Args:
        levels: Fock levels d of the charger kept by the truncation.
        cells: number of cells N >= 1 (bonds (j, j+1) for j = 1 .. N-1).

    >>> lay = Layout(levels=5, cells=3)
    >>> lay.cell_dim, lay.code_dim, lay.bonds, lay.qutip_dims
    (8, 40, ((1, 2), (2, 3)), [5, 2, 2, 2])
    >>> lay.cell_index("egg"), lay.cell_index("gge")
    (1, 4)
    """

    levels: int
    cells: int = 2

    def __post_init__(self):
        check_int("levels", self.levels, low=1)
        check_int("cells", self.cells, low=1, high=MAX_CELLS)

    # -- dimensions ---------------------------------------------------------------------------
    @property
    def cell_dim(self) -> int:
        """Dimension 2^N of the cells' space."""
        return 1 << self.cells

    @property
    def code_dim(self) -> int:
        """Dimension 2^N d of the code space."""
        return self.cell_dim * self.levels

    @property
    def bonds(self) -> tuple[tuple[int, int], ...]:
        """The chain's bonds (j, j+1), cells numbered from 1."""
        return tuple((j, j + 1) for j in range(1, self.cells))

    @property
    def qutip_dims(self) -> list[int]:
        """Subsystem dimensions in QuTiP order: [d, 2, ..., 2] (charger, cells 1 .. N)."""
        return [self.levels] + [2] * self.cells

    @property
    def pair(self) -> tuple[int, int] | None:
        """The pair whose concurrence is reported: (1, N) (None for one cell)."""
        return (1, self.cells) if self.cells > 1 else None

    def _check_cell(self, cell: int) -> int:
        if isinstance(cell, bool) or not isinstance(cell, (int, np.integer)) or not (
                1 <= cell <= self.cells):
            raise ParameterError(f"cell must be an integer in [1, {self.cells}], got {cell!r}")
        return int(cell)

    # -- product states -----------------------------------------------------------------------
    def check_label(self, label: str) -> str:
        """Check a product-state label: one letter per cell, ``g`` or ``e``, cell 1 first."""
        if not isinstance(label, str) or len(label) != self.cells or set(label) - {"g", "e"}:
            raise ParameterError(
                f"initial_cells must be {self.cells} letters g or e (cell 1 first), e.g. "
                f"{'e' + 'g' * (self.cells - 1)!r}, got {label!r}"
            )
        return label

    def cell_index(self, label: str) -> int:
        """Cells' basis index c = sum_j b_j 2^(j-1) of a product label (cell 1 first)."""
        self.check_label(label)
        return sum(1 << j for j, ch in enumerate(label) if ch == "e")

    def cell_density(self, label: str) -> np.ndarray:
        """The cells' density matrix |label><label|, shape (2^N, 2^N)."""
        rho = np.zeros((self.cell_dim, self.cell_dim), dtype=complex)
        c = self.cell_index(label)
        rho[c, c] = 1.0
        return rho

    # -- operators on the cells' space --------------------------------------------------------
    def bits(self, cell: int) -> np.ndarray:
        """b_j of every cells' basis state (1 = cell j excited), int array of shape (2^N,)."""
        return (np.arange(self.cell_dim) >> (self._check_cell(cell) - 1)) & 1

    def site(self, op: np.ndarray, cell: int) -> np.ndarray:
        """A one-cell operator (2x2, basis |g>, |e>) on cell j, as a 2^N x 2^N matrix."""
        j = self._check_cell(cell)
        # Qiskit order: cell N is the leftmost factor, cell 1 the rightmost
        left, right = np.eye(1 << (self.cells - j)), np.eye(1 << (j - 1))
        return np.kron(np.kron(left, op), right)

    def sigma_z_diagonal(self, cell: int) -> np.ndarray:
        """Diagonal of sigma_z on cell j in the cells' space, shape (2^N,)."""
        return 2.0 * self.bits(cell) - 1.0

    @cached_property
    def excitations(self) -> np.ndarray:
        """Number of excited cells of every cells' basis state, shape (2^N,)."""
        c = np.arange(self.cell_dim)
        return np.array([bin(int(i)).count("1") for i in c], dtype=np.int64)

    # -- reduced states -----------------------------------------------------------------------
    def cells_from_kets(self, kets: np.ndarray) -> np.ndarray:
        """Cells' reduced states from code-space kets (T, 2^N d): shape (T, 2^N, 2^N)."""
        psi = kets.reshape(kets.shape[0], self.cell_dim, self.levels)
        return psi @ psi.conj().transpose(0, 2, 1)  # batched product: 4x einsum's loop (CPU)

    def cells_from_density_matrices(self, rhos: np.ndarray) -> np.ndarray:
        """Cells' reduced states from code-space density matrices (T, D, D)."""
        c, d = self.cell_dim, self.levels
        return np.einsum("tanbn->tab", rhos.reshape(rhos.shape[0], c, d, c, d))

    def ptrace(self, cell_states: np.ndarray, keep) -> np.ndarray:
        """Reduced state of the cells in ``keep`` (cell numbers from 1), batched.

        Args:
            cell_states (array of shape (T, 2^N, 2^N) or (2^N, 2^N)): cells' states.
            keep: cell numbers to keep, e.g. ``(1, 3)``; the result is in Qiskit order with
                the *first* kept cell on qubit 0, whatever order ``keep`` lists them in
                (``ptrace(rho, (3, 1))`` puts cell 3 on qubit 0).

        Returns:
            array of shape (T, 2^K, 2^K) (or (2^K, 2^K)).

        >>> lay = Layout(levels=1, cells=3)
        >>> rho = lay.cell_density("egg")
        >>> np.real(np.diag(lay.ptrace(rho, (1, 3)))).tolist()  # cell 1 excited: index 1
        [0.0, 1.0, 0.0, 0.0]
        """
        keep = [self._check_cell(j) for j in keep]
        if len(set(keep)) != len(keep) or not keep:
            raise ParameterError(f"keep must list distinct cells, got {keep!r}")
        rho = np.asarray(cell_states)
        single = rho.ndim == 2
        rho = rho[None] if single else rho
        N = self.cells
        # tensor axes of one side: axis i holds cell N - i (cell N leftmost)
        axis = {j: N - j for j in range(1, N + 1)}
        r = rho.reshape((rho.shape[0],) + (2,) * (2 * N))
        letters = "abcdefghijklmnopqrstuvwxyz"
        ket = list(letters[:N])
        bra = list(letters[N:2 * N])
        for j in range(1, N + 1):
            if j not in keep:
                bra[axis[j]] = ket[axis[j]]  # traced: same index on both sides
        out_order = [axis[j] for j in reversed(keep)]  # first kept cell rightmost (qubit 0)
        spec = ("Z" + "".join(ket) + "".join(bra) + "->Z" + "".join(ket[i] for i in out_order)
                + "".join(bra[i] for i in out_order))
        out = np.einsum(spec, r).reshape(rho.shape[0], 1 << len(keep), 1 << len(keep))
        return out[0] if single else out

    # -- the QuTiP order ----------------------------------------------------------------------
    def to_qutip_order(self, array: np.ndarray) -> np.ndarray:
        """A code-space ket (D,) or matrix (D, D) permuted to QuTiP order (charger, cells 1..N).

        Cells keep the basis (|g>, |e>) = (``basis(2, 0)``, ``basis(2, 1)``) of
        ``qutip.destroy(2)``.
        """
        N, d = self.cells, self.levels
        # code index (b_N, ..., b_1, n) -> QuTiP index (n, b_1, ..., b_N)
        perm = [N] + list(range(N - 1, -1, -1))
        shape = (2,) * N + (d,)
        a = np.asarray(array)
        if a.ndim == 1:
            return a.reshape(shape).transpose(perm).reshape(-1)
        m = a.reshape(shape + shape).transpose(perm + [p + N + 1 for p in perm])
        return m.reshape(self.code_dim, self.code_dim)

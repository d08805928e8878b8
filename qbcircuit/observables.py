r"""Observables: stacks of cell states (docs/conventions.md, Eq. (5)-(9)).

All functions take arrays with a leading time axis and work on every time at once (batched
numpy). ``qiskit.quantum_info.partial_trace`` and ``concurrence`` give the same numbers and are
the oracle in the tests, but cost about 0.7 ms per state: too slow for 8,000 states.

Cell states are :math:`2^N\times 2^N` matrices in Qiskit's convention (qubit 0 = cell 1,
:math:`|0\rangle = |g\rangle`, so :math:`\sigma_z^{(j)} = -Z_{j-1}`); the number of cells is
read off the shape, and every one-cell or pair operator comes from
:class:`~qbcircuit.layout.Layout`. The paper's quantities are the *last* cell's (the secondary
cell for N = 2) and the concurrence of the pair (1, N).
"""

from __future__ import annotations

import numpy as np

from ._checks import ParameterError
from .layout import SIGMA_Y, Layout

# sigma_y (x) sigma_y is anti-diagonal: (YY) X = _YY_SIGNS[:, None] * X[::-1]
_YY_SIGNS = np.fliplr(np.kron(SIGMA_Y, SIGMA_Y)).diagonal().real.copy()


def layout_of(cell_states: np.ndarray) -> Layout:
    """The cells' layout of a stack of cell states (N from the shape (..., 2^N, 2^N))."""
    dim = np.shape(cell_states)[-1]
    cells = int(dim).bit_length() - 1
    if dim < 2 or 1 << cells != dim or np.shape(cell_states)[-2] != dim:
        raise ParameterError(f"cell states must be 2^N x 2^N matrices, got shape "
                             f"{np.shape(cell_states)}")
    return Layout(1, cells)


def sigma_z(cell_states: np.ndarray, cell: int | None = None) -> np.ndarray:
    r""":math:`\langle\sigma_z^{(j)}\rangle` of cell j (default the last) at each time, (T,)."""
    lay = layout_of(cell_states)
    diag = lay.sigma_z_diagonal(lay.cells if cell is None else cell)
    return np.einsum("tii,i->t", cell_states, diag).real


def secondary_sigma_z(cell_states: np.ndarray) -> np.ndarray:
    r""":math:`\langle\sigma_z\rangle` of the last (for N = 2 the secondary) cell, shape (T,)."""
    return sigma_z(cell_states)


def energy(cell_states: np.ndarray, initial_cell_state: np.ndarray | None = None, *,
           cell: int | None = None) -> np.ndarray:
    r"""Stored energy :math:`E(t)/\omega_q`, Eq. (5), :math:`H_{QB} = (\omega_q/2)\sigma_z^{(N)}`.

    :math:`E/\omega_q = (\langle\sigma_z^{(N)}\rangle_t - \langle\sigma_z^{(N)}\rangle_0)/2`;
    with the paper's initial state (secondary cell in g) this is the secondary cell's excited
    population.

    Args:
        cell_states (array of shape (T, 2^N, 2^N)): reduced states of the cells.
        initial_cell_state (array of shape (2^N, 2^N)): the cells at t = 0 (default: all g).
        cell: the cell (1 .. N; default N, the last).

    >>> rho = np.zeros((1, 4, 4)); rho[0, 2, 2] = 1.0  # secondary excited
    >>> energy(rho).tolist()
    [1.0]
    """
    sz0 = -1.0 if initial_cell_state is None else sigma_z(initial_cell_state[None], cell)[0]
    return 0.5 * (sigma_z(cell_states, cell) - sz0)


def battery_energy(cell_states: np.ndarray, initial_cell_state: np.ndarray | None = None
                   ) -> np.ndarray:
    r"""Energy stored in all cells together, :math:`\sum_j E_j(t)/\omega_q`, shape (T,).

    :math:`H_B = (\omega_q/2)\sum_j\sigma_z^{(j)}`, measured from the initial state.

    >>> rho = np.zeros((1, 8, 8)); rho[0, 7, 7] = 1.0  # three cells excited
    >>> battery_energy(rho).tolist()
    [3.0]
    """
    lay = layout_of(cell_states)
    levels = lay.excitations - lay.cells / 2  # diagonal of H_B / omega_q
    now = np.einsum("tii,i->t", cell_states, levels).real
    start = (-lay.cells / 2 if initial_cell_state is None
             else float(np.einsum("ii,i->", initial_cell_state, levels).real))
    return now - start


def fluctuation(cell_states: np.ndarray, *, cell: int | None = None) -> np.ndarray:
    r"""Energy fluctuation :math:`\Sigma(t)/\omega_q`, Eq. (6)-(7).

    Eq. (6) is the variance of the energy change :math:`H_{QB}(t) - H_{QB}(0)`. When
    :math:`\rho(0)` is an eigenstate of :math:`H_{QB}` (every initial state this package builds),
    the correlator reduces to the variance of :math:`H_{QB}` in :math:`\rho(t)`, so
    :math:`\Sigma/\omega_q = \tfrac12\sqrt{1 - \langle\sigma_z^{(2)}\rangle^2}`, in [0, 1/2].
    (The paper writes :math:`\Sigma/2\omega_q` once and :math:`\Sigma/\omega_q` elsewhere; we
    report :math:`\Sigma/\omega_q`.)
    """
    sz = sigma_z(cell_states, cell)
    return 0.5 * np.sqrt(np.clip(1.0 - sz**2, 0.0, None))


def ergotropy(cell_states: np.ndarray, *, cell: int | None = None) -> np.ndarray:
    r"""Ergotropy of one cell (default the last), :math:`\mathcal{W}/\omega_q` (beyond the paper).

    The work a cyclic unitary on that cell alone can extract with
    :math:`H_{QB} = (\omega_q/2)\sigma_z^{(N)}`: its energy minus that of its passive state.
    With Bloch vector :math:`\vec r` of the cell's reduced state,
    :math:`\mathcal{W}/\omega_q = (r_z + |\vec r|)/2`, in [0, 1]; it is 0 for every diagonal
    state with more ground than excited population, however much energy it stores.

    Args:
        cell_states (array of shape (T, 2^N, 2^N)): reduced states of the cells.
        cell: the cell (1 .. N; default N).

    >>> rho = np.zeros((2, 4, 4)); rho[0, 2, 2] = 1; rho[1] = np.eye(4) / 4
    >>> ergotropy(rho).round(12).tolist()
    [1.0, 0.0]
    """
    lay = layout_of(cell_states)
    second = lay.ptrace(cell_states, (lay.cells if cell is None else cell,))
    rz = (second[:, 1, 1] - second[:, 0, 0]).real  # sigma_z = |e><e| - |g><g|
    length = np.sqrt(rz**2 + 4 * np.abs(second[:, 0, 1]) ** 2)
    return 0.5 * (rz + length)


def battery_ergotropy(cell_states: np.ndarray) -> np.ndarray:
    r"""Ergotropy of all cells together, :math:`\mathcal{W}/\omega_q` (beyond the paper).

    With :math:`H_B = (\omega_q/2)\sum_j\sigma_z^{(j)}` (levels: excitations - N/2):
    :math:`\mathcal{W} = \mathrm{Tr}(\rho H_B) - \sum_k r_k^\downarrow e_k^\uparrow`, the
    energy above the passive state (eigenvalues of rho in decreasing order on the levels in
    increasing order). At least the sum of what each cell alone yields.

    Args:
        cell_states (array of shape (T, 2^N, 2^N)): cells' states.

    >>> ee = np.zeros((1, 4, 4)); ee[0, 3, 3] = 1.0
    >>> battery_ergotropy(ee).round(12).tolist()
    [2.0]
    """
    lay = layout_of(cell_states)
    levels = lay.excitations - lay.cells / 2
    rho = np.asarray(cell_states)
    mean = np.einsum("tii,i->t", rho, levels).real
    r = np.linalg.eigvalsh(rho)[:, ::-1]  # decreasing
    return mean - r @ np.sort(levels)


def pair_concurrence(cell_states: np.ndarray, pair=None) -> np.ndarray:
    """Concurrence of two cells (default (1, N)), the rest traced out; shape (T,).

    Raises:
        ParameterError: one cell only (no pair).
    """
    lay = layout_of(cell_states)
    pair = lay.pair if pair is None else tuple(pair)
    if pair is None or len(pair) != 2:
        raise ParameterError(f"the concurrence needs a pair of cells; this battery has "
                             f"{lay.cells} cell(s)" if pair is None else
                             f"pair must name two cells, got {pair!r}")
    rho = cell_states if lay.cells == 2 and pair == (1, 2) else lay.ptrace(cell_states, pair)
    return concurrence(rho)


def average_power(times: np.ndarray, energy_values: np.ndarray) -> np.ndarray:
    r"""Average charging power :math:`P(t) = E(t)/t` in units of :math:`\omega_q` per unit time.

    Zero at t = 0 (no time, no charge).

    >>> average_power(np.array([0.0, 2.0]), np.array([0.0, 0.5])).tolist()
    [0.0, 0.25]
    """
    times = np.asarray(times, dtype=float)
    out = np.zeros_like(times)
    np.divide(energy_values, times, out=out, where=times > 0)
    return out


def psd_cholesky(rhos: np.ndarray) -> np.ndarray:
    r"""Lower-triangular :math:`F` with :math:`\rho = F F^\dagger` for each PSD matrix, batched.

    A Cholesky factorisation that also takes rank-deficient (e.g. pure) states: a pivot at or
    below round-off (``16 eps`` times the largest diagonal entry) is taken as an exact zero and
    its column dropped (for a PSD matrix the rest of that column is then zero as well). Written
    out over the (small) matrix indices, vectorised over the batch: for 4x4 matrices this is
    ten times cheaper than one LAPACK call per matrix.

    Args:
        rhos (array of shape (T, n, n)): Hermitian positive semidefinite matrices.

    Returns:
        complex array of shape (T, n, n).
    """
    rhos = np.asarray(rhos, dtype=complex)
    n = rhos.shape[-1]
    diag = np.einsum("...ii->...i", rhos).real
    floor = 16 * np.finfo(float).eps * np.max(np.abs(diag), axis=-1, initial=0.0)
    F = np.zeros_like(rhos)
    for j in range(n):
        fj = F[..., j, :j]
        pivot = diag[..., j] - np.sum(fj.real**2 + fj.imag**2, axis=-1)
        ok = pivot > floor
        root = np.sqrt(np.where(ok, pivot, 1.0))
        F[..., j, j] = np.where(ok, root, 0.0)
        if j + 1 < n:
            below = F[..., j + 1 :, :j] * fj.conj()[..., None, :]
            col = rhos[..., j + 1 :, j] - below.sum(axis=-1)
            F[..., j + 1 :, j] = np.where(ok[..., None], col / root[..., None], 0.0)
    return F


def concurrence(cell_states: np.ndarray) -> np.ndarray:
    r"""Wootters concurrence, Eq. (8)-(9), of each two-qubit state, batched.

    :math:`C = \max(0, \mu_1 - \mu_2 - \mu_3 - \mu_4)`, :math:`\mu_i` the decreasing square
    roots of the eigenvalues of
    :math:`\rho\tilde\rho`, :math:`\tilde\rho = (\sigma_y\otimes\sigma_y)\rho^*
    (\sigma_y\otimes\sigma_y)`.

    Computed without the general eigenvalue problem: with any factor :math:`\rho = F F^\dagger`
    (here the semidefinite Cholesky factor :func:`psd_cholesky`),
    :math:`\rho\tilde\rho` has the eigenvalues of
    :math:`F^\dagger\tilde\rho F = M M^\dagger`,
    :math:`M = F^\dagger(\sigma_y\otimes\sigma_y)\bar F` (using :math:`(\sigma_y\otimes
    \sigma_y)^2 = 1`), so the :math:`\mu_i` are the singular values of the complex symmetric
    4x4 matrix :math:`M`. A singular value decomposition gives them to an absolute accuracy of
    about machine epsilon (the square roots of eigenvalues of :math:`\rho\tilde\rho` lose half
    the digits of the small :math:`\mu_i`), and a rank-deficient (pure) :math:`\rho` gives an
    exactly rank-deficient :math:`F`, so a pure state's concurrence is
    :math:`|\psi^T(\sigma_y\otimes\sigma_y)\psi|` to round-off. About twice as fast as
    ``eigvals`` of :math:`\rho\tilde\rho`.

    Args:
        cell_states (array of shape (T, 4, 4) or (4, 4)): two-qubit density matrices.

    Returns:
        array of shape (T,) (or a float for one state).

    >>> bell = np.zeros((4, 4)); bell[0, 0] = bell[0, 3] = bell[3, 0] = bell[3, 3] = 0.5
    >>> round(float(concurrence(bell)), 12)
    1.0
    """
    rho = np.asarray(cell_states, dtype=complex)
    single = rho.ndim == 2
    rho = rho[None] if single else rho
    F = psd_cholesky(rho)
    # (sigma_y x sigma_y) conj(F): rows reversed with signs -1, 1, 1, -1
    M = F.conj().transpose(0, 2, 1) @ (_YY_SIGNS[:, None] * F[:, ::-1, :].conj())
    mu = np.linalg.svd(M, compute_uv=False)  # decreasing
    c = np.maximum(0.0, mu[..., 0] - mu[..., 1] - mu[..., 2] - mu[..., 3])
    return float(c[0]) if single else c

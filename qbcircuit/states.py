"""What every engine returns: the states at the requested times, in the code space."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from threadpoolctl import threadpool_limits

from .layout import Layout

#: Eigenvalues of a density matrix above -EIGENVALUE_RESOLUTION count as 0 in the diagnostics:
#: far below the accuracy the engines aim at (1e-6), above what the dynamics engine's defaults
#: leave (about -1e-11 at 4d = 100, -9e-10 at 4d = 684, alpha = 10), where the exact
#: eigenvalues would cost 90 ms a state.
EIGENVALUE_RESOLUTION = 1e-8


def lowest_eigenvalue(rhos: np.ndarray) -> float:
    """Most negative eigenvalue of a stack of density matrices (shape (k, n, n)), 0 if none is.

    Eigenvalues above ``-EIGENVALUE_RESOLUTION`` count as 0: a Cholesky factorisation of
    ``rho + EIGENVALUE_RESOLUTION * 1`` exists exactly then, and costs 3-4x less than
    ``eigvalsh``, which is called only when one does not (0.7 ms a state at 4d = 108, 90 ms at
    684). Both read the lower triangle (of the Hermitian part).
    """
    shifted = rhos + EIGENVALUE_RESOLUTION * np.eye(rhos.shape[-1])
    try:
        np.linalg.cholesky(shifted)
    except np.linalg.LinAlgError:
        return min(0.0, float(np.linalg.eigvalsh(rhos)[:, 0].min()))
    return 0.0


class EvolvedStates:
    r"""States of the whole system (cavity and cells) at ``times``, in the cells-major code basis.

    Exactly one of ``kets`` (closed systems) and ``density_matrices`` is given. Kets of a
    mixed initial state (a thermal charger) come as an ensemble: ``kets`` of shape (T, M, D)
    with ``weights`` (M,), the state being :math:`\sum_m w_m|\psi_m\rangle\langle\psi_m|`.
    An engine that solves in a rotating frame :math:`F` (diagonal on the code space) may hand
    over its states *in that frame* with ``frame=diag(F)``: the lab-frame states
    :math:`e^{-iFt}|\psi_F\rangle`, :math:`e^{-iFt}\rho_F e^{iFt}` are then formed only when
    :attr:`kets` / :attr:`density_matrices` are read, while the reduced cell states are rotated
    directly and the diagnostics, which a diagonal unitary leaves unchanged, are read off the
    frame states.

    Args:
        times (array of shape (T,)): the requested times.
        layout: the subsystem layout (:class:`~qbcircuit.layout.Layout`: charger levels d and
            cells N; D = 2^N d).
        kets (array of shape (T, D) or (T, M, D)): state vectors, or ``None``.
        density_matrices (array of shape (T, D, D)): density matrices, or ``None``.
        frame (array of shape (D,)): diagonal of the frame the states are given in, or
            ``None`` for the lab frame.
        weights (array of shape (M,)): ensemble weights of kets of shape (T, M, D).
    """

    def __init__(self, times, layout: Layout, *, kets=None, density_matrices=None, frame=None,
                 weights=None):
        if (kets is None) == (density_matrices is None):
            raise ValueError("EvolvedStates needs exactly one of kets and density_matrices")
        self.times = np.asarray(times, dtype=float)
        self.layout = layout
        self.levels = int(layout.levels)
        if kets is not None and kets.ndim == 2:
            kets, weights = kets[:, None, :], np.ones(1)
        self._kets = kets
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        self._rhos = density_matrices
        self.frame = None if frame is None else np.asarray(frame, dtype=float)

    @property
    def is_pure(self) -> bool:
        """True for kets of a pure initial state (one ensemble member)."""
        return self._kets is not None and self._kets.shape[1] == 1

    @cached_property
    def _back(self) -> np.ndarray:
        return np.exp(-1j * np.outer(self.times, self.frame))  # e^{-iFt}, shape (T, D)

    def _lab_kets(self) -> np.ndarray:
        """Lab-frame kets of every member, shape (T, M, D)."""
        if self.frame is None:
            return self._kets
        return self._back[:, None, :] * self._kets

    @cached_property
    def kets(self) -> np.ndarray | None:
        """Lab-frame state vectors, shape (T, D), or ``None`` (density matrices, ensembles)."""
        if not self.is_pure:
            return None
        return self._lab_kets()[:, 0, :]

    @cached_property
    def density_matrices(self) -> np.ndarray | None:
        """Lab-frame density matrices, shape (T, D, D)."""
        if self._kets is not None:
            k = self._lab_kets()
            return np.einsum("m,tmi,tmj->tij", self.weights, k, k.conj())
        if self.frame is None:
            return self._rhos
        back = self._back
        return back[:, :, None] * self._rhos * back[:, None, :].conj()

    def state(self, i: int) -> np.ndarray:
        """The lab-frame state at times[i]: a ket (D,) when pure, else a density matrix (D, D)."""
        if self.is_pure:
            return self.kets[i]
        if self._kets is not None:
            k = self._lab_kets()[i]
            return np.einsum("m,mi,mj->ij", self.weights, k, k.conj())
        return self.density_matrices[i]

    def expect(self, matrix) -> np.ndarray:
        """Expectation value Tr(rho(t) O) of a code-space operator (D, D) at every time, (T,)."""
        if self._kets is not None:
            k = self._lab_kets()
            Ok = np.einsum("ij,tmj->tmi", matrix.toarray() if hasattr(matrix, "toarray")
                           else matrix, k)
            return np.einsum("m,tmi,tmi->t", self.weights, k.conj(), Ok)
        rho = self.density_matrices
        M = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
        return np.einsum("ij,tji->t", M, rho)

    def cell_states(self) -> np.ndarray:
        """Lab-frame reduced states of the cells, shape (T, 2^N, 2^N) (Qiskit order)."""
        lay = self.layout
        if self._kets is not None:
            # the frame is diagonal: cells' states need |P psi| per (cells, n) only
            k = self._lab_kets()
            T, M, D = k.shape
            if M == 1:
                cells = lay.cells_from_kets(k[:, 0])
                return cells if self.weights[0] == 1.0 else self.weights[0] * cells
            cells = lay.cells_from_kets(k.reshape(T * M, D)).reshape(T, M, lay.cell_dim,
                                                                     lay.cell_dim)
            return np.einsum("m,tmab->tab", self.weights, cells, optimize=True)  # BLAS
        if self.frame is None:
            return lay.cells_from_density_matrices(self._rhos)
        # rho_lab[(a,n),(b,n)] = P[a,n] rho_F[(a,n),(b,n)] conj(P[b,n]), P = e^{-iFt}
        T, c, d = self.times.size, lay.cell_dim, self.levels
        r = self._rhos.reshape(T, c, d, c, d)
        diag_blocks = np.einsum("tanbn->tabn", r)
        P = self._back.reshape(T, c, d)
        return np.einsum("tan,tabn,tbn->tab", P, diag_blocks, P.conj())

    @cached_property
    def _ket_fock_weights(self) -> np.ndarray:
        """sum_m w_m sum_c |psi_m(c, n)|^2 per time and Fock level n, shape (T, d) (kets only).

        Read twice (the truncation check and the diagnostics' trace): computed once.
        """
        lay = self.layout
        p = self._kets.real**2 + self._kets.imag**2  # |.|^2 without the square root
        p = p.reshape(self.times.size, -1, lay.cell_dim, lay.levels).sum(axis=2)
        out = np.einsum("m,tmn->tn", self.weights, p)
        out.setflags(write=False)  # shared by every caller
        return out

    def fock_populations(self) -> np.ndarray:
        """Populations of the charger's Fock levels at every time, shape (T, d)."""
        lay = self.layout
        if self._kets is not None:
            return self._ket_fock_weights
        diag = np.einsum("tii->ti", self._rhos).real
        return diag.reshape(self.times.size, lay.cell_dim, lay.levels).sum(axis=1)

    def top_level_population(self) -> float:
        """Largest population of the top kept Fock level d-1 over the times (truncation check)."""
        return self._top_level_population

    @cached_property
    def _top_level_population(self) -> float:
        # kets: the top level's amplitudes only (a sweep point reads nothing else of the
        # charger; 1/d of the work of every level's populations)
        if self._kets is None or "_ket_fock_weights" in self.__dict__:
            return float(np.max(self.fock_populations()[:, -1]))
        lay = self.layout
        top = self._kets.reshape(self.times.size, -1, lay.cell_dim, lay.levels)[..., -1]
        p = (top.real**2 + top.imag**2).sum(axis=2)  # (T, M)
        return float(np.max(p @ self.weights))

    def diagnostics(self) -> dict[str, float]:
        """Largest trace error, Hermiticity error, most negative eigenvalue, top-level population.

        For kets, rho = sum_m w_m |psi_m><psi_m| is Hermitian and positive by construction. All
        four are unchanged by the diagonal frame unitary, so they are read off the stored states.
        """
        if self._kets is not None:
            norm = self._ket_fock_weights.sum(axis=1)
            return {
                "trace_error": float(np.max(np.abs(norm - 1.0))),
                "hermiticity_error": 0.0,
                "min_eigenvalue": 0.0,
                "top_fock_population": self.top_level_population(),
            }
        rho = self._rhos
        trace = np.einsum("tii->t", rho)
        herm, lowest = 0.0, 0.0
        # In chunks: full-size temporaries of (T, D, D) cost more than the arithmetic. One
        # BLAS thread: many small eigvalsh calls took 24-32 s threaded, 1.8 s on one
        # (docs/conventions.md, pitfalls).
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, rho.shape[0], 32):
                chunk = rho[start : start + 32]
                herm = max(herm, float(np.max(np.abs(chunk - chunk.conj().transpose(0, 2, 1)))))
                lowest = min(lowest, lowest_eigenvalue(chunk))
        return {
            "trace_error": float(np.max(np.abs(trace - 1.0))),
            "hermiticity_error": herm,
            "min_eigenvalue": lowest,
            "top_fock_population": self.top_level_population(),
        }


def merge_diagnostics(parts) -> dict[str, float]:
    """The :meth:`EvolvedStates.diagnostics` of consecutive time chunks, combined (worst case)."""
    parts = list(parts)
    return {
        "trace_error": max(p["trace_error"] for p in parts),
        "hermiticity_error": max(p["hermiticity_error"] for p in parts),
        "min_eigenvalue": min(p["min_eigenvalue"] for p in parts),
        "top_fock_population": max(p["top_fock_population"] for p in parts),
    }


class ReducedStates(EvolvedStates):
    """Evolved states kept as what the observables read: cell states and diagnostics.

    An engine that never holds every state at once (it reduces the states chunk by chunk while
    it solves, :class:`StateReducer`) returns this: memory O(state size), not O(times x state
    size). The full states are formed on first access of :attr:`kets` /
    :attr:`density_matrices` by calling ``full()`` (e.g. solving again and keeping them).

    Args:
        times (array of shape (T,)): the requested times.
        layout: the subsystem layout (charger levels d, cells N).
        cells (array of shape (T, 2^N, 2^N)): lab-frame reduced states of the cells.
        diagnostics: as :meth:`EvolvedStates.diagnostics` returns them.
        full: a callable returning the :class:`EvolvedStates` with every state, or ``None``.
    """

    def __init__(self, times, layout: Layout, cells, diagnostics: dict, full=None):
        self.times = np.asarray(times, dtype=float)
        self.layout = layout
        self.levels = int(layout.levels)
        self.weights = None
        self._kets = self._rhos = None
        self.frame = None
        self._cells = np.asarray(cells)
        self._diagnostics = dict(diagnostics)
        self._full = full

    @cached_property
    def _full_states(self) -> EvolvedStates:
        if self._full is None:
            raise ValueError("these states were reduced while solving; the full states "
                             "were not kept")
        return self._full()

    @property
    def kets(self) -> np.ndarray | None:
        """Lab-frame state vectors (formed on first access), or ``None``."""
        return self._full_states.kets

    @property
    def density_matrices(self) -> np.ndarray | None:
        """Lab-frame density matrices (formed on first access), or ``None``."""
        return self._full_states.density_matrices

    def cell_states(self) -> np.ndarray:
        """Lab-frame reduced states of the cells, shape (T, 2^N, 2^N)."""
        return self._cells

    def state(self, i: int) -> np.ndarray:
        """The lab-frame state at times[i] (the full states are formed on first access)."""
        return self._full_states.state(i)

    def expect(self, matrix) -> np.ndarray:
        """Tr(rho(t) O) at every time (the full states are formed on first access)."""
        return self._full_states.expect(matrix)

    def top_level_population(self) -> float:
        """Largest population of the top kept Fock level d-1 over the times."""
        return self._diagnostics["top_fock_population"]

    def diagnostics(self) -> dict[str, float]:
        """Trace error, Hermiticity error, most negative eigenvalue, top-level population."""
        return dict(self._diagnostics)


class StateReducer:
    """Collects states chunk by chunk and keeps only cell states and diagnostics.

    ``add(times, density_matrices)`` with consecutive chunks (in the frame ``frame``, as for
    :class:`EvolvedStates`), then ``result()``.

    Args:
        layout: the subsystem layout (charger levels d, cells N).
        frame (array of shape (D,)): diagonal of the frame the chunks are given in, or
            ``None`` for the lab frame.
    """

    def __init__(self, layout: Layout, frame=None):
        self.layout = layout
        self.frame = frame
        self._times: list[np.ndarray] = []
        self._cells: list[np.ndarray] = []
        self._diagnostics: list[dict] = []

    def add(self, times, density_matrices) -> None:
        """Reduce one chunk of density matrices (array of shape (k, D, D)) at ``times``."""
        chunk = EvolvedStates(times, self.layout, density_matrices=density_matrices,
                              frame=self.frame)
        self._times.append(chunk.times)
        self._cells.append(chunk.cell_states())
        self._diagnostics.append(chunk.diagnostics())

    def result(self, full=None) -> ReducedStates:
        """The :class:`ReducedStates` of every chunk added (``full`` as for it)."""
        return ReducedStates(np.concatenate(self._times), self.layout,
                             np.concatenate(self._cells), merge_diagnostics(self._diagnostics),
                             full=full)

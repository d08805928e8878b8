r"""The qiskit-dynamics engine (the default method where the ``dynamics`` extra is installed).

This module is the only importer of ``qiskit_dynamics`` (an archived project pinned to
qiskit 1.3; extra ``dynamics``): everything else runs without it, on Qiskit 2 too. Without it,
constructing :class:`Dynamics` raises a ``ParameterError`` naming the extra. Closed systems and
the explicit ``array_library`` choices run on its ``Solver``; open systems by default on its ODE
interface ``solve_ode`` with our own right-hand side in the frame (below).

How the solve is set up, and why (choices measured on the paper suite, see
``benchmarks/README.md``):

* **Rotating frame** :math:`F = \omega_c a^\dagger a + (\omega_q/2)(\sigma_z^{(1)}+\sigma_z^{(2)})`,
  diagonal on the code space. In the frame the solver follows only the slow dynamics (JC at
  :math:`\Delta`, pair creation at :math:`2\omega_q`) instead of phases up to
  :math:`\omega_c d`; this cuts the number of steps 3-10x. qiskit-dynamics returns states *in
  the frame*; we transform back, :math:`\rho_{lab}(t) = e^{-iFt}\rho_F(t)e^{iFt}`, so the
  reduced states are lab-frame.
* **Closed systems** (:math:`\kappa=\gamma=0`) evolve the state *vector* (Schroedinger):
  a matrix ``y0`` in a model without dissipators would be propagated as U rho, not
  U rho U^dag (docs/conventions.md, pitfalls).
* **Open systems** (the default, ``array_library=None`` with DOP853 or RK45): Eq. (2) in the
  same frame as our own right-hand side (:class:`FrameLindbladian`: each operator's entries
  get their frame phase, one sparse product :math:`G\rho_F` per call, the jumps as one static
  superoperator) in real coordinates (:math:`n^2` reals), solved by qiskit-dynamics'
  ``solve_ode`` (scipy's explicit Runge-Kutta solver underneath) one chunk of output times at a
  time, restarting from the chunk's last state; the states are reduced,
  chunk by chunk, to the cell states and the diagnostics (:class:`~qbcircuit.states.StateReducer`):
  memory O(state size), not O(times x state size). The full density matrices are formed only
  when asked for (solved again). Measured on issue 21's single open trajectories: qiskit-dynamics'
  ``Solver`` spent 63% of its right-hand side taking the state out of the frame and back (two
  elementwise exponential conjugations per call), then stored every state (two 201-state
  copies); ours takes 2.3-2.4x less CPU time per trajectory (``benchmarks/README.md``).
  ``array_library="scipy_sparse"`` / ``"numpy"`` or an implicit method still use
  qiskit-dynamics' ``Solver`` (vectorised sparse Lindblad, or the matrix form when dense; the
  dense vectorised superoperator would take (4d)^4 x 16 bytes, 4 GiB at d = 32); the tests
  compare both.
* ``y0`` is always complex: a real ``y0`` makes qiskit-dynamics cast the complex derivative
  to real and silently drop the imaginary part (docs/conventions.md, pitfalls).
"""

from __future__ import annotations

import functools
import gc
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

try:  # Y += A X for CSR A and a dense block X, without scipy's per-call checks and copies
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover
    _csr_matvecs = None

from .. import _optional
from .._checks import ParameterError, SolverError, check_choice, check_real
from ..model import BatteryModel, structure_matrices
from ..states import EvolvedStates, ReducedStates, StateReducer
from .base import Cost, Engine, dissipation_scale

#: Defaults that keep energy, fluctuation and concurrence within 1e-6 of the exact engine on
#: the paper suite (benchmarks/paper_suite.py). The concurrence of a nearly pure two-cell state
#: moves like the square root of a state error, so atol matters: with atol = 1e-10 the open
#: zeta = 0 set of Fig. 2(d) was off by 9.7e-7 at lambda*t = 0.36; with 1e-12, by 3e-8, at no
#: measurable extra cost. rtol matters much less: over the paper suite and the test cases
#: (t in [0, 10], 501 points) the largest deviation from exact was 1.9e-8 at rtol = 1e-10,
#: 2.1e-8 at 1e-9 and 2.9e-8 at 1e-8, the last about 20% faster (fewer DOP853 steps).
DEFAULT_ATOL = 1e-12
DEFAULT_RTOL = 1e-8
ODE_METHODS = ("DOP853", "RK45", "Radau", "BDF", "LSODA", "jax_odeint")
ARRAY_LIBRARIES = ("numpy", "scipy_sparse", "jax")


def frame_diagonal(model: BatteryModel) -> np.ndarray:
    """Diagonal of the rotating-frame operator on the code space, real array of shape (4d,)."""
    return model.frame_diagonal


#: Smallest tolerances: below them the solver works on round-off (scipy warns below 100 eps
#: relative; 1e-300 absolute made qiskit-dynamics fail inside).
MIN_ATOL = 1e-15
MIN_RTOL = 1e-13


def solver_used(closed: bool, dim: int, ode_method: str | None = None,
                array_library: str | None = None) -> tuple[str, str]:
    """The (ode_method, array_library) :func:`evolve` uses, its defaults resolved.

    Args:
        closed: no dissipation (kets are evolved, else density matrices).
        dim: dimension of the code space (cells times cavity levels).
        ode_method: as given to :func:`evolve` (None: the default).
        array_library: as given to :func:`evolve` (None: the default).
    """
    if array_library == "jax":
        return ode_method or "jax_odeint", "jax"
    if array_library is None:
        array_library = "numpy" if (closed and dim <= 64) else "scipy_sparse"
    return ode_method or "DOP853", array_library


def evolve(
    model: BatteryModel,
    times: np.ndarray,
    *,
    atol: float = DEFAULT_ATOL,
    rtol: float = DEFAULT_RTOL,
    ode_method: str | None = None,
    array_library: str | None = None,
) -> EvolvedStates:
    """States of ``model`` at ``times`` from a ``qiskit_dynamics.Solver`` in the rotating frame.

    Args:
        model: the battery model.
        times (array of shape (T,)): output times (non-negative, increasing).
        atol: absolute tolerance of the ODE solver, in [1e-15, 1e-2].
        rtol: relative tolerance of the ODE solver, in [1e-13, 1e-2].
        ode_method: a scipy ``solve_ivp`` method (default ``"DOP853"``, the fastest at these
            tolerances), or ``"jax_odeint"`` with ``array_library="jax"`` (the default there).
        array_library: ``"numpy"`` (dense), ``"scipy_sparse"`` or ``"jax"`` (needs the ``jax``
            extra; jit-compiled, see :func:`evolve_batch`); default: dense for small closed
            systems, sparse otherwise.

    Returns:
        kets for a closed system, density matrices otherwise (lab frame).
    """
    Dynamics(atol=atol, rtol=rtol, ode_method=ode_method, array_library=array_library)  # checks
    if array_library == "jax":
        return evolve_batch([model], times, atol=atol, rtol=rtol)[0]
    times = np.asarray(times, dtype=float)
    if _stepped(model.params, ode_method, array_library):
        return _evolve_stepped(model, times, atol, rtol, ode_method or "DOP853")
    Solver = _optional.qiskit_dynamics().Solver
    frame = frame_diagonal(model)
    H = model.hamiltonian_matrix
    weights, members = model.initial_ensemble
    dim = members.shape[1]
    closed = model.params.is_closed
    ode_method, array_library = solver_used(closed, dim, ode_method, array_library)
    as_lib = (lambda m: m.toarray()) if array_library == "numpy" else (lambda m: m)
    if closed:
        solver = Solver(static_hamiltonian=as_lib(H), rotating_frame=frame,
                        array_library=array_library)
        # kets evolve as columns of one matrix (a Schroedinger model applies U to y0): one
        # column for a pure state, one per ensemble member for a thermal charger
        y0 = members[0].astype(complex) if weights.size == 1 else members.T.astype(complex)
    else:
        # Sparse: vectorised superoperator. Dense: the matrix form, since a dense vectorised
        # superoperator has (4d)^4 entries (4 GiB at d = 32).
        vectorized = array_library == "scipy_sparse"
        solver = Solver(
            static_hamiltonian=as_lib(H),
            static_dissipators=[as_lib(c) for c in model.collapse_matrices],
            rotating_frame=frame,
            array_library=array_library,
            vectorized=vectorized,
        )
        y0 = model.initial_density_matrix.astype(complex)
        if vectorized:
            # column-stacking vectorisation, as qiskit-dynamics' vectorised Lindblad model uses
            y0 = y0.ravel(order="F")
    t_end = times[-1] if times[-1] > 0 else math.ulp(1.0)
    try:
        with _optional.quiet():
            result = solver.solve(t_span=[0.0, t_end], y0=y0, t_eval=times, method=ode_method,
                                  atol=atol, rtol=rtol)
        y = np.asarray(result.y)
    except (ArithmeticError, ValueError, RuntimeError, AttributeError, TypeError) as err:
        # qiskit-dynamics fails from inside (e.g. 'list' object has no attribute 'transpose'
        # when scipy's solver gives up): one clear line instead of its internals
        raise SolverError(f"the dynamics engine's ODE solver failed ({type(err).__name__}: "
                          f"{err}); try method='exact' or other tolerances") from None
    if y.shape[0] != times.size or not np.all(np.isfinite(y)):
        raise SolverError(f"the dynamics engine's ODE solver stopped early or diverged "
                          f"({y.shape[0]} of {times.size} times reached); try method='exact'")
    if not closed and y.ndim == 2:
        y = y.reshape(times.size, dim, dim).transpose(0, 2, 1)  # undo column stacking
    if closed and y.ndim == 3:  # ensemble members as columns: (T, D, M) -> (T, M, D)
        return EvolvedStates(times, model.layout, kets=y.transpose(0, 2, 1), frame=frame,
                             weights=weights)
    return _frame_states(y, times, frame, model.layout)


# -- open systems: Eq. (2) in the rotating frame, solved chunk by chunk ----------------------

#: Explicit Runge-Kutta methods the open-system solve runs through ``solve_ode`` chunk by chunk
#: with our right-hand side (the others go through qiskit-dynamics' Solver, which keeps every
#: state).
STEPPED_METHODS = ("DOP853", "RK45")
#: Output states held at once by the open-system solve (bytes, at least one state): the
#: memory of a run is then O(state size), not O(times x state size).
CHUNK_BYTES = 32 * 2**20
#: Matrix entries below this times the matrix's largest are round-off of the Pauli sums
#: (structural zeros of truncations that are not powers of two): dropped before solving.
CHOP_REL = 1e-13
#: Frequencies F_i - F_j closer than this are one frequency (one phase factor per time).
FREQUENCY_DECIMALS = 12


def _chop(matrix) -> sp.csr_matrix:
    m = sp.csr_matrix(matrix, dtype=complex, copy=True)
    if m.nnz:
        m.data[np.abs(m.data) <= CHOP_REL * np.abs(m.data).max()] = 0.0
    m.eliminate_zeros()
    m.sort_indices()
    return m


class _Phases:
    r"""The frame phases :math:`e^{i\omega t}` of a sparse matrix's entries, one per frequency.

    ``omega`` per stored entry; only the distinct frequencies are exponentiated per call.
    """

    def __init__(self, omega: np.ndarray):
        self.freqs, self.index = np.unique(np.round(omega, FREQUENCY_DECIMALS),
                                           return_inverse=True)
        self.static = bool(np.all(self.freqs == 0.0))

    def apply(self, data: np.ndarray, t: float) -> np.ndarray:
        if self.static:
            return data
        return data * np.exp(1j * t * self.freqs)[self.index]


class FrameLindbladian:
    r"""The right-hand side of Eq. (2) in the rotating frame, :math:`f(t, \rho_F)`.

    With :math:`\rho_F = e^{iFt}\rho e^{-iFt}` (:math:`F` the diagonal frame,
    :func:`frame_diagonal`),

    .. math::

        \dot\rho_F = G(t)\rho_F + \rho_F G(t)^\dagger + \sum_k C_k(t)\rho_F C_k(t)^\dagger,
        \qquad G = -i(H - F) - \tfrac12\sum_k C_k^\dagger C_k,

    where every operator :math:`X(t) = e^{iFt}Xe^{-iFt}` has the entries
    :math:`X_{ij}e^{i(F_i - F_j)t}`: a phase per entry, from a handful of distinct
    frequencies (0, :math:`\pm\Delta`, :math:`\pm2\omega_q` for Eq. (1)). The collapse operators
    of Eq. (2) each change F by one amount (:math:`a`: :math:`-\omega_c`; :math:`\sigma_-`:
    :math:`-\omega_q`), so their term is static in the frame; it is applied as one sparse
    superoperator :math:`\sum_k C_k\otimes\bar C_k` on the row-major :math:`\rho_F`. Since
    :math:`\rho_F` is Hermitian, :math:`\rho_F G^\dagger = (G\rho_F)^\dagger`: one sparse
    product per call. This replaces qiskit-dynamics' evaluation in the frame (the state taken
    out of the frame and back at every call: 70% of its time, see ``benchmarks/README.md``).

    *Real coordinates.* The solver carries the real matrix :math:`M = \mathrm{Re}\,\rho_F +
    \mathrm{Im}\,\rho_F` (its symmetric part is :math:`\mathrm{Re}\,\rho_F`, its antisymmetric
    part :math:`\mathrm{Im}\,\rho_F`): :math:`n^2` reals instead of :math:`n^2` complex numbers,
    which halves the Runge-Kutta arithmetic and memory. :func:`to_density_matrices` maps back.

    Built once per (parameters, truncation) and reused (:func:`frame_lindbladian`); a call
    allocates its own arrays, so one object may serve several threads.
    """

    def __init__(self, model: BatteryModel):
        F = np.asarray(model.frame_diagonal, dtype=float)
        n = F.size
        self.dim = n
        collapse = [_chop(c) for c in model.collapse_matrices]
        decay = sum((c.conj().T @ c for c in collapse), sp.csr_matrix((n, n), dtype=complex))
        G = _chop(-1j * (model.hamiltonian_matrix - sp.diags(F)) - 0.5 * decay)
        rows = np.repeat(np.arange(n), np.diff(G.indptr))
        # halved: the call applies them to 2 rho = (M + M^T) + i (M - M^T)
        self._g = (G.indptr, G.indices, 0.5 * G.data)
        self._g_phases = _Phases(F[rows] - F[G.indices])
        J = sum((sp.kron(c, c.conj(), format="csr") for c in collapse),
                sp.csr_matrix((n * n, n * n), dtype=complex))
        J = _chop(J)
        jr = np.repeat(np.arange(n * n), np.diff(J.indptr))
        (i, k), (j, m) = np.divmod(jr, n), np.divmod(J.indices, n)
        self._j = (J.indptr, J.indices, 0.5 * J.data)
        self._j_phases = _Phases(F[i] - F[j] - F[k] + F[m])

    def __call__(self, t: float, y: np.ndarray) -> np.ndarray:
        r""":math:`\dot M` at ``t`` for the row-major real coordinates ``y`` = :math:`M`, (n*n,)."""
        n = self.dim
        M = y.reshape(n, n)
        rho2 = np.empty((n, n), dtype=complex)  # 2 rho_F
        np.add(M, M.T, out=rho2.real)
        np.subtract(M, M.T, out=rho2.imag)
        indptr, indices, data = self._g
        X = np.zeros((n, n), dtype=complex)
        _matvecs(n, n, indptr, indices, self._g_phases.apply(data, t), rho2, X)
        out = X + X.conj().T
        indptr, indices, data = self._j
        _matvecs(n * n, 1, indptr, indices, self._j_phases.apply(data, t), rho2, out)
        return np.add(out.real, out.imag).ravel()


def to_coordinates(rho: np.ndarray) -> np.ndarray:
    r"""Real coordinates :math:`M = \mathrm{Re}\,\rho + \mathrm{Im}\,\rho` of Hermitian matrices."""
    return rho.real + rho.imag


def to_density_matrices(M: np.ndarray) -> np.ndarray:
    r"""Hermitian matrices from real coordinates (shape (..., n, n)), inverse of to_coordinates.

    :math:`\rho = [(M + M^T) + i(M - M^T)]/2`.
    """
    Mt = np.swapaxes(M, -1, -2)
    rho = np.empty(M.shape, dtype=complex)
    np.add(M, Mt, out=rho.real)
    np.subtract(M, Mt, out=rho.imag)
    rho *= 0.5
    return rho


def _matvecs(rows: int, n_vecs: int, indptr, indices, data, x, out) -> None:
    """Add A @ x.reshape(-1, n_vecs) to ``out``; A = CSR (indptr, indices, data), ``rows`` rows."""
    if _csr_matvecs is not None:
        _csr_matvecs(rows, x.size // n_vecs, n_vecs, indptr, indices, data, x.ravel(),
                     out.ravel())
    else:  # pragma: no cover - scipy without the private kernel
        A = sp.csr_matrix((data, indices, indptr), shape=(rows, x.size // n_vecs))
        out += (A @ x.reshape(-1, n_vecs)).reshape(out.shape)


@functools.lru_cache(maxsize=8)
def _frame_lindbladian(params, levels: int) -> FrameLindbladian:
    return FrameLindbladian(BatteryModel(params, levels=levels))


def frame_lindbladian(model: BatteryModel) -> FrameLindbladian:
    """The :class:`FrameLindbladian` of ``model``, built once per (parameters, truncation)."""
    return _frame_lindbladian(model.params, model.levels)


def _stepped(params, ode_method: str | None, array_library: str | None) -> bool:
    return (not params.is_closed and array_library is None
            and (ode_method or "DOP853") in STEPPED_METHODS)


def _solve_stepped(model: BatteryModel, times: np.ndarray, atol: float, rtol: float,
                   ode_method: str, sink) -> None:
    """Solve through ``times`` with qiskit-dynamics' ``solve_ode``; hand frame states to ``sink``.

    ``sink(times_chunk, rho_chunk)`` receives consecutive chunks of at most ``CHUNK_BYTES``
    (rho_chunk of shape (k, n, n), in the frame, a new array per chunk); each chunk is one
    ``solve_ode`` call (scipy's ``ode_method`` underneath, its dense output at the times).
    """
    rhs = frame_lindbladian(model)
    n = rhs.dim
    y0 = to_coordinates(model.initial_density_matrix.astype(complex)).ravel()
    chunk = max(1, min(times.size, CHUNK_BYTES // (16 * n * n)))
    buffer = np.empty((chunk, n * n))
    filled, start = 0, 0

    def emit(k, y):
        nonlocal filled, start
        buffer[filled] = y
        filled += 1
        if filled == chunk or k == times.size - 1:
            if not np.all(np.isfinite(buffer[:filled])):
                raise SolverError("the dynamics engine's ODE solver diverged (non-finite "
                                  f"states by t = {times[k]:g}); try method='exact'")
            rhos = to_density_matrices(buffer[:filled].reshape(filled, n, n))
            sink(times[start : k + 1], rhos)
            start, filled = k + 1, 0

    i = int(np.searchsorted(times, 0.0, side="right"))  # outputs at t = 0
    for k in range(i):
        emit(k, y0)
    # qiskit-dynamics' ODE interface (solve_ode: scipy's solve_ivp underneath) from one chunk
    # of output times to the next, restarting from the last state: only a chunk is ever held
    solve_ode = _optional.qiskit_dynamics().solve_ode
    t_start, y_start = 0.0, y0
    while i < times.size:
        stop = min(times.size, i + chunk)
        try:
            with _optional.quiet():
                result = solve_ode(rhs, t_span=[t_start, float(times[stop - 1])], y0=y_start,
                                   method=ode_method, t_eval=times[i:stop], atol=atol,
                                   rtol=rtol)
        except (ArithmeticError, ValueError, RuntimeError) as err:
            raise SolverError(f"the dynamics engine's ODE solver failed ({type(err).__name__}: "
                              f"{err}); try method='exact' or other tolerances") from None
        ys = np.asarray(result.y)
        if ys.shape[0] != stop - i:
            raise SolverError(f"the dynamics engine's ODE solver stopped early ({ys.shape[0]} "
                              f"of {stop - i} times reached after t = {t_start:g}); try "
                              "method='exact' or other tolerances")
        for k in range(i, stop):
            emit(k, ys[k - i])
        t_start, y_start, i = float(times[stop - 1]), ys[-1].copy(), stop
        del result, ys
        if i < times.size:
            # each call's solver (its Runge-Kutta stages, n^2 reals each) sits in reference
            # cycles; collected now, memory stays one chunk however many chunks there are
            gc.collect()


def _evolve_stepped(model: BatteryModel, times: np.ndarray, atol: float, rtol: float,
                    ode_method: str) -> ReducedStates:
    """Open system: cell states and diagnostics reduced while solving (memory O(state))."""
    frame = frame_diagonal(model)
    reducer = StateReducer(model.layout, frame)
    _solve_stepped(model, times, atol, rtol, ode_method, reducer.add)

    def full() -> EvolvedStates:
        rhos = []

        def keep(_, chunk):
            rhos.append(chunk)

        _solve_stepped(model, times, atol, rtol, ode_method, keep)
        return EvolvedStates(times, model.layout, density_matrices=np.concatenate(rhos),
                             frame=frame)

    return reducer.result(full=full)


@dataclass(frozen=True)
class Dynamics(Engine):
    """qiskit-dynamics' ``Solver`` in the rotating frame (see the module docstring).

    Args:
        atol: absolute tolerance of the ODE solver, in [1e-15, 1e-2].
        rtol: relative tolerance of the ODE solver, in [1e-13, 1e-2].
        ode_method: a scipy ``solve_ivp`` method (default DOP853), or ``"jax_odeint"`` with
            ``array_library="jax"``.
        array_library: ``"numpy"``, ``"scipy_sparse"`` or ``"jax"`` (default: dense for small
            closed systems, sparse otherwise); ``"jax"`` solves a sweep's models of one
            structure together (:meth:`evolve_batch`).
    """

    name: ClassVar[str] = "dynamics"
    atol: float = field(default=DEFAULT_ATOL, metadata={
        "help": f"absolute tolerance of the ODE solver (default {DEFAULT_ATOL:g})"})
    rtol: float = field(default=DEFAULT_RTOL, metadata={
        "help": f"relative tolerance of the ODE solver (default {DEFAULT_RTOL:g})"})
    ode_method: str | None = field(default=None, metadata={
        "help": "ODE method (DOP853, RK45, ...; jax_odeint with jax)",
        "choices": ODE_METHODS})
    array_library: str | None = field(default=None, metadata={
        "help": "numpy, scipy_sparse or jax (default: by size)",
        "choices": ARRAY_LIBRARIES})

    def __post_init__(self):
        _optional.qiskit_dynamics()  # the extra's absence: one line naming it, before any work
        object.__setattr__(self, "atol", check_real("atol", self.atol, low=MIN_ATOL,
                                                    high=1e-2))
        object.__setattr__(self, "rtol", check_real("rtol", self.rtol, low=MIN_RTOL,
                                                    high=1e-2))
        method, library = self.ode_method, self.array_library
        if method is not None:
            check_choice("ode_method", method, ODE_METHODS)
        if library is not None:
            check_choice("array_library", library, ARRAY_LIBRARIES)
        if method is not None and (library == "jax") != (method == "jax_odeint"):
            raise ParameterError(
                f"ode_method {method!r} does not go with array_library {library!r}: "
                "use ode_method='jax_odeint' exactly when array_library='jax'"
            )

    def evolve(self, model: BatteryModel, times) -> EvolvedStates:
        """See :func:`evolve`."""
        return evolve(model, times, atol=self.atol, rtol=self.rtol, ode_method=self.ode_method,
                      array_library=self.array_library)

    def stepped(self, params) -> bool:
        """True when an open system is solved by :class:`FrameLindbladian` chunk by chunk."""
        return _stepped(params, self.ode_method, self.array_library)

    @property
    def population_floor(self) -> float:
        """Ten times atol: the absolute error the solver allows itself on every amplitude.

        Measured: at rtol 1e-3, atol 1e-5 the top level of Fig. 2(a)'s zeta = 1 curve reached a
        population of about 1e-5 from the solver's error alone, and the truncation was grown
        from 17 to 32 levels (five times the work) for nothing.
        """
        return 10.0 * self.atol

    @property
    def batched(self) -> bool:
        """The JAX path solves many models of one structure in one compiled call."""
        return self.array_library == "jax"

    def evolve_batch(self, models, times):
        """See :func:`evolve_batch`."""
        return evolve_batch(models, times, atol=self.atol, rtol=self.rtol)

    def cost(self, model: BatteryModel, times) -> Cost:
        """ODE steps from the fastest frequency left in the rotating frame; state memory.

        In the frame the solver follows :math:`e^{i(F_i - F_j)t}H_{ij}`: the largest
        :math:`|F_i - F_j|` over the couplings, plus their Gershgorin radius and the loss rates,
        sets the step (DOP853 takes about 2-3 steps per unit of that frequency times t at the
        default tolerances, measured on the paper suite).
        """
        times = np.asarray(times, dtype=float)
        H = model.hamiltonian_matrix.tocoo()
        frame = model.frame_diagonal
        off = H.row != H.col
        detuning = np.max(np.abs(frame[H.row[off]] - frame[H.col[off]]), initial=0.0)
        radius = np.max(np.bincount(H.row[off], np.abs(H.data[off]), minlength=H.shape[0]),
                        initial=0.0)
        p = model.params
        rates = dissipation_scale(model)
        steps = 3.0 * float(times[-1]) * (detuning + radius + rates) + 20
        dim = model.layout.code_dim
        if p.is_closed:
            mem, per_step = 16 * dim * (3 * times.size + 20) + 16 * dim * dim, 12 * 3e-5
        elif self.stepped(p):
            # real coordinates: the Runge-Kutta stages, the dense output and temporaries (about
            # 40 states of 8 n^2 bytes), one chunk of complex states twice, the superoperator
            mem = 8 * dim * dim * 40 + 2 * min(CHUNK_BYTES, 16 * dim * dim * times.size)
            mem += 16 * dim**2 * 4
            per_step = 16 * (3e-5 + 12 * dim * dim * 2e-9)
        else:
            mem = 16 * dim * dim * (3 * times.size + 40)
            per_step = 12 * (3e-5 + 30 * dim * dim * 2e-9)
        return Cost(bytes=int(mem), steps=steps, unit="ODE steps", seconds_per_step=per_step)


def _frame_states(y, times, frame, layout) -> EvolvedStates:
    """States solved in the frame F; the lab frame is formed lazily (see EvolvedStates)."""
    if y.ndim == 2:
        return EvolvedStates(times, layout, kets=y, frame=frame)
    return EvolvedStates(times, layout, density_matrices=y, frame=frame)


# -- JAX: one compiled function per model structure, vmapped over parameter values ------------


@functools.lru_cache(maxsize=16)
def _compiled_batch(structure, open_system, n_times, atol, rtol, frame_key):
    """jit(vmap(solve)) for one structure; cached, so each structure compiles once.

    Called (and compiled) inside :func:`qbcircuit._optional.x64`.
    """
    jax = _optional.jax()
    import jax.numpy as jnp

    dynamics = _optional.qiskit_dynamics()
    encoding, levels, cells, *_, ham_names, dis_names = structure
    frame = np.array(frame_key)
    ham_ops = [m.toarray() for m in structure_matrices(encoding, levels, ham_names, cells)]
    dis_ops = [m.toarray() for m in structure_matrices(encoding, levels, dis_names, cells)]
    solver = dynamics.Solver(
        static_hamiltonian=np.diag(frame).astype(complex),
        hamiltonian_operators=ham_ops,
        dissipator_operators=dis_ops if open_system else None,
        rotating_frame=frame,
        array_library="jax",
        vectorized=False,  # the dense vectorised superoperator would need (4d)^4 entries
    )

    def solve_one(coeffs, rates, y0, times):
        # The static part equals the frame F; the operators carry (coefficient - frame) values.
        ham_signals = [dynamics.Signal(c) for c in coeffs]
        signals = ((ham_signals, [dynamics.Signal(r) for r in rates]) if open_system
                   else ham_signals)
        result = solver.solve(t_span=jnp.array([0.0, times[-1]]), y0=y0, t_eval=times,
                              signals=signals, method="jax_odeint", atol=atol, rtol=rtol)
        return result.y

    return jax.jit(jax.vmap(solve_one, in_axes=(0, 0, 0, None)))


def evolve_batch(
    models: list[BatteryModel],
    times: np.ndarray,
    *,
    atol: float = DEFAULT_ATOL,
    rtol: float = DEFAULT_RTOL,
) -> list[EvolvedStates]:
    """Evolve many models of one structure at once with JAX: ``jit(vmap(solve))``.

    The models must share encoding, truncation and initial cell state (their operators are then
    identical and only the coefficients of Eq. (1)-(2) differ). The function is compiled once
    per structure, number of times and tolerances, and cached: the first call pays the
    compilation, later calls with new parameter values do not.

    Args:
        models: battery models of one structure.
        times (array of shape (T,)): output times.
        atol: absolute tolerance of ``jax_odeint``.
        rtol: relative tolerance of ``jax_odeint``.

    Returns:
        one :class:`EvolvedStates` per model (lab frame).
    """
    Dynamics(atol=atol, rtol=rtol, array_library="jax")  # checks the tolerances
    jax = _optional.jax()
    if not models:
        return []
    structures = {m.structure for m in models}
    if len(structures) != 1:
        raise ParameterError(
            "evolve_batch needs models of one structure (encoding, fock, initial_cells, terms), "
            f"got {sorted(structures)}"
        )
    structure = structures.pop()
    ref = models[0]
    # a mixed initial state (thermal charger) is evolved as a density matrix (Lindblad form)
    open_system = any(not m.params.is_closed or not m.params.is_pure for m in models)
    # One frame for the batch (that of the first model): any frame gives exact results once
    # transformed back; the closer it is to each member's diagonal, the fewer steps.
    frame = frame_diagonal(ref)
    frame_coeffs = np.array([t.coefficient if t.in_frame else 0.0
                             for t in ref.hamiltonian_terms])
    coeffs = np.array([[t.coefficient for t in m.hamiltonian_terms] for m in models])
    coeffs = coeffs - frame_coeffs
    rates = np.array([[t.coefficient for t in m.dissipator_terms] for m in models])
    y0 = np.array([m.initial_density_matrix if open_system else m.initial_ket
                   for m in models], dtype=complex)
    times = np.asarray(times, dtype=float)
    with _optional.x64(), _optional.quiet():
        fn = _compiled_batch(structure, open_system, times.size, float(atol), float(rtol),
                             tuple(frame.tolist()))
        ys = np.asarray(fn(coeffs, rates, y0, jax.numpy.asarray(times)))
    return [_frame_states(y, times, frame, ref.layout) for y in ys]


__all__ = [
    "DEFAULT_ATOL",
    "Dynamics",
    "DEFAULT_RTOL",
    "evolve",
    "evolve_batch",
    "frame_diagonal",
]

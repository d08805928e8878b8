r"""The qiskit-dynamics engine (the default method where the ``dynamics`` extra is installed).

This module is the only importer of ``qiskit_dynamics`` (an archived project pinned to
qiskit 1.3; extra ``dynamics``): everything else runs without it, on Qiskit 2 too. Without it,
constructing :class:`Dynamics` raises a ``ParameterError`` naming the extra.

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
* **Open systems**: vectorised Lindblad with ``scipy_sparse``. The dense vectorised
  superoperator would take (4d)^4 x 16 bytes (4 GiB at d = 32); the non-vectorised dense form
  costs several (4d)^3 products per step and was 2-4x slower than the sparse superoperator.
* ``y0`` is always complex: a real ``y0`` makes qiskit-dynamics cast the complex derivative
  to real and silently drop the imaginary part (docs/conventions.md, pitfalls).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .. import _optional
from .._checks import ParameterError, SolverError, check_choice, check_real
from ..model import BatteryModel, structure_matrices
from ..states import EvolvedStates
from .base import Cost, Engine

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
    ode_method = ode_method or "DOP853"
    Solver = _optional.qiskit_dynamics().Solver
    times = np.asarray(times, dtype=float)
    frame = frame_diagonal(model)
    H = model.hamiltonian_matrix
    psi0 = model.initial_ket.astype(complex)
    dim = psi0.size
    closed = model.params.is_closed
    if array_library is None:
        array_library = "numpy" if (closed and dim <= 64) else "scipy_sparse"
    as_lib = (lambda m: m.toarray()) if array_library == "numpy" else (lambda m: m)
    if closed:
        solver = Solver(static_hamiltonian=as_lib(H), rotating_frame=frame,
                        array_library=array_library)
        y0 = psi0
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
        y0 = np.outer(psi0, psi0.conj())
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
    return _frame_states(y, times, frame, model.levels)


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
        rates = p.kappa * model.levels + 2 * p.gamma
        steps = 3.0 * float(times[-1]) * (detuning + radius + rates) + 20
        dim = 4 * model.levels
        if p.is_closed:
            mem, per_step = 16 * dim * (3 * times.size + 20) + 16 * dim * dim, 12 * 3e-5
        else:
            mem = 16 * dim * dim * (3 * times.size + 40)
            per_step = 12 * (3e-5 + 30 * dim * dim * 2e-9)
        return Cost(bytes=int(mem), steps=steps, unit="ODE steps", seconds_per_step=per_step)


def _frame_states(y, times, frame, levels) -> EvolvedStates:
    """States solved in the frame F; the lab frame is formed lazily (see EvolvedStates)."""
    if y.ndim == 2:
        return EvolvedStates(times, levels, kets=y, frame=frame)
    return EvolvedStates(times, levels, density_matrices=y, frame=frame)


# -- JAX: one compiled function per model structure, vmapped over parameter values ------------


@functools.lru_cache(maxsize=16)
def _compiled_batch(structure, open_system, n_times, atol, rtol, frame_key):
    """jit(vmap(solve)) for one structure; cached, so each structure compiles once.

    Called (and compiled) inside :func:`qbcircuit._optional.x64`.
    """
    jax = _optional.jax()
    import jax.numpy as jnp

    dynamics = _optional.qiskit_dynamics()
    encoding, levels, _, ham_names, dis_names = structure
    frame = np.array(frame_key)
    ham_ops = [m.toarray() for m in structure_matrices(encoding, levels, ham_names)]
    dis_ops = [m.toarray() for m in structure_matrices(encoding, levels, dis_names)]
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
    open_system = any(not m.params.is_closed for m in models)
    # One frame for the batch (that of the first model): any frame gives exact results once
    # transformed back; the closer it is to each member's diagonal, the fewer steps.
    frame = frame_diagonal(ref)
    frame_coeffs = np.array([t.coefficient if t.in_frame else 0.0
                             for t in ref.hamiltonian_terms])
    coeffs = np.array([[t.coefficient for t in m.hamiltonian_terms] for m in models])
    coeffs = coeffs - frame_coeffs
    rates = np.array([[t.coefficient for t in m.dissipator_terms] for m in models])
    kets = np.array([m.initial_ket for m in models], dtype=complex)
    y0 = kets if not open_system else np.einsum("bi,bj->bij", kets, kets.conj())
    times = np.asarray(times, dtype=float)
    with _optional.x64(), _optional.quiet():
        fn = _compiled_batch(structure, open_system, times.size, float(atol), float(rtol),
                             tuple(frame.tolist()))
        ys = np.asarray(fn(coeffs, rates, y0, jax.numpy.asarray(times)))
    return [_frame_states(y, times, frame, ref.levels) for y in ys]


__all__ = [
    "DEFAULT_ATOL",
    "Dynamics",
    "DEFAULT_RTOL",
    "evolve",
    "evolve_batch",
    "frame_diagonal",
]

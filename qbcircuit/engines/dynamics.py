r"""The qiskit-dynamics engine (the package's default method).

This module is the only importer of ``qiskit_dynamics`` (an archived project pinned to
qiskit 1.3): everything else runs without it.

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
  U rho U^dag (physics.md pitfall).
* **Open systems**: vectorised Lindblad with ``scipy_sparse``. The dense vectorised
  superoperator would take (4d)^4 x 16 bytes (4 GiB at d = 32); the non-vectorised dense form
  costs several (4d)^3 products per step and was 2-4x slower than the sparse superoperator.
* ``y0`` is always complex: a real ``y0`` makes qiskit-dynamics cast the complex derivative
  to real and silently drop the imaginary part (physics.md pitfall).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._checks import ParameterError, check_choice, check_real
from ..model import BatteryModel
from ..states import EvolvedStates

#: Defaults that keep energy, fluctuation and concurrence within 1e-6 of the exact engine on
#: the paper suite (measured in tests/test_dynamics.py and benchmarks/paper_suite.py).
DEFAULT_ATOL = 1e-10
DEFAULT_RTOL = 1e-10
ODE_METHODS = ("DOP853", "RK45", "Radau", "BDF", "LSODA")
ARRAY_LIBRARIES = ("numpy", "scipy_sparse")


def _solver_modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from qiskit_dynamics import Solver
    return Solver


def frame_diagonal(model: BatteryModel) -> np.ndarray:
    """Diagonal of the rotating-frame operator on the code space, real array of shape (4d,)."""
    return np.real(model.code_matrix(model.frame_operator).diagonal())


def _check_options(atol, rtol, method, array_library):
    check_real("atol", atol, low=0.0, high=1e-2, low_open=True)
    check_real("rtol", rtol, low=0.0, high=1e-2, low_open=True)
    check_choice("ode_method", method, ODE_METHODS)
    if array_library is not None:
        check_choice("array_library", array_library, ARRAY_LIBRARIES)


def evolve(
    model: BatteryModel,
    times: np.ndarray,
    *,
    atol: float = DEFAULT_ATOL,
    rtol: float = DEFAULT_RTOL,
    ode_method: str = "DOP853",
    array_library: str | None = None,
) -> EvolvedStates:
    """States of ``model`` at ``times`` from a ``qiskit_dynamics.Solver`` in the rotating frame.

    Args:
        model: the battery model.
        times (array of shape (T,)): output times (non-negative, increasing).
        atol: absolute tolerance of the ODE solver, in (0, 1e-2].
        rtol: relative tolerance of the ODE solver, in (0, 1e-2].
        ode_method: a scipy ``solve_ivp`` method (``"DOP853"`` is the fastest at these
            tolerances).
        array_library: ``"numpy"`` (dense) or ``"scipy_sparse"``; default: dense for small closed
            systems, sparse otherwise.

    Returns:
        kets for a closed system, density matrices otherwise (lab frame).
    """
    _check_options(atol, rtol, ode_method, array_library)
    Solver = _solver_modules()
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
        solver = Solver(
            static_hamiltonian=as_lib(H),
            static_dissipators=[as_lib(c) for c in model.collapse_matrices],
            rotating_frame=frame,
            array_library=array_library,
            vectorized=True,
        )
        # column-stacking vectorisation, as qiskit-dynamics' vectorised Lindblad model uses
        y0 = np.outer(psi0, psi0.conj()).ravel(order="F")
    t_end = times[-1] if times[-1] > 0 else math.ulp(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = solver.solve(t_span=[0.0, t_end], y0=y0, t_eval=times, method=ode_method,
                              atol=atol, rtol=rtol)
    y = np.asarray(result.y)
    if y.shape[0] != times.size:
        raise RuntimeError(f"qiskit-dynamics returned {y.shape[0]} states for {times.size} times")
    back = np.exp(-1j * np.outer(times, frame))  # e^{-iFt}, diagonal
    if closed:
        return EvolvedStates(times, model.levels, kets=back * y)
    rho = y.reshape(times.size, dim, dim).transpose(0, 2, 1)  # undo column stacking
    rho = back[:, :, None] * rho * back[:, None, :].conj()
    return EvolvedStates(times, model.levels, density_matrices=rho)


__all__ = ["DEFAULT_ATOL", "DEFAULT_RTOL", "ParameterError", "evolve", "frame_diagonal"]

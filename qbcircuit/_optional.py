"""One home for heavy and optional imports, and for the warnings they bring.

* ``jax`` is optional (extra ``jax``): :func:`jax` imports it or raises a
  :class:`~qbcircuit._checks.ParameterError` that says which extra to install.
* Precision: every engine computes in complex128. The JAX path runs its compilation and its
  calls inside :func:`x64` (a scoped ``jax_enable_x64``), so importing qbcircuit or using it
  never switches JAX to double precision for the rest of the process.
* qiskit-dynamics (archived, pinned to qiskit 1.3) and qiskit-aer are required dependencies;
  qiskit-dynamics and JAX emit DeprecationWarnings about their own internals on import and use:
  :func:`quiet` silences those (and only those) where we call them.
"""

from __future__ import annotations

import contextlib
import warnings

from ._checks import ParameterError


@contextlib.contextmanager
def quiet():
    """Silence DeprecationWarnings of third-party internals (qiskit-dynamics, JAX, Aer)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def jax():
    """The ``jax`` module, or a ParameterError naming the extra to install."""
    try:
        import jax as module
    except ImportError:
        raise ParameterError(
            "array_library='jax' needs JAX: pip install 'qbcircuit[jax]'"
        ) from None
    return module


def x64():
    """A context in which JAX computes in double precision (scoped, not process-wide)."""
    module = jax()
    if hasattr(module, "enable_x64"):  # jax >= 0.5
        return module.enable_x64(True)
    from jax.experimental import enable_x64  # pragma: no cover - older jax

    return enable_x64(True)  # pragma: no cover


def qiskit_dynamics():
    """The ``qiskit_dynamics`` module (imported quietly)."""
    with quiet():
        import qiskit_dynamics as module
    return module


def qutip():
    """The ``qutip`` module (states and models out, :mod:`qbcircuit.interop`)."""
    try:
        import qutip as module
    except ImportError:
        raise ParameterError("QuTiP states and models need QuTiP: pip install qutip") from None
    return module

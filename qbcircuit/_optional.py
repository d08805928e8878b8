"""One home for heavy and optional imports, and for the warnings they bring.

* ``jax`` is optional (extra ``jax``): :func:`jax` imports it or raises a
  :class:`~qbcircuit._checks.ParameterError` that says which extra to install.
* Precision: every engine computes in complex128. The JAX path runs its compilation and its
  calls inside :func:`x64` (a scoped ``jax_enable_x64``), so importing qbcircuit or using it
  never switches JAX to double precision for the rest of the process.
* qiskit-dynamics is optional (extra ``dynamics``, which pins qiskit 1.3.0: the archived
  qiskit-dynamics 0.6 imports ``qiskit.pulse``, gone in Qiskit 2). :func:`qiskit_dynamics`
  imports it or raises a :class:`~qbcircuit._checks.ParameterError` naming the extra;
  :func:`has_dynamics` says whether it imports (the default method depends on it,
  :func:`qbcircuit.engines.default_method`).
* qiskit-dynamics and JAX emit DeprecationWarnings about their own internals on import and use:
  :func:`quiet` silences those (and only those) where we call them.
* Ctrl-C or SIGTERM in the middle of JAX's import (pulled in by qiskit-dynamics) left a
  half-initialised C extension and crashed the interpreter at exit (SIGABRT, SIGSEGV; seen
  about 0.6 s into a ``qbcircuit sweep --method dynamics``): these imports run inside
  :func:`stops_deferred`, and a stop arriving meanwhile is raised when they are done.
* qiskit-ibm-runtime is optional (extra ``devices``): :func:`ibm_fake_provider` gives its fake
  IBM devices (offline, calibrated noise).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
import warnings

from ._checks import ParameterError


@contextlib.contextmanager
def quiet():
    """Silence DeprecationWarnings of third-party internals (qiskit-dynamics, JAX, Aer)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@contextlib.contextmanager
def stops_deferred():
    """Ctrl-C and SIGTERM held during the block and raised (by their own handlers) after it.

    For imports of C extensions, which a KeyboardInterrupt must not cut in half. A no-op
    outside the main thread (where Python cannot set signal handlers).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: got.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if got:
            signal.raise_signal(got[0])  # its handler runs now: KeyboardInterrupt, ...


def jax():
    """The ``jax`` module, or a ParameterError naming the extra to install."""
    try:
        with stops_deferred():
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


#: What to install for the dynamics engine (one line, also the CLI's error).
DYNAMICS_EXTRA = "pip install 'qbcircuit[dynamics]'"


@functools.cache
def _import_dynamics():
    try:
        with quiet(), stops_deferred():
            import qiskit_dynamics as module
    except ImportError as err:  # absent, or installed beside a Qiskit it cannot import with
        return None, f"{type(err).__name__}: {err}"
    return module, None


def has_dynamics() -> bool:
    """Whether ``qiskit_dynamics`` imports here (the ``dynamics`` extra is installed)."""
    return _import_dynamics()[0] is not None


def qiskit_dynamics():
    """The ``qiskit_dynamics`` module (imported quietly), or a ParameterError naming the extra."""
    module, reason = _import_dynamics()
    if module is None:
        raise ParameterError(
            f"method 'dynamics' needs qiskit-dynamics, which does not import here ({reason}): "
            f"{DYNAMICS_EXTRA} (it pins qiskit 1.3.0), or use method 'exact'"
        )
    return module


def qutip():
    """The ``qutip`` module (states and models out, :mod:`qbcircuit.interop`)."""
    try:
        import qutip as module
    except ImportError:
        raise ParameterError("QuTiP states and models need QuTiP: pip install qutip") from None
    return module


def ibm_fake_provider():
    """``qiskit_ibm_runtime.fake_provider``, or a ParameterError naming the ``devices`` extra."""
    try:
        with quiet():
            from qiskit_ibm_runtime import fake_provider
    except ImportError as err:
        raise ParameterError(
            f"fake IBM devices need qiskit-ibm-runtime, which does not import here ({err}): "
            "pip install 'qbcircuit[devices]' (on Qiskit 2)"
        ) from None
    return fake_provider

"""Engines: frozen option objects with ``evolve(model, times) -> EvolvedStates``.

``simulate(params, times, method=Dynamics(atol=1e-10))`` or, equivalently, a method name with
options as keywords, ``method="dynamics", atol=1e-10`` (names are aliases of the classes).
Each engine lives in its own module, imported only when asked for, so that heavy libraries
(qiskit-dynamics, qiskit-aer, JAX) load only for the engine that uses them.

The method used when none is given is decided in one place, :func:`default_method`:
``"dynamics"`` where the ``dynamics`` extra is installed, ``"exact"`` otherwise (said once as
a :class:`~qbcircuit.params.QbcircuitWarning`, and recorded by the callers with
:func:`default_method_note`).
"""

from __future__ import annotations

import dataclasses
import importlib
import warnings

from .. import _optional
from .._checks import ParameterError
from ..params import QbcircuitWarning
from .base import Cost, Engine

#: method name -> (module, class) of the engine.
METHODS = {
    "exact": ("qbcircuit.engines.exact", "Exact"),
    "dynamics": ("qbcircuit.engines.dynamics", "Dynamics"),
    "trotter": ("qbcircuit.engines.trotter", "Trotter"),
}


#: The default method when the dynamics extra is installed, and the one otherwise.
PREFERRED_METHOD = "dynamics"
FALLBACK_METHOD = "exact"
_warned = []


def default_method_note() -> str | None:
    """Why the default method is not ``PREFERRED_METHOD`` (None when it is)."""
    if _optional.has_dynamics():
        return None
    return (f"qiskit-dynamics is not installed ({_optional.DYNAMICS_EXTRA}): the default method "
            f"is {FALLBACK_METHOD!r}")


def default_method() -> str:
    """The method used when none is given: ``"dynamics"`` with the dynamics extra, else ``"exact"``.

    The fallback is said once per process (a ``QbcircuitWarning``; the CLI prints it as one
    line). ``simulate``, the CLI and ``reproduce`` take their default from here.
    """
    note = default_method_note()
    if note is None:
        return PREFERRED_METHOD
    if not _warned:
        _warned.append(True)
        warnings.warn(note, QbcircuitWarning, stacklevel=3)
    return FALLBACK_METHOD


def engine_class(method: str) -> type[Engine]:
    """The engine class of a method name (one of ``METHODS``)."""
    if method not in METHODS:
        allowed = ", ".join(repr(m) for m in METHODS)
        raise ParameterError(f"method must be one of {allowed}, got {method!r}")
    module, name = METHODS[method]
    return getattr(importlib.import_module(module), name)


def resolve(method, options: dict | None = None) -> Engine:
    """An engine object from an engine object or a method name and its options.

    ``method=None`` is :func:`default_method`.

    Raises:
        ParameterError: an unknown method, an option the engine does not take (the message
            lists the ones it takes), an option value out of range, or options given beside
            an engine object.
    """
    options = dict(options or {})
    if method is None:
        method = default_method()
    if isinstance(method, Engine):
        if options:
            raise ParameterError(
                f"options {sorted(options)} given beside an engine object: set them on it, "
                f"e.g. {type(method).__name__}({next(iter(options))}=...)"
            )
        return method
    if not isinstance(method, str):
        raise ParameterError(f"method must be a method name or an engine object, got {method!r}")
    cls = engine_class(method)
    known = [f.name for f in dataclasses.fields(cls)]
    for name in options:
        if name not in known:
            allowed = ", ".join(known) if known else "none"
            raise ParameterError(
                f"method {method!r} takes no option {name!r} (its options: {allowed})"
            )
    return cls(**options)


def option_fields() -> dict[str, tuple[dataclasses.Field, list[str]]]:
    """Every engine option: name -> (its dataclass field, the methods that take it)."""
    out: dict = {}
    for method in METHODS:
        for f in dataclasses.fields(engine_class(method)):
            out.setdefault(f.name, (f, []))[1].append(method)
    return out


__all__ = ["METHODS", "Cost", "Engine", "default_method", "default_method_note", "engine_class",
           "option_fields", "resolve"]

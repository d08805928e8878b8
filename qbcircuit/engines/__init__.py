"""Engines: ``evolve(model, times, **options) -> EvolvedStates``.

Each engine lives in its own module and is imported only when asked for, so that heavy or
optional libraries (qiskit-dynamics, qiskit-aer, JAX) load only for the engine that uses them.
"""

from __future__ import annotations

import importlib
import inspect

from .._checks import ParameterError

#: method name -> module implementing ``evolve``.
METHODS = {
    "exact": "qbcircuit.engines.exact",
    "dynamics": "qbcircuit.engines.dynamics",
    "trotter": "qbcircuit.engines.trotter",
}


def get_engine(method: str):
    """The ``evolve`` function of ``method`` (one of ``METHODS``)."""
    if method not in METHODS:
        allowed = ", ".join(repr(m) for m in METHODS)
        raise ParameterError(f"method must be one of {allowed}, got {method!r}")
    return importlib.import_module(METHODS[method]).evolve


def check_options(method: str, evolve, options: dict) -> None:
    """Refuse options that ``method``'s ``evolve`` does not take, naming the ones it does."""
    sig = inspect.signature(evolve)
    known = [n for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY]
    for name in options:
        if name not in known:
            allowed = ", ".join(known) if known else "none"
            raise ParameterError(
                f"method {method!r} takes no option {name!r} (its options: {allowed})"
            )

"""Engines: ``evolve(model, times, **options) -> EvolvedStates``.

Each engine lives in its own module and is imported only when asked for, so that heavy or
optional libraries (qiskit-dynamics, qiskit-aer, JAX) load only for the engine that uses them.
"""

from __future__ import annotations

import importlib

from .._checks import ParameterError

#: method name -> module implementing ``evolve``.
METHODS = {
    "exact": "qbcircuit.engines.exact",
}


def get_engine(method: str):
    """The ``evolve`` function of ``method`` (one of ``METHODS``)."""
    if method not in METHODS:
        allowed = ", ".join(repr(m) for m in METHODS)
        raise ParameterError(f"method must be one of {allowed}, got {method!r}")
    return importlib.import_module(METHODS[method]).evolve

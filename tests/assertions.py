"""Shared comparisons of observables, with the tolerances passed explicitly by each test."""

from __future__ import annotations

import numpy as np

QUANTITIES = ("energy", "fluctuation", "concurrence")


def _arrays(obj):
    """(energy, fluctuation, concurrence) of a Trajectory or of a tuple of three arrays."""
    if hasattr(obj, "energy"):
        return tuple(np.asarray(getattr(obj, q)) for q in QUANTITIES)
    return tuple(np.asarray(a) for a in obj)


def assert_observables_close(ours, reference, *, energy_atol, fluctuation_atol,
                             concurrence_atol):
    """Every observable of ``ours`` within its tolerance of ``reference`` at every time.

    Both may be a ``Trajectory`` or an (energy, fluctuation, concurrence) tuple; the failure
    message names the quantity, the deviation and where it is largest.
    """
    tolerances = (energy_atol, fluctuation_atol, concurrence_atol)
    for name, a, b, tol in zip(QUANTITIES, _arrays(ours), _arrays(reference), tolerances,
                               strict=True):
        assert a.shape == b.shape, f"{name}: shapes {a.shape} and {b.shape} differ"
        dev = np.abs(a - b)
        worst = int(np.argmax(dev))
        assert dev[worst] < tol, f"{name} off by {dev[worst]:.3g} at index {worst} (tol {tol:g})"

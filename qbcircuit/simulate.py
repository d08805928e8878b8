"""The public entry point: parameters and times in, a :class:`Trajectory` out."""

from __future__ import annotations

import warnings

from . import observables as obs
from ._checks import ParameterError, check_times
from .engines import check_options, get_engine
from .model import BatteryModel
from .params import BatteryParams
from .trajectory import Trajectory

DEFAULT_METHOD = "dynamics"

#: Population of the top kept Fock level above which results may be truncation-limited.
TRUNCATION_WARNING_LEVEL = 1e-8


class TruncationWarning(UserWarning):
    """The top kept Fock level got populated: raise ``fock`` and compare."""


def simulate(
    params: BatteryParams, times, *, method: str = DEFAULT_METHOD, **options
) -> Trajectory:
    """Evolve the battery Eq. (1)-(3) and return energy, fluctuation and concurrence.

    Args:
        params: the battery parameters.
        times (array of shape (T,)): finite, non-negative, strictly increasing times.
        method: the engine, one of ``qbcircuit.engines.METHODS``.
        **options: engine options (e.g. ``atol``, ``rtol`` for ``"dynamics"``; ``dt``, ``order``
            for ``"trotter"``).

    Returns:
        the trajectory, with diagnostics (trace error, most negative eigenvalue, population
        of the top Fock level).

    >>> tr = simulate(BatteryParams(alpha=2), [0.0, 0.5, 1.0], method="exact")
    >>> tr.energy.shape, round(float(tr.energy[0]), 12)
    ((3,), 0.0)
    """
    if not isinstance(params, BatteryParams):
        raise ParameterError(f"params must be a BatteryParams, got {type(params).__name__}")
    times = check_times(times)
    evolve = get_engine(method)
    check_options(method, evolve, options)
    model = BatteryModel(params)
    states = evolve(model, times, **options)
    cells = states.cell_states()
    diagnostics = states.diagnostics()
    if diagnostics["top_fock_population"] > TRUNCATION_WARNING_LEVEL:
        warnings.warn(
            f"the top kept Fock level reaches population {diagnostics['top_fock_population']:.2g} "
            f"(fock = {model.levels}); results may be truncation-limited: raise fock",
            TruncationWarning,
            stacklevel=2,
        )
    initial_cells = obs.cell_states_from_kets(model.initial_ket[None], model.levels)[0]
    return Trajectory(
        params=params,
        method=method,
        times=times,
        energy=obs.energy(cells, initial_cells),
        fluctuation=obs.fluctuation(cells),
        concurrence=obs.concurrence(cells),
        cell_states=cells,
        options=dict(options),
        **diagnostics,
    )

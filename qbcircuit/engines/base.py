"""The engine interface: a frozen, validated options object with ``evolve(model, times)``.

As dynamiqs' ``Tsit5(rtol, atol)``: an engine *is* its options. Each engine module defines one
subclass (:class:`qbcircuit.engines.exact.Exact`, :class:`~qbcircuit.engines.dynamics.Dynamics`,
:class:`~qbcircuit.engines.trotter.Trotter`) whose dataclass fields are its options (help text in
the field metadata, read by the CLI) and whose ``__post_init__`` validates them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..model import BatteryModel
from ..states import EvolvedStates


def dissipation_scale(model: BatteryModel) -> float:
    """sum_k ||C_k^dag C_k||_inf over the collapse operators (for the engines' cost estimates).

    The loss rates' share of the spread of the generator: kappa (d - 1) for the cavity loss,
    gamma per decaying cell, and so on for every channel the model has.
    """
    return float(sum(abs(C.conj().T @ C).sum(axis=1).max() for C in model.collapse_matrices))


@dataclass(frozen=True)
class Cost:
    """What a run is estimated to need before it starts.

    Attributes:
        bytes: peak memory of the engine's arrays (the saved states included).
        steps: elementary steps (ODE steps, Trotter steps, matrix-vector products).
        unit: what one step is, for messages ("ODE steps", ...).
        seconds_per_step: a measured order of magnitude of one step's cost.
    """

    bytes: int
    steps: float
    unit: str
    seconds_per_step: float

    @property
    def seconds(self) -> float:
        """Estimated wall time."""
        return self.steps * self.seconds_per_step


@dataclass(frozen=True)
class Engine:
    """Base class of the engines; ``name`` is the method name that aliases the class."""

    name: ClassVar[str] = ""

    def evolve(self, model: BatteryModel, times: np.ndarray) -> EvolvedStates:
        """States of ``model`` at ``times`` (see the engine modules)."""
        raise NotImplementedError

    @property
    def population_floor(self) -> float:
        """Populations below this are the engine's own error, not physics (default 0).

        The automatic truncation does not grow, and no truncation warning is raised, for a top
        Fock level populated below it (a loose ODE tolerance would otherwise look like photons
        pumped out of the truncation).
        """
        return 0.0

    @property
    def batched(self) -> bool:
        """True when :meth:`evolve_batch` solves many models of one structure at once."""
        return False

    def evolve_batch(self, models: list[BatteryModel], times: np.ndarray
                     ) -> list[EvolvedStates]:
        """States of many models of one ``model.structure`` (engines with ``batched``)."""
        raise NotImplementedError

    def options(self) -> dict:
        """The options as a plain dict (metadata of results)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def cost(self, model: BatteryModel, times: np.ndarray) -> Cost:
        """Estimated memory and work of :meth:`evolve` (default: the saved states only)."""
        dim = model.layout.code_dim
        per_time = dim * dim if not model.params.is_closed else dim
        return Cost(bytes=int(3 * 16 * len(times) * per_time + 16 * dim * dim * 4), steps=1.0,
                    unit="solves", seconds_per_step=0.0)

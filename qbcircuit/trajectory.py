"""The result of :func:`qbcircuit.simulate`: a frozen object with named arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import ParameterError
from ._io import atomic_write_text
from .params import BatteryParams

CSV_HEADER = "t,energy,fluctuation,concurrence"


@dataclass(frozen=True)
class Trajectory:
    """Observables of one run at every requested time.

    Attributes:
        params: the battery parameters.
        method: the engine that produced it.
        times (array of shape (T,)): times t (lambda*t for the default lam = 1).
        energy (array of shape (T,)): E(t)/omega_q of the secondary cell, Eq. (5).
        fluctuation (array of shape (T,)): Sigma(t)/omega_q, Eq. (6).
        concurrence (array of shape (T,)): Wootters concurrence of the two cells, Eq. (8).
        cell_states (array of shape (T, 4, 4)): reduced state of the cells (qubit 0 = primary).
        levels: cavity Fock levels the engine used (the sized truncation, enlarged by the
            automatic re-solve or padded to a qubit register where that applies).
        trace_error: max_t |Tr rho(t) - 1|.
        hermiticity_error: max_t max |rho - rho^dag|.
        min_eigenvalue: most negative eigenvalue of rho(t) over t (0 if none is negative).
        top_fock_population: largest population of the top kept Fock level (truncation check).
        options: the engine options used.
        notes: remarks on the run, e.g. that the default method fell back to ``exact`` because
            the dynamics extra is not installed.
    """

    params: BatteryParams
    method: str
    times: np.ndarray
    energy: np.ndarray
    fluctuation: np.ndarray
    concurrence: np.ndarray
    cell_states: np.ndarray = field(repr=False)
    levels: int = 0
    trace_error: float = 0.0
    hermiticity_error: float = 0.0
    min_eigenvalue: float = 0.0
    top_fock_population: float = 0.0
    options: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        self._freeze()

    def _freeze(self):
        for name in ("times", "energy", "fluctuation", "concurrence", "cell_states"):
            arr = np.array(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def __setstate__(self, state):
        # pickle restores arrays writable: read-only again, as at construction
        self.__dict__.update(state)
        self._freeze()

    def quantity(self, name: str) -> np.ndarray:
        """A figure of merit over time by name (``qbcircuit.metrics.QUANTITIES``), shape (T,)."""
        from .metrics import QUANTITIES
        from .model import initial_cell_state

        if name in ("energy", "fluctuation", "concurrence"):
            return getattr(self, name)
        if name not in QUANTITIES:
            raise ParameterError(f"quantity must be one of {', '.join(QUANTITIES)}, got {name!r}")
        initial = initial_cell_state(self.params.initial_cells)
        return QUANTITIES[name].compute(self.times, self.cell_states, initial)

    @property
    def ergotropy(self) -> np.ndarray:
        """Ergotropy of the secondary cell over omega_q, shape (T,) (beyond the paper)."""
        return self.quantity("ergotropy")

    @property
    def average_power(self) -> np.ndarray:
        """Average charging power E(t)/t in units of omega_q per unit time, shape (T,)."""
        return self.quantity("power")

    def metric(self, name: str) -> float:
        """A metric by name, e.g. ``"max_energy"`` (see :mod:`qbcircuit.metrics`)."""
        from .metrics import evaluate

        return evaluate(name, self)

    def __repr__(self) -> str:
        t = self.times
        return (
            f"Trajectory(method={self.method!r}, {t.size} times in [{t[0]:g}, {t[-1]:g}], "
            f"max energy={self.energy.max():.4f}, max concurrence={self.concurrence.max():.4f}, "
            f"trace error={self.trace_error:.1e}, min eigenvalue={self.min_eigenvalue:.1e}, "
            f"top Fock population={self.top_fock_population:.1e})"
        )

    def to_csv_text(self) -> str:
        """The CSV text: header ``t,energy,fluctuation,concurrence`` and one row per time."""
        data = np.column_stack([self.times, self.energy, self.fluctuation, self.concurrence])
        # repr() of a float is the shortest text that reads back to the same number.
        rows = (",".join(repr(float(v)) for v in row) for row in data)
        return "\n".join([CSV_HEADER, *rows]) + "\n"

    def to_csv(self, path) -> None:
        """Write :meth:`to_csv_text` to ``path`` atomically (temporary file, then rename)."""
        atomic_write_text(path, self.to_csv_text())

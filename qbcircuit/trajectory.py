"""The result of :func:`qbcircuit.simulate`: a frozen object with named arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import ParameterError
from ._io import atomic_write_text, csv_text
from .layout import Layout
from .params import BatteryParams


@dataclass(frozen=True)
class Trajectory:
    """Observables of one run at every requested time.

    Attributes:
        params: the battery parameters.
        method: the engine that produced it.
        times (array of shape (T,)): times t (lambda*t for the default lam = 1).
        energy (array of shape (T,)): E(t)/omega_q of the secondary (last) cell, Eq. (5).
        fluctuation (array of shape (T,)): Sigma(t)/omega_q, Eq. (6).
        concurrence (array of shape (T,)): Wootters concurrence of cells 1 and N, Eq. (8);
            ``None`` for a one-cell battery (no pair).
        cell_states (array of shape (T, 2^N, 2^N)): reduced state of the cells in Qiskit's
            order: qubit 0 = cell 1 (the primary), so the *leftmost* tensor factor is cell N.
            :meth:`cells` gives any subset in any order; :meth:`to_qutip` the QuTiP order.
        levels: cavity Fock levels the engine used (the sized truncation, enlarged by the
            automatic re-solve or padded to a qubit register where that applies).
        trace_error: max_t |Tr rho(t) - 1|.
        hermiticity_error: max_t max |rho - rho^dag|.
        min_eigenvalue: most negative eigenvalue of rho(t) over t (0 if none is below -1e-8,
            ``states.EIGENVALUE_RESOLUTION``).
        top_fock_population: largest population of the top kept Fock level (truncation check).
        options: the engine options used.
        expect (dict of arrays of shape (T,)): the expectation values asked for with
            ``simulate(..., e_ops=...)``, by name.
        states: the evolved states (``simulate(..., store_states=True)``), or ``None``; read
            them with :meth:`to_qutip` and :meth:`to_qiskit`.
        notes: remarks on the run, e.g. that the default method fell back to ``exact`` because
            the dynamics extra is not installed.
    """

    params: BatteryParams
    method: str
    times: np.ndarray
    energy: np.ndarray
    fluctuation: np.ndarray
    concurrence: np.ndarray | None
    cell_states: np.ndarray = field(repr=False)
    levels: int = 0
    trace_error: float = 0.0
    hermiticity_error: float = 0.0
    min_eigenvalue: float = 0.0
    top_fock_population: float = 0.0
    options: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict, repr=False)
    states: object = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        self._freeze()

    def _freeze(self):
        for name in ("times", "energy", "fluctuation", "concurrence", "cell_states"):
            if getattr(self, name) is None:
                continue
            # a read-only view, not a copy: the cell states of 8 cells are 200 MB, and the copy
            # cost more than the evolution (the arrays come from the engine, nobody else holds
            # them)
            arr = np.asarray(getattr(self, name)).view()
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        for arr in self.expect.values():
            arr.setflags(write=False)

    @property
    def layout(self) -> Layout:
        """The subsystem layout (charger levels used, cells)."""
        return Layout(self.levels, self.params.cells)

    def cells(self, keep) -> np.ndarray:
        """Reduced state of the cells in ``keep`` (numbers from 1), shape (T, 2^K, 2^K).

        Qiskit order: the first cell in ``keep`` on qubit 0 (:meth:`Layout.ptrace`).
        """
        return self.layout.ptrace(self.cell_states, keep)

    @property
    def cell_energies(self) -> np.ndarray:
        """E_j(t)/omega_q of every cell j = 1 .. N, shape (T, N)."""
        from .observables import energy

        initial = self.layout.cell_density(self.params.cell_label)
        return np.column_stack([energy(self.cell_states, initial, cell=j)
                                for j in range(1, self.params.cells + 1)])

    def pair_concurrence(self, i: int, j: int) -> np.ndarray:
        """Concurrence of cells i and j (the others traced out), shape (T,)."""
        from .observables import pair_concurrence

        return pair_concurrence(self.cell_states, (i, j))

    def _state(self, i: int):
        if self.states is None:
            raise ParameterError("this trajectory keeps no states: run simulate(..., "
                                 "store_states=True)")
        n = self.times.size
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -n <= i < n:
            raise ParameterError(f"i must be a time index in [{-n}, {n - 1}], got {i!r}")
        return self.states.state(int(i))

    def to_qutip(self, i: int):
        """The state at ``times[i]`` as a QuTiP ``Qobj`` (needs ``store_states=True``).

        Dims ``[[d, 2, ..., 2], [d, 2, ..., 2]]`` (a ket's ``[[d, 2, ...], [1, ...]]``): the
        charger first, then cells 1 .. N, each cell in the convention of ``qutip.destroy(2)``
        (``basis(2, 0)`` = |g>). A pure run gives a ket, a mixed one a density matrix.
        """
        from .interop import to_qutip

        return to_qutip(self._state(i), self.layout)

    def to_qiskit(self, i: int):
        """The state at ``times[i]`` as a Qiskit ``DensityMatrix`` on the model's register.

        Qubit order of :attr:`qbcircuit.BatteryModel.hamiltonian` (cavity qubits first, then
        cells 1 .. N); needs ``store_states=True``.
        """
        from qiskit.quantum_info import DensityMatrix

        from .model import BatteryModel

        model = BatteryModel(self.params, levels=self.levels)
        state = model.register_state(self._state(i))
        return state if isinstance(state, DensityMatrix) else DensityMatrix(state)

    def __setstate__(self, state):
        # pickle restores arrays writable: read-only again, as at construction
        self.__dict__.update(state)
        self._freeze()

    def quantity(self, name: str) -> np.ndarray:
        """A figure of merit over time by name (``qbcircuit.metrics.QUANTITIES``), shape (T,)."""
        from .metrics import QUANTITIES
        from .model import initial_cell_state

        if name in self.expect:
            return self.expect[name]
        if name not in QUANTITIES:
            raise ParameterError(f"quantity must be one of {', '.join(QUANTITIES)}, got {name!r}")
        if not QUANTITIES[name].applies(self.params.cells):
            raise ParameterError(f"{name} needs two cells; this battery has one")
        if name in ("energy", "fluctuation", "concurrence"):
            return getattr(self, name)
        initial = initial_cell_state(self.params.cell_label)
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
        conc = ("" if self.concurrence is None
                else f"max concurrence={self.concurrence.max():.4f}, ")
        return (
            f"Trajectory(method={self.method!r}, {t.size} times in [{t[0]:g}, {t[-1]:g}], "
            f"max energy={self.energy.max():.4f}, {conc}"
            f"trace error={self.trace_error:.1e}, min eigenvalue={self.min_eigenvalue:.1e}, "
            f"top Fock population={self.top_fock_population:.1e})"
        )

    def to_csv_text(self) -> str:
        """The CSV text: ``t,energy,fluctuation,concurrence``, then each ``expect`` column.

        A one-cell battery has no concurrence column.
        """
        names = [n for n in ("energy", "fluctuation", "concurrence")
                 if getattr(self, n) is not None] + list(self.expect)
        columns = [self.quantity(n).real if np.iscomplexobj(self.quantity(n))
                   else self.quantity(n) for n in names]
        return csv_text(["t", *names], np.column_stack([self.times, *columns]))

    def to_csv(self, path) -> None:
        """Write :meth:`to_csv_text` to ``path`` atomically (temporary file, then rename)."""
        atomic_write_text(path, self.to_csv_text())

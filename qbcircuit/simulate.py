"""The public entry point: parameters and times in, a :class:`Trajectory` out."""

from __future__ import annotations

import warnings

import numpy as np
from qiskit.quantum_info import SparsePauliOp
from tqdm.auto import tqdm

from ._checks import ParameterError, available_memory, check_times
from ._io import format_duration
from .engines import Engine, default_method_note, resolve
from .engines.base import Cost
from .metrics import QUANTITIES
from .model import BatteryModel, initial_cell_state
from .params import HEADROOM, MAX_FOCK, BatteryParams, CostWarning, TruncationWarning
from .trajectory import Trajectory

#: No method given: ``qbcircuit.engines.default_method()`` decides ("dynamics" with the dynamics
#: extra, "exact" without it; the trajectory's ``notes`` say so).
DEFAULT_METHOD = None

#: Estimated runs longer than this are refused, longer than WARN_SECONDS warned about (the
#: engines' estimates are orders of magnitude).
MAX_SECONDS = 24 * 3600.0
WARN_SECONDS = 600.0
#: Runs estimated below this many bytes are not checked against the available memory (reading
#: the machine's, the cgroup's and the process's limits costs about 0.3 ms, a tenth of a sweep
#: point; a Python process that cannot spare 64 MiB fails on import already).
SMALL_RUN_BYTES = 64 * 2**20

#: Population of the top kept Fock level above which results may be truncation-limited.
TRUNCATION_WARNING_LEVEL = 1e-8
#: With the automatic truncation, a solve whose top Fock level exceeds this population is
#: repeated with more levels (only where H does not conserve the excitation number: for
#: zeta = 0 the sized cut is exact). Measured: alpha = 2, g = 2, zeta = 1 at 27 levels (top
#: level above this) is off by 8e-7; the re-solve at 33 levels agrees with 64 levels to 1e-10.
RESOLVE_LEVEL = 1e-9


def simulate(
    params: BatteryParams, times, *, method: str | Engine | None = DEFAULT_METHOD, e_ops=None,
    store_states: bool = False, **options
) -> Trajectory:
    """Evolve the battery Eq. (1)-(3) and return energy, fluctuation and concurrence.

    Before the work, the engine's estimate of memory and time is checked (:func:`check_cost`):
    a run that cannot fit or finish is refused with the estimate and what to change, a long one
    warns (:class:`CostWarning`).

    Args:
        params: the battery parameters.
        times (array of shape (T,)): finite, non-negative, strictly increasing times.
        method: an engine object (``Exact()``, ``Dynamics(atol=...)``, ``Trotter(dt=...)``)
            or its name, one of ``qbcircuit.engines.METHODS``, with its options as keywords;
            None: :func:`qbcircuit.engines.default_method` (``"dynamics"`` with the dynamics
            extra, else ``"exact"``, recorded in the trajectory's ``notes``).
        e_ops: more observables, ``{name: op}`` (results in ``traj.expect[name]``, shape
            (T,)), where ``op`` is a quantity name (``qbcircuit.metrics.QUANTITIES``, or
            ``"photon_number"``), a ``SparsePauliOp`` on the model's register (qubit order of
            :attr:`BatteryModel.hamiltonian`), or a callable ``f(rho) -> complex`` called with
            the full state at each time as a Qiskit ``DensityMatrix`` on that register (the
            slowest: it builds every state). A list of names is also accepted.
        store_states: keep the evolved states (``traj.states``; read them with
            ``traj.to_qutip(i)`` and ``traj.to_qiskit(i)``).
        **options: engine options with a method name (e.g. ``atol``, ``rtol`` for
            ``"dynamics"``; ``dt``, ``order`` for ``"trotter"``).

    Returns:
        the trajectory, with diagnostics (trace error, most negative eigenvalue, population
        of the top Fock level).

    >>> tr = simulate(BatteryParams(alpha=2), [0.0, 0.5, 1.0], method="exact")
    >>> tr.energy.shape, bool(abs(tr.energy[0]) < 1e-12)
    ((3,), True)
    >>> tr = simulate(BatteryParams(cells=3), [0.0, 1.0], method="exact",
    ...               e_ops=["photon_number", "battery_energy"])
    >>> round(float(tr.expect["photon_number"][0]), 6)
    1.0
    """
    if not isinstance(params, BatteryParams):
        raise ParameterError(f"params must be a BatteryParams, got {type(params).__name__}")
    times = check_times(times)
    engine = resolve(method, options)
    e_ops = check_e_ops(e_ops)
    model = BatteryModel(params)
    check_cost(engine, model, times)
    states = _solve(params, times, engine.evolve, model=model, floor=engine.population_floor)
    return _trajectory(params, states, engine, e_ops=e_ops, store_states=store_states,
                       notes=_notes(method))


def simulate_many(
    params_list, times, *, method: str | Engine | None = DEFAULT_METHOD, progress: bool = False,
    **options
) -> list[Trajectory]:
    """:func:`simulate` for many parameter sets (a sweep), in order.

    With an engine that solves batches (``engine.batched``: ``Dynamics(array_library="jax")``),
    parameter sets that share a ``model.structure`` are solved together (one compiled
    ``jax.vmap``-ed function, :func:`qbcircuit.engines.dynamics.evolve_batch`).

    Args:
        params_list: the parameter sets.
        times (array of shape (T,)): as for :func:`simulate`.
        method: the engine.
        progress: show a progress bar (tqdm).
        **options: engine options.

    Returns:
        one trajectory per parameter set.

    >>> from qbcircuit import BatteryParams
    >>> trs = simulate_many([BatteryParams(zeta=0), BatteryParams(zeta=1)], [0, 1], method="exact")
    >>> len(trs)
    2
    """
    params_list = list(params_list)
    for i, p in enumerate(params_list):
        if not isinstance(p, BatteryParams):
            name = type(p).__name__
            raise ParameterError(f"params_list[{i}] must be a BatteryParams, got {name}")
    times = check_times(times)
    engine = resolve(method, options)
    models = [BatteryModel(p) for p in params_list]
    for m in models:
        check_cost(engine, m, times)
    out: list[Trajectory | None] = [None] * len(params_list)
    bar = tqdm(total=len(params_list), disable=not progress, desc=f"simulate ({engine.name})",
               unit="traj")
    if engine.batched:
        groups: dict = {}
        for i, m in enumerate(models):
            groups.setdefault((m.structure, m.params.is_closed), []).append(i)
        for idx in groups.values():
            states = engine.evolve_batch([models[i] for i in idx], times)
            for i, st in zip(idx, states, strict=True):
                if _needs_more_levels(params_list[i], st, engine.population_floor):
                    st = _solve(params_list[i], times, engine.evolve, first=st,
                                floor=engine.population_floor)  # rare: this one alone
                out[i] = _trajectory(params_list[i], st, engine, _notes(method))
            bar.update(len(idx))
    else:
        for i, (p, m) in enumerate(zip(params_list, models, strict=True)):
            out[i] = _trajectory(p, _solve(p, times, engine.evolve, model=m,
                                          floor=engine.population_floor), engine, _notes(method))
            bar.update(1)
    bar.close()
    return out


def check_cost(engine: Engine, model: BatteryModel, times) -> Cost:
    """Refuse a run that cannot fit in memory or finish; warn when it is long; return the estimate.

    Uses the engine's estimate (:meth:`qbcircuit.engines.Engine.cost`, an order of magnitude).

    Raises:
        ParameterError: the estimated memory exceeds what is available, or the estimated time
            exceeds ``MAX_SECONDS``; the message gives the estimate and what to change.
    """
    cost = engine.cost(model, np.asarray(times, dtype=float))
    p, dim = model.params, model.layout.code_dim
    # reading the limits costs more than a small closed run (a sweep point): skipped below
    have = available_memory() if cost.bytes > SMALL_RUN_BYTES else SMALL_RUN_BYTES
    if cost.bytes > have:
        gib = 2.0**30
        what = "density matrices" if not p.is_closed else "state vectors"
        raise ParameterError(
            f"this {engine.name} run needs about {cost.bytes / gib:.1f} GiB ({len(times)} "
            f"{what} of a {dim}-dimensional code space); {have / gib:.1f} GiB are available: "
            "use fewer points, a smaller truncation (fock, |alpha|) or a shorter t-max"
        )
    hint = ("method 'exact' solves a closed system in one eigendecomposition at any t"
            if p.is_closed and engine.name != "exact"
            else "shorten t-max or use smaller frequencies and rates")
    if cost.seconds > MAX_SECONDS:
        raise ParameterError(
            f"this {engine.name} run needs about {cost.steps:.2g} {cost.unit} (about "
            f"{format_duration(cost.seconds)}): {hint}"
        )
    if cost.seconds > WARN_SECONDS:
        warnings.warn(f"this {engine.name} run needs about {cost.steps:.2g} {cost.unit} "
                      f"(about {format_duration(cost.seconds)}); {hint}", CostWarning, stacklevel=3)
    return cost


def _needs_more_levels(params: BatteryParams, states, floor: float = 0.0) -> bool:
    """Automatic truncation, H not conserving N, and the top level populated: enlarge.

    ``floor``: the engine's ``population_floor`` (populations it cannot resolve).
    """
    return (params.fock is None and not params.conserves_excitations
            and states.top_level_population() > max(RESOLVE_LEVEL, floor))


def _solve(params: BatteryParams, times, evolve, *, first=None, model=None, floor=0.0):
    """Evolve with the sized truncation; enlarge it and solve again while the top level fills.

    An explicit ``fock`` is used as given. The levels finally used are ``states.levels``.
    ``evolve(model, times)`` is an engine's ``evolve``; ``first`` a first solve already made,
    ``model`` the first model already built, ``floor`` the engine's ``population_floor``.
    """
    states = first if first is not None else evolve(
        model if model is not None else BatteryModel(params), times)
    cap = MAX_FOCK[params.encoding]
    while _needs_more_levels(params, states, floor) and states.levels < cap:
        levels = min(cap, states.levels + max(HEADROOM, states.levels // 4))
        try:
            states = evolve(BatteryModel(params, levels=levels), times)
        except ParameterError:
            break  # the engine cannot go larger (e.g. the trotter register): warn below
    return states


def warn_if_truncated(top: float, levels: int, engine: Engine, *, stacklevel: int = 3) -> None:
    """Warn (:class:`TruncationWarning`) when the top kept Fock level is populated.

    ``top`` is its largest population over time; the threshold is ``TRUNCATION_WARNING_LEVEL``
    or the engine's ``population_floor``, whichever is larger.
    """
    if top > max(TRUNCATION_WARNING_LEVEL, engine.population_floor):
        warnings.warn(f"the top kept Fock level reaches population {top:.2g} (fock = "
                      f"{levels}); results may be truncation-limited: raise fock",
                      TruncationWarning, stacklevel=stacklevel)


#: Observables of the whole state that ``e_ops`` takes by name: name -> the model's operator.
STATE_OBSERVABLES = {"photon_number": lambda model: model.photon_number}


def check_e_ops(e_ops) -> dict:
    """Check ``simulate``'s ``e_ops``: a dict name -> op, or a list of names (see there)."""
    if e_ops is None:
        return {}
    if isinstance(e_ops, (list, tuple)):
        e_ops = {name: name for name in e_ops}
    if not isinstance(e_ops, dict):
        raise ParameterError(f"e_ops must be a dict name -> operator or a list of names, got "
                             f"{type(e_ops).__name__}")
    names = [*QUANTITIES, *STATE_OBSERVABLES]
    for name, op in e_ops.items():
        if not isinstance(name, str) or name in ("t", "energy", "fluctuation", "concurrence"):
            raise ParameterError(f"e_ops names must be strings other than t, energy, "
                                 f"fluctuation, concurrence (always computed), got {name!r}")
        if isinstance(op, str) and op not in names:
            raise ParameterError(f"e_ops[{name!r}] must be one of {', '.join(names)}, a "
                                 f"SparsePauliOp or a callable, got {op!r}")
        if not isinstance(op, (str, SparsePauliOp)) and not callable(op):
            raise ParameterError(f"e_ops[{name!r}] must be a quantity name, a SparsePauliOp or "
                                 f"a callable, got {type(op).__name__}")
    return dict(e_ops)


def _expectation(op, states, model: BatteryModel, cells, initial) -> np.ndarray:
    """One ``e_ops`` entry at every time (see :func:`simulate`)."""
    if isinstance(op, str) and op in QUANTITIES:
        if not QUANTITIES[op].applies(model.cells):
            raise ParameterError(f"{op} needs two cells; this battery has one")
        return QUANTITIES[op].compute(states.times, cells, initial)
    if isinstance(op, str):
        op = STATE_OBSERVABLES[op](model)
    if isinstance(op, SparsePauliOp):
        if op.num_qubits != model.num_qubits:
            raise ParameterError(f"an e_ops operator acts on {op.num_qubits} qubits; the "
                                 f"model's register has {model.num_qubits}")
        values = states.expect(model.code_matrix(op))
    else:
        values = np.array([op(model.register_state(states.state(i)))
                           for i in range(states.times.size)])
    values = np.asarray(values)
    if np.iscomplexobj(values) and np.max(np.abs(values.imag), initial=0.0) < 1e-12:
        values = values.real
    return values


def _notes(method) -> tuple[str, ...]:
    """What the trajectory records about how its method was chosen."""
    note = default_method_note() if method is None else None
    return (note,) if note else ()


def _trajectory(params: BatteryParams, states, engine: Engine, notes: tuple = (), *,
                e_ops=None, store_states: bool = False) -> Trajectory:
    """Observables and diagnostics of evolved states (one place for every engine)."""
    cells = states.cell_states()
    diagnostics = states.diagnostics()
    warn_if_truncated(diagnostics["top_fock_population"], states.levels, engine, stacklevel=4)
    initial = initial_cell_state(params.cell_label)
    paper = {name: q.compute(states.times, cells, initial) if q.applies(params.cells) else None
             for name, q in QUANTITIES.items() if q.paper}
    model = None
    if e_ops:
        model = BatteryModel(params, levels=states.levels)
    expect = {name: _expectation(op, states, model, cells, initial)
              for name, op in (e_ops or {}).items()}
    return Trajectory(
        params=params,
        levels=states.levels,
        method=engine.name,
        times=states.times,
        **paper,
        cell_states=cells,
        options=engine.options(),
        expect=expect,
        states=states if store_states else None,
        notes=notes,
        **diagnostics,
    )

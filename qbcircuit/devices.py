r"""The battery on a device: gate-level circuits, transpiled to a backend's ISA, sampled with shots.

:func:`run` builds, per output time t, the circuit a device can execute:

1. Eq. (3) prepared (:func:`qbcircuit.circuits.state_preparation`);
2. the schedule of :func:`qbcircuit.circuits.trotter_schedule` up to t: the product formula
   of :math:`e^{-iHh}` over the Pauli terms of H (``PauliEvolutionGate``) and the dissipation
   of Eq. (2) as *collisions*, a unitary with one ancilla qubit then a mid-circuit ``reset``
   of it (:func:`qbcircuit.circuits.collision_gates`), so every instruction is one that
   hardware runs;
3. the nine two-cell tomography settings (:func:`qbcircuit.tomography.cell_measurements`).

The circuits are transpiled to the backend's instruction set (``optimization_level``, fixed
seed), checked (every collision's ``reset`` survives: a transpiler never drops one silently
here), sampled through a ``SamplerV2`` primitive (Aer's, with the backend's noise model), and
estimated as :func:`qbcircuit.tomography.estimate` does: the secondary cell's energy with its
binomial standard error, the linear-inversion cell state and its concurrence with a bootstrap
standard error (counts resampled).

Backends (``BACKENDS``): ``"ideal"`` (noiseless ``AerSimulator``), ``"generic"`` (a heavy-hex
``GenericBackendV2`` with its generated noise, :func:`qbcircuit.hardware.hardware_backend`)
and fake IBM devices by name (``"fake_torino"``, ``"fake_brisbane"``, ...: the ``devices``
extra, qiskit-ibm-runtime, offline; simulated by Aer with the device's calibrated noise).

Accuracy: collisions are first order in dt (the product formula's error and the collisions'
O(h^2) per step), see ``qbcircuit.engines.trotter`` (``Trotter(dissipation="collisions")``
runs the same steps on the density-matrix simulator without shots).

Circuits that carry dissipation any other way, e.g. the identity gates labelled for a noise
model that :func:`qbcircuit.circuits.trotter_circuit` holds, are refused
(:func:`check_runnable`): a transpiler would drop them, and the dissipation with them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np

from . import _optional
from . import observables as obs
from ._checks import ParameterError, check_choice, check_dt, check_int, check_times
from .circuits import (
    collision_gates,
    evolution_gate,
    schedule_circuit,
    state_preparation,
    trotter_schedule,
)
from .model import BatteryModel, initial_cell_state
from .params import ENCODINGS, BatteryParams
from .tomography import TOMOGRAPHY_SETTINGS, cell_measurements, estimate

#: Backend names besides the fake IBM devices (``fake_<name>``, devices extra).
BACKENDS = ("ideal", "generic")
#: Default largest step of the device circuits (Fig. 2(d) at t = 2: 10 steps).
DEFAULT_DT = 0.2
#: Default shots per tomography setting.
DEFAULT_SHOTS = 4000
#: Product-formula order of the device circuits. Collisions make the run first order in dt
#: either way, but with the symmetric split the constant is far smaller: Fig. 2(d) (fock 8,
#: t <= 2) at dt = 0.2 deviates from exact by 0.021 (energy) / 0.022 (concurrence) with
#: order 1 and by 3e-4 / 1.8e-3 with order 2, for about 4x the gates.
DEVICE_ORDER = 2
#: Bootstrap resamples of the concurrence's standard error.
BOOTSTRAP_RESAMPLES = 200
#: Largest collision unitary (support + ancilla) synthesised for a device: a generic n-qubit
#: unitary costs about 4^n two-qubit gates (6 qubits: ~3000). The cavity loss acts on the
#: whole cavity register: binary/Gray fock <= 32, unary fock <= 5.
MAX_COLLISION_QUBITS = 6
#: Instructions a device runs besides unitary gates.
_RUNNABLE = {"measure", "reset", "barrier", "delay"}
#: Labels of the identity gates that carry a noise-model channel (qbcircuit.circuits).
_NOISE_LABEL = re.compile(r"^(cell_decay|cavity_loss)_\d+$")


@dataclass(frozen=True)
class CircuitCost:
    """Transpiled cost of the circuit of one output time.

    Measured on the first tomography setting; the nine differ only in the final basis changes.

    Attributes:
        depth: circuit depth on the backend's ISA.
        two_qubit_gates: gates on two qubits.
        qubits: qubits the circuit acts on (register + ancilla).
        resets: mid-circuit resets (one per collision).
        layout: physical qubit of each virtual qubit (register, then the ancilla).
    """

    depth: int
    two_qubit_gates: int
    qubits: int
    resets: int
    layout: tuple[int, ...]


@dataclass(frozen=True)
class DeviceRun:
    """Estimates of a device run at every output time, with one-standard-error bars.

    Attributes:
        params: the battery parameters (with ``encoding`` as run).
        backend: the backend's name.
        times (array of shape (T,)): output times.
        energy, energy_err (arrays of shape (T,)): E/omega_q of the secondary cell.
        concurrence, concurrence_err (arrays of shape (T,)): of the linear-inversion state.
        cell_states (array of shape (T, 4, 4)): linear-inversion estimates (may be unphysical).
        exact_energy, exact_concurrence (arrays of shape (T,)): the exact engine, same model.
        cost: the transpiled cost per time.
        shots: shots per tomography setting; dt: largest step; optimization_level; seed.
    """

    params: BatteryParams
    backend: str
    times: np.ndarray
    energy: np.ndarray
    energy_err: np.ndarray
    concurrence: np.ndarray
    concurrence_err: np.ndarray
    cell_states: np.ndarray = field(repr=False)
    exact_energy: np.ndarray = field(repr=False)
    exact_concurrence: np.ndarray = field(repr=False)
    cost: tuple[CircuitCost, ...] = field(repr=False)
    shots: int = 0
    dt: float = DEFAULT_DT
    optimization_level: int = 1
    seed: int | None = None

    CSV_COLUMNS = ("t", "energy", "energy_err", "concurrence", "concurrence_err",
                   "exact_energy", "exact_concurrence", "depth", "two_qubit_gates", "qubits",
                   "resets")

    def to_csv_text(self) -> str:
        """CSV: ``CSV_COLUMNS``, one row per time."""
        rows = [",".join(self.CSV_COLUMNS)]
        for i, t in enumerate(self.times):
            c = self.cost[i]
            values = (t, self.energy[i], self.energy_err[i], self.concurrence[i],
                      self.concurrence_err[i], self.exact_energy[i], self.exact_concurrence[i])
            rows.append(",".join([*(repr(float(v)) for v in values),
                                  str(c.depth), str(c.two_qubit_gates), str(c.qubits),
                                  str(c.resets)]))
        return "\n".join(rows) + "\n"


def fake_backend_names() -> list[str]:
    """Names of the fake IBM devices (``fake_torino``, ...), or [] without the devices extra."""
    try:
        provider = _optional.ibm_fake_provider()
    except ParameterError:
        return []
    names = []
    for attr in dir(provider):
        if attr.startswith("Fake") and not attr.endswith(("V1", "Provider", "ProviderV2")):
            names.append("fake_" + re.sub(r"V2$", "", attr[4:]).lower())
    return sorted(set(names))


def get_backend(name: str, num_qubits: int):
    """The backend called ``name`` for a circuit of ``num_qubits`` qubits.

    ``"ideal"``: a noiseless ``AerSimulator``; ``"generic"``: the heavy-hex
    ``GenericBackendV2`` of :func:`qbcircuit.hardware.hardware_backend` (with noise);
    ``"fake_<device>"``: that fake IBM device (devices extra).

    Raises:
        ParameterError: an unknown name, a device smaller than the circuit, or a fake device
            without the devices extra.
    """
    from qiskit_aer import AerSimulator

    if not isinstance(name, str):
        raise ParameterError(f"backend must be a name, got {name!r}")
    if name == "ideal":
        return AerSimulator()
    if name == "generic":
        from .hardware import hardware_backend

        return hardware_backend(num_qubits)
    if name.startswith("fake_"):
        provider = _optional.ibm_fake_provider()
        wanted = name[5:].replace("_", "")
        for attr in dir(provider):
            if attr.lower() in (f"fake{wanted}", f"fake{wanted}v2") and attr.startswith("Fake"):
                backend = getattr(provider, attr)()
                if backend.num_qubits < num_qubits:
                    raise ParameterError(f"backend {name} has {backend.num_qubits} qubits; the "
                                         f"circuit needs {num_qubits}")
                return backend
        known = ", ".join(fake_backend_names()[:8])
        raise ParameterError(f"backend {name!r} is not a fake IBM device (e.g. {known}, ...)")
    raise ParameterError(f"backend must be one of {', '.join(BACKENDS)} or fake_<device> "
                         f"(e.g. fake_torino, devices extra), got {name!r}")


def check_runnable(circuit) -> None:
    """Refuse a circuit holding an instruction that no device runs, naming it.

    Allowed: unitary gates (except identities labelled for a noise model, which carry a
    dissipation channel that transpiling would drop), ``measure``, ``reset``, ``barrier``.

    Raises:
        ParameterError: one line naming the first instruction that is not runnable.
    """
    from qiskit.circuit import Gate

    for inst in circuit.data:
        op = inst.operation
        label = getattr(op, "label", None) or ""
        if op.name in _RUNNABLE:
            continue
        if not isinstance(op, Gate):
            raise ParameterError(f"instruction {op.name!r} is not unitary: a device cannot run "
                                 "it (dissipation must be collisions, not channels)")
        if _NOISE_LABEL.match(label):
            raise ParameterError(f"gate {label!r} carries a noise-model channel that a device "
                                 "would drop: use collisions (Trotter(dissipation='collisions'))")


def device_circuit(model: BatteryModel, time: float, *, dt: float, order: int = DEVICE_ORDER):
    """The gate-level circuit from Eq. (3) to ``time``: product formula and collisions.

    The register, then one ancilla (open systems; reset after every collision).
    """
    schedule = trotter_schedule([0.0, time] if time > 0 else [0.0], dt=dt, order=order,
                                dissipative=not model.params.is_closed)
    ancilla = model.num_qubits
    register = list(range(model.num_qubits))
    extra = 0 if model.params.is_closed else 1
    return schedule_circuit(
        model, schedule.ops,
        evolve=lambda pieces: [(evolution_gate(model, tau, o), register) for o, tau in pieces],
        dissipate=lambda h: collision_gates(model, h, ancilla),
        start=state_preparation(model), ancillas=extra)


def dissipation_steps(model: BatteryModel, time: float, dt: float) -> int:
    """Collisions (= resets) in :func:`device_circuit`: one per dissipator and step."""
    if model.params.is_closed or time <= 0:
        return 0
    rates = sum(1 for t in model.dissipator_terms if t.coefficient > 0)
    steps = trotter_schedule([0.0, time], dt=dt, order=DEVICE_ORDER).steps.size
    return rates * steps


def transpile_checked(circuits, backend, *, optimization_level: int = 1, seed: int = 0):
    """``circuits`` on ``backend``'s ISA, after :func:`check_runnable` on each.

    Raises:
        ParameterError: an instruction no device runs (named).
        RuntimeError: a circuit lost a ``reset`` (a dissipation step) in transpiling.
    """
    import qiskit
    from qiskit import transpile

    for qc in circuits:
        check_runnable(qc)
    if qiskit.__version__.startswith("1."):
        # Qiskit 1.3's UnitarySynthesis panics ("interner keys") on the collision unitaries
        # for a GenericBackendV2 target: decompose them to cx + u first there
        with _optional.quiet():  # Qiskit 1.3 deprecates DAGCircuit.duration/unit it reads
            circuits = [qc.decompose(gates_to_decompose=["unitary"]) for qc in circuits]
    isa = transpile(circuits, backend, optimization_level=optimization_level,
                    seed_transpiler=seed)
    for before, after in zip(circuits, isa, strict=True):
        kept, had = after.count_ops().get("reset", 0), before.count_ops().get("reset", 0)
        if kept != had:  # never lose a dissipation step silently
            raise RuntimeError(f"transpiling kept {kept} of {had} collision resets")
    return isa


def circuit_cost(qc) -> CircuitCost:
    """Depth, two-qubit gates, active qubits, resets and layout of a transpiled circuit."""
    ops = [inst for inst in qc.data if inst.operation.name not in ("barrier", "measure")]
    active = sorted({qc.find_bit(q).index for inst in ops for q in inst.qubits})
    layout = ()
    if qc.layout is not None:
        layout = tuple(int(q) for q in qc.layout.final_index_layout())
    return CircuitCost(
        depth=int(qc.depth(lambda inst: inst.operation.name not in ("barrier",))),
        two_qubit_gates=sum(1 for inst in ops if len(inst.qubits) == 2),
        qubits=len(active),
        resets=sum(1 for inst in ops if inst.operation.name == "reset"),
        layout=layout,
    )


def _sampler(backend, name: str, seed):
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2

    # density matrices: with mid-circuit resets a statevector run re-simulates every shot;
    # one thread: OpenMP threads spin and slow Aer down when the cores are shared
    opts = dict(method="density_matrix", max_parallel_threads=1)
    sim = AerSimulator(**opts) if name == "ideal" else AerSimulator.from_backend(backend, **opts)
    return SamplerV2.from_backend(sim, seed=seed)


def run(params: BatteryParams, times, backend: str = "ideal", *, shots: int = DEFAULT_SHOTS,
        encoding: str | None = None, dt: float = DEFAULT_DT, optimization_level: int = 1,
        seed: int | None = None) -> DeviceRun:
    """Energy and concurrence of the battery measured on ``backend``, with error bars.

    Args:
        params: the battery parameters (``fock`` sets the register; the automatic truncation
            is used otherwise).
        times (array of shape (T,)): output times (one circuit of nine settings each).
        backend: ``"ideal"``, ``"generic"`` or ``"fake_<device>"`` (see ``BACKENDS``).
        shots: shots per tomography setting (1 .. 10^7).
        encoding: the cavity encoding (default: ``params.encoding``).
        dt: largest Trotter step (finite, > 0).
        optimization_level: of ``transpile`` (0-3).
        seed: seed of the transpiler, the sampler and the bootstrap.

    Returns:
        the estimates with error bars, the exact values of the same model and the cost.

    Raises:
        ParameterError: bad input, an unknown backend, a device too small for the register.

    >>> r = run(BatteryParams(alpha=0.5, fock=4, kappa=0.5), [0.0, 0.4], shots=200, seed=1)
    >>> r.energy.shape, r.cost[1].resets
    ((2,), 2)
    """
    if not isinstance(params, BatteryParams):
        raise ParameterError(f"params must be a BatteryParams, got {type(params).__name__}")
    times = check_times(times)
    shots = check_int("shots", shots, low=1, high=10**7)
    dt = check_dt(dt)
    optimization_level = check_int("optimization_level", optimization_level, low=0, high=3)
    if encoding is not None:
        params = dataclasses.replace(params, encoding=check_choice("encoding", encoding,
                                                                   ENCODINGS))
    if seed is not None:
        seed = check_int("seed", seed, low=0, high=2**32 - 1)
    model = BatteryModel(params)
    if params.kappa > 0 and model.num_cavity_qubits + 1 > MAX_COLLISION_QUBITS:
        raise ParameterError(
            f"the cavity-loss collision acts on {model.num_cavity_qubits + 1} qubits (the "
            f"{params.encoding} cavity register and the ancilla); device circuits allow up to "
            f"{MAX_COLLISION_QUBITS}: use fewer Fock levels (fock <= 32 binary/gray, <= 5 unary)")
    width = model.num_qubits + (0 if params.is_closed else 1)
    target = get_backend(backend, width)

    circuits = []
    for t in times:
        circuits += cell_measurements(model, device_circuit(model, float(t), dt=dt))
    isa = transpile_checked(circuits, target, optimization_level=optimization_level,
                            seed=0 if seed is None else seed)
    costs = [circuit_cost(isa[9 * i]) for i in range(times.size)]

    sampler = _sampler(target, backend, seed)
    result = sampler.run(isa, shots=shots).result()
    counts = [res.data.c.get_counts() for res in result]
    sz0 = float(obs.secondary_sigma_z(initial_cell_state(params.initial_cells)[None])[0])
    est = [estimate(TOMOGRAPHY_SETTINGS, counts[9 * i: 9 * i + 9], shots, t, sz0,
                    resamples=BOOTSTRAP_RESAMPLES, seed=seed)
           for i, t in enumerate(times)]

    from .simulate import simulate

    ref = simulate(params, times, method="exact")
    return DeviceRun(
        params=params, backend=backend, times=times,
        energy=np.array([e.energy for e in est]),
        energy_err=np.array([e.energy_error for e in est]),
        concurrence=np.array([e.concurrence for e in est]),
        concurrence_err=np.array([e.concurrence_error for e in est]),
        cell_states=np.stack([e.cell_state for e in est]),
        exact_energy=np.asarray(ref.energy), exact_concurrence=np.asarray(ref.concurrence),
        cost=tuple(costs), shots=shots, dt=dt, optimization_level=optimization_level,
        seed=seed,
    )


def plot(runs, exact=None):
    """Energy and concurrence of device runs against the exact Lindblad curve, one row each.

    Args:
        runs: :class:`DeviceRun` s (e.g. ``ideal`` and a noisy device), same model and times.
        exact: a :class:`qbcircuit.Trajectory` on a fine grid (default: the runs' exact
            values at their times).

    Returns:
        a matplotlib Figure with two panels (energy, concurrence), error bars of one standard
        error.
    """
    from matplotlib.figure import Figure  # no pyplot state: notebooks show it once

    runs = list(runs)
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    axes = fig.subplots(1, 2)
    first = runs[0]
    for ax, name, label in ((axes[0], "energy", r"$E/\omega_q$"),
                            (axes[1], "concurrence", r"$C$")):
        if exact is not None:
            ax.plot(exact.times, getattr(exact, name), color="k", lw=1.5, label="exact (Lindblad)")
        else:
            ax.plot(first.times, getattr(first, f"exact_{name}"), "k-", label="exact (Lindblad)")
        for run_, marker in zip(runs, "osD^v", strict=False):
            ax.errorbar(run_.times, getattr(run_, name), yerr=getattr(run_, f"{name}_err"),
                        fmt=marker, ms=4, capsize=2,
                        label=f"{run_.backend} ({run_.shots} shots, dt={run_.dt:g})")
        ax.set_xlabel(r"$\lambda t$")
        ax.set_ylabel(label)
    p = first.params
    alpha = f"{p.alpha.real:g}" if p.alpha.imag == 0 else f"{p.alpha:g}"
    fig.suptitle(f"{p.encoding} encoding, alpha={alpha}, kappa={p.kappa:g}, "
                 f"gamma={p.gamma:g}, g={p.g:g}, zeta={p.zeta:g}", fontsize=10)
    axes[0].legend(fontsize=7)
    return fig

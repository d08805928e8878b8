r"""The trotter engine: Trotterized circuits on qiskit-aer (statevector: closed; density: open).

The run is the schedule of :func:`qbcircuit.circuits.trotter_schedule`: Eq. (3) prepared, then
per step h the Lindblad evolution split into a product formula of :math:`e^{-iHh}` over the
Pauli terms of H and the exact dissipation channels of Eq. (2) (cells: amplitude damping
:math:`p = 1 - e^{-\gamma h}`; cavity: bosonic loss of transmissivity :math:`e^{-\kappa h}`).
Order 1 is Lie-Trotter (:math:`\mathcal{D}_h U^{(1)}_h`); order 2 the symmetric split
:math:`U^{(2)}_{h/2}\,\mathcal{D}_h\,U^{(2)}_{h/2}` with the order-2 Suzuki-Trotter formula
:math:`U^{(2)}`, which is second order with dissipation too.

Error: O(dt) for order 1 and O(dt^2) for order 2, with or without dissipation (tests fit the
slopes). The default ``dt = DEFAULT_DT`` keeps energy, fluctuation and concurrence within
1e-3 of the exact engine on every set of the paper suite (see ``DEFAULT_DT``).

Dissipation: ``Trotter(dissipation="channels")`` (default) applies the exact channels below;
``"collisions"`` applies each dissipator as a collision with one ancilla qubit after the
register, reset after each (:func:`qbcircuit.circuits.collision_gates`; what a device runs,
first order in dt).

How it runs on Aer (``AerSimulator(method="density_matrix")``; a closed system on
``method="statevector"``: state vectors in and out of each segment, measured 7.2 s against
97 s for Fig. 2(a), alpha = 3, 201 times, 64 levels, on 2 loaded cores):

* Each ``"evolve"`` operation (adjacent half steps merged; all steps of an output interval for
  a closed system) is one ``UnitaryGate``: the product of its pieces' unitaries, each computed
  once per step length by Aer's unitary simulator from the synthesised ``PauliEvolutionGate``
  (the same product formula, Trotter error included; tests compare with the gate-level run).
* The dissipation is defined by an Aer ``NoiseModel`` (:func:`noise_model`, built from the
  circuit's :class:`qbcircuit.circuits.NoiseSpec`; :func:`state_at`, which
  ``qbcircuit.tomography.sample_cells`` uses, runs with it). The
  density-matrix evolution applies the same channels as native ``superop`` instructions
  (:func:`native_channels`), computed once per step length; a test checks both paths agree.
* Aer runs the schedule in short segments: each job loads the previous density matrix
  (``set_density_matrix``), applies the operations up to a bounded size (``SEGMENT_BYTES``
  of matrices; Aer copies every instruction's matrix, so one long circuit would grow by the
  size of a channel per step), saves the states at the output times in it and the final one.
  Memory is therefore flat in the number of steps: only the saved states grow, with the
  number of output times. A run whose estimate exceeds the available memory is refused
  before it starts (:func:`memory_estimate`).

Register: with the automatic truncation (``fock=None``) the cavity register holds
:func:`qbcircuit.params.register_levels` levels (binary/Gray: a power of two) of the sized
truncation; when the sized truncation exceeds a power of two only by the spare levels for
counter-rotating pumping (e.g. alpha = 1, zeta = 1: 17 = 13 + 4 levels), the smaller register
(16) is used, and ``simulate`` re-solves with more levels if its top level fills. An explicit
``fock`` is used as given.

Cost (measured on 2 cores, one thread, 6 qubits = 4 cavity qubits + 2 cells): about 1 ms per
unitary and 3 ms per cavity loss channel (an 8-qubit superoperator matrix in Aer); 7 qubits
(5 cavity qubits) cost about 4x and 40-80x. See ``benchmarks/README.md``.

qiskit-aer is imported here only, lazily.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .._checks import ParameterError, available_memory, check_choice, check_dt, check_order
from ..circuits import (
    collision_gates,
    dissipation_specs,
    evolution_gate,
    schedule_circuit,
    state_preparation,
    trotter_schedule,
)
from ..model import BatteryModel
from ..params import HEADROOM, register_levels
from ..states import EvolvedStates
from .base import Cost, Engine

#: Default largest step. Largest errors of energy, fluctuation and concurrence against exact on
#: the 16 trajectories of the paper suite (0 <= t <= 10, 201 times), order 2, measured at
#: dt = 0.02 / 0.03: 6.8e-4 / 1.4e-3 for Fig. (a), alpha = 3, zeta = 0 (the worst: Pauli-term
#: Trotter error of the Jaynes-Cummings coupling at 64 levels), at most 3.8e-4 / 7.6e-4 for
#: the other closed sets and about 5e-5 / 1e-4 for the open sets of Fig. (d). The error falls
#: as dt^2 (0.025 would give about 1.1e-3 for the worst set), so 0.02 keeps every set below
#: 1e-3 (tests/test_trotter.py::test_default_dt_agrees_with_exact, slow). A smaller dt costs
#: closed systems almost nothing (one unitary per output interval) and open ones one channel
#: application per step.
DEFAULT_DT = 0.02
#: Runs estimated longer than this show a progress bar over the steps (on a terminal).
PROGRESS_SECONDS = 10.0
#: Largest register for the density-matrix simulator (a 4^n matrix; 12 qubits = 256 MiB per
#: copy, and minutes per step).
MAX_QUBITS = 12
#: Largest cavity register for the loss channel: Aer applies a k-qubit channel as a
#: 4^k x 4^k superoperator: 5 qubits cost about 0.15 s per step, 6 qubits about 16 times more.
MAX_LOSS_QUBITS = 5
#: Registers up to this size run Aer on one thread.
SINGLE_THREAD_QUBITS = 8
#: Matrices handed to Aer per job (a segment of the schedule holds at least one operation).
SEGMENT_BYTES = 48 << 20
#: Precomputed unitaries and channels kept between segments (least recently used dropped).
CACHE_BYTES = 256 << 20
#: Memory of the Python process before a run (interpreter, numpy, qiskit, Aer), for the
#: estimate; measured about 250 MiB.
BASELINE_BYTES = 300 << 20
#: Ways to hand the schedule to Aer (``run(path=...)``).
PATHS = ("native", "noise_model", "gates")
#: How the dissipation of a step is applied: exact channels (default) or collisions with a
#: reset ancilla (:func:`qbcircuit.circuits.collision_gates`; first order in dt).
DISSIPATIONS = ("channels", "collisions")


def ancillas(model: BatteryModel, dissipation: str) -> int:
    """Ancilla qubits the run adds after the register: one, reused, for collisions."""
    return 1 if dissipation == "collisions" and not model.params.is_closed else 0


def _aer():
    try:
        import qiskit_aer
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise ImportError(
            "method='trotter' needs qiskit-aer: pip install 'qiskit-aer>=0.18,<0.19'"
        ) from err
    return qiskit_aer


# -- register and memory ----------------------------------------------------------------------


def register_model(model: BatteryModel) -> BatteryModel:
    """The model the engine evolves: the cavity register as small as the physics allows.

    An explicit ``fock`` is used as given. With the automatic truncation the levels are padded
    to :func:`qbcircuit.params.register_levels` (binary/Gray: the next power of two; a padded
    register has no states outside the code space). On the first solve (``model.levels`` is
    the sized truncation) a power of two that still holds the coherent tail and the initially
    excited cells, and lacks only some of the ``HEADROOM`` levels kept for counter-rotating
    pumping, is used instead of the next one: ``simulate`` checks the top level and re-solves
    with more levels if it fills (alpha = 1, zeta = 1: 16 levels instead of 32; Fig. 2(d)
    agrees with 64 levels to 1e-12).
    """
    p = model.params
    if p.fock is not None or p.encoding == "unary":
        return model
    levels = model.levels
    target = register_levels(levels, p.encoding)
    below = 1 << (levels.bit_length() - 1)
    if (levels == p.levels and not p.conserves_excitations and below < levels
            and below >= levels - HEADROOM + 1):
        target = below
    return model if target == model.levels else BatteryModel(p, levels=target)


def _op_bytes(model: BatteryModel, kind: str, dissipation: str = "channels") -> int:
    """Bytes of the matrices Aer receives for one schedule operation."""
    if kind == "evolve":
        return 16 * 4**model.num_qubits
    if kind == "dissipate" and dissipation == "collisions":  # unitaries on support + ancilla
        p = model.params
        cav = 16 * 4 ** (model.num_cavity_qubits + 1) if p.kappa > 0 else 0
        return cav + (2 * 16 * 4**2 if p.gamma > 0 else 0)
    if kind == "dissipate":
        p = model.params
        cav = 16 * 16**model.num_cavity_qubits if p.kappa > 0 else 0
        return cav + (16 * 16**2 if p.gamma > 0 else 0)
    return 0


def memory_estimate(model: BatteryModel, n_times: int, dissipation: str = "channels"
                    ) -> dict[str, int]:
    """Estimated peak memory (bytes) of a run of the engine, by part.

    ``saved``: the output states on the code space, ``n_times * (4d)^2 * 16``; ``simulator``:
    Aer's density matrix and its copies (loaded, evolved, saved: 4 x 4^n x 16) plus the
    matrices of one segment, copied about 3 times; ``cache``: precomputed unitaries and
    channels; ``baseline``: the interpreter and libraries. Independent of the number of steps.
    """
    n = model.num_qubits + ancillas(model, dissipation)
    one = max(_op_bytes(model, "evolve"), _op_bytes(model, "dissipate", dissipation))
    segment = max(SEGMENT_BYTES, one)
    parts = {
        "saved": int(n_times) * 16 * model.layout.code_dim ** 2,
        "simulator": 4 * 16 * 4**n + 3 * segment,
        "cache": min(CACHE_BYTES, 8 * one) + one,
        "baseline": BASELINE_BYTES,
    }
    parts["total"] = sum(parts.values())
    return parts


def _check_size(model: BatteryModel, n_times: int, dissipation: str = "channels") -> None:
    n = model.num_qubits + ancillas(model, dissipation)
    p = model.params
    if n > MAX_QUBITS:
        raise ParameterError(
            f"the {p.encoding} register has {n} qubits; the density-matrix simulator is used "
            f"up to {MAX_QUBITS} (a 2^n x 2^n matrix): use fewer Fock levels, a smaller "
            "|alpha|, or the binary/gray encoding"
        )
    if p.kappa > 0 and model.num_cavity_qubits > MAX_LOSS_QUBITS and dissipation == "channels":
        raise ParameterError(
            f"the cavity loss channel on {model.num_cavity_qubits} cavity qubits needs a "
            f"{4 ** model.num_cavity_qubits}-dimensional superoperator; it is supported up to "
            f"{MAX_LOSS_QUBITS} cavity qubits (fock <= {1 << MAX_LOSS_QUBITS} for binary/gray, "
            f"fock <= {MAX_LOSS_QUBITS} for unary)"
        )
    est = memory_estimate(model, n_times, dissipation)
    have = available_memory()
    if est["total"] > have:
        gib = 2.0**30
        raise ParameterError(
            f"this trotter run needs about {est['total'] / gib:.1f} GiB (saved states "
            f"{est['saved'] / gib:.1f} GiB for {n_times} times of a {4 * model.levels}-"
            f"dimensional code space, simulator {est['simulator'] / gib:.1f} GiB for {n} "
            f"qubits); {have / gib:.1f} GiB are available: ask for fewer output times, or "
            "use fewer Fock levels / a smaller |alpha|"
            + (" / the binary or gray encoding" if p.encoding == "unary" else "")
        )


# -- channels -----------------------------------------------------------------------------------


def _quantum_error(spec):
    aer = _aer()
    from qiskit.quantum_info import Kraus

    if spec.kind == "amplitude_damping":
        return aer.noise.amplitude_damping_error(spec.param)
    return aer.noise.QuantumError(Kraus(list(spec.kraus)))


def noise_model(noise):
    """An Aer ``NoiseModel`` from :class:`qbcircuit.circuits.NoiseSpec` items (None if empty).

    Each spec's channel is attached to the identity gates carrying its label, on its qubits.
    """
    if not noise:
        return None
    aer = _aer()
    nm = aer.noise.NoiseModel()
    nm.add_basis_gates(["unitary"])
    for spec in noise:
        err = _quantum_error(spec)
        for qubits in spec.qubits:
            nm.add_quantum_error(err, spec.label, list(qubits))
    return nm


def native_channels(noise) -> list[tuple[object, list[int]]]:
    """The channels of ``noise`` (NoiseSpecs) as Aer-native ``superop`` instructions.

    The same channels as :func:`noise_model`: amplitude damping is Aer's
    ``amplitude_damping_error`` as a superoperator (the cells' two copies as one two-qubit
    instruction), the cavity loss the ``SuperOp`` of the same Kraus operators (converting the
    5-qubit ``QuantumError`` instead costs seconds).

    Returns:
        ``(instruction, qubits)`` pairs, applied in order.
    """
    from qiskit.circuit import Instruction
    from qiskit.quantum_info import Kraus, SuperOp

    out = []
    for spec in noise:
        if spec.kind == "amplitude_damping":
            one = SuperOp(_quantum_error(spec).to_quantumchannel())
            qubits = [q for (q,) in spec.qubits]
            op = one
            for _ in qubits[1:]:
                op = op.expand(one)  # qubits[0] is the least significant, as in Qiskit
            mats = [(op.data, qubits)]
        else:
            op = SuperOp(Kraus(list(spec.kraus)))
            mats = [(op.data, list(q)) for q in spec.qubits]
        for data, qubits in mats:
            # column-major: Aer's matrices are, and converting a C-ordered array costs ~2x
            inst = Instruction("superop", len(qubits), 0, [np.asfortranarray(data)])
            out.append((inst, qubits))
    return out


class _Cache:
    """Least-recently-used store of matrices/instructions with a byte budget."""

    def __init__(self, budget: int):
        self.budget = budget
        self.items: OrderedDict = OrderedDict()
        self.size = 0

    def get(self, key):
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key][0]
        return None

    def put(self, key, value, nbytes: int):
        self.items[key] = (value, nbytes)
        self.size += nbytes
        while self.size > self.budget and len(self.items) > 1:
            _, (_, dropped) = self.items.popitem(last=False)
            self.size -= dropped
        return value


class _Lowering:
    """The instructions of a schedule's operations, computed once per step length."""

    def __init__(self, model: BatteryModel, path: str, dissipation: str = "channels"):
        self.model = model
        self.path = path
        self.dissipation = dissipation
        self.sim_unitary = None
        self.pieces = _Cache(CACHE_BYTES // 2)
        self.evolves = _Cache(CACHE_BYTES // 4)
        self.channels = _Cache(CACHE_BYTES // 4)
        self.by_step: dict[float, list] = {}

    def prepare(self, ops) -> None:
        """Compute, in one Aer job, the piece unitaries that ``ops`` need and the cache lacks.

        A piece ``(order, tau)`` is the product formula's unitary from Aer's unitary simulator
        on the synthesised ``PauliEvolutionGate`` (Trotter error included).
        """
        if self.path == "gates":
            return
        need = []
        for kind, arg in ops:
            if kind != "evolve":
                continue
            for piece in arg:
                if self.pieces.get(piece) is None and piece not in need:
                    need.append(piece)
        if not need:
            return
        from qiskit import QuantumCircuit, transpile

        aer = _aer()
        if self.sim_unitary is None:
            self.sim_unitary = aer.AerSimulator(method="unitary")
        circuits = []
        for order, tau in need:
            qc = QuantumCircuit(self.model.num_qubits)
            qc.append(evolution_gate(self.model, tau, order), range(self.model.num_qubits))
            circuits.append(qc)
        circuits = transpile(circuits, self.sim_unitary, optimization_level=1)
        for qc in circuits:
            qc.save_unitary()
        result = self.sim_unitary.run(circuits, max_parallel_threads=self._threads()).result()
        for key, qc in zip(need, circuits, strict=True):
            U = np.asarray(result.get_unitary(qc))
            self.pieces.put(key, U, U.nbytes)

    def _threads(self) -> int:
        return 1 if self.model.num_qubits <= SINGLE_THREAD_QUBITS else 0

    def _piece(self, piece) -> np.ndarray:
        U = self.pieces.get(piece)
        if U is None:  # dropped from the cache (registers near the size limit)
            self.prepare([("evolve", (piece,))])
            U = self.pieces.get(piece)
        return U

    def evolve(self, pieces):
        register = list(range(self.model.num_qubits))
        if self.path == "gates":
            return [g for piece in pieces for g in self._gates(*piece)]
        gate = self.evolves.get(pieces)
        if gate is None:
            from qiskit.circuit.library import UnitaryGate

            U = self._piece(pieces[0])
            for piece in pieces[1:]:
                U = self._piece(piece) @ U
            gate = UnitaryGate(np.asfortranarray(U), label="trotter", check_input=False)
            gate = self.evolves.put(pieces, gate, U.nbytes)
        return [(gate, register)]

    def _gates(self, order, tau):
        key = ("gates", order, tau)
        inst = self.pieces.get(key)
        if inst is None:
            from qiskit import QuantumCircuit, transpile

            qc = QuantumCircuit(self.model.num_qubits)
            qc.append(evolution_gate(self.model, tau, order), range(self.model.num_qubits))
            sim = _aer().AerSimulator(method="density_matrix")
            qc = transpile(qc, sim, optimization_level=1)
            inst = [(c.operation, [qc.find_bit(q).index for q in c.qubits]) for c in qc.data]
            inst = self.pieces.put(key, inst, 1 << 16)
        return inst

    def noise(self, h):
        """NoiseSpecs of a step h (labels numbered by first use)."""
        if h not in self.by_step:
            self.by_step[h] = dissipation_specs(self.model, h, len(self.by_step))
        return self.by_step[h]

    @property
    def specs(self) -> list:
        return [s for group in self.by_step.values() for s in group]

    def collide(self, h):
        """Collision unitaries and ancilla resets of a step h (computed once per h)."""
        out = self.channels.get(("collisions", h))
        if out is None:
            out = self.channels.put(("collisions", h),
                                    collision_gates(self.model, h, self.model.num_qubits),
                                    _op_bytes(self.model, "dissipate", "collisions"))
        return out

    def dissipate(self, h):
        if self.dissipation == "collisions":
            return self.collide(h)
        specs = self.noise(h)
        if self.path != "native":
            from qiskit.circuit.library import UnitaryGate

            return [(UnitaryGate(np.eye(1 << len(q)), label=s.label), list(q))
                    for s in specs for q in s.qubits]
        out = self.channels.get(h)
        if out is None:
            out = self.channels.put(h, native_channels(specs),
                                    _op_bytes(self.model, "dissipate"))
        return out


def _segments(model: BatteryModel, ops):
    """Consecutive runs of ``ops`` whose matrices stay within ``SEGMENT_BYTES``."""
    start, size = 0, 0
    for i, (kind, _) in enumerate(ops):
        b = _op_bytes(model, kind)
        if size and size + b > SEGMENT_BYTES:
            yield ops[start:i]
            start, size = i, 0
        size += b
    if start < len(ops):
        yield ops[start:]


def run(model: BatteryModel, times, *, dt: float, order: int, path: str = "native",
        final_state: bool = False, progress: bool = False, dissipation: str = "channels"):
    """Run the schedule on Aer in segments (see :func:`_run`), BLAS on one thread.

    Many small matrix products (merging pieces) and the validity check of each loaded density
    matrix gain nothing from BLAS threads and lose much when the cores are shared.
    """
    with threadpool_limits(1, user_api="blas"):
        return _run(model, times, dt=dt, order=order, path=path, final_state=final_state,
                    progress=progress, dissipation=dissipation)


def _run(model: BatteryModel, times, *, dt: float, order: int, path: str = "native",
         final_state: bool = False, progress: bool = False, dissipation: str = "channels"):
    """Run the schedule on Aer in segments (``evolve`` with the internals exposed for tests).

    Args:
        model: the battery model (used as given: see :func:`register_model`).
        times (array of shape (T,)): output times.
        dt: largest step.
        order: 1 or 2.
        path: ``"native"`` (merged unitaries, channels as ``superop`` instructions; the
            default), ``"noise_model"`` (merged unitaries, dissipation as labelled identity
            gates with :func:`noise_model`) or ``"gates"`` (the synthesised gates of every piece,
            with the noise model: the circuit a device would run; slow, for tests).
        final_state: also return the density matrix on the whole register at the last time.
        progress: a progress bar over the steps (tqdm; shown only on a terminal).
        dissipation: ``"channels"`` or ``"collisions"`` (one ancilla after the register,
            reset after each collision; the saved states are the register's).

    A closed system (no dissipation) runs on Aer's statevector method (state vectors saved;
    ``final_state`` then gives the state vector), an open one on the density-matrix method.

    Returns:
        :class:`qbcircuit.states.EvolvedStates` (code space), and with ``final_state`` the
        register density matrix of shape (2^n, 2^n) (with collisions: n includes the ancilla).
    """
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer.library import (
        SaveDensityMatrix,
        SaveStatevector,
        SetDensityMatrix,
        SetStatevector,
    )

    if path not in PATHS:
        raise ValueError(f"path must be one of {PATHS}, got {path!r}")
    if dissipation not in DISSIPATIONS:
        raise ValueError(f"dissipation must be one of {DISSIPATIONS}, got {dissipation!r}")
    aer = _aer()
    times = np.asarray(times, dtype=float)
    _check_size(model, times.size, dissipation)
    # pure states on the statevector method; a thermal charger is mixed: density matrices
    closed = model.params.is_closed and model.params.is_pure
    n_reg = model.num_qubits
    n = n_reg + ancillas(model, dissipation)
    schedule = trotter_schedule(times, dt=dt, order=order,
                                dissipative=not model.params.is_closed)
    lowering = _Lowering(model, path, dissipation)
    # closed: pure states, about 100x cheaper than density matrices at alpha = 3 (issue 18)
    sim = aer.AerSimulator(method="statevector" if closed else "density_matrix")
    # Small registers gain nothing from OpenMP, and its spinning threads slow Aer down by
    # 10-50x when the cores are shared (seen under a parallel test run): one thread there.
    threads = 1 if n <= SINGLE_THREAD_QUBITS else 0
    if path != "native" and dissipation == "channels":  # the noise model holds every channel
        for h in schedule.step_lengths():
            lowering.noise(h)
        nm = noise_model(lowering.specs)
    else:
        nm = None
    code = np.ix_(model.code_basis, model.code_basis)
    dim = model.layout.code_dim
    out = np.empty((times.size, dim) if closed else (times.size, dim, dim), dtype=complex)
    rho = None
    if model.params.is_pure:
        prep = transpile(state_preparation(model), sim, optimization_level=0)
    else:  # no circuit prepares a mixed charger from |0>: set the register's density matrix
        rho0 = model.register_state(model.initial_density_matrix).data
        ground = np.zeros((1 << (n - n_reg),) * 2)
        ground[0, 0] = 1.0  # ancillas in |0>, above the register (little-endian)
        prep = QuantumCircuit(n)
        prep.append(SetDensityMatrix(np.kron(ground, rho0)), range(n))
    saver = SaveStatevector if closed else SaveDensityMatrix

    def save(qc, i):
        qc.append(saver(n_reg, label=f"t{i:04d}"), range(n_reg))

    bar = tqdm(total=len(schedule.ops), disable=None if progress else True, unit="op",
               desc="trotter (Aer segments)", leave=False)
    for ops in _segments(model, schedule.ops):
        lowering.prepare(ops)
        if rho is None:
            start = prep
        else:
            start = QuantumCircuit(n)
            start.append((SetStatevector if closed else SetDensityMatrix)(rho), range(n))
        qc = schedule_circuit(model, ops, evolve=lowering.evolve, dissipate=lowering.dissipate,
                              save=save, start=start, ancillas=n - n_reg)
        qc.append(saver(n, label="state"), range(n))
        result = sim.run(qc, noise_model=nm, shots=1, max_parallel_threads=threads).result()
        if not result.success:  # pragma: no cover - Aer reports its own failures
            raise RuntimeError(f"Aer failed: {result.status}")
        data = result.data(0)
        for kind, i in ops:
            if kind == "save":
                # Aer indexes the state by the register basis index (little-endian)
                state = np.asarray(data[f"t{i:04d}"])
                out[i] = state[model.code_basis] if closed else state[code]
        rho = np.asarray(data["state"])
        del result, data, qc
        bar.update(len(ops))
    bar.close()
    if closed:
        states = EvolvedStates(times, model.layout, kets=out)
        if final_state:
            rho = np.outer(rho, rho.conj())
    else:
        states = EvolvedStates(times, model.layout, density_matrices=out)
    return (states, rho) if final_state else states


def evolve(model: BatteryModel, times, *, dt: float | None = None, order: int = 2
           ) -> EvolvedStates:
    """Density matrices of ``model`` at ``times`` from a Trotterized circuit on Aer.

    The functional form of :class:`Trotter`: ``Trotter(dt=dt, order=order).evolve(...)``.

    Args:
        model: the battery model; with the automatic truncation the cavity register is
            :func:`register_model`'s (the returned states carry its ``levels``).
        times (array of shape (T,)): output times (non-negative, increasing); each is hit
            exactly (the step before it is shortened).
        dt: largest Trotter step, finite and > 0 (default ``DEFAULT_DT``).
        order: 1 (Lie-Trotter) or 2 (symmetric split, second order with dissipation).

    Returns:
        density matrices on the code space, shape (T, 4d, 4d). For unary, population that the
        product formula leaked out of the one-hot code space would be missing from the trace
        (the trajectory's trace error); measured below 1e-12 (fock 5, dt 0.025-0.1).

    Raises:
        ParameterError: bad ``dt``/``order``, a register too large for the simulator, or a run
            whose estimated memory exceeds what is available.
    """
    return Trotter(dt=DEFAULT_DT if dt is None else dt, order=order).evolve(model, times)


@dataclass(frozen=True)
class Trotter(Engine):
    """Trotterized circuits on Aer's density-matrix simulator (see the module docstring).

    Args:
        dt: largest Trotter step, finite and > 0; every output time is hit exactly.
        order: 1 (Lie-Trotter) or 2 (symmetric split U(h/2) D(h) U(h/2), second order with
            dissipation).
        dissipation: ``"channels"`` (exact channels of each step, the default; order as
            above) or ``"collisions"`` (each dissipator as a collision with a fresh ancilla,
            then ``reset``: :func:`qbcircuit.circuits.collision_gates`; first order in dt
            whatever ``order``, as a device would run it).
    """

    name: ClassVar[str] = "trotter"
    dt: float = field(default=DEFAULT_DT, metadata={
        "help": f"largest Trotter step (default {DEFAULT_DT})"})
    order: int = field(default=2, metadata={
        "help": "product-formula order, 1 (Lie-Trotter) or 2 (symmetric; default)"})
    dissipation: str = field(default="channels", metadata={
        "choices": DISSIPATIONS,
        "help": "dissipation as exact 'channels' (default) or as 'collisions' with a reset "
                "ancilla (what a device runs; first order in dt)"})

    def __post_init__(self):
        object.__setattr__(self, "dt", check_dt(self.dt))
        object.__setattr__(self, "order", check_order(self.order))
        check_choice("dissipation", self.dissipation, DISSIPATIONS)

    def evolve(self, model: BatteryModel, times) -> EvolvedStates:
        """See :func:`evolve`; a run estimated above ``PROGRESS_SECONDS`` shows a progress bar."""
        long = self.cost(model, times).seconds > PROGRESS_SECONDS
        return run(register_model(model), times, dt=self.dt, order=self.order, progress=long,
                   dissipation=self.dissipation)

    def cost(self, model: BatteryModel, times) -> Cost:
        """Memory from :func:`memory_estimate` (flat in the steps); one step per dt.

        Registers the simulator cannot take are refused here, with their own message.
        """
        reg = register_model(model)
        times = np.asarray(times, dtype=float)
        _check_size(reg, times.size, self.dissipation)
        steps = float(times[-1]) / self.dt * (2 if self.order == 2 else 1)
        # measured: 1-5 ms per operation on 6-7 qubits (the cavity loss channel dominates)
        return Cost(bytes=memory_estimate(reg, times.size, self.dissipation)["total"], steps=steps,
                    unit="Trotter steps", seconds_per_step=3e-3 * 4 ** (reg.num_qubits - 6))


def state_at(model: BatteryModel, time: float, *, dt: float | None = None, order: int = 2
             ) -> np.ndarray:
    """The register's density matrix at ``time`` from the circuit run with its noise model.

    As :func:`run` with ``path="noise_model"`` (the channels exactly as the ``NoiseModel``
    carries them, as a device run would see them); the model is used as given.

    Returns:
        complex array of shape (2^n, 2^n) on the whole register.
    """
    dt = DEFAULT_DT if dt is None else check_dt(dt)
    order = check_order(order)
    times = [0.0, time] if time > 0 else [0.0]
    _, rho = run(model, times, dt=dt, order=order, path="noise_model", final_state=True)
    return rho


def sample_counts(model: BatteryModel, rho: np.ndarray, measurements, *, shots: int,
                  seed: int | None = None) -> list[dict]:
    """Counts of measurement circuits applied to the register state ``rho`` (Aer, shots).

    Args:
        model: the battery model (its register size).
        rho (array of shape (2^n, 2^n)): the state to start from.
        measurements: circuits on the register (with classical bits) applied after ``rho``.
        shots: shots per circuit.
        seed: seed of the simulator's sampling.

    Returns:
        one counts dictionary per circuit.
    """
    from qiskit import QuantumCircuit
    from qiskit_aer.library import SetDensityMatrix

    aer = _aer()
    circuits = []
    for meas in measurements:
        qc = QuantumCircuit(model.num_qubits, meas.num_clbits, name=meas.name)
        qc.append(SetDensityMatrix(rho), range(model.num_qubits))
        circuits.append(qc.compose(meas))
    sim = aer.AerSimulator(method="density_matrix")
    threads = 1 if model.num_qubits <= SINGLE_THREAD_QUBITS else 0
    result = sim.run(circuits, shots=shots, seed_simulator=seed,
                     max_parallel_threads=threads).result()
    return [result.get_counts(i) for i in range(len(circuits))]

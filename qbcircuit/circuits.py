r"""Circuits of the battery: the only module that builds them (no simulation here).

A Trotterized run prepares Eq. (3) and then applies, per step h, the Lindblad evolution of
Eq. (2) split into the Hamiltonian part and the dissipator :math:`\mathcal{D}`:

* order 1 (Lie-Trotter): :math:`\mathcal{S}_h = \mathcal{D}_h\,\mathcal{U}^{(1)}_h`;
* order 2 (symmetric split): :math:`\mathcal{S}_h = \mathcal{U}^{(2)}_{h/2}\,\mathcal{D}_h\,
  \mathcal{U}^{(2)}_{h/2}`,

where :math:`U^{(1)}_\tau` and :math:`U^{(2)}_\tau` are the order-1 (Lie-Trotter) and
order-2 (Suzuki-Trotter) product formulas of :math:`e^{-iH\tau}` over the Pauli terms of H
(``PauliEvolutionGate``), and :math:`\mathcal{D}_h` the dissipation of Eq. (2) over h as
exact channels (:mod:`qbcircuit.channels`):

* each cell: amplitude damping with :math:`p = 1 - e^{-\gamma h}`;
* the cavity: the bosonic loss channel of transmissivity :math:`\eta = e^{-\kappa h}`, Kraus
  operators :math:`K_l = \sum_{n \ge l}\sqrt{\binom{n}{l}}\,\eta^{(n-l)/2}(1-\eta)^{l/2}
  |n-l\rangle\langle n|`, :math:`l = 0..d-1`, embedded through the encoding (identity on
  register states outside the code space, so the channel is trace preserving on the register).

The three channels act on different qubits and commute, so :math:`\mathcal{D}_h` is the exact
solution of the dissipative part. The order-2 step is symmetric, hence second order with
dissipation too (local error O(h^3), global O(dt^2)); without dissipation it is the order-2
formula with step h/2. Adjacent half steps (the last of one step and the first of the next;
all of an output interval in a closed system) form one ``"evolve"`` operation of
:func:`trotter_schedule`, which an engine may apply as one unitary (their product).

Dissipation is carried by a *noise model*, as a device's noise would be: the circuit of
:func:`trotter_circuit` holds an identity ``UnitaryGate`` with a label per channel and step
length (the working pattern for Aer, see docs/conventions.md), and :class:`NoiseSpec` says which
channel
each label carries. The engine turns the specs into an Aer ``NoiseModel`` (or into the same
channels as superoperator instructions), so qiskit-aer is never imported here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Reset
from qiskit.circuit.library import PauliEvolutionGate, StatePreparation, UnitaryGate
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit.synthesis import LieTrotter, MatrixExponential, SuzukiTrotter
from scipy.sparse import SparseEfficiencyWarning

from ._checks import check_dt, check_order
from .channels import (
    damping_probability,
    encoded_kraus,
    encoded_loss_kraus,
    lindblad_kraus,
    transmissivity,
)
from .model import BatteryModel, channel_names, present_channels

#: Step lengths equal to this relative precision share one gate (and one noise label).
_STEP_DECIMALS = 12


@dataclass(frozen=True)
class NoiseSpec:
    """One dissipative channel attached to the labelled identity gates of a circuit.

    Args:
        label: the label of the identity ``UnitaryGate`` that carries the channel.
        kind: ``"amplitude_damping"`` (one qubit, ``param`` = p) or ``"kraus"`` (``kraus``).
        qubits: the qubits the channel acts on (one per instance of the label).
        param: the damping probability for ``"amplitude_damping"``.
        kraus: register Kraus matrices (little-endian over ``qubits``) for ``"kraus"``.
    """

    label: str
    kind: str
    qubits: tuple[tuple[int, ...], ...]
    param: float = 0.0
    kraus: tuple[np.ndarray, ...] = ()


@dataclass(frozen=True)
class TrotterSchedule:
    """The operations of a Trotterized run, in the order they are applied.

    Args:
        ops: ``("evolve", pieces)``, ``("dissipate", h)`` or ``("save", i)`` (output time i
            reached). ``pieces`` is a tuple of ``(order, tau)``: the product formula of that
            order over tau (:func:`evolution_gate`), in the order applied; consecutive pieces
            with no dissipation or save between them are one ``"evolve"`` operation.
        steps (array of shape (S,)): the step lengths h_j (:func:`step_schedule`).
        saves (array of shape (T,)): output time i is reached after ``saves[i]`` steps.
    """

    ops: tuple
    steps: np.ndarray
    saves: np.ndarray

    def step_lengths(self) -> list[float]:
        """The distinct dissipation step lengths, in order of first use."""
        return list(dict.fromkeys(h for kind, h in self.ops if kind == "dissipate"))


@dataclass(frozen=True)
class TrotterCircuit:
    """A Trotterized run: the circuit, its noise, and where the output times fall.

    Args:
        circuit: state preparation, then the schedule's product formulas and
            dissipation gates.
        noise: the channels carried by the labelled identity gates.
        steps (array of shape (S,)): the step lengths h_j.
        save_labels: the label of each output time, in order (``"t0000"``, ...).
        schedule: the operations the circuit was built from.
    """

    circuit: QuantumCircuit
    noise: tuple[NoiseSpec, ...]
    steps: np.ndarray
    save_labels: tuple[str, ...]
    schedule: TrotterSchedule | None = None


def step_schedule(times, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Steps of length ``dt`` that hit every output time exactly.

    Between consecutive output times, full steps of ``dt`` are taken and the last one is
    shortened so that it ends on the output time (a remainder below 1e-9 dt is merged into the
    previous step instead).

    Args:
        times (array of shape (T,)): non-negative, increasing output times.
        dt: the largest step, > 0.

    Returns:
        ``steps`` (shape (S,)) and ``saves`` (shape (T,)): output time i is reached after
        ``saves[i]`` steps (0 = before the first step).

    >>> steps, saves = step_schedule([0.0, 0.25, 0.5], 0.1)
    >>> np.round(steps, 12).tolist(), saves.tolist()
    ([0.1, 0.1, 0.05, 0.1, 0.1, 0.05], [0, 3, 6])
    """
    dt = check_dt(dt)
    times = np.asarray(times, dtype=float)
    steps: list[float] = []
    saves = np.empty(times.size, dtype=int)
    previous = 0.0
    for i, t in enumerate(times):
        gap = t - previous
        full = int(np.floor(gap / dt * (1 + 1e-12)))
        rest = gap - full * dt
        if rest <= 1e-9 * dt:
            # the remainder is round-off: end on t by absorbing it into the last full step
            seg = [dt] * full
            if seg:
                seg[-1] += rest
        else:
            seg = [dt] * full + [rest]
        steps += seg
        saves[i] = len(steps)
        previous = t
    return np.asarray(steps), saves


def state_preparation(model: BatteryModel) -> QuantumCircuit:
    """Eq. (3) on the register as a circuit.

    ``StatePreparation`` of the encoded (renormalised, truncated) coherent or Fock state on the
    cavity qubits, and X on each cell that starts excited (``params.initial_cells``). A thermal
    charger is mixed: no circuit prepares it from |0> without ancillas (ParameterError).

    >>> from qbcircuit import BatteryParams
    >>> qc = state_preparation(BatteryModel(BatteryParams(alpha=1, fock=16)))
    >>> qc.num_qubits, [i.operation.name for i in qc.data]
    (6, ['state_preparation'])
    """
    lay = model.layout
    amps = model.initial_ket.reshape(lay.cell_dim, lay.levels)  # pure charger only
    cells = int(np.argmax(np.linalg.norm(amps, axis=1)))  # c = sum_j b_j 2^(j-1)
    qc = QuantumCircuit(model.num_qubits, name="prepare")
    cavity = model.encoding.state(amps[cells])
    qc.append(StatePreparation(cavity.data, label=model.params.charger_state),
              range(model.num_cavity_qubits))
    for j, qubit in enumerate(model.cell_qubits, start=1):
        if lay.bits(j)[cells]:
            qc.x(qubit)
    return qc


def _real_hamiltonian(model: BatteryModel):
    H = model.hamiltonian.simplify(atol=1e-14)
    if np.max(np.abs(H.coeffs.imag), initial=0.0) > 1e-12:
        raise ValueError("the Hamiltonian has complex Pauli coefficients")
    return type(H)(H.paulis, H.coeffs.real)


def evolution_gate(model: BatteryModel, dt: float, order: int) -> PauliEvolutionGate:
    r"""One product-formula step :math:`\approx e^{-iH\,dt}` of the model's Hamiltonian.

    ``model.hamiltonian`` is simplified with real coefficients (checked here again:
    ``PauliEvolutionGate`` refuses complex ones, docs/conventions.md).
    """
    order = check_order(order)
    synthesis = LieTrotter() if order == 1 else SuzukiTrotter(order=2)
    return PauliEvolutionGate(_real_hamiltonian(model), float(dt), synthesis=synthesis)


def trotter_step(model: BatteryModel, dt: float, order: int = 2) -> QuantumCircuit:
    """One Trotter step (no dissipation) as a circuit on the whole register."""
    qc = QuantumCircuit(model.num_qubits, name="trotter_step")
    qc.append(evolution_gate(model, dt, order), range(model.num_qubits))
    return qc


def _identity(label: str, num_qubits: int) -> UnitaryGate:
    return UnitaryGate(np.eye(1 << num_qubits), label=label)


def trotter_schedule(times, *, dt: float, order: int = 2, dissipative: bool = True
                     ) -> TrotterSchedule:
    """The operations of the Trotterized run reaching every time in ``times`` exactly.

    Args:
        times (array of shape (T,)): non-negative increasing output times.
        dt: the largest step (see :func:`step_schedule`).
        order: 1 (Lie-Trotter: U1(h) then D(h)) or 2 (symmetric: U2(h/2), D(h), U2(h/2)).
        dissipative: include the ``"dissipate"`` operations (False for a closed system: all
            pieces between two output times are then one ``"evolve"`` operation).

    >>> s = trotter_schedule([0.0, 0.2], dt=0.1, order=2)
    >>> [op[0] for op in s.ops]
    ['save', 'evolve', 'dissipate', 'evolve', 'dissipate', 'evolve', 'save']
    >>> s.ops[3][1]
    ((2, 0.05), (2, 0.05))
    """
    order = check_order(order)
    steps, saves = step_schedule(times, dt)
    # one representative float per step length (equal to _STEP_DECIMALS share gates and labels)
    canon: dict[float, float] = {}
    rep = [canon.setdefault(round(float(h), _STEP_DECIMALS), float(h)) for h in steps]
    ops: list = []

    def evolve(tau):
        if ops and ops[-1][0] == "evolve":
            ops[-1] = ("evolve", ops[-1][1] + ((order, tau),))
        else:
            ops.append(("evolve", ((order, tau),)))

    halves: dict[float, float] = {}
    pending = 0
    for i in range(len(steps) + 1):
        while pending < len(saves) and saves[pending] == i:
            ops.append(("save", pending))
            pending += 1
        if i == len(steps):
            break
        h = rep[i]
        if order == 1:
            evolve(h)
            if dissipative:
                ops.append(("dissipate", h))
        else:
            half = halves.setdefault(h, h / 2)
            evolve(half)
            if dissipative:
                ops.append(("dissipate", h))
            evolve(half)
    return TrotterSchedule(tuple(ops), steps, saves)


def dissipation_specs(model: BatteryModel, h: float, index: int) -> list[NoiseSpec]:
    """The channels of the dissipator over a step h (only those with a non-zero rate).

    One channel per subsystem, from the model's dissipator rows (``DISSIPATOR_TERMS``): label
    ``cell_decay_<index>`` (one instance per cell: amplitude damping when decay is the cells'
    only channel, as in Eq. (2), else the exact one-cell channel of all of them) and
    ``cavity_loss_<index>`` (the bosonic loss channel when loss is the cavity's only channel,
    else the exact channel of all of them) on the cavity register.
    """
    p = model.params
    rates = {t.name: t.coefficient for t in model.dissipator_terms if t.coefficient > 0}
    by_site: dict[str, list] = {"cavity": [], "cell": []}
    for name, ch in present_channels(p).items():
        rate = rates.get(channel_names(name, model.cells)[0], 0.0)
        if rate > 0:
            by_site[ch.site].append((name, rate, ch.local))
    out = []
    cell = by_site["cell"]
    if [n for n, _, _ in cell] == ["decay"]:
        out.append(NoiseSpec(f"cell_decay_{index}", "amplitude_damping",
                             tuple((q,) for q in model.cell_qubits),
                             param=damping_probability(cell[0][1], h)))
    elif cell:  # the cell's qubit has |0> = g: the (g, e) matrices act on it as they are
        kraus = lindblad_kraus([np.sqrt(r) * np.asarray(m) for _, r, m in cell], h)
        out.append(NoiseSpec(f"cell_decay_{index}", "kraus",
                             tuple((q,) for q in model.cell_qubits), kraus=tuple(kraus)))
    cavity = by_site["cavity"]
    if [n for n, _, _ in cavity] == ["cavity_loss"]:
        kraus = encoded_loss_kraus(model.encoding, transmissivity(cavity[0][1], h))
    elif cavity:
        a = np.diag(np.sqrt(np.arange(1, model.levels, dtype=float)), 1).astype(complex)
        kraus = encoded_kraus(model.encoding,
                              lindblad_kraus([np.sqrt(r) * f(a) for _, r, f in cavity], h))
    if cavity:
        out.append(NoiseSpec(f"cavity_loss_{index}", "kraus",
                             (tuple(range(model.num_cavity_qubits)),), kraus=tuple(kraus)))
    return out


#: Ancilla raising operator sigma_+ = |1><0| = (X - iY)/2 (|0> the ancilla's fresh state).
_SIGMA_PLUS = SparsePauliOp(["X", "Y"], [0.5, -0.5j])


def _restricted(op: SparsePauliOp) -> tuple[SparsePauliOp, list[int]]:
    """``op`` on the qubits it acts on (its support, ascending) and that support."""
    paulis = op.paulis
    used = np.flatnonzero(np.any(paulis.x | paulis.z, axis=0))
    others = [q for q in range(op.num_qubits) if q not in set(used.tolist())]
    return SparsePauliOp(paulis.delete(others, qubit=True), op.coeffs), used.tolist()


def collision_gates(model: BatteryModel, h: float, ancilla: int) -> list[tuple]:
    r"""The dissipation of Eq. (2) over a step h as collisions with a fresh ancilla (Stinespring).

    For each collapse operator :math:`c_k = \sqrt{r_k}\,L_k` of the model (its
    ``dissipator_terms`` with a non-zero rate: cavity loss, cell decay, and whatever else the
    model lists) the register is coupled to ``ancilla`` (in :math:`|0\rangle`) by

    .. math:: U_k = \exp\!\big(-i\theta\,(L_k \otimes \sigma_+ + L_k^\dagger \otimes
       \sigma_-)\big),\qquad \theta = \sqrt{r_k h},

    and the ancilla is then reset. Tracing it out gives the Kraus operators
    :math:`K_0 = 1 - \tfrac h2 c_k^\dagger c_k + O(h^2)`, :math:`K_1 = -i\sqrt h\,c_k +
    O(h^{3/2})`: the Lindblad step :math:`\rho + h\,\mathcal D[c_k]\rho + O(h^2)`. The
    dissipators are applied one after the other (also O(h^2) apart), so collisions are first
    order in dt globally, whatever the product formula's order. :math:`U_k` is a
    ``PauliEvolutionGate`` of the generator (real Pauli coefficients: it is Hermitian) on the
    operator's support and the ancilla, synthesised exactly (``MatrixExponential``, handed on
    as its ``UnitaryGate``, which transpilers decompose for any target): a
    product formula over its Pauli terms would add an O(h) coherent error per step, since the
    terms are O(sqrt h).

    Returns:
        ``(instruction, qubits)`` pairs: per dissipator its gate (label ``collision_<name>``)
        on ``support + [ancilla]``, then ``reset`` on the ancilla.
    """
    out = []
    for term in model.dissipator_terms:
        if term.coefficient <= 0:
            continue
        c, support = _restricted((np.sqrt(term.coefficient) * term.operator).simplify(1e-14))
        G = (np.sqrt(h) * (_SIGMA_PLUS.tensor(c) + _SIGMA_PLUS.adjoint().tensor(c.adjoint())))
        G = G.simplify(atol=1e-14)
        if np.max(np.abs(G.coeffs.imag), initial=0.0) > 1e-12:  # pragma: no cover - Hermitian
            raise ValueError(f"the collision generator of {term.name} is not Hermitian")
        G = SparsePauliOp(G.paulis, G.coeffs.real)
        evolution = PauliEvolutionGate(G, 1.0, synthesis=MatrixExponential())
        # its matrix as a UnitaryGate: Qiskit 2's transpiler cannot synthesise a
        # PauliEvolutionGate whose synthesis is MatrixExponential (no preserve_order)
        with warnings.catch_warnings():  # scipy's sparse expm inside MatrixExponential
            warnings.simplefilter("ignore", SparseEfficiencyWarning)
            gate = UnitaryGate(Operator(evolution), label=f"collision_{term.name}")
        out.append((gate, [*support, ancilla]))
        out.append((Reset(), [ancilla]))
    return out


def schedule_circuit(
    model: BatteryModel,
    ops,
    *,
    evolve: Callable[[tuple], list],
    dissipate: Callable[[float], list],
    save: Callable[[QuantumCircuit, int], None] | None = None,
    start: QuantumCircuit | None = None,
    ancillas: int = 0,
) -> QuantumCircuit:
    """A circuit applying the schedule operations ``ops`` (a slice of ``TrotterSchedule.ops``).

    Args:
        model: the battery model.
        ops: the operations.
        evolve: ``evolve(pieces)`` -> list of ``(instruction, qubits)`` for an ``"evolve"``.
        dissipate: ``dissipate(h)`` -> list of ``(instruction, qubits)`` for a ``"dissipate"``.
        save: ``save(circuit, i)`` for a ``"save"`` of output time i (None: skipped).
        start: the circuit to begin with (e.g. :func:`state_preparation`).
        ancillas: extra qubits after the register (collisions, :func:`collision_gates`).
    """
    qc = QuantumCircuit(model.num_qubits + ancillas, name="battery_trotter")
    if start is not None:
        qc.compose(start, qubits=range(start.num_qubits), inplace=True)
    for kind, arg in ops:
        if kind == "save":
            if save is not None:
                save(qc, arg)
            continue
        for inst, qubits in (evolve(arg) if kind == "evolve" else dissipate(arg)):
            qc.append(inst, qubits)
    return qc


def trotter_circuit(
    model: BatteryModel,
    times,
    *,
    dt: float,
    order: int = 2,
    lower: Callable[[tuple], object] | None = None,
    save: Callable[[QuantumCircuit, str], None] | None = None,
) -> TrotterCircuit:
    """The Trotterized run of ``model`` reaching every time in ``times`` exactly.

    The circuit a device would run: state preparation, then :func:`trotter_schedule`'s
    product formulas as ``PauliEvolutionGate`` and its dissipation as labelled identity gates
    (one label per channel and step length) whose channels :class:`NoiseSpec` describes. Its
    length grows with the number of steps; the trotter engine runs the same schedule in short
    segments.

    Args:
        model: the battery model.
        times (array of shape (T,)): non-negative increasing output times.
        dt: the largest step (see :func:`step_schedule`).
        order: 1 (Lie-Trotter) or 2 (symmetric split, see the module docstring).
        lower: optional map from an ``"evolve"`` operation's pieces to one instruction on the
            whole register (e.g. its unitary); default: one ``PauliEvolutionGate`` per piece.
        save: optional ``save(circuit, label)`` called at every output time.

    Returns:
        the circuit, the noise specs of its labelled identity gates, the steps and save labels.
    """
    schedule = trotter_schedule(times, dt=dt, order=order,
                                dissipative=not model.params.is_closed)
    labels = tuple(f"t{i:04d}" for i in range(len(schedule.saves)))
    specs = {h: dissipation_specs(model, h, j) for j, h in enumerate(schedule.step_lengths())}
    register = range(model.num_qubits)

    def evolve(pieces):
        if lower is not None:
            return [(lower(pieces), register)]
        return [(evolution_gate(model, tau, o), register) for o, tau in pieces]

    def dissipate(h):
        return [(_identity(s.label, len(q)), list(q)) for s in specs[h] for q in s.qubits]

    qc = schedule_circuit(model, schedule.ops, evolve=evolve, dissipate=dissipate,
                          save=None if save is None else (lambda c, i: save(c, labels[i])),
                          start=state_preparation(model))
    noise = tuple(s for group in specs.values() for s in group)
    return TrotterCircuit(qc, noise, schedule.steps, labels, schedule)

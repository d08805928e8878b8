r"""Circuits of the battery: the only module that builds them (no simulation here).

A Trotterized run is the circuit

.. math::

    |g,g\rangle\otimes|\alpha\rangle \;\to\;
    \prod_{j}\Big[\mathcal{D}_{h_j}\circ\mathcal{U}_{h_j}\Big], \qquad
    \mathcal{U}_h = \text{product formula of } e^{-iHh}

with :math:`\mathcal{U}_h` a ``PauliEvolutionGate`` synthesised by Lie-Trotter (order 1) or
Suzuki-Trotter (order 2), and :math:`\mathcal{D}_h` the dissipation of Eq. (2) over the step,
as exact channels:

* each cell: amplitude damping with :math:`p = 1 - e^{-\gamma h}`;
* the cavity: the bosonic loss channel of transmissivity :math:`\eta = e^{-\kappa h}`, Kraus
  operators :math:`K_l = \sum_{n \ge l}\sqrt{\binom{n}{l}}\,\eta^{(n-l)/2}(1-\eta)^{l/2}
  |n-l\rangle\langle n|`, :math:`l = 0..d-1`, embedded through the encoding (identity on
  register states outside the code space, so the channel is trace preserving on the register).

Unitary and dissipative parts are split once per step, so with dissipation the error is O(h)
whatever the product-formula order.

Dissipation is carried by a *noise model*, as a device's noise would be: the circuit holds an
identity ``UnitaryGate`` with a label per channel and step length (the working pattern for Aer,
see physics.md), and :class:`NoiseSpec` says which channel each label carries. The cavity loss
uses the same mechanism as the cells (rather than a ``Kraus`` instruction in the circuit) so
that the circuit is what a device runs and all dissipation lives in one place; the engine
turns the specs into an Aer ``NoiseModel``, so qiskit-aer is never imported here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import PauliEvolutionGate, StatePreparation, UnitaryGate
from qiskit.synthesis import LieTrotter, SuzukiTrotter
from scipy.special import comb

from ._checks import ParameterError, check_choice, check_int
from .encodings import Encoding
from .model import BatteryModel
from .params import ENCODINGS, MAX_FOCK, BatteryParams

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
class TrotterCircuit:
    """A Trotterized run: the circuit, its noise, and where the output times fall.

    Args:
        circuit: state preparation, then per step the evolution and the dissipation gates.
        noise: the channels carried by the labelled identity gates.
        steps (array of shape (S,)): the step lengths h_j.
        save_labels: the label of each output time, in order (``"t0000"``, ...).
    """

    circuit: QuantumCircuit
    noise: tuple[NoiseSpec, ...]
    steps: np.ndarray
    save_labels: tuple[str, ...]


def _check_order(order) -> int:
    if isinstance(order, bool) or order not in (1, 2):
        raise ParameterError(f"order must be 1 (Lie-Trotter) or 2 (Suzuki-Trotter), got {order!r}")
    return int(order)


def _check_dt(dt) -> float:
    try:
        value = float(dt)
    except (TypeError, ValueError):
        raise ParameterError(f"dt must be a finite number > 0, got {dt!r}") from None
    if isinstance(dt, bool) or not math.isfinite(value) or value <= 0:
        raise ParameterError(f"dt must be a finite number > 0, got {dt!r}")
    return value


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
    dt = _check_dt(dt)
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

    ``StatePreparation`` of the encoded (renormalised, truncated) coherent state on the cavity
    qubits, and X on each cell that starts excited (``params.initial_cells``).

    >>> qc = state_preparation(BatteryModel(BatteryParams(alpha=1, fock=16)))
    >>> qc.num_qubits, [i.operation.name for i in qc.data]
    (6, ['state_preparation'])
    """
    d = model.levels
    amps = model.initial_ket.reshape(4, d)
    cells = int(np.argmax(np.linalg.norm(amps, axis=1)))  # c = b1 + 2 b2
    qc = QuantumCircuit(model.num_qubits, name="prepare")
    cavity = model.encoding.state(amps[cells])
    qc.append(StatePreparation(cavity.data, label="coherent"), range(model.num_cavity_qubits))
    if cells & 1:
        qc.x(model.primary_qubit)
    if cells & 2:
        qc.x(model.secondary_qubit)
    return qc


def evolution_gate(model: BatteryModel, dt: float, order: int) -> PauliEvolutionGate:
    r"""One product-formula step :math:`\approx e^{-iH\,dt}` of the model's Hamiltonian.

    ``model.hamiltonian`` is simplified with real coefficients (checked here again:
    ``PauliEvolutionGate`` refuses complex ones, physics.md).
    """
    order = _check_order(order)
    H = model.hamiltonian.simplify(atol=1e-14)
    if np.max(np.abs(H.coeffs.imag), initial=0.0) > 1e-12:
        raise ValueError("the Hamiltonian has complex Pauli coefficients")
    H = type(H)(H.paulis, H.coeffs.real)
    synthesis = LieTrotter() if order == 1 else SuzukiTrotter(order=2)
    return PauliEvolutionGate(H, float(dt), synthesis=synthesis)


def trotter_step(model: BatteryModel, dt: float, order: int = 2) -> QuantumCircuit:
    """One Trotter step (no dissipation) as a circuit on the whole register."""
    qc = QuantumCircuit(model.num_qubits, name="trotter_step")
    qc.append(evolution_gate(model, dt, order), range(model.num_qubits))
    return qc


def loss_kraus(levels: int, eta: float) -> list[np.ndarray]:
    r"""Kraus operators of the bosonic loss channel on ``levels`` Fock levels, Fock basis.

    :math:`K_l = \sum_{n\ge l}\sqrt{\binom{n}{l}}\,\eta^{(n-l)/2}(1-\eta)^{l/2}
    |n-l\rangle\langle n|`;
    :math:`\sum_l K_l^\dagger K_l = 1` exactly (binomial theorem), so truncation costs nothing.

    Args:
        levels: Fock levels d.
        eta: transmissivity in [0, 1] (:math:`e^{-\kappa\,dt}`).

    Returns:
        d matrices of shape (d, d).

    >>> K = loss_kraus(4, 0.9)
    >>> bool(np.allclose(sum(k.conj().T @ k for k in K), np.eye(4)))
    True
    """
    n = np.arange(levels)
    out = []
    for lost in range(levels):
        K = np.zeros((levels, levels))
        src = n[lost:]
        K[src - lost, src] = np.sqrt(comb(src, lost) * eta ** (src - lost) * (1 - eta) ** lost)
        out.append(K)
    return out


def encoded_loss_kraus(encoding: Encoding, eta: float) -> list[np.ndarray]:
    r""":func:`loss_kraus` on the cavity register through ``encoding.embed``.

    The identity on register states outside the code space is added to :math:`K_0`, so that
    :math:`\sum_l K_l^\dagger K_l = 1` on the whole register. The matrices are
    :math:`2^k \times 2^k` (k cavity qubits): for unary (k = d) this is feasible only for a few
    levels, see ``MAX_LOSS_QUBITS`` in the trotter engine.
    """
    ks = [encoding.embed(K) for K in loss_kraus(encoding.levels, eta)]
    outside = np.ones(1 << encoding.num_qubits)
    outside[encoding.code_indices()] = 0.0
    ks[0] = ks[0] + np.diag(outside)
    # drop operators that vanish (eta = 1 keeps only K_0)
    return [K for K in ks if np.any(np.abs(K) > 0)]


def _identity(label: str, num_qubits: int) -> UnitaryGate:
    return UnitaryGate(np.eye(1 << num_qubits), label=label)


def trotter_circuit(
    model: BatteryModel,
    times,
    *,
    dt: float,
    order: int = 2,
    lower: Callable[[QuantumCircuit], object] | None = None,
    save: Callable[[QuantumCircuit, str], None] | None = None,
) -> TrotterCircuit:
    """The Trotterized run of ``model`` reaching every time in ``times`` exactly.

    Args:
        model: the battery model.
        times (array of shape (T,)): non-negative increasing output times.
        dt: the largest step (see :func:`step_schedule`).
        order: 1 (Lie-Trotter) or 2 (Suzuki-Trotter).
        lower: optional map from one step circuit (:func:`trotter_step`) to the instruction
            that replaces it on the whole register (the engine passes the step's unitary,
            computed once per distinct step length); default: the ``PauliEvolutionGate``.
        save: optional ``save(circuit, label)`` called at every output time (the engine
            appends Aer's ``save_density_matrix``).

    Returns:
        the circuit, the noise specs of its labelled identity gates, the steps and save labels.
    """
    order = _check_order(order)
    steps, saves = step_schedule(times, dt)
    p = model.params
    k = model.num_cavity_qubits
    cells = (model.primary_qubit, model.secondary_qubit)
    qc = QuantumCircuit(model.num_qubits, name="battery_trotter")
    qc.compose(state_preparation(model), inplace=True)

    keys = np.round(steps, _STEP_DECIMALS)
    gates, noise = {}, []
    for key in np.unique(keys):
        h = float(steps[keys == key][0])
        j = len(gates)
        step = trotter_step(model, h, order)
        evo = lower(step) if lower is not None else step.data[0].operation
        dis = []
        if p.gamma > 0:
            label = f"cell_decay_{j}"
            dis += [(_identity(label, 1), [q]) for q in cells]
            noise.append(NoiseSpec(label, "amplitude_damping", tuple((q,) for q in cells),
                                   param=1.0 - math.exp(-p.gamma * h)))
        if p.kappa > 0:
            label = f"cavity_loss_{j}"
            dis.append((_identity(label, k), list(range(k))))
            kraus = encoded_loss_kraus(model.encoding, math.exp(-p.kappa * h))
            noise.append(NoiseSpec(label, "kraus", (tuple(range(k)),), kraus=tuple(kraus)))
        gates[key] = (evo, dis)

    labels = tuple(f"t{i:04d}" for i in range(len(saves)))
    pending = list(zip(saves, labels, strict=True))
    for i in range(len(steps) + 1):
        while pending and pending[0][0] == i:
            if save is not None:
                save(qc, pending[0][1])
            pending.pop(0)
        if i == len(steps):
            break
        evo, dis = gates[keys[i]]
        qc.append(evo, range(model.num_qubits))
        for gate, qubits in dis:
            qc.append(gate, qubits)
    return TrotterCircuit(qc, tuple(noise), steps, labels)


# -- hardware view -------------------------------------------------------------------------------

#: Basis of the hardware-like target (IBM-style).
HARDWARE_BASIS = ("cx", "rz", "sx", "x")
#: Seeds of the backend and the transpiler (the table is reproducible).
HARDWARE_SEED = 1234
#: Largest register transpiled for the hardware table: 62 qubits = unary at the package's
#: largest truncation (fock 60), which transpiles in about 2 s. The slow end is binary/Gray at
#: large fock (Pauli terms of a grow about as d log d: fock 64 -> 395 terms, 2 s).
MAX_HARDWARE_QUBITS = 62


@dataclass(frozen=True)
class CircuitStats:
    """Cost of one Trotter step on the hardware-like target.

    Attributes:
        encoding: the cavity encoding.
        fock: Fock levels d.
        qubits: register qubits (cavity + 2 cells).
        pauli_terms: Pauli terms of H.
        depth: depth of the transpiled step.
        two_qubit_gates: CX count of the transpiled step.
        seconds: wall time of the transpilation.
    """

    encoding: str
    fock: int
    qubits: int
    pauli_terms: int
    depth: int
    two_qubit_gates: int
    seconds: float


def _heavy_hex_distance(num_qubits: int) -> int:
    # CouplingMap.from_heavy_hex(d) has (5 d^2 - 2 d - 1) / 2 qubits, d odd
    d = 3
    while (5 * d * d - 2 * d - 1) // 2 < num_qubits:
        d += 2
    return d


def hardware_backend(num_qubits: int):
    """A hardware-like target for ``num_qubits`` qubits.

    ``GenericBackendV2`` with basis cx, rz, sx, x on the smallest heavy-hex lattice (IBM's
    layout) that holds ``num_qubits`` qubits; fixed seed.
    """
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit.transpiler import CouplingMap

    cmap = CouplingMap.from_heavy_hex(_heavy_hex_distance(num_qubits))
    return GenericBackendV2(
        num_qubits=cmap.size(), basis_gates=list(HARDWARE_BASIS), coupling_map=cmap,
        seed=HARDWARE_SEED,
    )


def circuit_stats(
    fock: int,
    encodings=None,
    *,
    params: BatteryParams | None = None,
    order: int = 2,
    dt: float = 0.05,
    optimization_level: int = 2,
) -> list[CircuitStats]:
    """Hardware cost of one Trotter step per encoding, transpiled to :func:`hardware_backend`.

    Args:
        fock: Fock levels d of the cavity.
        encodings: the encodings to tabulate (default: every encoding that admits ``fock``;
            unary stops at 60 levels).
        params: the other battery parameters (default: ``BatteryParams(alpha=0)``); ``fock``
            and ``encoding`` are replaced. The step does not depend on alpha.
        order: product-formula order, 1 or 2.
        dt: the step (changes angles only, not the counts).
        optimization_level: of ``transpile``.

    Returns:
        one :class:`CircuitStats` per encoding.

    Raises:
        ParameterError: a register larger than ``MAX_HARDWARE_QUBITS``.
    """
    import dataclasses

    fock = check_int("fock", fock, low=2, high=512)
    base = params if params is not None else BatteryParams(alpha=0.0)
    if encodings is None:
        encodings = [e for e in ENCODINGS if fock <= MAX_FOCK[e]]
    rows = []
    for name in encodings:
        check_choice("encoding", name, ENCODINGS)
        model = BatteryModel(dataclasses.replace(base, fock=fock, encoding=name))
        if model.num_qubits > MAX_HARDWARE_QUBITS:
            raise ParameterError(
                f"the {name} register for fock = {fock} has {model.num_qubits} qubits; the "
                f"hardware table stops at {MAX_HARDWARE_QUBITS} (unary: fock <= "
                f"{MAX_HARDWARE_QUBITS - 2})"
            )
        backend = hardware_backend(model.num_qubits)
        start = time.perf_counter()
        qc = transpile(trotter_step(model, dt, order), backend,
                       optimization_level=optimization_level, seed_transpiler=HARDWARE_SEED)
        seconds = time.perf_counter() - start
        ops = qc.count_ops()
        rows.append(CircuitStats(name, fock, model.num_qubits, len(model.hamiltonian),
                                 qc.depth(), int(ops.get("cx", 0)), seconds))
    return rows


def format_stats(rows: list[CircuitStats]) -> str:
    """The hardware table as aligned text, one row per encoding."""
    head = ("encoding", "fock", "qubits", "pauli_terms", "depth", "cx", "transpile_s")
    lines = [f"{head[0]:<9}{head[1]:>6}{head[2]:>8}{head[3]:>13}{head[4]:>8}{head[5]:>8}"
             f"{head[6]:>13}"]
    for r in rows:
        lines.append(f"{r.encoding:<9}{r.fock:>6}{r.qubits:>8}{r.pauli_terms:>13}{r.depth:>8}"
                     f"{r.two_qubit_gates:>8}{r.seconds:>13.2f}")
    return "\n".join(lines)


# -- measurements of the cells (shot-based estimates) ---------------------------------------------

#: Two-qubit Pauli settings (primary basis, secondary basis) of full state tomography.
TOMOGRAPHY_SETTINGS = tuple((a, b) for a in "XYZ" for b in "XYZ")


def cell_measurements(model: BatteryModel, circuit: QuantumCircuit) -> list[QuantumCircuit]:
    """``circuit`` followed by a measurement of the two cells in each tomography setting.

    For setting (a, b) the primary cell is measured in the eigenbasis of Pauli a and the
    secondary in that of b (X: H; Y: S^dag then H; Z: nothing), into clbits 0 (primary) and
    1 (secondary). Count keys are then ``"<secondary bit><primary bit>"``.

    Returns:
        nine circuits, in the order of ``TOMOGRAPHY_SETTINGS``.
    """
    out = []
    for a, b in TOMOGRAPHY_SETTINGS:
        qc = QuantumCircuit(model.num_qubits, 2, name=f"tomo_{a}{b}")
        qc.compose(circuit, inplace=True)
        for basis, q in ((a, model.primary_qubit), (b, model.secondary_qubit)):
            if basis == "Y":
                qc.sdg(q)
            if basis in "XY":
                qc.h(q)
        qc.measure([model.primary_qubit, model.secondary_qubit], [0, 1])
        out.append(qc)
    return out

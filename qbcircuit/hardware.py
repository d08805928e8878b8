"""Hardware view: what one Trotter step costs on an IBM-style device, per encoding.

One product formula (:func:`qbcircuit.circuits.trotter_step`) transpiled with fixed seeds to a
``GenericBackendV2`` with basis cx, rz, sx, x on a heavy-hex coupling map; the table gives the
register size, the Pauli terms of H, the depth and the CX count (``qbcircuit circuit-stats``).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from qiskit import transpile

from ._checks import ParameterError, check_choice, check_int
from .circuits import trotter_step
from .model import BatteryModel
from .params import ENCODINGS, MAX_FOCK, BatteryParams

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
    """Hardware cost of one product formula per encoding, transpiled to :func:`hardware_backend`.

    The formula is :func:`trotter_step` (Lie-Trotter for order 1, Suzuki-Trotter for order 2);
    an order-2 step of :func:`trotter_schedule` applies it twice (half steps) around the
    dissipation, an order-1 step once.

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

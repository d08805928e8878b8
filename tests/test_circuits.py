"""Circuit construction (qbcircuit/circuits.py): schedule, state preparation, Trotter steps."""

import math
import subprocess
import sys

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Statevector

from qbcircuit import BatteryModel, BatteryParams, ParameterError
from qbcircuit.circuits import (
    state_preparation,
    step_schedule,
    trotter_circuit,
    trotter_schedule,
    trotter_step,
)

TIME_ATOL = 1e-12  # output times reached by the step schedule
STATE_ATOL = 1e-10  # prepared state vs Eq. (3)
TP_ATOL = 1e-12  # sum K^dag K = 1
CHANNEL_ATOL = 1e-10  # Kraus channel vs exp(dt kappa D[a])
SWEEP_ATOL = 1e-10  # circuit pieces vs Qiskit's Suzuki-Trotter step

# Per encoding: a model small enough for every check here (unary: one qubit per level).
SMALL = {
    "binary": dict(alpha=1.0, fock=16),
    "gray": dict(alpha=1.0, fock=16),
    "unary": dict(alpha=0.2, fock=5, tail_tol=1e-9),
}


def test_step_schedule_hits_every_time():
    times = np.array([0.0, 0.03, 0.25, 0.26, 1.0])
    steps, saves = step_schedule(times, 0.1)
    reached = np.concatenate([[0.0], np.cumsum(steps)])[saves]
    np.testing.assert_allclose(reached, times, rtol=0, atol=TIME_ATOL)
    assert steps.max() <= 0.1 + TIME_ATOL
    # only the step before an output time is shortened
    assert np.sum(steps < 0.1 - TIME_ATOL) <= times.size


def test_step_schedule_round_off_is_merged():
    steps, saves = step_schedule(np.linspace(0, 1, 11), 0.05)
    assert steps.size == 20 and saves.tolist() == list(range(0, 21, 2))


@pytest.mark.parametrize("dt", [0.0, -0.1, float("nan"), float("inf"), "x"])
def test_step_schedule_rejects_bad_dt(dt):
    with pytest.raises(ParameterError, match="dt must be a finite number > 0"):
        step_schedule([0.0, 1.0], dt)


@pytest.mark.parametrize("encoding", ["binary", "gray", "unary"])
@pytest.mark.parametrize("cells", ["gg", "ee", "eg"])
def test_state_preparation_is_eq3(encoding, cells):
    model = BatteryModel(BatteryParams(encoding=encoding, initial_cells=cells, **SMALL[encoding]))
    prepared = Statevector(state_preparation(model)).data
    # Eq. (3) built here from its closed form, independently of the model: c_n =
    # e^{-|alpha|^2/2} alpha^n / sqrt(n!), renormalised on the kept levels, at the register
    # index of Fock n (binary n, Gray n ^ (n >> 1), unary 2^n), cells on qubits k (primary)
    # and k + 1 (secondary), |e> = |1>
    p, d, k = model.params, model.levels, model.num_cavity_qubits
    c = np.array([np.exp(-abs(p.alpha) ** 2 / 2) * p.alpha**n / np.sqrt(math.factorial(n))
                  for n in range(d)])
    c /= np.linalg.norm(c)
    where = {"binary": lambda n: n, "gray": lambda n: n ^ (n >> 1), "unary": lambda n: 1 << n}
    cell_bits = (cells[0] == "e") << k | (cells[1] == "e") << (k + 1)
    expected = np.zeros(1 << model.num_qubits, dtype=complex)
    for n in range(d):
        expected[cell_bits | where[encoding](n)] = c[n]
    # exactly, phase included (StatePreparation adds no global phase)
    np.testing.assert_allclose(prepared, expected, atol=STATE_ATOL)


def test_trotter_circuit_noise_labels_and_saves():
    model = BatteryModel(BatteryParams(kappa=0.6, gamma=0.4, **SMALL["binary"]))
    saved = []
    built = trotter_circuit(model, [0.0, 0.25, 0.5], dt=0.1, order=1,
                            save=lambda qc, label: saved.append(label))
    assert saved == list(built.save_labels) == ["t0000", "t0001", "t0002"]
    kinds = sorted({(s.label.rsplit("_", 1)[0], s.kind) for s in built.noise})
    assert kinds == [("cavity_loss", "kraus"), ("cell_decay", "amplitude_damping")]
    # two distinct step lengths (0.1 and 0.05): two labels of each kind
    assert len(built.noise) == 4
    p_by_label = {s.label: s.param for s in built.noise if s.kind == "amplitude_damping"}
    assert sorted(p_by_label.values()) == pytest.approx(
        sorted(1 - np.exp(-0.4 * np.array([0.05, 0.1]))), abs=1e-15
    )
    names = [i.operation.name for i in built.circuit.data]
    # order 1: one Lie-Trotter formula per step
    assert names.count("PauliEvolution") == built.steps.size


def test_schedule_order2_is_symmetric_with_merged_half_steps():
    s = trotter_schedule([0.0, 0.25], dt=0.1, order=2)
    kinds = [op[0] for op in s.ops]
    # U(h/2) D(h) [U(h/2) U(h/2)] D(h) [U(h/2) U(h'/2)] D(h') U(h'/2), h' = 0.05
    assert kinds == ["save", "evolve", "dissipate", "evolve", "dissipate", "evolve",
                     "dissipate", "evolve", "save"]
    assert s.ops[1][1] == ((2, 0.05),)
    assert s.ops[3][1] == ((2, 0.05), (2, 0.05))
    assert [o for o, _ in s.ops[5][1]] == [2, 2]
    assert [tau for _, tau in s.ops[5][1]] == pytest.approx([0.05, 0.025])
    assert s.ops[-2][1][0][1] == pytest.approx(0.025)
    assert [h for k, h in s.ops if k == "dissipate"] == pytest.approx([0.1, 0.1, 0.05])


def test_schedule_order1_is_lie_trotter():
    s = trotter_schedule([0.0, 0.2], dt=0.1, order=1)
    assert s.ops == (("save", 0), ("evolve", ((1, 0.1),)), ("dissipate", 0.1),
                     ("evolve", ((1, 0.1),)), ("dissipate", 0.1), ("save", 1))


def test_schedule_closed_system_one_evolve_per_interval():
    s = trotter_schedule([0.0, 0.25, 0.5], dt=0.1, order=2, dissipative=False)
    assert [op[0] for op in s.ops] == ["save", "evolve", "save", "evolve", "save"]
    assert len(s.ops[1][1]) == 6  # three steps, two half steps each


def test_closed_circuit_is_the_half_step_formula_repeated():
    """Without dissipation the order-2 circuit is U2(h/2) applied twice per step."""
    model = BatteryModel(BatteryParams(alpha=0.5, fock=4, delta=0.5, zeta=0.5, tail_tol=1e-3))
    built = trotter_circuit(model, [0.0, 0.3], dt=0.3, order=2)
    evo = [i.operation for i in built.circuit.data if i.operation.name == "PauliEvolution"]
    assert len(evo) == 2 and all(g.time == pytest.approx(0.15) for g in evo)
    half = Operator(trotter_step(model, 0.15, order=2)).data
    np.testing.assert_allclose(Operator(evo[0]).data @ Operator(evo[1]).data, half @ half,
                               atol=SWEEP_ATOL)


def test_trotter_circuit_rejects_bad_order():
    model = BatteryModel(BatteryParams(**SMALL["binary"]))
    with pytest.raises(ParameterError, match=r"order must be 1 \(Lie-Trotter\) or 2"):
        trotter_circuit(model, [0.0, 1.0], dt=0.1, order=4)


def test_circuits_module_does_not_import_aer():
    code = "import sys, qbcircuit.circuits; print('qiskit_aer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""Circuit construction (qbcircuit/circuits.py): schedule, state preparation, loss channel,
hardware table, and the circuit-stats CLI."""

import subprocess
import sys

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Statevector

from qbcircuit import BatteryModel, BatteryParams, Encoding, ParameterError
from qbcircuit.circuits import (
    circuit_stats,
    encoded_loss_kraus,
    format_stats,
    loss_kraus,
    state_preparation,
    step_schedule,
    trotter_circuit,
    trotter_schedule,
    trotter_step,
)
from qbcircuit.cli import main
from qbcircuit.engines.exact import liouvillian

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
    prepared = Statevector(state_preparation(model))
    assert abs(abs(prepared.inner(model.initial_state)) - 1) < STATE_ATOL
    # and exactly, phase included (StatePreparation adds no global phase)
    np.testing.assert_allclose(prepared.data, model.initial_state.data, atol=STATE_ATOL)


@pytest.mark.parametrize("eta", [0.0, 0.3, 0.97, 1.0])
def test_loss_kraus_fock_basis_trace_preserving(eta):
    K = loss_kraus(8, eta)
    np.testing.assert_allclose(sum(k.T @ k for k in K), np.eye(8), atol=TP_ATOL)


@pytest.mark.parametrize("encoding", ["binary", "gray", "unary"])
def test_encoded_loss_channel_trace_preserving(encoding):
    """sum K^dag K = 1 on the code space, and on the whole register (identity off the code)."""
    enc = Encoding(encoding, SMALL[encoding]["fock"] if encoding == "unary" else 6)
    K = encoded_loss_kraus(enc, np.exp(-0.6 * 0.05))
    total = sum(k.conj().T @ k for k in K)
    code = enc.code_indices()
    np.testing.assert_allclose(total[np.ix_(code, code)], np.eye(enc.levels), atol=TP_ATOL)
    np.testing.assert_allclose(total, np.eye(1 << enc.num_qubits), atol=TP_ATOL)
    # the code space is mapped into itself
    outside = np.setdiff1d(np.arange(1 << enc.num_qubits), code)
    for k in K:
        assert np.max(np.abs(k[np.ix_(outside, code)]), initial=0.0) == 0.0


def test_loss_channel_is_the_lindblad_solution():
    """On the truncated mode the Kraus channel equals exp(t kappa D[a]) exactly."""
    d, kappa, t = 6, 0.6, 0.7
    a = np.diag(np.sqrt(np.arange(1, d)), 1)
    L = liouvillian(np.zeros((d, d)), [np.sqrt(kappa) * a]).toarray()
    from scipy.linalg import expm

    rho = np.random.default_rng(1).normal(size=(d, d)) + 0j
    rho = rho @ rho.T
    rho /= np.trace(rho)
    expected = (expm(L * t) @ rho.ravel()).reshape(d, d)
    got = sum(k @ rho @ k.T for k in loss_kraus(d, np.exp(-kappa * t)))
    np.testing.assert_allclose(got, expected, atol=CHANNEL_ATOL)


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


def test_circuit_stats_small():
    rows = circuit_stats(4)
    by = {r.encoding: r for r in rows}
    assert [r.encoding for r in rows] == ["binary", "gray", "unary"]
    assert by["binary"].qubits == by["gray"].qubits == 4 and by["unary"].qubits == 6
    for r in rows:
        model = BatteryModel(BatteryParams(alpha=0, fock=4, encoding=r.encoding))
        assert r.pauli_terms == len(model.hamiltonian)
        assert r.two_qubit_gates > 0 and r.depth > 0
    text = format_stats(rows)
    assert text.splitlines()[0].split()[:3] == ["encoding", "fock", "qubits"]
    assert len(text.splitlines()) == 4


def test_circuit_stats_refuses_huge_unary():
    with pytest.raises(ParameterError, match="fock must be in"):
        circuit_stats(61, ["unary"])


def test_cli_circuit_stats(capsys):
    assert main(["circuit-stats", "--fock", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == ["binary", "gray", "unary"]


def test_cli_circuit_stats_bad_fock(capsys):
    assert main(["circuit-stats", "--fock", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qbcircuit: error: fock") and err.count("\n") == 1

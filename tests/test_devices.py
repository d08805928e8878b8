"""qbcircuit.devices: gate-level circuits (product formula + collisions with reset ancillas) on
backends; nothing dissipative is dropped by transpiling; estimates agree with exact within their
error bars; non-unitary instructions are refused in one line; the `qbcircuit device` CLI."""

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qbcircuit import BatteryModel, BatteryParams, ParameterError, Trotter, simulate
from qbcircuit.circuits import trotter_circuit
from qbcircuit.cli import main
from qbcircuit.devices import (
    DEFAULT_DT,
    check_runnable,
    device_circuit,
    dissipation_steps,
    get_backend,
    run,
    transpile_checked,
)

pytestmark = pytest.mark.aer

#: Shot-noise bound: an estimate is within this many standard errors of the noise-free value
#: (plus the step error, measured with the same steps by the trotter engine).
SIGMAS = 4.0
#: Fig. 2(d), open set, truncated to 8 levels (3 cavity qubits + 2 cells + 1 ancilla).
FIG2D = dict(alpha=1.0, kappa=0.6, gamma=0.4, g=1.0, fock=8)
#: A small open model for quick runs (2 cavity qubits).
SMALL = dict(alpha=0.5, fock=4, kappa=0.5, gamma=0.3)


def test_transpiled_circuit_keeps_every_dissipation_step():
    """Every collision (one per dissipator and step) survives transpiling, as its reset."""
    model = BatteryModel(BatteryParams(**SMALL))
    qc = device_circuit(model, 0.6, dt=0.2)
    collisions = sum(1 for i in qc.data if (i.operation.label or "").startswith("collision_"))
    assert collisions == dissipation_steps(model, 0.6, 0.2) == 3 * 3  # 3 steps x 3 rates
    backend = get_backend("generic", qc.num_qubits)
    for level in (0, 1, 2, 3):
        (isa,) = transpile_checked([qc], backend, optimization_level=level, seed=1)
        assert isa.count_ops().get("reset", 0) == collisions, level


def test_channel_circuits_are_refused_not_silently_dropped():
    """The noise-model circuit's labelled identities would vanish in transpiling: refused."""
    model = BatteryModel(BatteryParams(**SMALL))
    qc = trotter_circuit(model, [0.0, 0.2], dt=0.1).circuit
    with pytest.raises(ParameterError, match=r"'cell_decay_0'.*collisions"):
        check_runnable(qc)
    from qiskit.quantum_info import Kraus

    bad = QuantumCircuit(1)
    damping = [np.array([[1, 0], [0, np.sqrt(0.9)]]), np.array([[0, np.sqrt(0.1)], [0, 0]])]
    bad.append(Kraus(damping).to_instruction(), [0])
    with pytest.raises(ParameterError, match=r"instruction 'kraus' is not unitary"):
        check_runnable(bad)
    check_runnable(device_circuit(model, 0.2, dt=0.1))  # collisions: runnable


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ideal_backend_agrees_with_exact_within_error_bars(seed):
    params = BatteryParams(**FIG2D)
    times = np.array([1.0, 2.0])  # concurrence well above 0 (its estimator is biased near 0)
    got = run(params, times, "ideal", shots=2000, seed=seed)
    steps = simulate(params, times, method=Trotter(dt=DEFAULT_DT, order=2,
                                                   dissipation="collisions"))
    for name in ("energy", "concurrence"):
        exact = getattr(got, f"exact_{name}")
        step_error = np.abs(getattr(steps, name) - exact)  # the O(dt) error of these steps
        deviation = np.abs(getattr(got, name) - exact)
        assert np.all(getattr(got, f"{name}_err") > 0)
        assert np.all(deviation <= SIGMAS * getattr(got, f"{name}_err") + step_error), name


def test_device_run_returns_finite_values_with_error_bars():
    got = run(BatteryParams(**SMALL), [0.0, 0.4], "generic", shots=500, seed=5)
    for name in ("energy", "energy_err", "concurrence", "concurrence_err"):
        assert np.all(np.isfinite(getattr(got, name))), name
    assert np.all(got.energy_err[1:] > 0)
    cost = got.cost[1]
    assert cost.two_qubit_gates > 0 and cost.depth > 0 and cost.resets == 2 * 3
    assert cost.qubits == BatteryModel(got.params).num_qubits + 1 and len(cost.layout) >= 5


def test_fake_ibm_device_run():
    pytest.importorskip("qiskit_ibm_runtime")
    got = run(BatteryParams(**SMALL), [0.4], "fake_torino", shots=300, seed=2)
    assert np.isfinite(got.energy[0]) and got.energy_err[0] > 0


@pytest.mark.parametrize(("backend", "message"), [
    ("nope", "backend must be one of ideal, generic or fake_<device>"),
    ("fake_nothing", "is not a fake IBM device|qbcircuit\\[devices\\]"),
])
def test_bad_backend_is_one_line(backend, message, capsys):
    with pytest.raises(ParameterError, match=message):
        run(BatteryParams(**SMALL), [0.0, 0.2], backend)
    status = main(["device", "--backend", backend, "--alpha", "0.5", "--fock", "4",
                   "--tail-tol", "1e-3"])  # no truncation warning: the error is the one line
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_cli_device_writes_csv_and_plot(tmp_path):
    out, png = tmp_path / "device.csv", tmp_path / "device.png"
    status = main(["device", "--backend", "ideal", "--alpha", "0.5", "--fock", "4",
                   "--kappa", "0.5", "--t-max", "0.4", "--points", "2", "--shots", "200",
                   "--seed", "1", "--out", str(out), "--plot", str(png)])
    assert status == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("t,energy,energy_err,concurrence,concurrence_err,exact_energy")
    assert len(lines) == 3 and png.read_bytes()[:4] == b"\x89PNG"


def test_too_large_collision_is_refused():
    with pytest.raises(ParameterError, match=r"cavity-loss collision acts on 9 qubits"):
        run(BatteryParams(alpha=1.0, fock=8, kappa=0.5, encoding="unary"), [0.0, 0.2])

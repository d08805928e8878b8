"""The trotter engine (qbcircuit/engines/trotter.py): convergence orders with and without
dissipation, exact dissipation, agreement with the exact engine and with QuTiP, the native and
noise-model paths, memory flat in the number of steps, the register size, and input checks."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from qutip_reference import qutip_trajectory

from qbcircuit import BatteryModel, BatteryParams, ParameterError, simulate
from qbcircuit.circuits import trotter_circuit
from qbcircuit.engines import exact, trotter

pytestmark = pytest.mark.aer

TROTTER_ATOL = 1e-3  # small-dt Trotter vs QuTiP's reference solve, open system (observables)
SMALL_DT_ATOL = 1e-4  # dt = 0.01, order 2 vs exact: density matrices, closed and open
DECAY_ATOL = 1e-8  # populations under pure dissipation vs the closed-form exponentials
LOWERING_ATOL = 1e-10  # merged unitaries vs the synthesised gates of every product formula
PATH_ATOL = 1e-10  # channels as native superop instructions vs the same in a NoiseModel
DEFAULT_DT_ATOL = 1e-3  # default dt vs exact on the paper's parameter sets (observables)
SLOPE_TOL = 0.15  # fitted log-log error slopes vs the product-formula order (closed, Lie)
ORDER2_SLOPE_MIN = 1.8  # order 2 with dissipation: fitted slope over three dt values
RSS_GROWTH_MAX = 32 << 20  # peak RSS after 400 steps minus after 100 steps (bytes)
COLLISION_SLOPE = (0.8, 1.3)  # collisions: fitted slope of the error against dt (first order)
COLLISION_STEP_SLOPE_MIN = 1.8  # one collision step vs the exact channels: local error O(h^2)
COLLISION_STEP_RATIO = 0.5  # ... and that error below 0.5 h^2 (trace norm; rates 0.6, 0.4)

# Every coupling on, off resonance, anisotropic; 6 qubits (binary, 16 levels).
OPEN = dict(alpha=1.0, fock=16, delta=0.5, g=1.0, zeta=0.5, kappa=0.6, gamma=0.4)
CLOSED = dict(OPEN, kappa=0.0, gamma=0.0)


def _rho(states):
    if states.density_matrices is not None:
        return states.density_matrices
    return np.einsum("ti,tj->tij", states.kets, states.kets.conj())


def _error(params, dt, order, times=(0.0, 1.0)):
    model = BatteryModel(BatteryParams(**params))
    times = np.asarray(times)
    got = _rho(trotter.evolve(model, times, dt=dt, order=order))
    return float(np.max(np.abs(got - _rho(exact.evolve(model, times)))))


def _slope(dts, errs):
    return float(np.polyfit(np.log(dts), np.log(errs), 1)[0])


@pytest.mark.parametrize(
    "order, dts", [(1, [0.2, 0.1, 0.05]), (2, [0.4, 0.2, 0.1])]
)
def test_closed_system_error_slope_is_the_order(order, dts):
    errs = [_error(CLOSED, dt, order) for dt in dts]
    assert all(e > 1e-6 for e in errs)  # above round-off: the fit measures Trotter error
    assert abs(_slope(dts, errs) - order) < SLOPE_TOL


def test_open_system_lie_error_slope_is_one():
    dts = [0.2, 0.1, 0.05]
    errs = [_error(OPEN, dt, 1) for dt in dts]
    assert abs(_slope(dts, errs) - 1) < SLOPE_TOL
    assert errs[-1] < errs[0] / 3  # converges to exact


def _collision_step_error(model, rho, h):
    """Trace distance of one collision step (Stinespring, reset ancilla) from the exact channels
    of Eq. (2) over h (qbcircuit.channels' Kraus operators), on the register state ``rho``."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import DensityMatrix, Kraus, partial_trace
    from qiskit_aer.noise import amplitude_damping_error

    from qbcircuit.circuits import collision_gates, dissipation_specs

    n = model.num_qubits
    qc = QuantumCircuit(n + 1)
    for inst, qubits in collision_gates(model, h, n):
        qc.append(inst, qubits)
    ancilla = DensityMatrix.from_label("0")
    got = partial_trace(ancilla.tensor(DensityMatrix(rho)).evolve(qc), [n]).data
    want = DensityMatrix(rho)
    for spec in dissipation_specs(model, h, 0):
        for qubits in spec.qubits:
            channel = (Kraus(list(spec.kraus)) if spec.kind == "kraus"
                       else amplitude_damping_error(spec.param).to_quantumchannel())
            want = want.evolve(channel, list(qubits))
    return float(np.abs(np.linalg.eigvalsh(got - want.data)).sum() / 2)


def test_one_collision_step_is_the_kraus_map_to_second_order():
    """U = exp(-i sqrt(h) (c (x) s+ + c^dag (x) s-)) then reset: e^{hD} + O(h^2) per step."""
    model = BatteryModel(BatteryParams(**OPEN))
    states = exact.evolve(model, [0.0, 0.7])  # a state with cavity, cell and coherences
    full = np.zeros((2**model.num_qubits,) * 2, dtype=complex)
    idx = model.code_basis
    full[np.ix_(idx, idx)] = _rho(states)[1]
    hs = [0.04, 0.02, 0.01]
    errs = [_collision_step_error(model, full, h) for h in hs]
    assert all(e > 1e-9 for e in errs)  # above round-off: the fit measures the step error
    assert _slope(hs, errs) >= COLLISION_STEP_SLOPE_MIN
    assert all(e < COLLISION_STEP_RATIO * h**2 for e, h in zip(errs, hs, strict=True))


def test_collisions_converge_to_exact_at_first_order():
    dts = [0.1, 0.05, 0.025]
    model = BatteryModel(BatteryParams(**OPEN))
    want = _rho(exact.evolve(model, [0.0, 1.0]))
    errs = [float(np.max(np.abs(trotter.Trotter(dt=dt, dissipation="collisions")
                                .evolve(model, [0.0, 1.0]).density_matrices - want)))
            for dt in dts]
    low, high = COLLISION_SLOPE
    assert low < _slope(dts, errs) < high
    assert errs[-1] < errs[0] / 3  # converges to exact


def test_bad_dissipation_is_refused():
    with pytest.raises(ParameterError, match="dissipation must be one of"):
        trotter.Trotter(dissipation="kraus")


def test_closed_run_uses_the_statevector_method():
    model = BatteryModel(BatteryParams(**CLOSED))
    states = trotter.evolve(model, [0.0, 0.5, 1.0], dt=0.01)
    assert states.kets is not None  # pure states from Aer's statevector method
    assert np.max(np.abs(_rho(states) - _rho(exact.evolve(model, [0.0, 0.5, 1.0])))) \
        < SMALL_DT_ATOL


def test_open_system_symmetric_split_is_second_order():
    """The symmetric split U(h/2) D(h) U(h/2) keeps order 2 with dissipation."""
    dts = [0.2, 0.1, 0.05]
    errs = [_error(OPEN, dt, 2) for dt in dts]
    assert all(e > 1e-7 for e in errs)  # above round-off
    assert _slope(dts, errs) >= ORDER2_SLOPE_MIN
    assert errs[-1] < errs[0] / 12  # converges to exact


@pytest.mark.parametrize("params", [OPEN, CLOSED], ids=["open", "closed"])
def test_small_dt_order2_agrees_with_exact(params):
    assert _error(params, 0.01, 2, (0.0, 0.5, 1.0)) < SMALL_DT_ATOL


# Dissipation only (g = lam = 0), both cells excited, coherent cavity; per encoding a model
# that fits the simulator (unary: one qubit per level, and the loss channel needs <= 5; 4 keep
# the default run fast, see test_pure_dissipation_unary_five_levels for 5).
DECAY_MODELS = {
    "binary": dict(alpha=1.0, fock=16),
    "gray": dict(alpha=1.0 + 0.5j, fock=16),
    "unary": dict(alpha=0.1, fock=4, tail_tol=1e-9),
}


@pytest.mark.parametrize("encoding", ["binary", "gray", "unary"])
def test_pure_dissipation_is_exponential(encoding):
    kappa, gamma = 0.6, 0.4
    params = BatteryParams(g=0.0, lam=0.0, kappa=kappa, gamma=gamma, initial_cells="ee",
                           encoding=encoding, **DECAY_MODELS[encoding])
    model = BatteryModel(params)
    # g = lam = 0: H commutes with both channels, so any step is exact; one step length keeps
    # the run short (one lowered unitary, one noise label of each kind)
    times = np.array([0.0, 0.5, 1.0, 2.5])
    rho = trotter.evolve(model, times, dt=0.5, order=1).density_matrices
    d = model.levels
    pops = np.einsum("tii->ti", rho).real.reshape(times.size, 4, d)  # (t, cells, n)
    cells = pops.sum(axis=2)  # cell index c = b1 + 2 b2
    primary_e = cells[:, 1] + cells[:, 3]
    secondary_e = cells[:, 2] + cells[:, 3]
    photons = pops.sum(axis=1) @ np.arange(d)
    np.testing.assert_allclose(primary_e, np.exp(-gamma * times), atol=DECAY_ATOL, rtol=0)
    np.testing.assert_allclose(secondary_e, np.exp(-gamma * times), atol=DECAY_ATOL, rtol=0)
    # the truncation cuts off < tail_tol of the weight, so <n>(0) = |alpha|^2 to ~1e-8
    np.testing.assert_allclose(photons, abs(params.alpha) ** 2 * np.exp(-kappa * times),
                               atol=DECAY_ATOL * 10, rtol=0)


@pytest.mark.slow
def test_pure_dissipation_unary_five_levels():
    params = BatteryParams(g=0.0, lam=0.0, kappa=0.6, gamma=0.4, initial_cells="ee",
                           encoding="unary", alpha=0.2, fock=5, tail_tol=1e-9)
    times = np.array([0.0, 1.0])
    rho = trotter.evolve(BatteryModel(params), times, dt=1.0).density_matrices
    photons = np.einsum("tii->ti", rho).real.reshape(2, 4, 5).sum(axis=1) @ np.arange(5)
    np.testing.assert_allclose(photons, 0.04 * np.exp(-0.6 * times), atol=DECAY_ATOL, rtol=0)


def test_small_dt_open_system_agrees_with_qutip():
    times = np.array([0.0, 0.5, 1.0])
    tr = simulate(BatteryParams(**OPEN), times, method="trotter", dt=0.01)
    ref = dict(OPEN)
    levels = ref.pop("fock")
    energy, fluct, conc = qutip_trajectory(times, levels=levels, **ref)
    np.testing.assert_allclose(tr.energy, energy, atol=TROTTER_ATOL, rtol=0)
    np.testing.assert_allclose(tr.fluctuation, fluct, atol=TROTTER_ATOL, rtol=0)
    np.testing.assert_allclose(tr.concurrence, conc, atol=TROTTER_ATOL, rtol=0)
    assert tr.trace_error < TROTTER_ATOL


def test_noise_model_carries_the_dissipation():
    """The circuit's noise model holds the channels: per step length, amplitude damping on both
    cells and the cavity loss; without it the gamma > 0 run would be the closed system's."""
    model = BatteryModel(BatteryParams(**OPEN))
    built = trotter_circuit(model, [0.0, 0.25], dt=0.1, order=2)
    nm = trotter.noise_model(built.noise)
    assert sorted(nm.noise_instructions) == sorted({s.label for s in built.noise})
    assert len(built.noise) == 4  # two step lengths (0.1, 0.05) x (cells, cavity)
    times = np.array([0.0, 1.0])
    noisy = trotter.run(model, times, dt=0.05, order=2).density_matrices
    closed = trotter.run(BatteryModel(BatteryParams(**CLOSED)), times, dt=0.05, order=2)
    assert np.max(np.abs(noisy - _rho(closed))) > 1e-2


def test_native_channels_equal_the_noise_model():
    """Channels as superop instructions give the state the NoiseModel gives."""
    model = BatteryModel(BatteryParams(**OPEN))
    times = np.array([0.0, 0.1, 0.25])
    native = trotter.run(model, times, dt=0.1, order=2, path="native").density_matrices
    noisy = trotter.run(model, times, dt=0.1, order=2, path="noise_model").density_matrices
    np.testing.assert_allclose(native, noisy, atol=PATH_ATOL, rtol=0)


@pytest.mark.parametrize("order", [1, 2])
def test_merged_unitaries_equal_the_gate_circuit(order):
    """Each evolve operation as one unitary (product of its pieces) vs the synthesised gates."""
    model = BatteryModel(BatteryParams(**OPEN))
    times = np.array([0.0, 0.1, 0.15])
    fast = trotter.run(model, times, dt=0.1, order=order).density_matrices
    gates = trotter.run(model, times, dt=0.1, order=order, path="gates").density_matrices
    np.testing.assert_allclose(fast, gates, atol=LOWERING_ATOL, rtol=0)


_RSS_SCRIPT = textwrap.dedent("""
    import resource, sys
    import numpy as np
    from qbcircuit import BatteryModel, BatteryParams
    from qbcircuit.engines import trotter
    steps, path = int(sys.argv[1]), sys.argv[2]
    model = BatteryModel(BatteryParams(alpha=1.0, fock=16, zeta=1.0, kappa=0.6, gamma=0.4))
    trotter.run(model, [0.0, steps * 0.01], dt=0.01, order=2, path=path)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
""")


def _peak_rss(steps: int, path: str) -> int:
    out = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(steps), path],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.parametrize("path", ["native", "noise_model"])
def test_peak_memory_does_not_grow_with_steps(path):
    """Peak RSS after 100 and 400 steps of a 6-qubit open run (each step hands Aer a 1 MiB
    cavity superoperator; one circuit of 400 steps would hold several GiB of copies)."""
    assert _peak_rss(400, path) - _peak_rss(100, path) < RSS_GROWTH_MAX


def test_run_exceeding_memory_is_refused(monkeypatch):
    monkeypatch.setattr(trotter, "available_memory", lambda: 100 << 20)
    with pytest.raises(ParameterError, match=r"needs about .* GiB .* fewer output times"):
        simulate(BatteryParams(**CLOSED), [0.0, 1.0], method="trotter")


def test_memory_estimate_does_not_depend_on_steps():
    model = BatteryModel(BatteryParams(**OPEN))
    est = trotter.memory_estimate(model, 201)
    assert est["saved"] == 201 * 16 * 64**2
    assert est["total"] == sum(v for k, v in est.items() if k != "total")


@pytest.mark.parametrize(
    "kwargs, levels",
    [
        (dict(alpha=1, zeta=1, kappa=0.6, gamma=0.4), 16),  # sized 17 = 13 + 4 spare
        (dict(alpha=1, zeta=0), 16),  # sized 13, padded
        (dict(alpha=2, zeta=1), 32),  # sized 27: 16 would not hold the coherent tail
        (dict(alpha=1, zeta=1, fock=17), 17),  # explicit fock: as given
        (dict(alpha=1, zeta=1, encoding="unary", tail_tol=1e-3), None),  # unary: unpadded
    ],
)
def test_register_is_as_small_as_the_physics_allows(kwargs, levels):
    params = BatteryParams(**kwargs)
    model = trotter.register_model(BatteryModel(params))
    assert model.levels == (params.levels if levels is None else levels)


def test_simulate_reports_the_register_levels():
    params = BatteryParams(alpha=1, zeta=1, kappa=0.6, gamma=0.4)
    tr = simulate(params, [0.0, 0.5], method="trotter", dt=0.1)
    assert tr.levels == 16


def _paper_suite():
    """The paper's 16 curves when the paper wing is installed (the library does not need it)."""
    try:
        from qbcircuit.paper import paper_suite
    except ImportError:
        return []
    return paper_suite()


@pytest.mark.slow
@pytest.mark.parametrize(
    "entry", _paper_suite(),
    ids=lambda e: f"{e.panel}: {e.label}",
)
def test_default_dt_agrees_with_exact(entry):
    params = entry.params
    times = np.linspace(0, 10, 201)
    tr = simulate(params, times, method="trotter")
    ex = simulate(params, times, method="exact")
    for name in ("energy", "fluctuation", "concurrence"):
        np.testing.assert_allclose(getattr(tr, name), getattr(ex, name),
                                   atol=DEFAULT_DT_ATOL, rtol=0, err_msg=name)


@pytest.mark.parametrize("dt", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_dt_is_refused(dt):
    with pytest.raises(ParameterError, match=r"dt must be a finite number > 0"):
        simulate(BatteryParams(**CLOSED), [0.0, 1.0], method="trotter", dt=dt)


@pytest.mark.parametrize("order", [0, 3, 1.5, True])
def test_bad_order_is_refused(order):
    with pytest.raises(ParameterError, match=r"order must be 1 \(Lie-Trotter\) or 2"):
        simulate(BatteryParams(**CLOSED), [0.0, 1.0], method="trotter", order=order)


def test_foreign_option_is_refused():
    with pytest.raises(ParameterError, match="its options: dt, order"):
        simulate(BatteryParams(**CLOSED), [0.0, 1.0], method="trotter", atol=1e-8)


def test_too_large_register_is_refused():
    params = BatteryParams(alpha=0.0, fock=12, encoding="unary")  # 14 qubits
    with pytest.raises(ParameterError, match="density-matrix simulator is used up to 12"):
        simulate(params, [0.0, 1.0], method="trotter")


def test_too_large_loss_channel_is_refused():
    params = BatteryParams(alpha=0.0, fock=64, kappa=0.1)  # 6 cavity qubits
    with pytest.raises(ParameterError, match="supported up to 5 cavity qubits"):
        simulate(params, [0.0, 1.0], method="trotter")


def test_cli_simulate_trotter(capsys):
    from qbcircuit.cli import main

    argv = ["simulate", "--method", "trotter", "--fock", "16", "--t-max", "0.5", "--points",
            "3", "--dt", "0.1", "--order", "1", "--gamma", "0.2"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "t,energy,fluctuation,concurrence" and len(lines) == 4

"""The trotter engine (qbcircuit/engines/trotter.py): convergence orders, exact dissipation,
agreement with the exact engine and with QuTiP, the noise model, and input checks."""

import numpy as np
import pytest
from qutip_reference import qutip_trajectory

from qbcircuit import BatteryModel, BatteryParams, ParameterError, simulate
from qbcircuit.engines import exact, trotter

pytestmark = pytest.mark.aer

TROTTER_ATOL = 1e-3  # small-dt Trotter vs exact / QuTiP, open system, all couplings on
DECAY_ATOL = 1e-8  # populations under pure dissipation vs the closed-form exponentials
LOWERING_ATOL = 1e-10  # step as one unitary vs the synthesised gates
DEFAULT_DT_ATOL = 1e-2  # default dt vs exact on a paper parameter set (observables)
SLOPE_TOL = 0.15  # fitted log-log error slopes vs the product-formula order
NOISE_EFFECT_MIN = 1e-2  # the noise model changes the state by at least this much

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
    got = trotter.evolve(model, times, dt=dt, order=order).density_matrices
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


def test_open_system_error_slope_is_one():
    dts = [0.2, 0.1, 0.05]
    errs = [_error(OPEN, dt, 2) for dt in dts]
    assert abs(_slope(dts, errs) - 1) < SLOPE_TOL


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


def test_small_dt_open_system_agrees_with_exact():
    times = np.array([0.0, 0.5, 1.0])
    assert _error(OPEN, 0.01, 2, times) < TROTTER_ATOL


def test_small_dt_open_system_agrees_with_qutip():
    times = np.array([0.0, 0.5, 1.0])
    tr = simulate(BatteryParams(**OPEN), times, method="trotter", dt=0.005)
    ref = dict(OPEN)
    levels = ref.pop("fock")
    energy, fluct, conc = qutip_trajectory(times, levels=levels, **ref)
    np.testing.assert_allclose(tr.energy, energy, atol=TROTTER_ATOL, rtol=0)
    np.testing.assert_allclose(tr.fluctuation, fluct, atol=TROTTER_ATOL, rtol=0)
    np.testing.assert_allclose(tr.concurrence, conc, atol=TROTTER_ATOL, rtol=0)
    assert tr.trace_error < TROTTER_ATOL


def test_noise_model_carries_the_dissipation():
    """Without the noise model the gamma > 0 run is the closed system's, with it the exact one's."""
    params = BatteryParams(**dict(CLOSED, gamma=0.4))
    model = BatteryModel(params)
    times = np.array([0.0, 1.0])
    noisy = trotter.run(model, times, dt=0.05, order=2).density_matrices
    silent = trotter.run(model, times, dt=0.05, order=2, use_noise=False).density_matrices
    closed = trotter.evolve(BatteryModel(BatteryParams(**CLOSED)), times, dt=0.05).density_matrices
    assert np.max(np.abs(noisy - silent)) > NOISE_EFFECT_MIN
    np.testing.assert_allclose(silent, closed, atol=LOWERING_ATOL, rtol=0)


def test_lowered_step_equals_the_gate_circuit():
    model = BatteryModel(BatteryParams(**OPEN))
    times = np.array([0.0, 0.1, 0.15])
    fast = trotter.run(model, times, dt=0.1, order=2).density_matrices
    gates = trotter.run(model, times, dt=0.1, order=2,
                        lowering=trotter.gate_lowering).density_matrices
    np.testing.assert_allclose(fast, gates, atol=LOWERING_ATOL, rtol=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(alpha=3, zeta=0),  # the closed paper set with the largest error, Fig. (a)
        dict(alpha=1, kappa=0.6, gamma=0.4, zeta=1),  # the open paper set, Fig. (d)
    ],
    ids=["closed", "open"],
)
def test_default_dt_agrees_with_exact(kwargs):
    params = BatteryParams(**kwargs)
    times = np.linspace(0, 10, 51)
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

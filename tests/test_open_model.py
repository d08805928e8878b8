"""The open model: N cells, Fock and thermal chargers, dephasing, thermal baths, e_ops, states out.

Every engine against an independent build (tests/chain_reference.py: raw Kronecker products,
solved by QuTiP's mesolve at tight tolerances) and against closed forms.
"""

import numpy as np
import pytest
import qutip as qt
from chain_reference import cell_sigma_z, chain_model
from qiskit.quantum_info import SparsePauliOp

from qbcircuit import BatteryModel, BatteryParams, ParameterError, simulate
from qbcircuit.layout import Layout

ENERGY_ATOL = 1e-6          # engines against the independent build (mesolve at 1e-12 / 1e-10)
CONCURRENCE_ATOL = 1e-6
CLOSED_FORM_ATOL = 1e-9
STATE_ATOL = 1e-6           # trace distance of states out
EXPECT_ATOL = 1e-6
TIMES = np.linspace(0.0, 4.0, 21)

CASES = {
    "1 cell, Fock charger, dephasing, losses": dict(
        model=dict(cells=1, charger_state="fock", photons=2, kappa=0.1, gamma=0.05,
                   dephasing=0.02, delta=0.3),
        ref=dict(cells=1, charger="fock", photons=2, kappa=0.1, gamma=0.05, dephasing=0.02,
                 delta=0.3)),
    "3 cells, coherent, thermal baths, dephasing": dict(
        model=dict(cells=3, alpha=0.8, zeta=0.5, g=0.7, kappa=0.2, gamma=0.1, n_thermal=0.1,
                   dephasing=0.05),
        ref=dict(cells=3, alpha=0.8, zeta=0.5, g=0.7, kappa=0.2, gamma=0.1, n_thermal=0.1,
                 dephasing=0.05)),
    "3 cells, Tavis-Cummings, thermal charger": dict(
        model=dict(cells=3, charger_state="thermal", photons=0.5, charger_coupling="all",
                   g=0.6),
        ref=dict(cells=3, charger="thermal", photons=0.5, tavis_cummings=True, g=0.6)),
    "4 cells, closed anisotropic chain, one cell excited": dict(
        model=dict(cells=4, alpha=0.5, zeta=0.3, g=0.9, initial_cells="gegg"),
        ref=dict(cells=4, alpha=0.5, zeta=0.3, g=0.9, initial="gegg")),
    "4 cells, open Tavis-Cummings, Fock charger": dict(
        model=dict(cells=4, charger_state="fock", photons=1, charger_coupling="all",
                   kappa=0.3, gamma=0.1),
        ref=dict(cells=4, charger="fock", photons=1, tavis_cummings=True, kappa=0.3,
                 gamma=0.1)),
}


def _reference(case, levels):
    H, c_ops, rho0 = chain_model(levels=levels, **CASES[case]["ref"])
    cells = CASES[case]["ref"]["cells"]
    sz = [cell_sigma_z(levels, cells, j) for j in range(1, cells + 1)]
    opts = {"atol": 1e-12, "rtol": 1e-10}
    result = qt.mesolve(H, rho0, TIMES, c_ops, e_ops=[], options=opts)
    return result.states, sz, rho0


@pytest.mark.parametrize("method", ["exact", "dynamics"])
@pytest.mark.parametrize("case", list(CASES))
def test_engines_match_the_independent_build(case, method):
    params = BatteryParams(**CASES[case]["model"])
    traj = simulate(params, TIMES, method=method)
    states, sz, rho0 = _reference(case, traj.levels)
    N = params.cells
    sz_last = np.array([qt.expect(sz[-1], s) for s in states])
    energy = 0.5 * (sz_last - qt.expect(sz[-1], rho0))
    assert np.max(np.abs(traj.energy - energy)) < ENERGY_ATOL
    for j in range(1, N + 1):
        e_j = 0.5 * (np.array([qt.expect(sz[j - 1], s) for s in states])
                     - qt.expect(sz[j - 1], rho0))
        assert np.max(np.abs(traj.cell_energies[:, j - 1] - e_j)) < ENERGY_ATOL, j
    if N > 1:
        keep = [1, N]  # QuTiP's ptrace keeps subsystems in its own order: charger = 0
        conc = np.array([qt.concurrence(s.ptrace(keep)) for s in states])
        assert np.max(np.abs(traj.concurrence - conc)) < CONCURRENCE_ATOL
    else:
        assert traj.concurrence is None


def test_resonant_fock_charger_rabi_oscillation():
    # one cell in |g>, charger |n>, Delta = 0: P_e(t) = sin^2(lambda sqrt(n) t)
    n, lam = 3, 0.8
    params = BatteryParams(cells=1, charger_state="fock", photons=n, lam=lam)
    traj = simulate(params, TIMES, method="exact")
    assert np.max(np.abs(traj.energy - np.sin(lam * np.sqrt(n) * TIMES) ** 2)) \
        < CLOSED_FORM_ATOL


@pytest.mark.parametrize("method", ["exact", "dynamics"])
def test_uncoupled_cell_relaxes_to_the_thermal_population(method):
    # P_e(t) = n/(2n+1) (1 - exp(-gamma (2n+1) t)) from |g>
    nth, gamma = 0.7, 0.3
    params = BatteryParams(cells=1, lam=0.0, gamma=gamma, n_thermal=nth)
    times = np.linspace(0.0, 30.0, 31)
    traj = simulate(params, times, method=method)
    expected = nth / (2 * nth + 1) * (1 - np.exp(-gamma * (2 * nth + 1) * times))
    tol = CLOSED_FORM_ATOL if method == "exact" else ENERGY_ATOL
    assert np.max(np.abs(traj.energy - expected)) < tol


def test_dephasing_leaves_populations_and_kills_coherence():
    # pure dephasing of one cell: no energy change; exact agrees with the build above
    params = BatteryParams(cells=1, lam=0.0, dephasing=0.4, initial_cells="e")
    traj = simulate(params, TIMES, method="exact")
    assert np.max(np.abs(traj.energy)) < CLOSED_FORM_ATOL


def test_states_out_in_qutip_and_qiskit_form():
    case = "3 cells, coherent, thermal baths, dephasing"
    params = BatteryParams(**CASES[case]["model"])
    traj = simulate(params, TIMES, method="exact", store_states=True,
                    e_ops={"n": "photon_number", "sz1": BatteryModel(params).sigma_z(1),
                           "purity": lambda rho: rho.purity()})
    states, sz, _ = _reference(case, traj.levels)
    H, _, _ = chain_model(levels=traj.levels, **CASES[case]["ref"])
    n_op = qt.tensor([qt.num(traj.levels)] + [qt.qeye(2)] * 3)
    for i in (0, 7, 20):
        ours = traj.to_qutip(i)
        assert ours.dims == [[traj.levels, 2, 2, 2]] * 2
        assert qt.tracedist(ours, states[i]) < STATE_ATOL
        # Qiskit form: expectation values on the model's register against QuTiP's
        rho_q = traj.to_qiskit(i)
        model = BatteryModel(params, levels=traj.levels)
        assert abs(rho_q.expectation_value(model.photon_number) - qt.expect(n_op, states[i])) \
            < EXPECT_ATOL
        assert abs(rho_q.expectation_value(model.sigma_z(3)) - qt.expect(sz[2], states[i])) \
            < EXPECT_ATOL
        assert abs(traj.expect["n"][i] - qt.expect(n_op, states[i])) < EXPECT_ATOL
        assert abs(traj.expect["sz1"][i] - qt.expect(sz[0], states[i])) < EXPECT_ATOL
        assert abs(traj.expect["purity"][i] - (states[i] ** 2).tr().real) < EXPECT_ATOL
    # the cells' state in QuTiP's order is the partial trace of to_qutip
    cells13 = traj.cells((1, 3))[20]  # Qiskit order: cell 1 on qubit 0
    qutip13 = states[20].ptrace([1, 3]).full()  # QuTiP order: cell 1 first
    perm = Layout(1, 2).to_qutip_order(cells13)
    assert np.max(np.abs(perm - qutip13)) < STATE_ATOL


def test_pure_states_out_are_kets():
    params = BatteryParams(cells=2, alpha=0.7, zeta=0.4)
    traj = simulate(params, TIMES, method="exact", store_states=True)
    H, _, rho0 = chain_model(levels=traj.levels, cells=2, alpha=0.7, zeta=0.4)
    _, vectors = np.linalg.eigh(rho0.full())  # rho0 is pure: its top eigenvector
    psi0 = qt.Qobj(vectors[:, [-1]], dims=[rho0.dims[0], [1, 1, 1]])
    ref = qt.sesolve(H, psi0, TIMES, options={"atol": 1e-12, "rtol": 1e-10})
    ket = traj.to_qutip(10)
    assert ket.isket and ket.dims[0] == [traj.levels, 2, 2]
    assert abs(abs(ket.overlap(ref.states[10])) - 1) < STATE_ATOL


def test_paper_quantities_for_one_cell_are_absent_not_zero():
    traj = simulate(BatteryParams(cells=1), [0.0, 1.0], method="exact")
    assert traj.concurrence is None
    with pytest.raises(ParameterError, match="needs two cells"):
        traj.quantity("concurrence")
    assert "concurrence" not in traj.to_csv_text().splitlines()[0]


def test_battery_quantities_sum_the_cells():
    params = BatteryParams(cells=3, alpha=1.0, charger_coupling="all", kappa=0.1)
    traj = simulate(params, TIMES, method="exact")
    total = traj.cell_energies.sum(axis=1)
    assert np.max(np.abs(traj.quantity("battery_energy") - total)) < CLOSED_FORM_ATOL
    power = traj.quantity("battery_power")
    assert np.max(np.abs(power[1:] - total[1:] / TIMES[1:])) < CLOSED_FORM_ATOL
    # joint ergotropy of all cells is at least the sum of what each cell alone yields
    singles = sum(_single_ergotropy(traj.cells((j,))) for j in (1, 2, 3))
    assert np.all(traj.quantity("battery_ergotropy") >= singles - CLOSED_FORM_ATOL)


def _single_ergotropy(rho):
    rz = (rho[:, 1, 1] - rho[:, 0, 0]).real
    return 0.5 * (rz + np.sqrt(rz**2 + 4 * np.abs(rho[:, 0, 1]) ** 2))


@pytest.mark.parametrize("kwargs, message", [
    ({"cells": 0}, "cells must be in"),
    ({"cells": 3, "initial_cells": "gg"}, "initial_cells must be 3 letters"),
    ({"photons": 2}, "photons sets a fock or thermal charger"),
    ({"charger_state": "fock", "photons": 1.5}, "photons must be a whole number"),
    ({"charger_state": "fock", "alpha": 1.5}, "photons must be a whole number"),
    ({"charger_state": "squeezed"}, "charger_state must be one of"),
    ({"dephasing": -1}, "dephasing must be >= 0"),
    ({"n_thermal": float("nan")}, "n_thermal must be finite"),
])
def test_bad_model_fields_are_named(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        BatteryParams(**kwargs)


def test_bad_e_ops_are_named():
    p = BatteryParams(cells=3)
    with pytest.raises(ParameterError, match="e_ops\\['x'\\] must be one of"):
        simulate(p, [0, 1], method="exact", e_ops={"x": "nonsense"})
    with pytest.raises(ParameterError, match="acts on 2 qubits"):
        simulate(p, [0, 1], method="exact", e_ops={"x": SparsePauliOp("ZZ")})
    with pytest.raises(ParameterError, match="keeps no states"):
        simulate(p, [0, 1], method="exact").to_qutip(0)


def test_cli_observe_adds_columns(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "o.csv"
    run = subprocess.run(
        [sys.executable, "-m", "qbcircuit", "simulate", "--cells", "3", "--charger-state",
         "fock", "--photons", "2", "--method", "exact", "--t-max", "1", "--points", "3",
         "--observe", "photon_number", "--observe", "battery_energy", "--out", str(out)],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    header, first, *_ = out.read_text().splitlines()
    assert header == "t,energy,fluctuation,concurrence,photon_number,battery_energy"
    assert abs(float(first.split(",")[4]) - 2.0) < EXPECT_ATOL


@pytest.mark.parametrize("kwargs", [
    dict(cells=1, charger_state="fock", photons=2, kappa=0.1),
    dict(cells=3, alpha=0.6, zeta=0.4, gamma=0.1, dephasing=0.05, n_thermal=0.1),
    dict(cells=2, charger_state="thermal", photons=0.4, charger_coupling="all", kappa=0.2),
])
def test_public_qutip_build_agrees_with_exact(kwargs):
    from qbcircuit.interop import qutip_trajectory

    params = BatteryParams(**kwargs)
    traj = simulate(params, TIMES, method="exact")
    energy, fluct, conc = qutip_trajectory(TIMES, params, levels=traj.levels)
    assert np.max(np.abs(traj.energy - energy)) < ENERGY_ATOL
    assert np.max(np.abs(traj.fluctuation - fluct)) < ENERGY_ATOL
    if params.cells > 1:
        assert np.max(np.abs(traj.concurrence - conc)) < CONCURRENCE_ATOL
    else:
        assert conc is None


TROTTER_ATOL = 2e-5  # order 2, dt = 0.01, over [0, 2] (measured 4e-6 and 9e-7)


@pytest.mark.aer
@pytest.mark.parametrize("kwargs", [
    dict(cells=3, alpha=0.6, zeta=0.4, gamma=0.1, dephasing=0.05, n_thermal=0.1, kappa=0.2,
         fock=4),
    dict(cells=1, charger_state="fock", photons=2, kappa=0.3, n_thermal=0.2, fock=8),
])
def test_trotter_runs_the_open_model_and_converges_at_second_order(kwargs):
    from qbcircuit import Trotter

    params = BatteryParams(**kwargs)
    times = np.linspace(0.0, 2.0, 5)
    ref = simulate(params, times, method="exact")
    errors = []
    for dt in (0.02, 0.01):
        tr = simulate(params, times, method=Trotter(dt=dt, order=2))
        errors.append(np.max(np.abs(tr.energy - ref.energy)))
        if params.cells > 1:
            assert np.max(np.abs(tr.concurrence - ref.concurrence)) < 2 * TROTTER_ATOL
    assert errors[1] < TROTTER_ATOL
    assert errors[0] / errors[1] > 3.0  # second order: 4 for halving dt

"""The exact engine against closed forms and against an independent QuTiP build."""

import math

import numpy as np
import pytest
from qutip_reference import qutip_trajectory

from qbcircuit import BatteryModel, BatteryParams, TruncationWarning, simulate
from qbcircuit.engines import exact

ENERGY_ATOL = 1e-6
FLUCTUATION_ATOL = 1e-6
CONCURRENCE_ATOL = 1e-6
CLOSED_FORM_ATOL = 1e-9
PHYSICAL_ATOL = 1e-9

TIMES = np.linspace(0.0, 6.0, 61)

# Each set exercises something the others do not.
QUTIP_CASES = {
    "complex alpha, zeta=0.5, omega_q != 1": dict(alpha=1 + 0.5j, zeta=0.5, omega_q=1.4, g=0.8),
    "negative zeta, negative delta": dict(alpha=1.5, zeta=-0.6, delta=-0.8, g=1.2),
    "kappa only, imaginary alpha": dict(alpha=0.9j, zeta=0.3, kappa=0.5),
    "gamma only, detuned": dict(alpha=1.1, zeta=1.0, gamma=0.3, delta=0.7),
    "both losses, paper Fig. 2(d)": dict(alpha=1.0, zeta=1.0, kappa=0.6, gamma=0.4),
    "isotropic strong coupling": dict(alpha=2.0, zeta=0.0, g=2.0, lam=0.7),
}


@pytest.mark.parametrize("encoding", ["binary", "unary"])
@pytest.mark.parametrize("case", list(QUTIP_CASES))
def test_exact_engine_matches_qutip(case, encoding):
    kwargs = QUTIP_CASES[case]
    params = BatteryParams(encoding=encoding, **kwargs)
    ours = simulate(params, TIMES, method="exact")
    energy, fluct, conc = qutip_trajectory(TIMES, levels=params.levels, **kwargs)
    assert np.max(np.abs(ours.energy - energy)) < ENERGY_ATOL
    assert np.max(np.abs(ours.fluctuation - fluct)) < FLUCTUATION_ATOL
    assert np.max(np.abs(ours.concurrence - conc)) < CONCURRENCE_ATOL
    assert ours.concurrence.max() > 0.05 and ours.energy.max() > 0.05  # not a trivial case


def test_resonant_jaynes_cummings_rabi_oscillation():
    """g = 0: the primary cell sees the JC model, P_e(t) = sum_n p_n sin^2(lam sqrt(n) t)."""
    alpha, lam = 1.3, 0.8
    params = BatteryParams(alpha=alpha, g=0.0, lam=lam, fock=24, tail_tol=1e-9)
    traj = simulate(params, TIMES, method="exact")
    n = np.arange(60)
    p_n = np.exp(-(alpha**2)) * alpha ** (2 * n) / np.array([math.factorial(k) for k in n],
                                                             dtype=float)
    p_n /= p_n[:24].sum()
    p_n[24:] = 0
    expected = np.sin(lam * np.sqrt(n)[None, :] * TIMES[:, None]) ** 2 @ p_n
    primary_excited = traj.cell_states[:, 1, 1].real + traj.cell_states[:, 3, 3].real
    assert np.max(np.abs(primary_excited - expected)) < CLOSED_FORM_ATOL
    assert np.max(np.abs(traj.energy)) < CLOSED_FORM_ATOL  # secondary cell untouched


def test_pure_exponential_decay_of_cells_and_cavity():
    gamma, kappa, alpha = 0.3, 0.5, 1.2
    params = BatteryParams(alpha=alpha, g=0.0, lam=0.0, gamma=gamma, kappa=kappa,
                           initial_cells="ee")
    model = BatteryModel(params)
    states = exact.evolve(model, TIMES)
    traj = simulate(params, TIMES, method="exact")
    assert np.max(np.abs(traj.energy - (np.exp(-gamma * TIMES) - 1))) < CLOSED_FORM_ATOL
    rho = states.density_matrices
    n_op = model.code_matrix(model.photon_number).toarray()
    photons = np.einsum("ij,tji->t", n_op, rho).real
    assert np.max(np.abs(photons - abs(alpha) ** 2 * np.exp(-kappa * TIMES))) < CLOSED_FORM_ATOL


def test_non_uniform_times_equal_uniform_ones():
    params = BatteryParams(alpha=1.0, zeta=0.5, kappa=0.2, gamma=0.1)
    uniform = simulate(params, TIMES, method="exact")
    picked = [0, 3, 4, 17, 40, 60]
    sparse = simulate(params, TIMES[picked], method="exact")
    assert np.max(np.abs(sparse.energy - uniform.energy[picked])) < CLOSED_FORM_ATOL
    late = simulate(params, TIMES[[30, 60]], method="exact")  # first time > 0
    assert np.max(np.abs(late.concurrence - uniform.concurrence[[30, 60]])) < CLOSED_FORM_ATOL


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(alpha=2.0, zeta=0.0),
        dict(alpha=3.0, zeta=1.0, delta=1.0),
        # strong counter-rotating coupling pumps photons: needs more than the automatic headroom
        dict(alpha=0.5 + 0.5j, zeta=-1.0, g=2.0, fock=64),
        dict(alpha=1.0, zeta=1.0, kappa=0.6, gamma=0.4),
        dict(alpha=1.5, zeta=0.2, kappa=1.5, gamma=0.05, omega_q=0.5),
    ],
)
def test_physical_checks_on_every_trajectory(kwargs):
    params = BatteryParams(**kwargs)
    model = BatteryModel(params)
    states = exact.evolve(model, TIMES)
    traj = simulate(params, TIMES, method="exact")
    assert traj.trace_error < PHYSICAL_ATOL
    assert traj.hermiticity_error < PHYSICAL_ATOL
    assert traj.min_eigenvalue > -PHYSICAL_ATOL
    assert traj.top_fock_population < 1e-8
    assert np.all(traj.energy > -PHYSICAL_ATOL) and np.all(traj.energy < 1 + PHYSICAL_ATOL)
    assert np.all(traj.fluctuation >= 0) and np.all(traj.fluctuation <= 0.5 + PHYSICAL_ATOL)
    assert np.all(traj.concurrence >= 0) and np.all(traj.concurrence <= 1 + PHYSICAL_ATOL)
    cells = traj.cell_states
    assert np.max(np.abs(np.trace(cells, axis1=1, axis2=2) - 1)) < PHYSICAL_ATOL
    assert np.min(np.linalg.eigvalsh(cells)) > -PHYSICAL_ATOL
    if states.density_matrices is not None:
        eig = np.linalg.eigvalsh(states.density_matrices)
        assert eig.min() > -PHYSICAL_ATOL


def test_excitation_number_is_conserved_without_anisotropy_and_losses():
    params = BatteryParams(alpha=1.7 - 0.2j, zeta=0.0, delta=0.6, g=1.3)
    model = BatteryModel(params)
    kets = exact.evolve(model, TIMES).kets.reshape(TIMES.size, 4, model.levels)
    cell_exc = np.array([0, 1, 1, 2])
    n_exc = np.arange(model.levels)[None, None, :] + cell_exc[None, :, None]
    total = np.sum(np.abs(kets) ** 2 * n_exc, axis=(1, 2))
    assert np.max(np.abs(total - total[0])) < CLOSED_FORM_ATOL
    assert np.isclose(total[0], abs(params.alpha) ** 2, atol=1e-8)
    # ... and it is not conserved with zeta != 0 (the test can fail).
    anis = BatteryModel(BatteryParams(alpha=1.7 - 0.2j, zeta=0.5, delta=0.6, g=1.3))
    kets = exact.evolve(anis, TIMES).kets.reshape(TIMES.size, 4, anis.levels)
    n_exc = np.arange(anis.levels)[None, None, :] + cell_exc[None, :, None]
    total = np.sum(np.abs(kets) ** 2 * n_exc, axis=(1, 2))
    assert np.max(np.abs(total - total[0])) > 1e-3


@pytest.mark.parametrize("encoding", ["gray", "unary"])
def test_every_encoding_gives_the_same_trajectory(encoding):
    kwargs = dict(alpha=1.0 + 0.3j, zeta=0.7, kappa=0.2, gamma=0.1, fock=16, tail_tol=1e-8)
    ref = simulate(BatteryParams(**kwargs), TIMES, method="exact")
    other = simulate(BatteryParams(encoding=encoding, **kwargs), TIMES, method="exact")
    assert np.max(np.abs(other.cell_states - ref.cell_states)) < CLOSED_FORM_ATOL


def test_truncation_warning_when_the_top_level_fills():
    # an explicit fock is honoured as given (the automatic truncation would grow instead)
    params = BatteryParams(alpha=0.5 + 0.5j, zeta=-1.0, g=2.0, fock=16)
    with pytest.warns(TruncationWarning, match=r"top kept Fock level .*\(fock = 16\)"):
        simulate(params, TIMES, method="exact")

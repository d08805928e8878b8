"""The exact engine against closed forms and against an independent QuTiP build."""

import math

import numpy as np
import pytest
import qutip as qt
import scipy.linalg as sla
import scipy.sparse
from qutip_reference import qutip_model, qutip_trajectory
from threadpoolctl import threadpool_limits

from qbcircuit import BatteryModel, BatteryParams, TruncationWarning, simulate
from qbcircuit import observables as obs
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


@pytest.mark.parametrize("gamma, t_max", [(1.0, 1e3), (10.0, 1e3), (1e3, 1.0), (1e4, 1.0)])
def test_long_dissipative_runs_do_not_overflow(gamma, t_max):
    # gamma t up to 1e4: the error bound's e^{a t} once overflowed a float (OverflowError)
    params = BatteryParams(alpha=1.0, g=0.0, lam=0.0, gamma=gamma, kappa=0.1,
                           initial_cells="ee")
    times = np.array([0.0, 0.5 / gamma, 2.0 / gamma, t_max / 2, t_max])
    traj = simulate(params, times, method="exact")
    assert np.max(np.abs(traj.energy - (np.exp(-gamma * times) - 1))) < CLOSED_FORM_ATOL


def test_long_dissipative_paper_run_relaxes_to_the_ground_state():
    # the CLI case of the report: simulate --method exact --gamma 1 --t-max 1000 --points 3
    traj = simulate(BatteryParams(gamma=1.0), np.linspace(0.0, 1000.0, 3), method="exact")
    assert np.all(np.isfinite(traj.energy))
    assert np.max(np.abs(traj.energy[1:])) < PHYSICAL_ATOL
    assert np.max(np.abs(traj.concurrence[1:])) < PHYSICAL_ATOL


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


# -- the Chebyshev engine: against QuTiP at tight tolerances, a dense exponential, its bound ------
#: exact against QuTiP mesolve run far tighter than its defaults: cell states and energy
TIGHT_ATOL = 1e-8
#: QuTiP options for that comparison (its own error is then well below TIGHT_ATOL)
TIGHT_QUTIP = {"atol": 1e-14, "rtol": 1e-12, "nsteps": 10_000_000}
#: restricted (pair-set) evolution against the dense exponential of the full Liouvillian
RESTRICTED_ATOL = 1e-10
_QUTIP_TO_OURS = [0, 2, 1, 3]  # qutip cells (cell1 (x) cell2) -> ours (index b1 + 2 b2)

TIGHT_CASES = {
    "closed, zeta=-0.4, complex alpha, omega_q=1.3": dict(alpha=0.9 - 0.6j, zeta=-0.4,
                                                          omega_q=1.3, delta=-0.4),
    "closed, zeta=0, omega_q=0.7": dict(alpha=1.3 + 0.4j, zeta=0.0, omega_q=0.7, g=1.3),
    "closed, zeta=0.5, complex alpha, omega_q=1.4": dict(alpha=1 + 0.5j, zeta=0.5, omega_q=1.4,
                                                         g=0.8),
    "closed, zeta=1": dict(alpha=1.2, zeta=1.0, delta=0.5),
    "open, zeta=-0.4, omega_q=1.2": dict(alpha=0.9j, zeta=-0.4, kappa=0.5, gamma=0.1,
                                         omega_q=1.2),
    "open, zeta=0, complex alpha, omega_q=0.8": dict(alpha=1.0 - 0.4j, zeta=0.0, kappa=0.3,
                                                     gamma=0.2, omega_q=0.8, delta=0.3),
    "open, zeta=0.5, gamma only": dict(alpha=0.7 + 0.7j, zeta=0.5, gamma=0.3, omega_q=1.5),
    "open, zeta=1, paper Fig. 2(d)": dict(alpha=1.0, zeta=1.0, kappa=0.6, gamma=0.4),
}


def _qutip_cells(params, levels, times):
    p = params
    H, c_ops, psi0, sz2 = qutip_model(p.alpha, p.delta, p.g, p.zeta, p.kappa, p.gamma, p.omega_q,
                                      p.lam, levels)
    states = qt.mesolve(H, psi0, times, c_ops, options=TIGHT_QUTIP).states
    cells = np.array([(s if s.isoper else qt.ket2dm(s)).ptrace([1, 2]).full() for s in states])
    return cells[:, _QUTIP_TO_OURS][:, :, _QUTIP_TO_OURS]


@pytest.mark.parametrize("case", list(TIGHT_CASES))
def test_exact_engine_matches_tight_qutip(case):
    params = BatteryParams(**TIGHT_CASES[case])
    ours = simulate(params, TIMES, method="exact")
    ref = _qutip_cells(params, ours.levels, TIMES)  # the truncation simulate() settled on
    assert np.max(np.abs(ours.cell_states - ref)) < TIGHT_ATOL
    assert np.max(np.abs(ours.energy - obs.energy(ref))) < TIGHT_ATOL
    assert np.max(np.abs(ours.concurrence - obs.concurrence(ref))) < TIGHT_ATOL
    # the fluctuation is sqrt(var): compare the variance (the sqrt at 0 turns 1e-16 into 1e-8)
    assert np.max(np.abs(ours.fluctuation**2 - obs.fluctuation(ref) ** 2)) < TIGHT_ATOL
    assert ours.energy.max() > 0.05


def _dense_reference(model, times):
    """rho(t) from the dense exponential of the full Liouvillian (small models only)."""
    L = exact.liouvillian(model.hamiltonian_matrix, model.collapse_matrices).toarray()
    psi = model.initial_ket
    out, vec, last, steps = [], np.outer(psi, psi.conj()).ravel(), 0.0, {}
    with threadpool_limits(limits=1, user_api="blas"):  # small dense products: one thread
        for t in times:
            step = round(t - last, 12)
            if step not in steps:
                steps[step] = sla.expm(L * step)
            vec = steps[step] @ vec
            out.append(vec.reshape(psi.size, psi.size))
            last = t
    return np.array(out)


# small truncations: the dense exponential of the full Liouvillian is the oracle
RESTRICTED_CASES = {
    "zeta=0, both losses": dict(alpha=0.6 + 0.2j, zeta=0.0, kappa=0.6, gamma=0.4, fock=6,
                                tail_tol=1e-3),
    "zeta=0, detuned, gamma only": dict(alpha=0.5, zeta=0.0, gamma=0.5, delta=1.2, omega_q=0.6,
                                        fock=5, tail_tol=1e-3),
    "zeta=0.5 (no grading: full set)": dict(alpha=0.5j, zeta=0.5, kappa=0.4, gamma=0.2, fock=5,
                                           tail_tol=1e-3),
}


@pytest.mark.parametrize("case", list(RESTRICTED_CASES))
def test_restricted_evolution_equals_the_full_exponential(case):
    params = BatteryParams(**RESTRICTED_CASES[case])
    model = BatteryModel(params)
    times = np.array([0.0, 0.37, 1.0, 2.5, 2.6, 7.0])  # non-uniform, several chunks
    states = exact.evolve(model, times)
    ref = _dense_reference(model, times)
    cells_ref = model.layout.cells_from_density_matrices(ref)
    assert np.max(np.abs(states.cell_states() - cells_ref)) < RESTRICTED_ATOL
    assert np.max(np.abs(states.density_matrices - ref)) < RESTRICTED_ATOL  # full, on access
    # the guaranteed bound holds, and is well below the target
    cell_err = np.max(np.linalg.norm(states.cell_states() - cells_ref, axis=(1, 2)))
    assert cell_err <= states.cell_error_bound < exact.ERROR_TARGET
    problem = exact._OpenProblem(model, restrict=True)
    restricted = problem.coords.size < model.initial_ket.size ** 2
    assert restricted == (params.zeta == 0)  # the grading exists exactly when N is conserved


def test_the_error_bound_holds_when_the_expansion_is_cut_short(monkeypatch):
    """With a loose chunk tolerance the error is visible, and still below the bound."""
    monkeypatch.setattr(exact, "CHUNK_TOL", 1e-3)
    monkeypatch.setattr(exact, "ERROR_TARGET", np.inf)
    for kwargs in RESTRICTED_CASES.values():
        model = BatteryModel(BatteryParams(**kwargs))
        times = np.linspace(0.0, 5.0, 11)
        states = exact.evolve(model, times)
        err = np.linalg.norm(states.cell_states()
                             - model.layout.cells_from_density_matrices(
                                 _dense_reference(model, times)), axis=(1, 2))
        assert 1e-12 < err.max() <= states.cell_error_bound


def test_excitation_grading_from_sparsity():
    """Found for the zeta = 0 battery and a Tavis-Cummings coupling; not for pair terms."""
    model = BatteryModel(BatteryParams(alpha=1.0, zeta=0.0, kappa=0.1, gamma=0.1))
    N = exact.excitation_grading(exact.chop(model.hamiltonian_matrix)[0],
                                 [exact.chop(C)[0] for C in model.collapse_matrices])
    d = model.levels
    expected = np.arange(4 * d) % d + np.array([0, 1, 1, 2])[np.arange(4 * d) // d]
    assert np.array_equal(N, expected)
    anis = BatteryModel(BatteryParams(alpha=1.0, zeta=0.5, kappa=0.1))
    assert exact.excitation_grading(exact.chop(anis.hamiltonian_matrix)[0],
                                    [exact.chop(C)[0] for C in anis.collapse_matrices]) is None
    # Tavis-Cummings: both cells coupled to the cavity (cells-major, c = b1 + 2 b2)
    d = 6
    a = np.diag(np.sqrt(np.arange(1, d)), 1)
    sm = np.array([[0.0, 1.0], [0.0, 0.0]])
    s1, s2 = np.kron(np.eye(2), sm), np.kron(sm, np.eye(2))
    A = np.kron(np.eye(4), a)
    S1, S2 = np.kron(s1, np.eye(d)), np.kron(s2, np.eye(d))
    H = A.T @ A + 0.5 * (S1.T @ S1 + S2.T @ S2) + (S1.T + S2.T) @ A + A.T @ (S1 + S2)
    tc = exact.excitation_grading(H, [A, S1, S2])
    assert np.array_equal(tc, np.arange(4 * d) % d + np.array([0, 1, 1, 2])[np.arange(4 * d) // d])
    # one-photon and two-photon loss together: no charge that both lower by one
    assert exact.excitation_grading(H, [A, A @ A]) is None


def test_closed_blocks_equal_one_dense_exponential():
    for zeta in (0.0, 0.7):
        model = BatteryModel(BatteryParams(alpha=1.1 + 0.2j, zeta=zeta, delta=0.3))
        kets = exact.evolve(model, TIMES[::10]).kets
        H = model.hamiltonian_matrix.toarray()
        with threadpool_limits(limits=1, user_api="blas"):
            ref = np.array([sla.expm(-1j * H * t) @ model.initial_ket for t in TIMES[::10]])
        assert np.max(np.abs(kets - ref)) < RESTRICTED_ATOL


def test_blocked_phases_equal_the_direct_exponentials():
    """exp(-iEt) on a uniform grid from anchors x steps equals the direct one (1e-11)."""
    from qbcircuit.engines.exact import _phases

    rng = np.random.default_rng(3)
    E = rng.normal(size=(2, 9)) * 20
    for times in (np.linspace(0, 10, 501), np.linspace(0.5, 3, 17), np.array([0.0, 2.0]),
                  np.sort(rng.uniform(0, 5, 40))):
        direct = np.exp(-1j * E[:, :, None] * times)  # time axis last
        assert np.max(np.abs(_phases(times, E) - direct)) < 1e-11
        scale = rng.normal(size=E.shape) + 1j * rng.normal(size=E.shape)
        assert np.max(np.abs(_phases(times, E, scale) - scale[:, :, None] * direct)) < 1e-10


#: Largest |ket difference| between the closed Chebyshev path and the eigendecomposition path
#: (both exact up to round-off; the expansion's own bound is 1e-15 per chunk).
CHEBYSHEV_KET_ATOL = 1e-11
CLOSED_PATH_CASES = {
    "paper model, zeta = 0.5, complex alpha": dict(alpha=1.2 + 0.4j, zeta=0.5, delta=0.3),
    "4-cell chain, one cell excited": dict(cells=4, alpha=0.8, zeta=-0.4, initial_cells="gegg"),
    "Tavis-Cummings, thermal charger (ensemble)": dict(cells=3, charger_state="thermal",
                                                       photons=0.6, charger_coupling="all"),
}


@pytest.mark.parametrize("case", list(CLOSED_PATH_CASES))
@pytest.mark.parametrize("times", [np.linspace(0.0, 10.0, 201), np.array([0.0, 0.3, 7.1, 25.0])],
                         ids=["uniform", "sparse-long"])
def test_closed_chebyshev_path_equals_the_eigendecomposition(case, times, monkeypatch):
    model = BatteryModel(BatteryParams(**CLOSED_PATH_CASES[case]))
    monkeypatch.setattr(exact, "_closed_costs", lambda *a: (0.0, 1.0))  # force eigh
    ref = exact.evolve(model, times)
    monkeypatch.setattr(exact, "_closed_costs", lambda *a: (1.0, 0.0))  # force Chebyshev
    # a small chunk memory forces several chunks (errors carried across chunk ends)
    monkeypatch.setattr(exact, "CHEBYSHEV_MEMORY", 50 * 16 * model.layout.code_dim)
    got = exact.evolve(model, times)
    assert np.max(np.abs(got._lab_kets() - ref._lab_kets())) < CHEBYSHEV_KET_ATOL


def test_closed_chebyshev_path_equals_expm_multiply():
    """The library call is the oracle of the hot path (a 6-cell chain, where it is chosen)."""
    from scipy.sparse.linalg import expm_multiply

    model = BatteryModel(BatteryParams(cells=6, alpha=0.6, zeta=0.5, fock=10))
    times = np.linspace(0.0, 4.0, 9)
    H, _ = exact.chop(model.hamiltonian_matrix)
    nblocks, block = exact.hamiltonian_blocks(H)
    eigh_cost, chebyshev_cost = exact._closed_costs(H, block, model.initial_ket[None], times)
    assert chebyshev_cost < eigh_cost  # the automatic choice at this size
    got = exact.evolve(model, times).kets
    ref = expm_multiply(-1j * H.tocsc(), model.initial_ket, start=0.0, stop=4.0, num=9,
                        endpoint=True)
    assert np.max(np.abs(got - ref)) < CHEBYSHEV_KET_ATOL


def test_bessel_recurrence_equals_scipy():
    from scipy.special import jv

    for K, x_max in [(10, 1.0), (300, 170.0), (50, 900.0), (2000, 5.0)]:
        x = np.concatenate([[0.0, 1e-6], np.linspace(0.0, x_max, 37)])
        ref = jv(np.arange(K + 1)[None, :], x[:, None])
        assert np.max(np.abs(exact.bessel_j(K, x) - ref)) < 1e-13


def test_closed_cost_estimate_follows_the_path_taken():
    """Large registers are estimated (and admitted) by the Chebyshev path, without a dense H."""
    times = np.linspace(0.0, 10.0, 201)
    paper = BatteryModel(BatteryParams(alpha=2.0, zeta=1.0))
    assert exact.Exact().cost(paper, times).unit == "eigendecompositions"
    chain = BatteryModel(BatteryParams(cells=8, alpha=1.5, zeta=0.5))
    cost = exact.Exact().cost(chain, times)
    dim = chain.layout.code_dim
    assert cost.unit == "Chebyshev expansions"
    assert cost.bytes < 16 * dim * 4 * dim  # the dense eigendecomposition's estimate


#: Residual and orthonormality of the block eigendecompositions (LAPACK, backward stable).
BLOCK_EIGH_ATOL = 1e-12


@pytest.mark.parametrize("dtype", [float, complex])
@pytest.mark.parametrize("width", [1, 2, 6])
def test_block_eigendecomposition_of_banded_blocks(dtype, width):
    """Blocks whose band is narrow after reordering (the zeta != 0 parity chains) go to the
    band solvers; wide ones and small ones to the batched dense eigh: every path gives
    H V = V E with orthonormal V, with the state indices the plan returns."""
    rng = np.random.default_rng(width)
    sizes = [40, 40, 30, 5]  # two equal blocks (one group), one more, one small
    n = sum(sizes)
    perm = rng.permutation(n)  # scatter the blocks over the basis
    H = np.zeros((n, n), dtype=dtype)
    start = 0
    for s in sizes:
        idx = perm[start:start + s]
        for k in range(min(width, s - 1) + 1):
            vals = rng.normal(size=s - k) + (1j * rng.normal(size=s - k) if dtype is complex
                                              else 0)
            if k == 0:
                vals = vals.real
            H[idx[k:], idx[:s - k]] = vals
            H[idx[:s - k], idx[k:]] = np.conj(vals)
        start += s
    plan = exact._block_plan(scipy.sparse.csr_matrix(H))
    assert plan.count == len(sizes)
    banded = [band is not None for _, band in plan.groups]
    assert any(banded) == (width <= exact.BANDED_MAX_FRACTION * 30)
    covered = []
    for idx, E, V in exact._block_eigh(H, plan):
        for i, e, v in zip(idx, E, V, strict=True):
            block = H[np.ix_(i, i)]
            assert np.max(np.abs(block @ v - v * e)) < BLOCK_EIGH_ATOL
            assert np.max(np.abs(v.conj().T @ v - np.eye(i.size))) < BLOCK_EIGH_ATOL
            covered += list(i)
    assert sorted(covered) == list(range(n))

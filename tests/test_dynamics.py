"""The qiskit-dynamics engine against the exact engine and the independent QuTiP build."""

import tracemalloc

import numpy as np
import pytest
from assertions import assert_observables_close
from qutip_reference import qutip_trajectory

from qbcircuit import BatteryModel, BatteryParams, ParameterError, simulate, simulate_many
from qbcircuit.engines import dynamics, exact

pytestmark = pytest.mark.dynamics

ENERGY_ATOL = 1e-6
FLUCTUATION_ATOL = 1e-6
CONCURRENCE_ATOL = 1e-6
STATE_ATOL = 1e-6

TIMES = np.linspace(0.0, 6.0, 121)

CASES = {
    "closed, binary, complex alpha, zeta=0.5, omega_q=1.3":
        dict(alpha=1 + 0.7j, zeta=0.5, omega_q=1.3, delta=-0.5, encoding="binary"),
    "closed, gray, zeta=-0.4": dict(alpha=1.5, zeta=-0.4, g=1.4, encoding="gray"),
    "closed, unary, zeta=1, detuned": dict(alpha=1.2, zeta=1.0, delta=2.0, encoding="unary"),
    "open, binary, zeta=0": dict(alpha=1.0, zeta=0.0, kappa=0.6, gamma=0.4, encoding="binary"),
    "open, gray, zeta=1, omega_q=0.7": dict(alpha=0.8j, zeta=1.0, kappa=0.3, gamma=0.2,
                                           omega_q=0.7, encoding="gray"),
    "open, unary, zeta=-0.4": dict(alpha=0.9 - 0.3j, zeta=-0.4, gamma=0.5, delta=0.8,
                                   encoding="unary"),
}


def assert_trajectories_close(a, b):
    assert_observables_close(a, b, energy_atol=ENERGY_ATOL, fluctuation_atol=FLUCTUATION_ATOL,
                             concurrence_atol=CONCURRENCE_ATOL)


@pytest.mark.parametrize("case", list(CASES))
def test_dynamics_matches_exact(case):
    params = BatteryParams(**CASES[case])
    ours = simulate(params, TIMES, method="dynamics")
    ref = simulate(params, TIMES, method="exact")
    assert_trajectories_close(ours, ref)
    assert ref.energy.max() > 0.05 and ref.concurrence.max() > 0.05
    assert ours.trace_error < 1e-7 and ours.min_eigenvalue > -1e-7


@pytest.mark.parametrize("kwargs", [
    dict(alpha=1.0 + 0.5j, zeta=0.5, kappa=0.4, gamma=0.2, delta=-0.3, omega_q=1.2),
    # excited initial cells: swapping the primary and the secondary cell would fail here
    dict(alpha=0.8, zeta=0.3, gamma=0.3, g=0.7, initial_cells="eg"),
    dict(alpha=0.8j, zeta=-0.6, kappa=0.2, delta=0.4, initial_cells="ge"),
])
def test_dynamics_matches_qutip(kwargs):
    params = BatteryParams(**kwargs)
    ours = simulate(params, TIMES, method="dynamics")
    assert_trajectories_close(ours, qutip_trajectory(TIMES, params, levels=ours.levels))


@pytest.mark.parametrize("closed", [True, False])
def test_lab_frame_states_equal_exact_states(closed):
    """Reduced and full states come back in the lab frame, not the rotating frame."""
    rates = {} if closed else dict(kappa=0.3, gamma=0.2)
    model = BatteryModel(BatteryParams(alpha=1.3j, zeta=0.6, delta=0.9, **rates))
    ours = dynamics.evolve(model, TIMES)
    ref = exact.evolve(model, TIMES)
    if closed:
        assert ours.kets is not None
        assert np.max(np.abs(ours.kets - ref.kets)) < STATE_ATOL
    else:
        assert np.max(np.abs(ours.density_matrices - ref.density_matrices)) < STATE_ATOL


def test_real_alpha_keeps_the_imaginary_part():
    """Regression (docs/conventions.md): a real y0 made qiskit-dynamics drop imaginary parts."""
    params = BatteryParams(alpha=2.0, zeta=1.0)  # real amplitudes, real initial state
    model = BatteryModel(params)
    assert np.all(model.initial_ket.imag == 0)
    ours = simulate(params, TIMES, method="dynamics")
    ref = simulate(params, TIMES, method="exact")
    assert_trajectories_close(ours, ref)


def test_closed_system_is_not_propagated_as_u_rho():
    """Regression (docs/conventions.md): without dissipators a matrix y0 is evolved as U rho."""
    params = BatteryParams(alpha=1.0, zeta=0.0)
    ours = simulate(params, TIMES, method="dynamics")
    ref = simulate(params, TIMES, method="exact")
    assert_trajectories_close(ours, ref)
    assert np.max(np.abs(np.trace(ours.cell_states, axis1=1, axis2=2) - 1)) < 1e-8


def test_looser_tolerances_change_the_answer_and_bad_options_are_refused():
    params = BatteryParams(alpha=1.0, zeta=1.0)
    loose = simulate(params, TIMES, method="dynamics", atol=1e-4, rtol=1e-4)
    tight = simulate(params, TIMES, method="dynamics")
    assert 1e-9 < np.max(np.abs(loose.energy - tight.energy)) < 1e-2
    with pytest.raises(ParameterError, match=r"atol must be >= 1e-15"):
        simulate(params, TIMES, method="dynamics", atol=0.0)
    with pytest.raises(ParameterError, match=r"rtol must be <= 0.01"):
        simulate(params, TIMES, method="dynamics", rtol=0.5)
    with pytest.raises(ParameterError, match="ode_method must be one of"):
        simulate(params, TIMES, method="dynamics", ode_method="Euler")
    with pytest.raises(ParameterError, match="array_library must be one of"):
        simulate(params, TIMES, method="dynamics", array_library="torch")


@pytest.mark.parametrize("library", ["numpy", "scipy_sparse"])
def test_array_libraries_agree(library):
    params = BatteryParams(alpha=0.7, zeta=0.3, gamma=0.2, fock=12, tail_tol=1e-7)
    ours = simulate(params, TIMES, method="dynamics", array_library=library)
    ref = simulate(params, TIMES, method="exact")
    assert_trajectories_close(ours, ref)


def test_simulate_many_keeps_the_order_of_its_inputs():
    params = [BatteryParams(alpha=1.0, zeta=z, gamma=gm) for z, gm in [(0, 0), (1, 0.2)]]
    many = simulate_many(params, TIMES[:40], method="dynamics")
    backwards = simulate_many(params[::-1], TIMES[:40], method="dynamics")
    assert [tr.params for tr in many] == params == [tr.params for tr in backwards[::-1]]
    assert np.max(np.abs(many[0].energy - many[1].energy)) > 1e-2  # an order swap would show
    for p, tr, back in zip(params, many, backwards[::-1], strict=True):
        assert np.array_equal(tr.energy, back.energy)
        assert_trajectories_close(tr, simulate(p, TIMES[:40], method="exact"))
    with pytest.raises(ParameterError, match=r"params_list\[1\] must be a BatteryParams"):
        simulate_many([params[0], "x"], TIMES)


JAX_SWEEPS = {
    "closed": (np.linspace(0.0, 3.0, 31),
               [dict(alpha=1.2, zeta=z, g=g, delta=dl, fock=16, tail_tol=1e-8)
                for z, g, dl in [(0.0, 1.0, 0.0), (1.0, 0.5, 0.3), (-0.4, 2.0, -0.5)]]),
    "open": (np.linspace(0.0, 2.0, 11),
             [dict(alpha=0.6, zeta=z, kappa=k, gamma=gm, fock=8, tail_tol=1e-6)
              for z, k, gm in [(0.0, 0.6, 0.4), (1.0, 0.0, 0.3)]]),
}


# Engines are compared on the same (deliberately small) truncation.
@pytest.mark.filterwarnings("ignore::qbcircuit.TruncationWarning")
@pytest.mark.jax
@pytest.mark.parametrize("sweep", list(JAX_SWEEPS))
def test_jax_batch_equals_one_by_one_and_exact(sweep):
    pytest.importorskip("jax")
    times, kwargs = JAX_SWEEPS[sweep]
    params = [BatteryParams(**kw) for kw in kwargs]
    batch = simulate_many(params, times, method="dynamics", array_library="jax")
    for p, tr in zip(params, batch, strict=True):
        one = simulate(p, times, method="dynamics", array_library="jax")
        assert np.max(np.abs(tr.energy - one.energy)) < 1e-9
        assert_trajectories_close(tr, simulate(p, times, method="exact"))


def test_jax_missing_or_mixed_structures_give_clear_errors():
    from qbcircuit.engines.dynamics import evolve_batch

    models = [BatteryModel(BatteryParams(alpha=1, fock=16, tail_tol=1e-8)),
              BatteryModel(BatteryParams(alpha=1, fock=32))]
    try:
        import jax  # noqa: F401
    except ImportError:
        with pytest.raises(ParameterError, match=r"pip install 'qbcircuit\[jax\]'"):
            evolve_batch(models, TIMES)
        return
    with pytest.raises(ParameterError, match="needs models of one structure"):
        evolve_batch(models, TIMES)
    with pytest.raises(ParameterError, match="use ode_method='jax_odeint' exactly when"):
        simulate(BatteryParams(alpha=1), TIMES, method="dynamics", array_library="jax",
                 ode_method="DOP853")


def _traced_peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


#: A density matrix of the 128-dimensional code space below is 256 KiB: keeping 900 more of them
#: (and the solver's copies) would add about 0.5 GiB; one chunk of reduced states is at most
#: ``dynamics.CHUNK_BYTES``.
MEMORY_GROWTH_MAX = dynamics.CHUNK_BYTES + (8 << 20)


def test_peak_memory_does_not_grow_with_output_times():
    """Open run: only cell states and diagnostics are kept, so the peak is O(state size)."""
    params = BatteryParams(alpha=1.0, fock=32, zeta=1.0, kappa=0.6, gamma=0.4)
    few, many = (_traced_peak(lambda n=n: simulate(params, np.linspace(0.0, 1.0, n)))
                 for n in (100, 1000))
    assert many - few < MEMORY_GROWTH_MAX
    assert few < 4 * dynamics.CHUNK_BYTES  # and small in itself


def test_full_states_on_demand_equal_the_reduced_ones():
    model = BatteryModel(BatteryParams(alpha=1.0, zeta=1.0, kappa=0.3, gamma=0.2))
    states = dynamics.evolve(model, TIMES)
    cells = states.cell_states()
    rhos = states.density_matrices  # solved again, every state kept
    assert rhos.shape == (TIMES.size, 4 * model.levels, 4 * model.levels)
    r = rhos.reshape(TIMES.size, 4, model.levels, 4, model.levels)
    assert np.max(np.abs(np.einsum("tanbn->tab", r) - cells)) < 1e-14


RHS_ATOL = 1e-12


def test_frame_lindbladian_is_eq2_in_the_rotating_frame():
    """f(t, rho_F) = i[F, rho_F] + U L(U^dag rho_F U) U^dag, U = e^{iFt}, from dense matrices;
    with jump operators that mix frame frequencies too (the phases of the jump term then move)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(7)
    n = 6

    def random_matrix():
        return rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))

    class Toy:  # what FrameLindbladian reads of a model
        frame_diagonal = rng.normal(size=n) * 3
        hamiltonian_matrix = sp.csr_matrix((lambda a: a + a.conj().T)(random_matrix()))
        collapse_matrices = [sp.csr_matrix(random_matrix()),
                             sp.csr_matrix(np.diag(rng.normal(size=n - 1), -1))]

    rhs = dynamics.FrameLindbladian(Toy)
    H, F = Toy.hamiltonian_matrix.toarray(), np.diag(Toy.frame_diagonal)
    Cs = [c.toarray() for c in Toy.collapse_matrices]
    rho_f = (lambda a: a @ a.conj().T)(random_matrix())
    for t in (0.0, 0.7, 2.3):
        U = np.diag(np.exp(1j * Toy.frame_diagonal * t))
        rho = U.conj().T @ rho_f @ U
        lindblad = -1j * (H @ rho - rho @ H) + sum(
            C @ rho @ C.conj().T - 0.5 * (C.conj().T @ C @ rho + rho @ C.conj().T @ C)
            for C in Cs)
        expected = 1j * (F @ rho_f - rho_f @ F) + U @ lindblad @ U.conj().T
        y = dynamics.to_coordinates(rho_f).ravel()
        got = dynamics.to_density_matrices(rhs(t, y).reshape(n, n))
        assert np.max(np.abs(got - expected)) < RHS_ATOL * np.max(np.abs(expected))
    back = dynamics.to_density_matrices(dynamics.to_coordinates(rho_f))
    assert np.max(np.abs(back - rho_f)) < 1e-15 * np.max(np.abs(rho_f))

import numpy as np
import pytest
from qiskit.quantum_info import DensityMatrix, Statevector, random_density_matrix
from qiskit.quantum_info import concurrence as qiskit_concurrence

from qbcircuit.observables import concurrence, energy, fluctuation

CONCURRENCE_ATOL = 1e-10
# Against qiskit: both take square roots of eigenvalues that are O(1e-16) round-off for
# rank-deficient (pure) states, so the two agree only to about sqrt(machine epsilon).
ORACLE_CONCURRENCE_ATOL = 1e-7


def bell_states():
    s = 1 / np.sqrt(2)
    return [
        np.array([s, 0, 0, s]),
        np.array([s, 0, 0, -s]),
        np.array([0, s, s, 0]),
        np.array([0, s, -s, 0]),
    ]


def test_bell_states_have_concurrence_one():
    rhos = np.array([np.outer(b, b.conj()) for b in bell_states()])
    assert np.max(np.abs(concurrence(rhos) - 1)) < CONCURRENCE_ATOL


def test_product_states_have_concurrence_zero():
    rng = np.random.default_rng(0)
    rhos = []
    for _ in range(10):
        a = rng.normal(size=2) + 1j * rng.normal(size=2)
        b = rng.normal(size=2) + 1j * rng.normal(size=2)
        psi = np.kron(b / np.linalg.norm(b), a / np.linalg.norm(a))
        rhos.append(np.outer(psi, psi.conj()))
    assert np.max(concurrence(np.array(rhos))) < CONCURRENCE_ATOL


@pytest.mark.parametrize("p", [0.0, 0.2, 1 / 3, 0.5, 0.8, 1.0])
def test_werner_states_match_the_closed_form(p):
    phi = bell_states()[3]
    rho = p * np.outer(phi, phi) + (1 - p) * np.eye(4) / 4
    assert abs(concurrence(rho) - max(0.0, (3 * p - 1) / 2)) < CONCURRENCE_ATOL


def test_batched_concurrence_matches_qiskit():
    rhos = [random_density_matrix(4, seed=s) for s in range(20)]
    rhos += [DensityMatrix(Statevector.from_label("00")).evolve(  # some entangled pure states
        np.linalg.qr(np.random.default_rng(s).normal(size=(4, 4)))[0]) for s in range(5)]
    ours = concurrence(np.array([r.data for r in rhos]))
    oracle = np.array([qiskit_concurrence(r) for r in rhos])
    assert np.max(np.abs(ours - oracle)) < ORACLE_CONCURRENCE_ATOL
    assert oracle.max() > 0.1  # the comparison includes entangled states


def test_energy_and_fluctuation():
    # secondary cell (qubit 1) excited with probability q: cell index 2 and 3.
    q = np.linspace(0, 1, 11)
    rho = np.zeros((q.size, 4, 4))
    rho[:, 0, 0] = 1 - q
    rho[:, 2, 2] = q
    assert np.max(np.abs(energy(rho) - q)) < 1e-15
    assert np.max(np.abs(fluctuation(rho) - np.sqrt(q * (1 - q)))) < 1e-15
    assert np.isclose(fluctuation(rho).max(), 0.5)
    # From an excited secondary cell the energy change is negative.
    start = np.zeros((4, 4))
    start[2, 2] = 1
    assert np.isclose(energy(rho[:1], start)[0], -1.0)


def test_ergotropy_closed_forms():
    from qbcircuit.observables import ergotropy

    s = 1 / np.sqrt(2)
    rhos = []
    # secondary cell (qubit 1) in |e>, |g>, |+>, mixed 70/30 g/e, 30/70; primary in |g>
    for sec in ([0, 1], [1, 0], [s, s]):
        psi = np.kron(np.array(sec, dtype=complex), np.array([1, 0]))
        rhos.append(np.outer(psi, psi.conj()))
    for pe in (0.3, 0.7):
        rho = np.zeros((4, 4))
        rho[0, 0], rho[2, 2] = 1 - pe, pe
        rhos.append(rho)
    expected = [1.0, 0.0, 0.5, 0.0, 0.4]  # (r_z + |r|)/2
    assert np.max(np.abs(ergotropy(np.array(rhos)) - expected)) < 1e-12
    # The primary cell is traced out: a Bell state leaves no ergotropy in the secondary.
    bell = bell_states()[0]
    assert abs(ergotropy(np.outer(bell, bell)[None])[0]) < 1e-12


def test_trajectory_figures_of_merit_are_consistent():
    from qbcircuit import BatteryParams, simulate

    traj = simulate(BatteryParams(alpha=1.5, zeta=1, gamma=0.1), np.linspace(0, 4, 41),
                    method="exact")
    erg, energy = traj.ergotropy, traj.energy
    assert np.all(erg >= -1e-12) and np.all(erg <= energy + 1e-12)  # W <= E from |g>
    assert erg.max() > 0.05
    power = traj.average_power
    assert power[0] == 0.0
    assert np.max(np.abs(power[1:] - energy[1:] / traj.times[1:])) < 1e-12


PURE_CONCURRENCE_ATOL = 1e-12  # the factor of a pure state is exactly rank one


def _random_kets(rng, count):
    kets = rng.normal(size=(count, 4)) + 1j * rng.normal(size=(count, 4))
    return kets / np.linalg.norm(kets, axis=1, keepdims=True)


def test_pure_states_match_the_closed_form():
    """C(|psi>) = |psi^T (Y x Y) psi|, to round-off (rank-deficient input)."""
    kets = _random_kets(np.random.default_rng(7), 200)
    yy = np.array([-1.0, 1.0, 1.0, -1.0])  # (Y x Y) psi = yy * psi reversed
    expected = np.abs(np.einsum("ti,ti->t", kets, yy * kets[:, ::-1]))
    rhos = np.einsum("ti,tj->tij", kets, kets.conj())
    assert np.max(np.abs(concurrence(rhos) - expected)) < PURE_CONCURRENCE_ATOL
    assert expected.max() > 0.9


@pytest.mark.parametrize("rank", [1, 2, 3, 4])
def test_concurrence_of_every_rank_matches_qiskit(rank):
    rng = np.random.default_rng(rank)
    rhos = []
    for _ in range(30):
        kets = _random_kets(rng, rank)
        weights = rng.dirichlet(np.ones(rank))
        rhos.append(np.einsum("k,ki,kj->ij", weights, kets, kets.conj()))
    # Bell-like states: a Bell state with a little of (rank - 1) random pure states mixed in
    for bell in bell_states():
        rho = np.outer(bell, bell.conj())
        for ket in _random_kets(rng, rank - 1):
            rho = rho + 0.05 * np.outer(ket, ket.conj())
        rhos.append(rho / np.trace(rho).real)
    rhos = np.array(rhos)
    ours = concurrence(rhos)
    oracle = np.array([qiskit_concurrence(DensityMatrix(r)) for r in rhos])
    assert np.max(np.abs(ours - oracle)) < ORACLE_CONCURRENCE_ATOL
    assert oracle.max() > 0.5


def test_psd_cholesky_reconstructs_full_and_deficient_states():
    from qbcircuit.observables import psd_cholesky

    rng = np.random.default_rng(11)
    kets = _random_kets(rng, 3)
    rank2 = 0.3 * np.outer(kets[0], kets[0].conj()) + 0.7 * np.outer(kets[1], kets[1].conj())
    rhos = np.array([random_density_matrix(4, seed=1).data, rank2,
                     np.outer(kets[2], kets[2].conj()), np.diag([1.0, 0, 0, 0])])
    F = psd_cholesky(rhos)
    assert np.max(np.abs(F @ F.conj().transpose(0, 2, 1) - rhos)) < 1e-14
    assert np.all(np.triu(F, 1) == 0)

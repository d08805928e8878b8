"""Model variants (charger_coupling, cell_coupling): defaults unchanged, operators conserve what
they should, every engine agrees, and an independent QuTiP build of each variant agrees."""

import numpy as np
import pytest
from assertions import assert_observables_close
from qutip_reference import qutip_trajectory

from qbcircuit import BatteryModel, BatteryParams, simulate
from qbcircuit.params import VARIANTS

TIMES = np.linspace(0.0, 4.0, 41)
OBS_ATOL = dict(energy_atol=1e-6, fluctuation_atol=1e-6, concurrence_atol=1e-6)
OPERATOR_ATOL = 1e-12


def _excitation_number(model):
    """a^dag a + both cells' excitations, on the code space (diagonal)."""
    n = np.arange(model.levels)
    cells = np.array([0, 1, 1, 2])  # c = b1 + 2 b2
    return (cells[:, None] + n[None, :]).ravel()


@pytest.mark.parametrize("zeta", [-1.0, -0.3, 0.0, 0.6, 1.0])
def test_tavis_cummings_with_exchange_conserves_the_excitation_number(zeta):
    p = BatteryParams(alpha=1, zeta=zeta, charger_coupling="both", cell_coupling="exchange_zeta")
    model = BatteryModel(p)
    H = model.hamiltonian_matrix.toarray()
    N = np.diag(_excitation_number(model))
    assert np.max(np.abs(H @ N - N @ H)) < OPERATOR_ATOL
    assert p.conserves_excitations and p.variant == "tavis-cummings"


def test_xy_with_zeta_breaks_the_excitation_number():
    for charger in ("primary", "both"):
        model = BatteryModel(BatteryParams(alpha=1, zeta=0.5, charger_coupling=charger))
        H = model.hamiltonian_matrix.toarray()
        N = np.diag(_excitation_number(model))
        assert np.max(np.abs(H @ N - N @ H)) > 0.1


def test_defaults_are_eq1_exactly():
    p = BatteryParams(alpha=1.3, zeta=0.4, g=0.8, delta=0.2)
    assert p.variant is None
    names = [t.name for t in BatteryModel(p).hamiltonian_terms]
    assert names == ["number", "sigma_z", "jaynes_cummings", "xx", "yy"]
    explicit = BatteryParams(alpha=1.3, zeta=0.4, g=0.8, delta=0.2, charger_coupling="primary",
                             cell_coupling="xy")
    a, b = simulate(p, TIMES, method="exact"), simulate(explicit, TIMES, method="exact")
    assert np.array_equal(a.energy, b.energy) and np.array_equal(a.concurrence, b.concurrence)


CASES = [
    dict(alpha=1.0, zeta=0.5, g=1.2, delta=0.3),
    dict(alpha=0.8 + 0.4j, zeta=1.0, kappa=0.3, gamma=0.2, omega_q=1.3),
]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("case", range(len(CASES)), ids=["closed", "open"])
@pytest.mark.dynamics
def test_variant_exact_and_dynamics_agree_with_qutip(variant, case):
    charger, cells = VARIANTS[variant]
    params = BatteryParams(**CASES[case], charger_coupling=charger, cell_coupling=cells)
    assert params.variant == variant
    exact = simulate(params, TIMES, method="exact")
    reference = qutip_trajectory(TIMES, params, levels=exact.levels)
    assert_observables_close(exact, reference, **OBS_ATOL)
    assert_observables_close(simulate(params, TIMES, method="dynamics"), exact, **OBS_ATOL)


@pytest.mark.aer
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_trotter_agrees_with_exact(variant):
    charger, cells = VARIANTS[variant]
    params = BatteryParams(alpha=0.7, zeta=0.5, gamma=0.2, kappa=0.2, charger_coupling=charger,
                           cell_coupling=cells)
    times = np.linspace(0.0, 2.0, 5)
    ours = simulate(params, times, method="trotter", dt=0.01)
    exact = simulate(params, times, method="exact")
    assert_observables_close(ours, exact, energy_atol=1e-3, fluctuation_atol=1e-3,
                             concurrence_atol=1e-3)

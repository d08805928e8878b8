import numpy as np
import pytest

from qbcircuit import BatteryParams, ParameterError, Trajectory, TruncationWarning, simulate
from qbcircuit.simulate import RESOLVE_LEVEL

P = BatteryParams(alpha=1.0, zeta=0.5)


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ([0.0, np.nan], "times must be finite"),
        ([0.0, np.inf], "times must be finite"),
        ([-1.0, 0.0], "times must be >= 0"),
        ([0.0, 2.0, 1.0], r"times must be strictly increasing, got times\[1\] = 2"),
        ([0.0, 1.0, 1.0], "times must be strictly increasing"),
        ([], "times must be a non-empty 1-D array"),
        ([[0.0, 1.0]], "times must be a non-empty 1-D array"),
        (["a"], "times must be an array of real numbers"),
        ([0, 10**400], "times must be finite"),
    ],
)
def test_bad_times_are_refused(times, message):
    with pytest.raises(ParameterError, match=message):
        simulate(P, times, method="exact")


def test_bad_method_and_options_are_refused():
    with pytest.raises(ParameterError, match="method must be one of 'exact'"):
        simulate(P, [0, 1], method="magic")
    with pytest.raises(ParameterError, match="method 'exact' takes no option 'dt'"):
        simulate(P, [0, 1], method="exact", dt=0.1)
    with pytest.raises(ParameterError, match="params must be a BatteryParams"):
        simulate({"alpha": 1}, [0, 1], method="exact")


def test_trajectory_is_frozen_and_readable(tmp_path):
    traj = simulate(P, np.linspace(0, 2, 5), method="exact")
    assert isinstance(traj, Trajectory)
    with pytest.raises(ValueError):
        traj.energy[0] = 1.0
    assert "Trajectory(method='exact', 5 times in [0, 2]" in repr(traj)
    path = tmp_path / "out.csv"
    traj.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "t,energy,fluctuation,concurrence" and len(lines) == 6
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    assert np.max(np.abs(data[:, 1] - traj.energy)) < 1e-11
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind


def test_single_time_point():
    traj = simulate(BatteryParams(alpha=1, kappa=0.1), [0.5], method="exact")
    assert traj.energy.shape == (1,)


# The sized truncation (issue 9): cut at the coherent tail, enlarged after the solve when H
# pumps photons (zeta != 0). Energy follows the state linearly; the concurrence of a nearly
# separable state moves like the square root of a state error (1e-16 -> 1e-8).
RESOLVE_ENERGY_ATOL = 1e-9
RESOLVE_CONCURRENCE_ATOL = 1e-7


@pytest.mark.parametrize("method", ["exact", "dynamics"])
@pytest.mark.parametrize("kwargs", [dict(alpha=0.5, g=1, zeta=1, delta=-1),
                                    dict(alpha=1 + 0.5j, g=1.5, zeta=-1)])
def test_automatic_resolve_triggers_and_matches_many_more_levels(method, kwargs):
    import warnings

    times = np.linspace(0, 10, 101)
    params = BatteryParams(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the re-solve leaves nothing to warn about
        auto = simulate(params, times, method=method)
    assert auto.levels > params.levels  # the first cut was too small and was enlarged
    assert auto.top_fock_population < 1e-9
    big = simulate(BatteryParams(**kwargs, fock=params.levels + 32), times, method="exact")
    np.testing.assert_allclose(auto.energy, big.energy, rtol=0, atol=RESOLVE_ENERGY_ATOL)
    np.testing.assert_allclose(auto.concurrence, big.concurrence, rtol=0,
                               atol=RESOLVE_CONCURRENCE_ATOL)
    # an explicit fock is used as given, even where the automatic choice would grow it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        given = simulate(BatteryParams(**kwargs, fock=params.levels), times, method=method)
    assert given.levels == params.levels
    assert given.top_fock_population > RESOLVE_LEVEL  # why the automatic run grew


def test_zeta_zero_cut_is_exact_without_spare_levels():
    times = np.linspace(0, 10, 51)
    params = BatteryParams(alpha=2, zeta=0, kappa=0.3, gamma=0.1)
    sized = simulate(params, times, method="exact")
    assert sized.levels == params.levels == 23
    big = simulate(BatteryParams(alpha=2, zeta=0, kappa=0.3, gamma=0.1, fock=40), times,
                   method="exact")
    np.testing.assert_allclose(sized.energy, big.energy, rtol=0, atol=RESOLVE_ENERGY_ATOL)
    np.testing.assert_allclose(sized.concurrence, big.concurrence, rtol=0,
                               atol=RESOLVE_CONCURRENCE_ATOL)


def test_unpickled_trajectory_is_still_read_only():
    import pickle

    tr = pickle.loads(pickle.dumps(simulate(P, [0.0, 1.0], method="exact")))
    for name in ("times", "energy", "fluctuation", "concurrence", "cell_states"):
        assert not getattr(tr, name).flags.writeable

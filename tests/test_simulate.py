import numpy as np
import pytest

from qbcircuit import BatteryParams, ParameterError, Trajectory, simulate

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

import numpy as np
import pytest

from qbcircuit import BatteryParams, ParameterError, simulate
from qbcircuit.landscape import landscape, plot_landscape
from qbcircuit.metrics import METRICS

TIMES = np.linspace(0.0, 3.0, 31)
BASE = BatteryParams(alpha=1.0, gamma=0.1)
METRIC_ATOL = 1e-12


def test_landscape_values_are_the_metric_of_each_grid_point():
    gs, zetas = [0.5, 1.5], [0.0, 0.5, 1.0]
    ls = landscape(BASE, ("g", gs), ("zeta", zetas), TIMES, metric="max_concurrence",
                   method="exact", workers=1)
    assert ls.values.shape == (3, 2)
    for i, z in enumerate(zetas):
        for j, g in enumerate(gs):
            tr = simulate(BatteryParams(alpha=1.0, gamma=0.1, g=g, zeta=z), TIMES,
                          method="exact")
            assert abs(ls.values[i, j] - tr.concurrence.max()) < METRIC_ATOL
    text = ls.to_csv_text().splitlines()
    assert text[0] == "g,zeta,max_concurrence" and text[1].startswith("0.5,0.0,")
    assert len(plot_landscape(ls).get_axes()) == 2  # map and colour bar


def test_worker_processes_give_the_same_landscape():
    axes = (("delta", [-1.0, 0.0, 1.0]), ("kappa", [0.0, 0.3]))
    one = landscape(BASE, *axes, TIMES, metric="max_energy", method="exact", workers=1)
    two = landscape(BASE, *axes, TIMES, metric="max_energy", method="exact", workers=2)
    assert np.array_equal(one.values, two.values)


@pytest.mark.parametrize("metric", list(METRICS))
def test_every_metric_is_the_trajectory_metric_of_its_grid_point(metric):
    ls = landscape(BASE, ("g", [1.0]), ("alpha", [0.5, 1 + 0.5j]), TIMES, metric=metric,
                   method="exact", workers=1)
    for i, alpha in enumerate([0.5, 1 + 0.5j]):
        tr = simulate(BatteryParams(alpha=alpha, gamma=0.1, g=1.0), TIMES, method="exact")
        assert abs(ls.values[i, 0] - tr.metric(metric)) < METRIC_ATOL


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": ("q", [1.0]), "y": ("zeta", [0.0])}, "landscape axis must be one of"),
        ({"x": ("g", [1.0]), "y": ("g", [2.0])}, "the two landscape axes must differ"),
        ({"x": ("g", []), "y": ("zeta", [0.0])}, "non-empty 1-D"),
        ({"x": ("g", [1.0]), "y": ("zeta", [0.0, 2.0])}, "zeta must be <= 1"),
        ({"x": ("g", [1.0]), "y": ("zeta", [0.0]), "metric": "speed"}, "metric must be <reducer>"),
        ({"x": ("g", [1.0]), "y": ("zeta", [0.0]), "workers": 0}, r"workers must be in \[1"),
    ],
)
def test_bad_landscapes_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        landscape(BASE, times=TIMES, method="exact", **kwargs)

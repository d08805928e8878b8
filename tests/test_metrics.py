"""The figures-of-merit registry: quantities, reducers, metric names."""

import numpy as np
import pytest

from qbcircuit import BatteryParams, ParameterError, simulate
from qbcircuit.metrics import METRICS, QUANTITIES, REDUCERS, parse_metric
from qbcircuit.observables import battery_ergotropy as joint_ergotropy

ATOL = 1e-12


def test_metric_names_parse_and_bad_ones_are_named():
    assert parse_metric("time_of_max_energy") == ("time_of_max", "energy")
    assert parse_metric("max_joint_ergotropy") == ("max", "joint_ergotropy")
    assert parse_metric("first_peak_concurrence") == ("first_peak", "concurrence")
    assert len(METRICS) == len(REDUCERS) * len(QUANTITIES)
    with pytest.raises(ParameterError, match="metric must be <reducer>_<quantity>.*'top_energy'"):
        parse_metric("top_energy")


def test_reducers_on_a_hand_made_curve():
    t = np.linspace(0, 4, 5)
    v = np.array([0.0, 2.0, 1.0, 3.0, 2.5])
    got = {name: fn(t, v) for name, (_, fn) in REDUCERS.items()}
    assert got == {"max": 3.0, "min": 0.0, "final": 2.5, "time_of_max": 3.0, "first_peak": 2.0,
                   "mean": pytest.approx((0 + 2 * 2 + 2 * 1 + 2 * 3 + 2.5) / 2 / 4)}


def _diag(p):
    return np.diag(np.asarray(p, dtype=complex))[None]


def test_joint_ergotropy_closed_forms():
    # levels gg, eg, ge, ee = -1, 0, 0, 1 (units of omega_q)
    assert abs(joint_ergotropy(_diag([0, 0, 0, 1]))[0] - 2.0) < ATOL   # |ee>: all of it
    assert abs(joint_ergotropy(_diag([1, 0, 0, 0]))[0]) < ATOL          # ground: passive
    assert abs(joint_ergotropy(_diag([0, 1, 0, 0]))[0] - 1.0) < ATOL   # |eg> -> |gg>
    assert abs(joint_ergotropy(np.eye(4)[None] / 4)[0]) < ATOL           # maximally mixed
    # a Bell state (|gg> + |ee>)/sqrt 2: pure, mean energy 0, passive energy -1
    bell = np.zeros(4)
    bell[[0, 3]] = 2 ** -0.5
    assert abs(joint_ergotropy(np.outer(bell, bell)[None])[0] - 1.0) < ATOL


def test_trajectory_metrics_against_plain_numpy():
    tr = simulate(BatteryParams(alpha=1.2, zeta=0.5, gamma=0.1), np.linspace(0, 6, 121),
                  method="exact")
    e = tr.energy
    assert tr.metric("max_energy") == e.max()
    assert tr.metric("time_of_max_energy") == tr.times[np.argmax(e)]
    assert tr.metric("final_concurrence") == tr.concurrence[-1]
    first = next(i for i in range(1, e.size - 1) if e[i - 1] < e[i] >= e[i + 1])
    assert tr.metric("first_peak_energy") == e[first]
    assert tr.metric("max_power") == pytest.approx(np.max(e[1:] / tr.times[1:]), abs=ATOL)
    # joint ergotropy is at least the secondary cell's own
    assert np.all(tr.quantity("joint_ergotropy") >= tr.ergotropy - 1e-12)
    with pytest.raises(ParameterError, match="quantity must be one of"):
        tr.quantity("entropy")

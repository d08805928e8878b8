import math

import pytest

from qbcircuit import BatteryParams, ParameterError
from qbcircuit.params import (
    HEADROOM,
    automatic_levels,
    coherent_amplitudes,
    lost_weight,
    register_levels,
)

TAIL_TOL = 1e-10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"zeta": 1.5}, "zeta must be <= 1"),
        ({"zeta": -1.01}, "zeta must be >= -1"),
        ({"kappa": -0.1}, "kappa must be >= 0"),
        ({"gamma": -1e-3}, "gamma must be >= 0"),
        ({"omega_q": 0.0}, "omega_q must be > 0"),
        ({"lam": -1.0}, "lam must be >= 0"),
        ({"g": math.nan}, "g must be finite"),
        ({"delta": math.inf}, "delta must be finite"),
        ({"alpha": complex(math.nan, 0)}, "alpha must be finite"),
        ({"alpha": 11}, "|alpha| must be <= 10"),
        ({"alpha": "2"}, "alpha must be a complex number"),
        ({"g": 1j}, "g must be a real number"),
        ({"encoding": "ternary"}, "encoding must be one of 'binary', 'gray', 'unary'"),
        ({"initial_cells": "xx"}, "initial_cells must be 2 letters g or e"),
        ({"fock": 1}, "fock must be in [2, 512]"),
        ({"fock": 3.5}, "fock must be an integer"),
        ({"tail_tol": 0.0}, "tail_tol must be > 0"),
        ({"g": 10**400}, "g must be finite"),
        ({"delta": 1e300}, "delta must be <= 1e+09"),
        ({"omega_q": 1e300}, "omega_q must be <= 1e+09"),
        ({"alpha": 10**400}, "alpha must be finite"),
    ],
)
def test_invalid_parameters_are_named(kwargs, message):
    with pytest.raises(ParameterError) as err:
        BatteryParams(**kwargs)
    assert message in str(err.value)


def test_explicit_small_truncation_is_honoured_with_a_warning():
    from qbcircuit import TruncationWarning

    with pytest.warns(TruncationWarning, match=r"fock = 4 cuts off 0\.0\d+ .*alpha = 0\.5"):
        p = BatteryParams(alpha=0.5, fock=4)
    assert p.levels == 4 and 1e-4 < p.cut_weight < 1e-2  # recorded with the parameters


@pytest.mark.parametrize("alpha", [0, 0.5, 1, 2, 1 + 1j, 3, 5])
@pytest.mark.parametrize("encoding", ["binary", "gray", "unary"])
@pytest.mark.parametrize(("zeta", "cells", "spare"),
                         [(0.0, "gg", 0), (0.0, "ee", 2), (1.0, "gg", HEADROOM),
                          (-0.4, "eg", HEADROOM + 1)])
def test_automatic_truncation_is_the_smallest_that_meets_the_tolerance(alpha, encoding, zeta,
                                                                        cells, spare):
    make = lambda: BatteryParams(alpha=alpha, encoding=encoding, zeta=zeta,  # noqa: E731
                                 initial_cells=cells)
    if encoding == "unary" and abs(alpha) > 4:
        with pytest.raises(ParameterError, match=r"needs 6\d Fock levels, more than the 60"):
            make()
        return
    d = make().levels
    # sized, not rounded: the coherent tail above d - spare is within tail_tol, one less is not
    assert lost_weight(alpha, d - spare) <= TAIL_TOL
    assert d == 2 or d - spare == 1 or lost_weight(alpha, d - spare - 1) > TAIL_TOL
    assert register_levels(d, encoding) == (d if encoding == "unary" else 1 << (d - 1).bit_length())


def test_coherent_amplitudes_match_the_closed_form():
    alpha = 1.3 - 0.4j
    c = coherent_amplitudes(alpha, 6)
    expected = [math.exp(-abs(alpha) ** 2 / 2) * alpha**n / math.sqrt(math.factorial(n))
                for n in range(6)]
    assert max(abs(c - expected)) < 1e-14


def test_params_are_immutable_and_replaceable():
    import dataclasses

    p = BatteryParams(alpha=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.g = 3
    q = dataclasses.replace(p, zeta=1)
    assert q.zeta == 1 and p.zeta == 0
    assert automatic_levels(2, TAIL_TOL) == p.levels == 23
    assert automatic_levels(2, TAIL_TOL, HEADROOM) == q.levels == 27
    assert BatteryParams(delta=0.5, omega_q=2).omega_c == 2.5

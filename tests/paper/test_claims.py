"""The paper's claims: verdicts computed from numbers, not typed in (qbcircuit.paper.claims)."""

import csv
import io
import math

import numpy as np
import pytest

from qbcircuit import claims as cm
from qbcircuit.paper.claims import (
    OMEGA_QS,
    SLOTS,
    VERDICTS,
    Spec,
    claims_csv_text,
    decide_claims,
    decide_spec,
    first_maximum,
    separable_runs,
)

FAST = dict(points=101, parametric_points=27, method="exact")


@pytest.fixture(scope="module")
def claims():
    return decide_claims(**FAST)


def test_more_than_fifty_claims_each_with_a_verdict_and_numbers(claims):
    assert len(claims) > 50
    assert len({c.id for c in claims}) == len(claims)
    for c in claims:
        assert c.verdict in VERDICTS, c.id
        assert c.quote and c.figure
        if c.verdict == "too vague to test":
            assert c.note, c.id  # the reason
            continue
        assert c.quantity and c.numbers, c.id
        assert all(isinstance(v, float) and math.isfinite(v) for v in c.numbers.values()), c.id
        if c.by_omega_q:
            assert tuple(c.by_omega_q) == OMEGA_QS
            assert all(v in VERDICTS for v in c.by_omega_q.values())
            agree = len(set(c.by_omega_q.values())) == 1
            assert (c.verdict == "depends on omega_q") == (not agree), c.id
            if agree:
                assert c.verdict == c.by_omega_q[1.0]
    # every kind of verdict the paper earns is produced (none is a constant)
    assert {c.verdict for c in claims} >= {"supported", "contradicted", "mixed",
                                           "depends on omega_q", "too vague to test"}


def test_claims_with_zeta_one_are_decided_at_every_omega_q(claims):
    by_id = {c.id: c for c in claims}
    assert by_id["F2a-1"].by_omega_q  # zeta = 1 against zeta = 0
    assert by_id["F2b-2"].by_omega_q == {}  # the isotropic case only
    assert by_id["Eq2-1"].by_omega_q == {}  # no trajectory


def test_csv_parses_with_the_omega_q_and_variant_columns(claims):
    variant = decide_claims(ids=["F2a-1", "Eq2-1"], variant="tavis-cummings", **FAST)
    text = claims_csv_text(claims, variant)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(claims)
    head = list(rows[0])
    assert head[:7] == ["id", "figure", "panel", "quote", "quantity", "numbers", "verdict"]
    assert [f"verdict at omega_q={w:g}" for w in OMEGA_QS] == head[7:11]
    assert head[-1] == "verdict (tavis-cummings)"
    for r, c in zip(rows, claims, strict=True):
        assert r["verdict"] == c.verdict
        if c.numbers:
            pairs = dict(kv.split("=") for kv in r["numbers"].split(";"))
            assert set(pairs) == set(c.numbers)
            for k, v in pairs.items():
                assert float(v) == pytest.approx(c.numbers[k], rel=1e-5, abs=1e-12)
    assert {r["verdict (tavis-cummings)"] for r in rows if r["id"] in ("F2a-1", "Eq2-1")} <= set(
        VERDICTS)


def _swap(a, b):
    slots = dict(SLOTS)
    slots[a], slots[b] = slots[b], slots[a]
    return slots


@pytest.mark.parametrize("claim_id, a, b", [
    ("F2a-4", "a:0.5", "a:3"),      # larger alpha, larger range of E
    ("F2-S8", "d:closed", "d:open"),  # dissipation lowers the mean energy
    ("F2b-2", "b:0", "b:4"),       # isotropic: mean E falls with Delta
])
def test_a_claim_forced_true_and_false_by_choosing_parameters(claim_id, a, b):
    kw = dict(ids=[claim_id], omega_qs=(1.0,), **FAST)
    (true,) = decide_claims(**kw)
    (false,) = decide_claims(slots=_swap(a, b), **kw)
    assert true.verdict == "supported"
    assert false.verdict == "contradicted"


def test_first_peak_height_claim_forced_by_the_parameters():
    # F2a-1 (zeta = 1 gives a higher first energy peak) holds at alpha = 0.5 and fails at
    # alpha = 3 (0.93 vs 0.98): mixed; with both slots at alpha = 0.5 it is supported, with both
    # at alpha = 3 contradicted
    kw = dict(ids=["F2a-1"], omega_qs=(1.0,), **FAST)
    (paper,) = decide_claims(**kw)
    low = dict(SLOTS, **{"a:3": SLOTS["a:0.5"]})
    high = dict(SLOTS, **{"a:0.5": SLOTS["a:3"]})
    assert paper.verdict == "mixed"
    assert paper.numbers["first max energy a:3 z0"] == pytest.approx(0.98, abs=0.01)
    assert paper.numbers["first max energy a:3 z1"] == pytest.approx(0.93, abs=0.01)
    assert decide_claims(slots=low, **kw)[0].verdict == "supported"
    assert decide_claims(slots=high, **kw)[0].verdict == "contradicted"


class _StubCurves:
    """Stands in for Curves: a zeta = 1 'trajectory' whose energy peak grows with omega_q."""

    def __init__(self, omega_q):
        self.omega_q, self.used, self.variant = omega_q, set(), None

    def get(self, window, slot, zeta):
        self.used.add((slot, zeta))
        return self


def test_depends_on_omega_q_when_the_columns_disagree():
    def decide(d):
        d.c.get("main", "b:0", 1.0)
        d.check("omega_q at least 2", d.value("omega_q", d.c.omega_q) >= 2)
    spec = Spec("T-1", "test", "", "q", "omega_q", decide)
    stubs = {w: _StubCurves(w) for w in OMEGA_QS}
    claim = decide_spec(spec, stubs)
    assert claim.by_omega_q == {0.5: "contradicted", 1.0: "contradicted", 2.0: "supported",
                                5.0: "supported"}
    assert claim.verdict == "depends on omega_q"
    assert claim.numbers == {"omega_q": 1.0}
    # a claim that touches only zeta = 0 curves gets no omega_q columns
    def decide0(d):
        d.c.get("main", "b:0", 0.0)
        d.check("always", True)
    claim0 = decide_spec(Spec("T-2", "test", "", "q", "x", decide0), stubs)
    assert claim0.by_omega_q == {} and claim0.verdict == "supported"


def test_mixed_when_some_checks_hold():
    def decide(d):
        d.check("yes", True)
        d.check("no", False)
    claim = decide_spec(Spec("T-3", "test", "", "q", "x", decide), {1.0: _StubCurves(1.0)})
    assert claim.verdict == "mixed" and "no" in claim.note


def test_first_maximum_and_separable_runs_by_hand():
    t = np.linspace(0, 10, 1001)
    h, tm = first_maximum(t, np.sin(t))
    assert h == pytest.approx(1.0, abs=1e-4) and tm == pytest.approx(np.pi / 2, abs=0.01)
    # a small ripple before the main peak is not "the first peak"
    y = np.sin(t) + 0.01 * np.sin(40 * t)
    assert first_maximum(t, y)[1] == pytest.approx(np.pi / 2, abs=0.1)
    # monotone: the largest value
    assert first_maximum(t, t) == (10.0, 10.0)
    c = np.array([0, 0, 0.2, 0.3, 0, 0, 0.1, 0, 0.4])
    assert separable_runs(c) == 2
    assert separable_runs(np.zeros(5)) == 0


def test_zeta_sign_symmetry_is_alpha_rotation(claims):
    # Eq. (1): zeta -> -zeta is sigma+ -> i sigma+ on both cells and a -> -i a, i.e. alpha -> i
    # alpha; at the paper's real alpha the two signs differ (so "zeta in [0, 1] due to
    # symmetry" does not hold as stated)
    m1 = {c.id: c for c in claims}["M-1"]
    assert m1.numbers["max |zeta 1 - zeta -1| alpha -> i alpha"] < 1e-8
    assert m1.numbers["max |zeta 1 - zeta -1| same alpha"] > 0.1
    assert m1.verdict == "contradicted"


def test_zeta_zero_curves_do_not_depend_on_omega_q():
    base = cm.Curves(1.0, points=51, parametric_points=11)
    other = cm.Curves(3.0, points=51, parametric_points=11, slots=dict(SLOTS))
    a = base.get("main", "c:2", 0.0)
    b = other.get("main", "c:2", 0.0)  # solved afresh (no base): the physics, not a shortcut
    assert np.max(np.abs(a.energy - b.energy)) < 1e-8
    assert np.max(np.abs(a.concurrence - b.concurrence)) < 1e-8


def test_reuses_a_given_suite():
    from qbcircuit.paper.figures import compute_suite

    suite = compute_suite(41, 11, method="exact")
    (c,) = decide_claims(suite, ids=["F2a-4"], omega_qs=(1.0,), method="exact")
    tr = [t for e, t in zip(suite.entries, suite.main, strict=True)
          if e.panel == "a" and e.params.alpha == 3 and e.params.zeta == 0][0]
    assert c.numbers["range energy[0,10] a:3 z0"] == pytest.approx(float(np.ptp(tr.energy)))

"""The printed reduced equations against the model, term by term (qbcircuit.paper.derivation)."""

import csv
import io

import numpy as np
import pytest
import sympy as sp

from qbcircuit.paper import derivation as dv
from qbcircuit.paper.derivation import g, gamma, kappa, lam, n, omega_c, omega_q, zeta

GG_N, EG, GE, EE = ("gg", 0), ("eg", -1), ("ge", -1), ("ee", -2)


@pytest.fixture(scope="module")
def rows():
    return dv.derivation_table("tavis-cummings")


def _row(rows, equation, term, kind="printed"):
    (r,) = [r for r in rows if r["equation"] == equation and r["term"] == term
            and r["kind"] == kind]
    return r


def test_jaynes_cummings_coupling_by_hand():
    # H contains lam sqrt(n) (|eg,n-1><gg,n| + h.c.), so d rho44/dt = -i[H, rho]_44 has
    # -i lam sqrt(n) rho24 + i lam sqrt(n) rho42
    eq1 = dv.derived_equations(None)
    assert sp.simplify(eq1[(4, 4)][(EG, GG_N)] - (-sp.I * lam * sp.sqrt(n))) == 0
    assert sp.simplify(eq1[(4, 4)][(GG_N, EG)] - sp.I * lam * sp.sqrt(n)) == 0
    # the primary cell's JC between |ee,n-2> and |ge,n-1>: lam sqrt(n-1)
    assert sp.simplify(eq1[(1, 1)][(GE, EE)] - (-sp.I * lam * sp.sqrt(n - 1))) == 0
    # Eq. (1) has no charger on the secondary cell: |ee,n-2> and |eg,n-1> are not coupled
    assert (EG, EE) not in eq1[(1, 1)]
    # rho14: frequency -(E(ee,n-2) - E(gg,n)) = 2 (omega_c - omega_q); decay (2 gamma +
    # kappa (n-2) + kappa n) / 2
    c14 = eq1[(1, 4)][(EE, GG_N)]
    assert sp.simplify(c14.subs({kappa: 0, gamma: 0}) - 2 * sp.I * (omega_c - omega_q)) == 0
    assert sp.simplify(c14.subs({omega_c: 0, omega_q: 0}) + gamma + kappa * (n - 1)) == 0


def test_flip_flop_and_counter_rotating_terms():
    eq1, tc = dv.derived_equations(None), dv.derived_equations("tavis-cummings")
    # XY coupling: flip-flop g (any zeta) between |eg> and |ge>; exchange_zeta: g zeta
    assert sp.simplify(eq1[(2, 2)][(EG, GE)] - sp.I * g) == 0
    assert sp.simplify(tc[(2, 2)][(EG, GE)] - sp.I * g * zeta) == 0
    # counter-rotating g zeta (s+ s+ + h.c.) couples |gg,n> to |ee,n> (outside the block)
    ee_n = ("ee", 0)
    assert sp.simplify(eq1[(4, 4)][(ee_n, GG_N)] - (-sp.I * g * zeta)) == 0
    assert ee_n not in {s[0] for s in tc[(4, 4)]}
    # cavity loss feeds rho44 from |gg,n+1> with kappa (n+1) and empties it at kappa n
    assert sp.simplify(eq1[(4, 4)][(("gg", 1), ("gg", 1))] - kappa * (n + 1)) == 0
    assert sp.simplify(eq1[(4, 4)][(GG_N, GG_N)] + kappa * n) == 0


def test_table_rows_for_terms_known_by_hand(rows):
    r = _row(rows, "dρ44/dt", "ρ24")  # printed -i x1 = -i lam sqrt(n+1)
    assert r["eq1"] == r["variant"] == "-I*lambda*√(n)"
    assert not r["agrees_eq1"] and r["reproduced_by"] == "none"
    assert r["why_eq1"] == "sqrt(n+1) where the model has sqrt(n)"
    r = _row(rows, "dρ11/dt", "ρ13")  # primary JC: every model
    assert r["agrees_eq1"] and r["agrees_variant"]
    assert r["reproduced_by"] == "Eq. (1), tavis-cummings, both-chargers, exchange"
    r = _row(rows, "dρ11/dt", "ρ12")  # secondary JC: Tavis-Cummings only
    assert not r["agrees_eq1"] and r["agrees_variant"]
    assert r["why_eq1"] == "no such coupling in the model"
    r = _row(rows, "dρ11/dt", "ρ22")  # r0^2 kappa rho22: a dissipator fed back into the block
    assert r["eq1"] == "0" and "fed back into the block" in r["why_eq1"]
    assert "<ee,n-1|ρ|ee,n-1>" in r["why_eq1"]
    r = _row(rows, "dρ12/dt", "ρ22")  # printed +i x0, Tavis-Cummings -i x0
    assert r["why_variant"] == "wrong sign"
    r = _row(rows, "dρ22/dt", "ρ22")  # Delta2 = i g zeta - ...: complex rate on a population
    assert "not Hermiticity preserving" in r["why_eq1"]
    r = _row(rows, "dρ12/dt", "ρ13", kind="missing in block")  # flip-flop absent from print
    assert r["eq1"] == "I*g" and r["variant"] == "I*g*zeta"


def test_summary_counts(rows):
    s = dv.derivation_summary(rows)
    assert s["printed terms"] == sum(len(t) for t in dv.PRINTED.values()) == 55
    assert s["reproduced by Eq. (1)"] < s["reproduced by tavis-cummings"] < s["printed terms"]
    assert s["reproduced by none"] > 0


def test_printed_system_is_not_a_lindblad_generator():
    closed = dv.printed_system_report(4, zeta_=1.0)
    # not Hermiticity preserving, not trace preserving, not conditionally completely positive
    assert closed["hermiticity_defect"] > 1 and closed["trace_defect"] > 1
    assert closed["ccp_min_eigenvalue"] < -1
    # from |gg,n> without dissipation nothing moves: rho44 has no outflow in the print
    assert closed["max_secondary_population"] == 0.0
    opened = dv.printed_system_report(4, zeta_=1.0, kappa_=0.6, gamma_=0.4)
    assert opened["spectral_abscissa"] > 0
    assert opened["max_trace_deviation"] > 1 and opened["min_eigenvalue"] < -1


def test_printed_generator_by_hand():
    A = dv.printed_generator(4, kappa_=0.6, gamma_=0.4)
    # d rho44/dt = ... -2 r1^2 kappa rho44 with r1^2 = n = 4
    assert A[15, 15] == pytest.approx(-2 * 4 * 0.6)
    # d rho11/dt = -2 gamma rho11 + ...; d rho21/dt is the conjugate of d rho12/dt
    assert A[0, 0] == pytest.approx(-0.8)
    assert A[4, 4] == pytest.approx(np.conj(A[1, 1]))


def test_outputs_parse(rows):
    text = dv.derivation_csv_text(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows) and "tavis-cummings" in parsed[0]
    md = dv.derivation_markdown(rows)
    assert md.count("\n") + 1 == 2 + sum(r["kind"] != "outside the block" for r in rows)
    assert dv.derivation_html(rows).count("<tr") == len(rows) + 1

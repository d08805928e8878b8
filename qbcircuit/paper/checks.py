r"""The check kinds that decide the paper's claims (the table is :mod:`qbcircuit.paper.claims`).

A claim's check reads *statistics* of curves. A statistic is written as a short term,

    ``"<statistic> <quantity>[<a>,<b>] <curve>"``, e.g. ``"mean E[5,10] d:open"``,

with the quantity ``E`` (stored energy E/omega_q), ``Sigma`` (fluctuation Sigma/omega_q),
``C`` (concurrence) or ``P1`` (excited population of the primary cell), the window in
lambda*t (default [0, 10]), a curve id of :mod:`qbcircuit.paper.suite` (``{s}`` where a check
fills in each of several curves), and optionally `` z0`` / `` z1`` / `` z-1`` to pin zeta
(otherwise the check sets it). Two terms may be joined by `` - `` or `` / ``. Statistics
(:data:`STATISTICS`): ``first_max`` / ``t_first_max`` (height / time of the first maximum,
``qbcircuit.metrics.first_peak``, the package's one definition), ``max``, ``min``, ``mean``
(time average), ``at_max_C`` / ``at_max_Sigma`` / ``at_max_E`` (the quantity where C, Sigma or
E is largest), ``range`` (max - min), ``tv`` (total variation, how much a curve moves),
``wiggle`` (total variation / range: 1 for a monotone curve), ``drop`` (how far the curve falls
back after its largest value), ``sep_frac`` (fraction of the window with C <= ``SEPARABLE``),
``sep_runs`` (separable stretches after the cells first became entangled).

The kinds (each returns one or more outcomes: True, False, or None for "too close to call"):

* :func:`compare`: ``lhs op rhs`` for zeta = 0 and 1 (or the zetas given), ``rhs`` may be a
  list (one outcome each);
* :func:`anisotropy`: a term at zeta = 1 against zeta = 0, for each curve;
* :func:`monotone`: a term along an ordered list of curves rises or falls;
* :func:`count`: a term against a number, for each of several curves ("each of the 16");
* :func:`ratio`: the ratio of two terms (typically two windows) against a bound;
* :func:`correlation`: Spearman or Pearson coefficient of two quantities within each curve, or
  of two statistics across curves, with its significance;
* :func:`shape`: the parametric curve C(X) (X = E or Sigma, Figures 5-6): a plateau, or C at
  equal X larger for zeta = 1;
* :func:`custom`: a named function of :data:`CUSTOM` for the few claims that fit none.

Comparisons closer than :data:`TOO_CLOSE` are no verdict. The claim's verdict comes from its
outcomes (:func:`verdict_of`) and, for claims that involve zeta != 0, from those at each omega_q
tried (:func:`combine_omega_q`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..metrics import first_peak
from ..params import VARIANTS, BatteryParams
from ..simulate import simulate_many
from .suite import CURVES, PARAMETRIC_WINDOW, REFERENCE_CURVES, TIME_WINDOW, ZETAS

# -- constants (the only thresholds; none is tuned per claim) -----------------------------------
#: Two numbers closer than this fraction of the larger one are "too close to call". The paper's
#: statements are read off its figures, whose line width is about 1% of an axis; and omega_q,
#: which the paper never states, moves the numbers of zeta = 1 curves by more than that
#: (the engines' own error, about 1e-7, is far below): a smaller difference is not what a
#: sentence about a figure can refer to.
TOO_CLOSE = 0.01
#: Concurrence at or below which the cells count as separable.
SEPARABLE = 1e-6
#: "Rises with", "correlation": a Spearman or Pearson coefficient above this.
STRONG_CORRELATION = 0.8
#: A correlation across curves counts only when significant at this level (two-sided p).
SIGNIFICANCE = 0.05
#: A plateau of C(X): the slope dC/dX over the top quarter of X's range, in magnitude, below
#: this fraction of the slope over the bottom quarter.
PLATEAU = 0.1
#: "Most of the range": at equal X, C(zeta = 1) > C(zeta = 0) on more than this fraction.
MOST = 0.8
#: "Significantly reduces": by more than this fraction.
SIGNIFICANT = 0.1
#: A "decline" of the concurrence after its peak within a window: at least this much.
DECLINE = 0.05

#: The claims' own time grid: lambda*t in [0, 10] in steps of 0.005 (the window [0, 1.3] is its
#: first 261 samples), fixed so that no verdict depends on the output grid of a run.
CLAIM_POINTS = 2001
#: A coarser grid for quick runs and the golden "fast" column (steps of 0.025).
FAST_POINTS = 401
OMEGA_QS = (0.5, 1.0, 2.0, 5.0)
#: The 8 curves of the figures (panel (b)'s resonant "b:0" is extra).
S8 = tuple(CURVES)

QUANTITY_FIELDS = {"E": "energy", "Sigma": "fluctuation", "C": "concurrence", "P1": "primary"}
_WORDS = {"E": "E", "Sigma": "Sigma", "C": "C", "P1": "the primary cell's population"}


def claim_times(points: int = CLAIM_POINTS) -> np.ndarray:
    """The claims' grid on [0, 10]; ``points - 1`` must be a multiple of 100 (1.3 on the grid)."""
    points = int(points)
    if points < 101 or (points - 1) % 100:
        raise ValueError(f"claim grid points must be 100 k + 1 (>= 101), got {points}")
    return np.linspace(*TIME_WINDOW, points)


# -- curves -------------------------------------------------------------------------------------
class Curves:
    """Trajectories by (curve id, zeta) at one omega_q and model, solved on first use and cached.

    Curves whose Hamiltonian conserves the excitation number (zeta = 0, or a variant without the
    counter-rotating term) do not depend on omega_q (in the frame rotating with omega_q N every
    observable is unchanged), so they are taken from ``base`` (omega_q = 1) when given.

    Args:
        omega_q: the qubit frequency.
        variant: a name in ``VARIANTS`` or None (Eq. (1)).
        points: samples of the claims' grid (:func:`claim_times`).
        method, options: engine and its options (:func:`qbcircuit.simulate_many`).
        base: the omega_q = 1 curves to share.
        curves: id -> parameters (default: the suite's and the reference curves; tests swap
            them to force a verdict).
    """

    def __init__(self, omega_q=1.0, variant=None, *, points=CLAIM_POINTS, method="exact",
                 options=None, base=None, curves=None):
        self.omega_q = float(omega_q)
        self.variant = variant
        self.times = claim_times(points)
        self.method, self.options = method, dict(options or {})
        self.base = base
        self.slots = (dict(curves) if curves is not None else
                      {k: dict(c.kwargs) for k, c in {**CURVES, **REFERENCE_CURVES}.items()})
        self.cache: dict = {}
        self.used: set = set()

    def params(self, slot: str, zeta: float) -> BatteryParams:
        """The parameters of one curve (``slot`` may end in ``/i``: alpha -> i alpha)."""
        name, _, rot = slot.partition("/")
        kw = dict(self.slots[name])
        if rot == "i":
            kw["alpha"] = 1j * kw["alpha"]
        if self.variant is not None:
            charger, cells = VARIANTS[self.variant]
            kw.update(charger_coupling=charger, cell_coupling=cells)
        return BatteryParams(zeta=zeta, omega_q=self.omega_q, **kw)

    def _shared(self, slot, zeta) -> bool:
        return (self.base is not None and self.base.slots == self.slots
                and self.params(slot, zeta).conserves_excitations)

    def get(self, slot: str, zeta: float):
        """The trajectory of one curve on the claims' grid."""
        zeta = float(zeta)
        self.used.add((slot, zeta))
        key = (slot, zeta)
        if key not in self.cache:
            if self._shared(slot, zeta):
                self.cache[key] = self.base.get(slot, zeta)
            else:
                self.prefetch([key])
        return self.cache[key]

    def prefetch(self, keys) -> None:
        """Solve the missing (curve, zeta) trajectories in one ``simulate_many``."""
        todo = [k for k in keys if k not in self.cache and not self._shared(*k)]
        if todo:
            trajs = simulate_many([self.params(s, z) for s, z in todo], self.times,
                                  method=self.method, **self.options)
            self.cache.update(zip(todo, trajs, strict=True))


def _primary_population(tr) -> np.ndarray:
    """Excited population of the primary cell (qubit 0 of the cell states)."""
    d = np.einsum("tii->ti", tr.cell_states).real
    return d[:, 1] + d[:, 3]


# -- statistics of one curve --------------------------------------------------------------------
def total_variation(y: np.ndarray) -> float:
    """Sum of |y[i+1] - y[i]|: how much a curve moves (more for erratic curves)."""
    return float(np.sum(np.abs(np.diff(y))))


def separable_runs(c: np.ndarray) -> int:
    """Separable stretches (C <= ``SEPARABLE``) after the cells first became entangled."""
    ent = np.asarray(c) > SEPARABLE
    if not ent.any():
        return 0
    after = ent[np.argmax(ent):]
    return int(np.count_nonzero(~after[1:] & after[:-1]))


def decline_after_peak(y: np.ndarray) -> float:
    """Largest value minus the smallest value after it: how far a curve falls back."""
    y = np.asarray(y)
    i = int(np.argmax(y))
    return float(y[i] - y[i:].min())


def time_average(t: np.ndarray, y: np.ndarray) -> float:
    """Trapezoid average of y over its samples."""
    return float(np.trapezoid(y, t) / (t[-1] - t[0]))


def _wiggle(t, y):
    rng = np.ptp(y)
    return total_variation(y) / rng if rng > 0 else 1.0


#: name -> (words, f(times, values) -> float).
STATISTICS: dict[str, tuple[str, Callable]] = {
    "first_max": ("first maximum of", lambda t, y: first_peak(t, y)[1]),
    "t_first_max": ("time of the first maximum of", lambda t, y: first_peak(t, y)[0]),
    "max": ("max", lambda t, y: float(np.max(y))),
    "min": ("min", lambda t, y: float(np.min(y))),
    "mean": ("mean", time_average),
    "range": ("range of", lambda t, y: float(np.ptp(y))),
    "tv": ("total variation of", lambda t, y: total_variation(y)),
    "wiggle": ("total variation / range of", _wiggle),
    "drop": ("fall-back after the peak of", lambda t, y: decline_after_peak(y)),
    "sep_frac": ("fraction separable of", lambda t, y: float(np.mean(y[t > 0] <= SEPARABLE))),
    "sep_runs": ("separable stretches of", lambda t, y: float(separable_runs(y))),
}

#: ``at_max_<X>``: the term's quantity where the quantity X (E, Sigma, C) is largest.
AT_MAX = "at_max_"

_TERM = re.compile(r"^(?P<stat>\w+) (?P<q>E|Sigma|C|P1)(?:\[(?P<a>[\d.]+),(?P<b>[\d.]+)\])? "
                   r"(?P<slot>[\w:./{}]+)(?: z(?P<z>-?\d))?$")


@dataclass(frozen=True)
class Term:
    """One statistic of one curve (see the module docstring)."""

    stat: str
    q: str
    a: float
    b: float
    slot: str
    zeta: float | None

    @classmethod
    def parse(cls, text: str) -> Term:
        """Read ``"<statistic> <quantity>[<a>,<b>] <curve>[ z<zeta>]"``."""
        m = _TERM.match(text.strip())
        known = m is not None and (m["stat"] in STATISTICS or (
            m["stat"].startswith(AT_MAX) and m["stat"][len(AT_MAX):] in QUANTITY_FIELDS))
        if not known:
            raise ValueError(f"not a statistic term: {text!r} (see qbcircuit.paper.checks)")
        a, b = (float(m["a"]), float(m["b"])) if m["a"] else TIME_WINDOW
        return cls(m["stat"], m["q"], a, b, m["slot"], None if m["z"] is None else float(m["z"]))

    def window(self) -> str:
        """``"[a,b]"``."""
        return f"[{self.a:g},{self.b:g}]"

    def name(self, zeta: float, slot: str | None = None) -> str:
        """The name its number is recorded under, e.g. ``"mean E[0,10] a:3 z1"``."""
        z = self.zeta if self.zeta is not None else zeta
        return f"{self.stat} {self.q}{self.window()} {slot or self.slot} z{z:g}"

    def words(self) -> str:
        """What it is, in words."""
        if self.stat.startswith(AT_MAX):
            return (f"{_WORDS[self.q]} at the maximum of {_WORDS[self.stat[len(AT_MAX):]]} over "
                    f"[{self.a:g}, {self.b:g}]")
        return f"{STATISTICS[self.stat][0]} {_WORDS[self.q]} over [{self.a:g}, {self.b:g}]"


@dataclass(frozen=True)
class Expr:
    """A term, or two terms joined by ``-`` or ``/``."""

    terms: tuple
    op: str = ""

    @classmethod
    def parse(cls, text: str) -> Expr:
        """Read a term, or two terms joined by `` - `` or `` / ``."""
        for op in (" / ", " - "):
            if op in text:
                left, right = text.split(op)
                return cls((Term.parse(left), Term.parse(right)), op.strip())
        return cls((Term.parse(text),))

    def slots(self, slot=None) -> list:
        """The curves its terms read (``slot`` fills ``{s}``)."""
        return [slot if t.slot == "{s}" else t.slot for t in self.terms]

    def zetas(self, zeta) -> set:
        """The zeta values its terms read (``zeta`` where not pinned)."""
        return {t.zeta if t.zeta is not None else zeta for t in self.terms}

    def text(self) -> str:
        """What it is, in words."""
        mixed = len({t.slot == "{s}" for t in self.terms}) > 1  # "{s}" beside a fixed curve
        each = " of each curve" if mixed else ""
        return f" {self.op} ".join(t.words() + (each if t.slot == "{s}" else " " + t.slot)
                                   + ("" if t.zeta is None else f" (zeta = {t.zeta:g})")
                                   for t in self.terms)


# -- deciding -----------------------------------------------------------------------------------
_OPS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}


def too_close(a: float, b: float) -> bool:
    """True when a and b differ by less than ``TOO_CLOSE`` of the larger (and are not equal)."""
    return a != b and abs(a - b) <= TOO_CLOSE * max(abs(a), abs(b))


def outcome(a: float, op: str, b: float) -> bool | None:
    """``a op b``, or None when the two are too close to call (:data:`TOO_CLOSE`).

    >>> outcome(0.4046, ">", 0.4056) is None, outcome(2.0, ">=", 2.0), outcome(0.3, ">", 0.5)
    (True, True, False)
    """
    if too_close(a, b):
        return None
    return bool(_OPS[op](a, b))


class Decision:
    """The numbers a claim's check computes and its outcomes, at one omega_q."""

    def __init__(self, curves: Curves):
        self.c = curves
        self.numbers: dict = {}
        self.outcomes: list = []  # (label, True | False | None)

    def value(self, name: str, v) -> float:
        """Record a deciding number under ``name``; return it."""
        if "=" in name or ";" in name:  # the CSV writes name=value;name=value
            raise ValueError(f"a number's name may not contain '=' or ';': {name!r}")
        self.numbers[name] = float(v)
        return float(v)

    def series(self, slot: str, zeta: float, q: str, a=0.0, b=10.0):
        """(times, values) of quantity ``q`` of one curve over [a, b]."""
        tr = self.c.get(slot, zeta)
        m = (tr.times >= a - 1e-9) & (tr.times <= b + 1e-9)
        field_ = QUANTITY_FIELDS[q]
        y = _primary_population(tr) if field_ == "primary" else getattr(tr, field_)
        return tr.times[m], np.asarray(y)[m]

    def term(self, t: Term, zeta: float, slot: str | None = None) -> float:
        """The value of a term (recorded)."""
        z = t.zeta if t.zeta is not None else zeta
        s = slot if t.slot == "{s}" else t.slot
        if s is None or "{" in s:
            raise ValueError(f"term {t} needs a curve")
        times, y = self.series(s, z, t.q, t.a, t.b)
        if t.stat.startswith(AT_MAX):
            of = self.series(s, z, t.stat[len(AT_MAX):], t.a, t.b)[1]
            return self.value(t.name(zeta, s), y[int(np.argmax(of))])
        return self.value(t.name(zeta, s), STATISTICS[t.stat][1](times, y))

    def expr(self, e: Expr, zeta: float, slot: str | None = None) -> float:
        """The value of an expression (recorded)."""
        vals = [self.term(t, zeta, slot) for t in e.terms]
        if not e.op:
            return vals[0]
        v = vals[0] - vals[1] if e.op == "-" else (vals[0] / vals[1] if vals[1] else np.inf)
        names = [t.name(zeta, slot) for t in e.terms]
        return self.value(f"{names[0]} {e.op} {names[1]}", v)

    def check(self, label: str, ok) -> bool | None:
        """Record one outcome: True, False or None (too close to call)."""
        self.outcomes.append((label, None if ok is None else bool(ok)))
        return ok


def _zeta_text(zetas) -> str:
    return "zeta = " + " and ".join(f"{z:g}" for z in zetas)


@dataclass(frozen=True)
class Check:
    """A check kind with its arguments.

    ``run(decision)`` records outcomes; ``describe()`` says in words what decides the claim
    (the table's "quantity" column is generated from it).
    """

    kind: str
    args: dict = field(default_factory=dict)

    def run(self, d: Decision) -> None:
        """Record this check's numbers and outcomes in ``d``."""
        KINDS[self.kind][0](d, **self.args)

    def describe(self) -> str:
        """What decides the claim, in words."""
        return KINDS[self.kind][1](**self.args)


def _as_list(x):
    return list(x) if isinstance(x, list | tuple) else [x]


# compare ---------------------------------------------------------------------------------------
def _run_compare(d, lhs, op, rhs, zetas=ZETAS, factor=1.0):
    left = Expr.parse(lhs)
    for r in _as_list(rhs):
        right = None if isinstance(r, int | float) else Expr.parse(r)
        for z in zetas:
            a = d.expr(left, z)
            b = float(r) if right is None else factor * d.expr(right, z)
            d.check(f"{lhs} {op} {'' if factor == 1 else f'{factor:g} x '}{r} (zeta = {z:g})",
                    outcome(a, op, b))


def _describe_compare(lhs, op, rhs, zetas=ZETAS, factor=1.0):
    rs = ", ".join(str(r) if isinstance(r, int | float) else Expr.parse(r).text()
                   for r in _as_list(rhs))
    fac = "" if factor == 1 else f"{factor:g} x "
    terms = [t for r in [lhs, *_as_list(rhs)] if isinstance(r, str) for t in Expr.parse(r).terms]
    pinned = all(t.zeta is not None for t in terms)  # the terms say which zeta
    return f"{Expr.parse(lhs).text()} {op} {fac}{rs}" + ("" if pinned else
                                                         f" ({_zeta_text(zetas)})")


def compare(lhs: str, op: str, rhs, *, zetas=ZETAS, factor: float = 1.0) -> Check:
    """``lhs op factor * rhs`` for each zeta (and each ``rhs`` of a list, or a number)."""
    return Check("compare", dict(lhs=lhs, op=op, rhs=rhs, zetas=tuple(zetas), factor=factor))


# anisotropy ------------------------------------------------------------------------------------
def _run_anisotropy(d, term, curves, op=">"):
    e = Expr.parse(term)
    for s in curves or [None]:
        d.check(f"{term if s is None else term.replace('{s}', s)}: zeta = 1 {op} zeta = 0",
                outcome(d.expr(e, 1.0, s), op, d.expr(e, 0.0, s)))


def _describe_anisotropy(term, curves, op=">"):
    where = "each of the 8 curves" if tuple(curves) == S8 else ", ".join(curves)
    return f"{Expr.parse(term).text()}: zeta = 1 {op} zeta = 0" + (f" ({where})" if where else "")


def anisotropy(term: str, curves, op: str = ">") -> Check:
    """``term`` at zeta = 1 ``op`` at zeta = 0, for each curve in ``curves`` (``{s}`` in term)."""
    return Check("anisotropy", dict(term=term, curves=tuple(curves), op=op))


# monotone --------------------------------------------------------------------------------------
def _run_monotone(d, term, curves, direction, zetas=ZETAS):
    e = Expr.parse(term)
    op = ">" if direction == "rises" else "<"
    for z in zetas:
        vals = [d.expr(e, z, s) for s in curves]
        for (s0, v0), (s1, v1) in zip(zip(curves[:-1], vals[:-1], strict=True),
                                      zip(curves[1:], vals[1:], strict=True), strict=True):
            d.check(f"{term.replace(' {s}', '')} {direction} {s0} -> {s1} (zeta = {z:g})",
                    outcome(v1, op, v0))


def _describe_monotone(term, curves, direction, zetas=ZETAS):
    return (f"{Expr.parse(term).text()} {direction} along {' -> '.join(curves)} "
            f"({_zeta_text(zetas)})")


def monotone(term: str, curves, direction: str, *, zetas=ZETAS) -> Check:
    """``term`` ``"rises"`` or ``"falls"`` along the ordered ``curves``."""
    return Check("monotone", dict(term=term, curves=tuple(curves), direction=direction,
                                  zetas=tuple(zetas)))


# count -----------------------------------------------------------------------------------------
def _run_count(d, term, op, bound, curves=S8, zetas=ZETAS):
    e = Expr.parse(term)
    other = Expr.parse(bound) if isinstance(bound, str) else None
    for s in curves:
        for z in zetas:
            b = float(bound) if other is None else d.expr(other, z, s)
            label = f"{term} {op} {bound}".replace("{s}", s)
            d.check(f"{label} (zeta = {z:g})", outcome(d.expr(e, z, s), op, b))


def _describe_count(term, op, bound, curves=S8, zetas=ZETAS):
    n = len(curves) * len(zetas)
    b = Expr.parse(bound).text() if isinstance(bound, str) else f"{bound:g}"
    where = f"each of the {n} curves" if n > 2 else ", ".join(curves) + f" ({_zeta_text(zetas)})"
    return f"{Expr.parse(term).text()} {op} {b}, {where}".replace(" {s}", "")


def count(term: str, op: str, bound, *, curves=S8, zetas=ZETAS) -> Check:
    """``term op bound`` for each curve (one outcome per curve and zeta).

    ``bound`` is a number or a term of the same curve.
    """
    return Check("count", dict(term=term, op=op, bound=bound if isinstance(bound, str)
                               else float(bound), curves=tuple(curves), zetas=tuple(zetas)))


# ratio -----------------------------------------------------------------------------------------
def _run_ratio(d, num, den, op, bound, zetas=ZETAS):
    for z in zetas:
        a, b = d.expr(Expr.parse(num), z), d.expr(Expr.parse(den), z)
        r = d.value(f"({Expr.parse(num).terms[0].name(z)}) / "
                    f"({Expr.parse(den).terms[0].name(z)})", a / b if b else np.inf)
        d.check(f"{num} / {den} {op} {bound:g} (zeta = {z:g})", outcome(r, op, bound))


def _describe_ratio(num, den, op, bound, zetas=ZETAS):
    return (f"{Expr.parse(num).text()} / {Expr.parse(den).text()} {op} {bound:g} "
            f"({_zeta_text(zetas)})")


def ratio(num: str, den: str, op: str, bound: float, *, zetas=ZETAS) -> Check:
    """The ratio of two terms (e.g. two windows of one curve) against ``bound``."""
    return Check("ratio", dict(num=num, den=den, op=op, bound=float(bound), zetas=tuple(zetas)))


# correlation -----------------------------------------------------------------------------------
def correlation_coefficient(x, y, method: str = "spearman") -> tuple[float, float]:
    """(coefficient, two-sided p-value); (0, 1) when either is constant."""
    from scipy import stats

    x, y = np.asarray(x, float), np.asarray(y, float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0, 1.0
    res = (stats.spearmanr if method == "spearman" else stats.pearsonr)(x, y)
    return float(res[0]), float(res[1])


def _run_correlation(d, x, y, curves=S8, zetas=ZETAS, window=TIME_WINDOW, method="spearman",
                     bound=STRONG_CORRELATION, across=None):
    a, b = window
    if across is not None:  # one coefficient over the curves, of one statistic of each
        xs = [d.term(Term.parse(f"{across} {x}[{a:g},{b:g}] {s}"), z) for s in curves
              for z in zetas]
        ys = [d.term(Term.parse(f"{across} {y}[{a:g},{b:g}] {s}"), z) for s in curves
              for z in zetas]
        r, p = correlation_coefficient(xs, ys, method)
        name = f"{method} {across} {x} vs {across} {y} over the {len(xs)} curves"
        d.value(name, r)
        d.value(f"p-value of the {name}", p)
        d.check(f"positive and significant (p < {SIGNIFICANCE:g})", r > 0 and p < SIGNIFICANCE)
        d.check(f"strong (above {bound:g})", outcome(r, ">", bound))
        return
    for s in curves:
        for z in zetas:
            r, _ = correlation_coefficient(d.series(s, z, x, a, b)[1],
                                           d.series(s, z, y, a, b)[1], method)
            d.value(f"{method} {x}-{y}[{a:g},{b:g}] {s} z{z:g}", r)
            d.check(f"{method}({x}, {y}) > {bound:g} {s} z{z:g}", outcome(r, ">", bound))


def _describe_correlation(x, y, curves=S8, zetas=ZETAS, window=TIME_WINDOW, method="spearman",
                          bound=STRONG_CORRELATION, across=None):
    a, b = window
    if across is not None:
        n = len(curves) * len(zetas)
        return (f"across the {n} curves: {method.capitalize()} coefficient of the {across} of "
                f"{_WORDS[x]} and of {_WORDS[y]} over [{a:g}, {b:g}]: positive and significant "
                f"(p < {SIGNIFICANCE:g}), and above {bound:g}")
    where = "each of the 8 curves" if tuple(curves) == S8 else ", ".join(curves)
    return (f"{method.capitalize()}({_WORDS[x]}, {_WORDS[y]}) over [{a:g}, {b:g}] above "
            f"{bound:g} ({where}, {_zeta_text(zetas)})")


def correlation(x: str, y: str, *, curves=S8, zetas=ZETAS, window=TIME_WINDOW,
                method: str = "spearman", bound: float = STRONG_CORRELATION,
                across: str | None = None) -> Check:
    """Spearman (or Pearson) coefficients, within curves or across them.

    Within each curve: the coefficient of x(t) and y(t) over ``window`` above ``bound`` (the
    samples of one curve are not independent draws, so a p-value would mean nothing there: the
    strength decides). With
    ``across`` (a statistic, e.g. ``"mean"``): one coefficient of that statistic of x and of y
    over the curves, which must be positive and significant (p < ``SIGNIFICANCE``) and above
    ``bound``.
    """
    return Check("correlation", dict(x=x, y=y, curves=tuple(curves), zetas=tuple(zetas),
                                     window=tuple(window), method=method, bound=bound,
                                     across=across))


# shape (parametric C against X, Figures 5-6) -----------------------------------------------------
def rising_branch(x: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C against X up to X's largest value, with X made strictly increasing (running maximum)."""
    k = int(np.argmax(x)) + 1
    xs, cs = np.maximum.accumulate(x[:k]), c[:k]
    keep = np.concatenate([[True], np.diff(xs) > 0])
    return xs[keep], cs[keep]


def plateau_slopes(x: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Mean slope dC/dX over the bottom and over the top quarter of X's range (rising branch)."""
    xs, cs = rising_branch(np.asarray(x, float), np.asarray(c, float))
    if xs.size < 2 or xs[-1] <= xs[0]:
        return 0.0, 0.0
    q = (xs[-1] - xs[0]) / 4
    at = lambda v: float(np.interp(v, xs, cs))  # noqa: E731
    return (at(xs[0] + q) - at(xs[0])) / q, (at(xs[-1]) - at(xs[-1] - q)) / q


def higher_at_equal(x0, c0, x1, c1) -> float:
    """Fraction of the common X range (rising branches) where C1 > C0 at equal X."""
    (a0, b0), (a1, b1) = rising_branch(x0, c0), rising_branch(x1, c1)
    lo, hi = max(a0[0], a1[0]), min(a0[-1], a1[-1])
    if hi <= lo:
        return 0.0
    grid = np.linspace(lo, hi, 101)[1:]
    return float(np.mean(np.interp(grid, a1, b1) > np.interp(grid, a0, b0)))


def _run_shape(d, form, x, curves, zetas=ZETAS):
    a, b = PARAMETRIC_WINDOW
    for s in curves:
        if form == "plateau":
            for z in zetas:
                xs, cs = d.series(s, z, x, a, b)[1], d.series(s, z, "C", a, b)[1]
                lo, hi = plateau_slopes(xs, cs)
                d.value(f"dC/d{x} bottom quarter {s} z{z:g}", lo)
                d.value(f"dC/d{x} top quarter {s} z{z:g}", hi)
                # a plateau is flat: a steep fall at the top is a decline, not a plateau
                d.check(f"C({x}) rises, then flattens {s} z{z:g}",
                        lo > 0 and outcome(abs(hi), "<", PLATEAU * lo))
        else:  # "above": C at equal X larger for zeta = 1
            (x0, c0), (x1, c1) = [(d.series(s, z, x, a, b)[1], d.series(s, z, "C", a, b)[1])
                                  for z in (0.0, 1.0)]
            f = d.value(f"fraction of {x} levels with higher C for zeta 1 {s}",
                        higher_at_equal(x0, c0, x1, c1))
            d.check(f"higher C at equal {x} {s}", f > MOST)


def _describe_shape(form, x, curves, zetas=ZETAS):
    a, b = PARAMETRIC_WINDOW
    if form == "plateau":
        return (f"the curve C against {x} over lambda t in [{a:g}, {b:g}] ({', '.join(curves)}, "
                f"{_zeta_text(zetas)}): rises, and its slope over the top quarter of {x} is, in "
                f"magnitude, below {PLATEAU:g} of the slope over the bottom quarter (a plateau)")
    return (f"the curve C against {x} over [{a:g}, {b:g}] (rising branch): C larger for zeta = 1 "
            f"than zeta = 0 at equal {x} on more than {MOST:.0%} of the common range "
            f"({', '.join(curves)})")


def shape(form: str, x: str, curves, *, zetas=ZETAS) -> Check:
    """The parametric curve C(X) of Figures 5-6 (X = ``"E"`` or ``"Sigma"``).

    ``form`` is ``"plateau"`` (C rises, then flattens against X) or ``"above"`` (C at equal X
    larger for zeta = 1).
    """
    zs = ZETAS if form == "above" else tuple(zetas)
    return Check("shape", dict(form=form, x=x, curves=tuple(curves), zetas=zs))


# custom ----------------------------------------------------------------------------------------
#: name -> (function(decision), description, zetas it involves). Filled by ``@bespoke``.
CUSTOM: dict[str, tuple[Callable, str, tuple]] = {}


def bespoke(name: str, description: str, zetas=ZETAS):
    """Register a custom check (a claim that fits no kind)."""
    def wrap(f):
        CUSTOM[name] = (f, description, tuple(zetas))
        return f
    return wrap


def custom(name: str) -> Check:
    """The registered custom check ``name``."""
    if name not in CUSTOM:
        raise ValueError(f"no custom check {name!r}")
    return Check("custom", dict(name=name))


# the bespoke checks ----------------------------------------------------------------------------
PARA = PARAMETRIC_WINDOW


@bespoke("loss at the second peak", "loss from dissipation (closed minus open E, at the second "
         "maximum of the closed curve) larger than at its first maximum (zeta = 0 and 1)")
def _loss_at_second_peak(d):
    from scipy.signal import find_peaks

    from ..metrics import FIRST_PEAK_PROMINENCE

    for z in ZETAS:
        _, closed = d.series("d:closed", z, "E")
        opened = d.series("d:open", z, "E")[1]
        peaks, _ = find_peaks(closed, prominence=FIRST_PEAK_PROMINENCE * np.ptp(closed))
        if peaks.size < 2:
            d.check(f"two peaks in the closed curve (zeta = {z:g})", False)
            continue
        loss = [d.value(f"loss at peak {k + 1} z{z:g}", closed[p] - opened[p])
                for k, p in enumerate(peaks[:2])]
        d.check(f"larger loss at the second peak (zeta = {z:g})", outcome(loss[1], ">", loss[0]))


@bespoke("largest early C", "g = 2, zeta = 1: the largest max C over [0, 1.3] of the four "
         "(g, zeta) curves of panel (c), and its max over [0, 1.3] at least its max over [1.3, 10]")
def _largest_early_c(d):
    early = {(s, z): d.term(Term.parse(f"max C[0,1.3] {s}"), z) for s in ("c:0.3", "c:2")
             for z in ZETAS}
    best = early.pop(("c:2", 1.0))
    d.check("largest early C", outcome(best, ">", max(early.values())))
    d.check("early max >= late max", outcome(best, ">=",
                                             d.term(Term.parse("max C[1.3,10] c:2"), 1.0)))


@bespoke("faster initial growth", "g = 2: C at lambda t = 0.3 larger for zeta = 1, and the "
         "fall-back of C after its peak within [0, 1.3] larger for zeta = 1")
def _faster_initial_growth(d):
    early = {}
    for z in ZETAS:
        t, c = d.series("c:2", z, "C", *PARA)
        early[z] = d.value(f"C at t 0.3 c:2 z{z:g}", np.interp(0.3, t, c))
    d.check("faster initial growth", outcome(early[1.0], ">", early[0.0]))
    e = Expr.parse("drop C[0,1.3] c:2")
    d.check("larger decline", outcome(d.expr(e, 1.0), ">", d.expr(e, 0.0)))


@bespoke("same direction", "fraction of [0, 1.3] where Sigma and C move in the same direction: "
         "Delta = 0 above Delta = 4 (zeta = 0 and 1)")
def _same_direction(d):
    def frac(s, z):
        a, b = np.diff(d.series(s, z, "Sigma", *PARA)[1]), np.diff(d.series(s, z, "C", *PARA)[1])
        return d.value(f"fraction Sigma, C same direction[0,1.3] {s} z{z:g}",
                       np.mean(np.sign(a) == np.sign(b)))
    for z in ZETAS:
        d.check(f"more congruent at resonance (zeta = {z:g})",
                outcome(frac("b:0", z), ">", frac("b:4", z)))


def _corr_order(d, x, y, window, method, pairs):
    for hi, lo in pairs:
        for z in ZETAS:
            r = [d.value(f"{method} {x}-{y}[{window[0]:g},{window[1]:g}] {s} z{z:g}",
                         correlation_coefficient(d.series(s, z, x, *window)[1],
                                                 d.series(s, z, y, *window)[1], method)[0])
                 for s in (hi, lo)]
            d.check(f"{method}({x}, {y}) {hi} > {lo} (zeta = {z:g})", outcome(r[0], ">", r[1]))


@bespoke("resonance correlates better (Sigma)", "Spearman(Sigma, C) over [0, 1.3]: Delta = 0 "
         "above Delta = 4 (zeta = 0 and 1)")
def _resonance_sigma(d):
    _corr_order(d, "Sigma", "C", PARA, "spearman", [("b:0", "b:4")])


@bespoke("stable correlation over [0, 10]", "Pearson(E, C) over [0, 10]: Delta = 0 above "
         "Delta = 4 and closed above open (zeta = 0 and 1)")
def _stable_correlation(d):
    _corr_order(d, "E", "C", TIME_WINDOW, "pearson", [("b:0", "b:4"), ("d:closed", "d:open")])


@bespoke("no energy without entanglement", "a necessary condition: the energy the secondary "
         "cell holds while the cells are separable (C = 0) stays below 0.1 in all 16 curves")
def _no_energy_without_entanglement(d):
    best = 0.0
    for s in S8:
        for z in ZETAS:
            tr = d.c.get(s, z)
            sep = tr.concurrence <= SEPARABLE
            sep[0] = False
            best = max(best, float(tr.energy[sep].max()) if sep.any() else 0.0)
    d.check("no substantial energy without entanglement",
            outcome(d.value("max E while separable over the 16 curves", best), "<", 0.1))


@bespoke("zeta sign symmetry", "max |difference| of E and C over [0, 10] between zeta = 1 and "
         "zeta = -1 (alpha = 2, g = 1, Delta = 0); also with alpha -> i alpha, the exact symmetry "
         "of Eq. (1)", zetas=(1.0, -1.0))
def _zeta_symmetry(d):
    plus, minus, rot = d.c.get("b:0", 1.0), d.c.get("b:0", -1.0), d.c.get("b:0/i", -1.0)

    def diff(a, b):
        return max(np.max(np.abs(a.energy - b.energy)),
                   np.max(np.abs(a.concurrence - b.concurrence)))
    same = d.value("max |zeta 1 - zeta -1| same alpha", diff(plus, minus))
    d.value("max |zeta 1 - zeta -1| alpha -> i alpha", diff(plus, rot))
    # an exact identity, not a comparison of two figures: the engines' tolerance decides
    d.check("zeta -> -zeta leaves E and C unchanged at the paper's real alpha", same < 1e-6)


@bespoke("printed equations", "printed terms reproduced term by term by the equations of motion "
         "derived from the model's operators (qbcircuit.paper.derivation)", zetas=())
def _printed_equations(d):
    from .derivation import derivation_summary, derivation_table, model_name

    summary = derivation_summary(derivation_table(d.c.variant or "tavis-cummings"))
    for k, v in summary.items():
        d.value(k, v)
    name = model_name(d.c.variant)
    d.check(f"every printed term follows from {name}",
            summary[f"reproduced by {name}"] == summary["printed terms"])


@bespoke("printed generator", "the printed system as a generator A at n = 4 (|alpha|^2 of panel "
         "b), from rho44 = |gg,n><gg,n|: charges the secondary cell without dissipation; stays a "
         "density matrix with dissipation (kappa = 0.6, gamma = 0.4)", zetas=())
def _printed_generator(d):
    from .derivation import printed_system_report

    closed = printed_system_report(4, zeta_=1.0)
    opened = printed_system_report(4, zeta_=1.0, kappa_=0.6, gamma_=0.4)
    for k in ("hermiticity_defect", "trace_defect", "ccp_min_eigenvalue", "spectral_abscissa",
              "max_secondary_population"):
        d.value(f"closed {k}", closed[k])
    for k in ("trace_defect", "ccp_min_eigenvalue", "max_trace_deviation", "min_eigenvalue",
              "max_secondary_population"):
        d.value(f"open {k}", opened[k])
    d.check("charges the secondary cell (closed)", closed["max_secondary_population"] > 0.01)
    d.check("trace and positivity kept (open)", opened["max_trace_deviation"] < 1e-6
            and opened["min_eigenvalue"] > -1e-6)


KINDS: dict[str, tuple[Callable, Callable]] = {
    "compare": (_run_compare, _describe_compare),
    "anisotropy": (_run_anisotropy, _describe_anisotropy),
    "monotone": (_run_monotone, _describe_monotone),
    "count": (_run_count, _describe_count),
    "ratio": (_run_ratio, _describe_ratio),
    "correlation": (_run_correlation, _describe_correlation),
    "shape": (_run_shape, _describe_shape),
    "custom": (lambda d, name: CUSTOM[name][0](d), lambda name: CUSTOM[name][1]),
}


def involved_zetas(check: Check) -> set:
    """The zeta values a check reads (from its arguments: no curve is solved)."""
    a = check.args
    if check.kind == "custom":
        return set(CUSTOM[a["name"]][2])
    if check.kind in ("anisotropy", "shape"):
        return set(a.get("zetas", ZETAS)) | ({0.0, 1.0} if check.kind == "anisotropy" else set())
    terms = [a[k] for k in ("lhs", "term", "num", "den", "bound") if isinstance(a.get(k), str)]
    terms += [r for r in _as_list(a.get("rhs", [])) if isinstance(r, str)]
    zetas = set(a.get("zetas", ZETAS))
    pinned = {t.zeta for s in terms for t in Expr.parse(s).terms if t.zeta is not None}
    free = any(t.zeta is None for s in terms for t in Expr.parse(s).terms)
    return (zetas if free or not terms else set()) | pinned


# verdicts --------------------------------------------------------------------------------------
SUPPORTED, CONTRADICTED, MIXED = "supported", "contradicted", "mixed"
TOO_CLOSE_TO_CALL = "too close to call"
DEPENDS = "depends on omega_q"
NEVER = "not supported at any omega_q"
VAGUE = "too vague to test"
VERDICTS = (SUPPORTED, CONTRADICTED, MIXED, TOO_CLOSE_TO_CALL, DEPENDS, NEVER, VAGUE)


def verdict_of(outcomes) -> str:
    """The verdict of a claim's outcomes at one omega_q.

    ``supported``: every outcome holds; ``contradicted``: none holds; ``mixed``: some hold and
    some fail; ``too close to call``: the decided outcomes agree but at least one comparison is
    within :data:`TOO_CLOSE` (it could turn the verdict).

    >>> verdict_of([True, True]), verdict_of([False]), verdict_of([True, False, None])
    ('supported', 'contradicted', 'mixed')
    >>> verdict_of([True, None])
    'too close to call'
    """
    oks = list(outcomes)
    held, failed = any(o is True for o in oks), any(o is False for o in oks)
    if held and failed:
        return MIXED
    if any(o is None for o in oks):
        return TOO_CLOSE_TO_CALL
    return SUPPORTED if held else CONTRADICTED


def combine_omega_q(by_omega_q: dict) -> str:
    """One verdict from the verdicts at each omega_q tried.

    The omega_q at which the claim is too close to call say nothing either way and are left
    out. The others all agree: that verdict. Otherwise ``depends on omega_q`` when some omega_q
    supports the claim, and ``not supported at any omega_q`` when none does (e.g. mixed at some,
    contradicted at others: there is no omega_q at which the paper's sentence holds).

    >>> combine_omega_q({0.5: "mixed", 1.0: "contradicted"})
    'not supported at any omega_q'
    >>> combine_omega_q({0.5: "supported", 1.0: "mixed", 2.0: "too close to call"})
    'depends on omega_q'
    >>> combine_omega_q({0.5: "supported", 1.0: "too close to call"})
    'supported'
    """
    values = set(by_omega_q.values()) - {TOO_CLOSE_TO_CALL}
    if not values:
        return TOO_CLOSE_TO_CALL
    if len(values) == 1:
        return values.pop()
    return DEPENDS if SUPPORTED in values else NEVER

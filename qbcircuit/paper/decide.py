"""Deciding the claims table (:mod:`qbcircuit.paper.claims`) and writing the results.

Every claim's check (:mod:`qbcircuit.paper.checks`) runs on the claims' own fixed grid
(``checks.CLAIM_POINTS`` samples of lambda*t in [0, 10], whatever the output grid of a run), at
omega_q = 1 and, when it involves a zeta != 0 curve, at every omega_q of ``OMEGA_QS`` (the
paper never states omega_q, and with zeta != 0 the counter-rotating part of the XX coupling
makes results depend on it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._io import csv_text
from .checks import (
    CLAIM_POINTS,
    OMEGA_QS,
    S8,
    VAGUE,
    VERDICTS,
    Check,
    Curves,
    Decision,
    combine_omega_q,
    involved_zetas,
    verdict_of,
)
from .suite import PARAMETRIC_WINDOW, ZETAS


@dataclass(frozen=True)
class Spec:
    """One row of the claims table: where the paper says it, its words and how it is checked.

    Attributes:
        id: e.g. ``"F2a-1"`` (F = figure, S = the figure's summary paragraph, A = abstract,
            C = conclusion, M = model statements, Eq = the printed equations).
        figure: ``"2"`` .. ``"6"``, ``"abstract"``, ``"conclusion"``, ``"model"``, ``"Eq. (2)"``.
        panel: ``"a"`` .. ``"d"`` or ``""``.
        quote: the paper's words.
        check: a :class:`~qbcircuit.paper.checks.Check`, a list of them, or None (too vague).
        note: why a claim is too vague, or how a sentence is read.
    """

    id: str
    figure: str
    panel: str
    quote: str
    check: object
    note: str = ""

    @property
    def checks(self) -> list[Check]:
        """Its checks, as a list (empty when too vague to test)."""
        if self.check is None:
            return []
        return list(self.check) if isinstance(self.check, list | tuple) else [self.check]

    @property
    def quantity(self) -> str:
        """What decides the claim, in words (generated from its checks)."""
        return "; ".join(c.describe() for c in self.checks)

    @property
    def zetas(self) -> set:
        """The zeta values the claim involves (generated from its checks)."""
        return set().union(*(involved_zetas(c) for c in self.checks)) if self.checks else set()


@dataclass(frozen=True)
class Claim:
    """One statement of the paper, decided.

    Attributes:
        id, quote, figure, panel: as in :class:`Spec`.
        quantity: what decides it, in words.
        numbers: name -> value, the deciding numbers (at omega_q = 1).
        verdict: one of ``VERDICTS``.
        by_omega_q: omega_q -> verdict for claims involving zeta != 0, {} otherwise.
        note: the outcomes that failed or were too close to call, or why a claim is too vague.
        variant: the model variant it was decided under (None: Eq. (1)).
    """

    id: str
    quote: str
    figure: str
    panel: str
    quantity: str
    numbers: dict
    verdict: str
    by_omega_q: dict
    note: str = ""
    variant: str | None = None


def _decide(spec: Spec, curves: Curves) -> Decision:
    d = Decision(curves)
    for check in spec.checks:
        check.run(d)
    return d


def _note(spec: Spec, outcomes) -> str:
    failed = [label for label, ok in outcomes if ok is False]
    close = [label for label, ok in outcomes if ok is None]
    held = [label for label, ok in outcomes if ok is True]
    parts = [spec.note] if spec.note else []
    if failed and (held or close):
        parts.append("fails: " + "; ".join(failed))
    elif failed:
        parts.append(f"all {len(failed)} checks fail")
    if close:
        parts.append("too close to call: " + "; ".join(close))
    if not failed and not close:
        parts.append(f"all {len(held)} checks hold")
    return " ".join(parts)


def decide_spec(spec: Spec, curves_by_omega: dict, variant: str | None = None) -> Claim:
    """Decide one claim at omega_q = 1 and, if it involves zeta != 0, at every omega_q given."""
    if not spec.checks:
        return Claim(spec.id, spec.quote, spec.figure, spec.panel, "", {}, VAGUE, {},
                     spec.note, variant)
    d1 = _decide(spec, curves_by_omega[1.0])
    verdict = verdict_of(ok for _, ok in d1.outcomes)
    by = {}
    if any(z != 0 for z in spec.zetas) and len(curves_by_omega) > 1:
        by = {w: verdict if w == 1.0 else verdict_of(ok for _, ok in _decide(spec, c).outcomes)
              for w, c in curves_by_omega.items()}
        verdict = combine_omega_q(by)
    return Claim(spec.id, spec.quote, spec.figure, spec.panel, spec.quantity, d1.numbers,
                 verdict, by, _note(spec, d1.outcomes), variant)


def decide_claims(*, omega_qs=OMEGA_QS, variant=None, method="exact", points=CLAIM_POINTS,
                  ids=None, curves=None, table=None, base: Curves | None = None,
                  **options) -> list[Claim]:
    """Decide every claim of the paper (or those in ``ids``).

    Args:
        omega_qs: the qubit frequencies at which claims involving zeta != 0 are decided
            (must contain 1).
        variant: a name in ``qbcircuit.params.VARIANTS``, or None for Eq. (1).
        method: the engine (``exact`` by default: the claims' numbers do not depend on the
            engine of a run's figures).
        points: samples of the claims' grid on [0, 10] (``checks.CLAIM_POINTS``; the golden
            table's fast column uses ``checks.FAST_POINTS``).
        ids: decide only these claims (default: all).
        curves: curve id -> parameters, replacing the suite's (to force a verdict in tests).
        table: the claims (default ``qbcircuit.paper.claims.CLAIMS``).
        base: the omega_q = 1 curves to use and fill (e.g. to reuse them for
            :func:`first_maxima`); its model, grid and engine then apply.
        **options: engine options.

    Returns:
        the claims, in the paper's order.
    """
    from threadpoolctl import threadpool_limits

    if table is None:
        from .claims import CLAIMS as table
    omega_qs = tuple(float(w) for w in omega_qs)
    if 1.0 not in omega_qs:
        raise ValueError("omega_qs must contain 1.0 (the reported numbers are at omega_q = 1)")
    kw = dict(points=points, method=method, options=options, curves=curves)
    if base is None:
        base = Curves(1.0, variant, **kw)
    elif base.omega_q != 1.0 or base.variant != variant:
        raise ValueError("base must be the omega_q = 1 curves of the same model")
    kw = dict(points=len(base.times), method=base.method, options=base.options,
              curves=base.slots)
    by_omega = {w: base if w == 1.0 else Curves(w, variant, base=base, **kw) for w in omega_qs}
    specs = [s for s in table if ids is None or s.id in ids]
    with threadpool_limits(1):
        if ids is None:  # solve the suite's curves in one batch per omega_q
            for c in by_omega.values():
                c.prefetch([(s, z) for s in c.slots for z in ZETAS])
        return [decide_spec(s, by_omega, variant) for s in specs]


def verdict_counts(claims) -> dict:
    """Verdict -> number of claims, in the order of ``VERDICTS``."""
    return {v: sum(c.verdict == v for c in claims) for v in VERDICTS}


def _num(v: float) -> str:
    if isinstance(v, float) and math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def claims_csv_text(claims, variant_claims=None) -> str:
    """The claims as CSV text.

    Columns: id, figure, panel, quote, quantity, numbers (``name=value;...``), verdict,
    ``verdict at omega_q=<w>`` for each omega_q any claim was decided at, note, and with
    ``variant_claims`` (the same claims decided under a variant) ``verdict (<variant>)``.
    """
    omegas = sorted({w for c in claims for w in c.by_omega_q})
    head = ["id", "figure", "panel", "quote", "quantity", "numbers", "verdict",
            *[f"verdict at omega_q={w:g}" for w in omegas], "note"]
    other = {}
    if variant_claims is not None:
        name = next((c.variant for c in variant_claims if c.variant), "variant")
        head.append(f"verdict ({name})")
        other = {c.id: c.verdict for c in variant_claims}
    rows = []
    for c in claims:
        nums = ";".join(f"{k}={_num(v)}" for k, v in c.numbers.items())
        row = [c.id, c.figure, c.panel, c.quote, c.quantity, nums, c.verdict,
               *[c.by_omega_q.get(om, "") for om in omegas], c.note]
        if variant_claims is not None:
            row.append(other.get(c.id, ""))
        rows.append(row)
    return csv_text(head, rows)


def claims_markdown(claims, group_by_verdict: bool = True, max_numbers: int = 6) -> str:
    """The claims as Markdown tables, one per verdict (in the order of ``VERDICTS``)."""
    groups = ([(v, [c for c in claims if c.verdict == v]) for v in VERDICTS]
              if group_by_verdict else [("all", list(claims))])
    parts = []
    for verdict, cs in groups:
        if not cs:
            continue
        parts.append(f"### {verdict} ({len(cs)})\n")
        parts.append("| id | fig | quote | decided by | numbers | by omega_q | note |")
        parts.append("|---|---|---|---|---|---|---|")
        for c in cs:
            nums = "; ".join(f"{k} = {_num(v)}" for k, v in list(c.numbers.items())[:max_numbers])
            if len(c.numbers) > max_numbers:
                nums += f"; … ({len(c.numbers)} numbers)"
            by = ", ".join(f"{w:g}: {v}" for w, v in c.by_omega_q.items())
            cells = [c.id, f"{c.figure}{c.panel}", c.quote, c.quantity, nums, by, c.note]
            parts.append("| " + " | ".join(str(x).replace("|", "\\|") for x in cells) + " |")
        parts.append("")
    return "\n".join(parts)


def table_markdown(table=None) -> str:
    """The claims table in words (no verdicts): ``docs/claims.md``, for review without Python.

    One row per claim: id, where the paper says it, its words, and what decides it (generated
    from the check, as in the report's "deciding quantity" column).
    """
    from . import checks as ck

    if table is None:
        from .claims import CLAIMS as table
    out = ["# The paper's claims and how each is decided", "",
           "Generated from `qbcircuit/paper/claims.py` by "
           "`qbcircuit.paper.decide.table_markdown()` (a test keeps it current). Terms: E = "
           "stored energy E/omega_q, Sigma = fluctuation Sigma/omega_q, C = concurrence; curves "
           "`a:0.5 a:3` (alpha), `b:1 b:4` (Delta; `b:0` resonance), `c:0.3 c:2` (g), "
           "`d:closed d:open` (kappa, gamma); windows in lambda*t. Every comparison holds for "
           "zeta = 0 and 1 unless it says otherwise; two numbers within "
           f"{ck.TOO_CLOSE:.0%} of each other are too close to call; a correlation across the "
           f"16 curves must be significant (p < {ck.SIGNIFICANCE:g}); a first maximum is "
           "`scipy.signal.find_peaks` with a prominence of 10% of the curve's range.", "",
           "| id | where | the paper's words | decided by | note |", "|---|---|---|---|---|"]
    for s in table:
        where = s.figure + (f"({s.panel})" if s.panel else "")
        cells = [s.id, where, s.quote, s.quantity or "(too vague to test)", s.note]
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"


def first_maxima(curves: Curves | None = None, **kw) -> list[dict]:
    """First maximum of E (``metrics.first_peak``) of the 16 suite curves and of "b:0".

    Args:
        curves: a :class:`~qbcircuit.paper.checks.Curves` (made from ``kw`` when None).
        **kw: :class:`~qbcircuit.paper.checks.Curves` arguments.

    Returns:
        one dict per curve: ``curve``, ``zeta``, ``time``, ``height``, ``found`` (False: the
        curve has no maximum on [0, 10]) and ``within [0, 1.3]``.
    """
    from ..metrics import first_peak

    curves = curves if curves is not None else Curves(**kw)
    rows = []
    for s in (*S8, "b:0"):
        for z in ZETAS:
            tr = curves.get(s, z)
            t, h, found = first_peak(tr.times, tr.energy)
            rows.append({"curve": s, "zeta": z, "time": t, "height": h, "found": found,
                         "within [0, 1.3]": found and t <= PARAMETRIC_WINDOW[1]})
    return rows

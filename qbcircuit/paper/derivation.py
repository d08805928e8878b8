r"""The paper's printed reduced equations after Eq. (2), checked term by term against the model.

The paper prints ten equations of motion for the density-matrix elements in the basis

.. math::

    |1\rangle = |ee, n-2\rangle,\quad |2\rangle = |eg, n-1\rangle,\quad
    |3\rangle = |ge, n-1\rangle,\quad |4\rangle = |gg, n\rangle

(first letter: primary cell, second: secondary cell; the block of total excitation number
:math:`N = n`). This module derives the same equations from the package's own operators
(:class:`qbcircuit.model.BatteryModel`: its Hamiltonian terms and collapse operators on the code
space, with the symbolic coefficients of ``HAMILTONIAN_TERMS`` and ``DISSIPATOR_TERMS``) for
Eq. (1) and for every model variant (``qbcircuit.params.VARIANTS``), and tabulates, equation by
equation and term by term, which printed terms each model reproduces.

How the derivation works: for a photon number :math:`n_0` the generator's matrix elements
:math:`\langle i|\mathcal{L}(|k\rangle\langle l|)|j\rangle` are read off the code-space matrices
term by term (each term has one symbolic coefficient: :math:`\omega_c`, :math:`\omega_q/2`,
:math:`\lambda`, :math:`g(1\pm\zeta)/2`, :math:`\kappa`, :math:`\gamma`). Repeating this for
four values of :math:`n_0` and fitting each numeric factor to :math:`p\,(a n + b)` or
:math:`p\sqrt{q(n)}` (phase :math:`p \in \{\pm 1, \pm i\}`, :math:`q` a quadratic with
rational coefficients, checked on the fourth point) gives the coefficients as functions of
:math:`n`. Sources outside the block (the next block's elements that the dissipators feed in,
the counter-rotating coupling to :math:`|ee, n\rangle`) are listed as such: a closed set of
equations for one block cannot contain them.

:func:`printed_system_report` evaluates the printed system itself as a linear generator on the
16 block elements and says what it is: Hermiticity, trace and complete positivity, and what it
does from :math:`|gg, n\rangle`.
"""

from __future__ import annotations

import html
import itertools
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import sympy as sp

from .._io import csv_text
from ..model import DISSIPATOR_TERMS, HAMILTONIAN_TERMS, BatteryModel, cell_index, channel_names
from ..params import VARIANTS, BatteryParams

# -- symbols and the paper's printed definitions ---------------------------------------------
n, lam, g, zeta = sp.symbols("n lambda g zeta", positive=True)
omega_c, omega_q, kappa, gamma = sp.symbols("omega_c omega_q kappa gamma", positive=True)
SYMBOLS = (n, omega_c, omega_q, lam, g, zeta, kappa, gamma)

#: The block basis: index -> (cells, photon offset from n); cells "xy": x primary, y secondary.
BLOCK = {1: ("ee", -2), 2: ("eg", -1), 3: ("ge", -1), 4: ("gg", 0)}
_BLOCK_INDEX = {v: k for k, v in BLOCK.items()}

x0, x1 = lam * sp.sqrt(n - 1), lam * sp.sqrt(n + 1)
r0, r1 = sp.sqrt(n - 1), sp.sqrt(n)
theta0, theta1, theta2 = (n - 2) * omega_c + omega_q, (n - 1) * omega_c, n * omega_c + omega_q
Delta0 = sp.I * theta1 - sp.I * theta0 - (3 * gamma + r0**2 * kappa) / 2
Delta1 = sp.I * theta2 - sp.I * theta0 - (gamma + r1**2 * kappa)
Delta2 = sp.I * g * zeta - r0**2 * kappa / 2
Delta3 = -gamma - r0**2 * kappa
J = sp.I  # the imaginary unit in the printed coefficients

#: The printed equations, as printed: target (i, j) -> [((k, l), coefficient, printed text)].
PRINTED = {
    (1, 1): [((1, 1), -2 * gamma, "-2γ"), ((1, 2), J * x0, "i x0"), ((1, 3), J * x0, "i x0"),
             ((2, 1), -J * x0, "-i x0"), ((2, 2), r0**2 * kappa, "r0² κ"),
             ((3, 3), r0**2 * kappa, "r0² κ"), ((3, 1), -J * x0, "-i x0")],
    (1, 2): [((1, 1), J * x0, "i x0"), ((1, 2), Delta0, "Δ0"), ((1, 4), J * x1, "i x1"),
             ((2, 2), J * x0, "i x0"), ((2, 4), r0 * r1 * kappa, "r0 r1 κ"),
             ((3, 2), -J * x0, "-i x0")],
    (1, 3): [((1, 1), J * x0, "i x0"), ((1, 4), J * x1, "i x1"), ((1, 3), Delta0, "Δ0"),
             ((2, 3), J * x0, "i x0"), ((3, 4), r0 * r1 * kappa, "r0 r1 κ"),
             ((3, 1), -J * x0, "-i x0")],
    (1, 4): [((1, 2), J * x1, "i x1"), ((1, 3), J * x1, "i x1"), ((1, 4), Delta1, "Δ1"),
             ((3, 4), -J * x0, "-i x0"), ((2, 4), -J * x0, "-i x0")],
    (2, 2): [((1, 1), gamma, "γ"), ((1, 2), -J * x0, "-i x0"), ((2, 1), J * x0, "i x0"),
             ((2, 2), Delta2, "Δ2"), ((2, 4), J * x1, "i x1"),
             ((2, 3), sp.conjugate(Delta2), "Δ2*"), ((4, 4), r1**2 * kappa, "r1² κ")],
    (2, 3): [((1, 3), -J * x0, "-i x0"), ((2, 1), J * x0, "i x0"), ((2, 3), Delta2, "Δ2"),
             ((3, 3), sp.conjugate(Delta2), "Δ2*"), ((4, 3), -J * x1, "-i x1")],
    (2, 4): [((1, 3), gamma, "γ"), ((1, 4), -J * x0, "-i x0"), ((2, 3), J * x1, "i x1"),
             ((3, 3), sp.conjugate(Delta2), "Δ2*"), ((4, 3), -J * x1, "-i x1")],
    (3, 3): [((1, 1), gamma, "γ"), ((1, 3), -J * x0, "-i x0"), ((3, 3), Delta3, "Δ3"),
             ((4, 3), J * x1, "i x1"), ((2, 3), sp.conjugate(Delta2), "Δ2*"),
             ((4, 4), r1**2 * kappa, "r1² κ")],
    (3, 4): [((1, 2), gamma, "γ"), ((1, 4), J * x1, "i x1"), ((3, 4), Delta3, "Δ3"),
             ((4, 3), -J * x1, "-i x1")],
    (4, 4): [((2, 2), gamma, "γ"), ((2, 4), -J * x1, "-i x1"), ((3, 3), gamma, "γ"),
             ((4, 4), -2 * r1**2 * kappa, "-2 r1² κ")],
}

#: Models compared: None is Eq. (1); the others are the named variants.
MODELS = (None, *VARIANTS)
#: Photon numbers at which the generator is read off (four: three fit, one checks).
_N_VALUES = (7, 10, 13, 16)


def model_name(variant: str | None) -> str:
    """Display name of a model: ``"Eq. (1)"`` or the variant's name."""
    return "Eq. (1)" if variant is None else variant


def _variant_kwargs(variant: str | None) -> dict:
    if variant is None:
        return {}
    charger, cells = VARIANTS[variant]
    return {"charger_coupling": charger, "cell_coupling": cells}


def _ket(state) -> str:
    cells, off = state
    photons = "n" if off == 0 else f"n{off:+d}"
    return f"|{cells},{photons}>"


def element_name(src) -> str:
    """ρ_kl for a pair of block states, ⟨a|ρ|b⟩ with explicit kets otherwise."""
    a, b = src
    if a in _BLOCK_INDEX and b in _BLOCK_INDEX:
        return f"ρ{_BLOCK_INDEX[a]}{_BLOCK_INDEX[b]}"
    return f"<{_ket(a)[1:-1]}|ρ|{_ket(b)[1:-1]}>"


# -- reading the generator off the package's operators ---------------------------------------
def _terms(variant: str | None, n0: int):
    """[(symbolic coefficient, kind, dense code-space matrix)] for one model at levels n0 + 5."""
    kw = _variant_kwargs(variant)
    params = BatteryParams(alpha=0.0, fock=n0 + 5, zeta=0.5, **kw)  # structure only
    model = BatteryModel(params)
    ns = SimpleNamespace(omega_c=omega_c, omega_q=omega_q, lam=lam, g=g, zeta=zeta,
                         kappa=kappa, gamma=gamma, cells=2, n_thermal=0, dephasing=0,
                         drives_all_cells=params.drives_all_cells,
                         **{"charger_coupling": "primary", "cell_coupling": "xy", **kw})
    out = []
    for name, (_, coefficient, present) in HAMILTONIAN_TERMS.items():
        if present is None or present(ns):
            out.append((sp.sympify(coefficient(ns)), "H", model.term_matrix(name).toarray()))
    for name, ch in DISSIPATOR_TERMS.items():
        if ch.present is None or ch.present(ns):
            for channel in channel_names(name, ns.cells):
                out.append((sp.sympify(ch.rate(ns)), "D", model.term_matrix(channel).toarray()))
    return out, model.levels


def _index(state, n0: int, levels: int) -> int:
    cells, off = state
    return cell_index(cells) * levels + n0 + off


def _state(index: int, n0: int, levels: int):
    c, m = divmod(index, levels)
    cells = ("e" if c & 1 else "g") + ("e" if c & 2 else "g")
    return cells, m - n0


def _rows_numeric(variant: str | None, n0: int) -> dict:
    """{(target, source pair, term number): complex factor} at photon number n0."""
    terms, levels = _terms(variant, n0)
    out = {}
    dim = 4 * levels
    for t, (_, kind, op) in enumerate(terms):
        OdO = op.conj().T @ op
        for target in PRINTED:
            i = _index(BLOCK[target[0]], n0, levels)
            j = _index(BLOCK[target[1]], n0, levels)
            M = np.zeros((dim, dim), dtype=complex)  # M[k, l]: coefficient of rho_kl
            if kind == "H":  # -i[O, rho]_ij
                M[:, j] -= 1j * op[i, :]
                M[i, :] += 1j * op[:, j]
            else:  # D[O]rho_ij = O rho O^dag - {O^dag O, rho}/2
                M += np.outer(op[i, :], op[j, :].conj())
                M[:, j] -= 0.5 * OdO[i, :]
                M[i, :] -= 0.5 * OdO[:, j]
            for k, m in zip(*np.nonzero(np.abs(M) > 1e-12), strict=True):
                src = (_state(k, n0, levels), _state(m, n0, levels))
                out[(target, src, t)] = complex(M[k, m])
    return out


def _fit(values: list[complex]) -> sp.Expr:
    """The factor as a function of n from its values at ``_N_VALUES`` (see module docstring)."""
    v = np.asarray(values)
    if np.all(np.abs(v) < 1e-12):
        return sp.Integer(0)
    phases = v / np.abs(v)
    ph = phases[0]
    if not np.allclose(phases, ph, atol=1e-9):
        raise ValueError(f"no constant phase in {values}")
    phase = next(p for p in (1, -1, sp.I, -sp.I) if abs(complex(p) - ph) < 1e-9)
    r = np.abs(v)
    ns = np.asarray(_N_VALUES, dtype=float)
    a, b = np.polyfit(ns[:2], r[:2], 1)
    if np.allclose(a * ns + b, r, atol=1e-9):
        poly = sp.nsimplify(round(a * 4) / 4) * n + sp.nsimplify(round(b * 4) / 4)
        return phase * poly
    q = np.polyfit(ns[:3], r[:3] ** 2, 2)
    if not np.allclose(np.polyval(q, ns), r**2, atol=1e-7):
        raise ValueError(f"factor {values} is neither linear nor a square root of a quadratic")
    coeffs = [sp.nsimplify(round(c * 4) / 4) for c in q]
    return phase * sp.sqrt(sp.factor(coeffs[0] * n**2 + coeffs[1] * n + coeffs[2]))


@lru_cache(maxsize=8)
def derived_equations(variant: str | None = None) -> dict:
    """The equations of motion of the printed elements under a model, derived from its operators.

    Args:
        variant: None for Eq. (1), or a name in ``qbcircuit.params.VARIANTS``.

    Returns:
        {target (i, j): {source pair ((cells, offset), (cells, offset)): sympy coefficient}},
        every non-zero term, in-block and out-of-block sources alike.
    """
    per_n = [_rows_numeric(variant, n0) for n0 in _N_VALUES]
    terms, _ = _terms(variant, _N_VALUES[0])
    keys = set().union(*per_n)
    out: dict = {t: {} for t in PRINTED}
    for key in sorted(keys, key=str):
        target, src, t = key
        factor = _fit([d.get(key, 0.0) for d in per_n])
        coef = out[target].get(src, sp.Integer(0)) + terms[t][0] * factor
        out[target][src] = coef
    for target in out:
        out[target] = {s: sp.expand(c) for s, c in out[target].items()
                       if sp.expand(c) != 0}
    return out


def _block_src(k: int, m: int):
    return (BLOCK[k], BLOCK[m])


_RNG_POINTS = [
    {s: (v if s is not n else int(3 + 5 * v)) for s, v in zip(
        SYMBOLS, np.random.default_rng(seed).uniform(0.3, 1.7, len(SYMBOLS)), strict=True)}
    for seed in (1, 2, 3)
]


def _same(a, b) -> bool:
    """Equal as functions of the symbols (compared at three generic points)."""
    d = sp.sympify(a) - sp.sympify(b)
    if d == 0:
        return True
    return all(abs(complex(d.evalf(subs=pt))) < 1e-10 for pt in _RNG_POINTS)


def _why(printed: sp.Expr, derived: sp.Expr, target, src, model_eqs) -> str:
    """A short reason why a printed coefficient differs from the derived one."""
    if _same(printed, derived):
        return ""
    reasons = []
    has_rate = printed.has(kappa) or printed.has(gamma)
    has_h = any(printed.has(s) for s in (lam, g, omega_c, omega_q))
    if derived == 0:
        if has_rate and not has_h:
            feed = [(s, c) for s, c in model_eqs[target].items()
                    if not (s[0] in _BLOCK_INDEX and s[1] in _BLOCK_INDEX) and _same(c, printed)]
            if feed:
                reasons.append("dissipator fed back into the block: the model feeds this "
                               f"coefficient from {element_name(feed[0][0])} (another block)")
            else:
                reasons.append("no such dissipative term in the model")
        else:
            reasons.append("no such coupling in the model")
        return "; ".join(reasons)
    fixes = {
        "wrong sign": lambda e: -e,
        "sqrt(n+1) where the model has sqrt(n)": lambda e: e.subs(sp.sqrt(n + 1), sp.sqrt(n)),
        "complex conjugate (wrong phase)": sp.conjugate,
    }
    names = list(fixes)
    for size in (1, 2, 3):
        for combo in itertools.combinations(names, size):
            e = printed
            for name in combo:
                e = fixes[name](e)
            if _same(e, derived):
                return " and ".join(combo)
    h_p = printed.subs({kappa: 0, gamma: 0})
    h_d = derived.subs({kappa: 0, gamma: 0})
    if not _same(h_p, h_d):
        reasons.append(f"coherent part {_fmt(h_p)} vs model {_fmt(h_d)}")
    d_p = sp.expand(printed - h_p)
    d_d = sp.expand(derived - h_d)
    if not _same(d_p, d_d):
        reasons.append(f"decay part {_fmt(d_p)} vs model {_fmt(d_d)}")
    if target[0] == target[1] and src == _block_src(*target) and sp.im(printed) != 0:
        reasons.append("complex coefficient on a population (not Hermiticity preserving)")
    return "; ".join(reasons) or f"differs by {_fmt(printed - derived)}"


def _fmt(expr: sp.Expr) -> str:
    return str(sp.expand(expr)).replace("**", "^").replace("sqrt", "√")


def derivation_table(variant: str | None = None) -> list[dict]:
    """The printed equations against Eq. (1) and a variant, equation by equation, term by term.

    Args:
        variant: the variant compared beside Eq. (1), a name in ``VARIANTS`` (None:
            ``"tavis-cummings"``, the structure the printed equations suggest).

    Returns:
        rows (dicts) with keys ``equation`` ("dρ12/dt"), ``term`` (the element: ρ_kl in the
        block, ⟨a|ρ|b⟩ outside it), ``printed`` (the printed coefficient as printed, "" if the
        term is not printed), ``printed_value`` (in the model's symbols), ``eq1`` and
        ``variant`` (the derived coefficients, "0" if absent), ``agrees_eq1``,
        ``agrees_variant``, ``reproduced_by`` (every model whose coefficient equals the printed
        one: Eq. (1) and each of ``VARIANTS``; "none"), ``why_eq1``, ``why_variant`` (why not)
        and ``kind`` ("printed", "missing in block", "outside the block").
    """
    variant = variant or "tavis-cummings"
    eqs = {m: derived_equations(m) for m in MODELS}
    rows = []
    for target, terms in PRINTED.items():
        eq_name = f"dρ{target[0]}{target[1]}/dt"
        printed_srcs = set()
        for (k, m), coef, text in terms:
            src = _block_src(k, m)
            printed_srcs.add(src)
            derived = {mod: eqs[mod][target].get(src, sp.Integer(0)) for mod in MODELS}
            agree = {mod: _same(coef, d) for mod, d in derived.items()}
            rows.append({
                "equation": eq_name, "term": element_name(src), "kind": "printed",
                "printed": text, "printed_value": _fmt(coef),
                "eq1": _fmt(derived[None]), "variant": _fmt(derived[variant]),
                "agrees_eq1": agree[None], "agrees_variant": agree[variant],
                "reproduced_by": ", ".join(model_name(m) for m in MODELS if agree[m]) or "none",
                "why_eq1": _why(coef, derived[None], target, src, eqs[None]),
                "why_variant": _why(coef, derived[variant], target, src, eqs[variant]),
            })
        extra = set()
        for mod in (None, variant):
            extra |= set(eqs[mod][target]) - printed_srcs
        for src in sorted(extra, key=lambda s: (not _in_block(s), element_name(s))):
            d1 = eqs[None][target].get(src, sp.Integer(0))
            dv = eqs[variant][target].get(src, sp.Integer(0))
            inside = _in_block(src)
            why = ("missing from the printed equation" if inside else
                   "a source outside the block: a closed system for one block cannot hold it")
            rows.append({
                "equation": eq_name, "term": element_name(src),
                "kind": "missing in block" if inside else "outside the block",
                "printed": "", "printed_value": "0", "eq1": _fmt(d1), "variant": _fmt(dv),
                "agrees_eq1": d1 == 0, "agrees_variant": dv == 0,
                "reproduced_by": ", ".join(model_name(m) for m in MODELS
                                           if eqs[m][target].get(src, 0) == 0) or "none",
                "why_eq1": "" if d1 == 0 else why, "why_variant": "" if dv == 0 else why,
            })
    return rows


def _in_block(src) -> bool:
    return src[0] in _BLOCK_INDEX and src[1] in _BLOCK_INDEX


def derivation_summary(rows: list[dict]) -> dict:
    """Counts over the printed terms: how many each model reproduces, how many none does."""
    printed = [r for r in rows if r["kind"] == "printed"]
    out = {"printed terms": len(printed)}
    for m in MODELS:
        out[f"reproduced by {model_name(m)}"] = sum(model_name(m) in r["reproduced_by"].split(
            ", ") for r in printed)
    out["reproduced by none"] = sum(r["reproduced_by"] == "none" for r in printed)
    out["in-block terms the printed system lacks (Eq. (1))"] = sum(
        r["kind"] == "missing in block" and not r["agrees_eq1"] for r in rows)
    out["in-block terms the printed system lacks (variant)"] = sum(
        r["kind"] == "missing in block" and not r["agrees_variant"] for r in rows)
    return out


COLUMNS = ("equation", "term", "kind", "printed", "printed_value", "eq1", "variant",
           "agrees_eq1", "agrees_variant", "reproduced_by", "why_eq1", "why_variant")


def derivation_csv_text(rows: list[dict] | None = None, variant: str = "tavis-cummings") -> str:
    """The table as CSV text (columns ``COLUMNS``; ``variant`` columns named after it)."""
    rows = derivation_table(variant) if rows is None else rows
    return csv_text([c.replace("variant", variant) for c in COLUMNS],
                    ([r[c] for c in COLUMNS] for r in rows))


def derivation_markdown(rows: list[dict] | None = None, variant: str = "tavis-cummings",
                        kinds=("printed", "missing in block")) -> str:
    """The table as a Markdown table (default: printed terms and in-block terms they miss)."""
    rows = derivation_table(variant) if rows is None else rows
    head = ["equation", "term", "printed", "Eq. (1)", variant, "reproduced by", "why not (Eq. 1)",
            f"why not ({variant})"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if r["kind"] not in kinds:
            continue
        cells = [r["equation"], r["term"], r["printed"] or "—", r["eq1"], r["variant"],
                 r["reproduced_by"], r["why_eq1"], r["why_variant"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def derivation_html(rows: list[dict] | None = None, variant: str = "tavis-cummings") -> str:
    """The table as an HTML ``<table>`` (every row; class ``agree``/``differ`` per row)."""
    rows = derivation_table(variant) if rows is None else rows
    head = ["equation", "term", "kind", "printed", "Eq. (1)", variant, "reproduced by",
            "why not (Eq. 1)", f"why not ({variant})"]
    out = ['<table class="derivation">', "<thead><tr>" +
           "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        cls = "agree" if r["reproduced_by"] != "none" and r["agrees_eq1"] else "differ"
        cells = [r["equation"], r["term"], r["kind"], r["printed"] or "—", r["eq1"],
                 r["variant"], r["reproduced_by"], r["why_eq1"], r["why_variant"]]
        out.append(f'<tr class="{cls}">' + "".join(f"<td>{html.escape(str(c))}</td>"
                                                   for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


# -- the printed system as a generator --------------------------------------------------------
def printed_generator(n_photons: int, *, lam_: float = 1.0, g_: float = 1.0, zeta_: float = 1.0,
                      omega_q_: float = 1.0, delta: float = 0.0, kappa_: float = 0.0,
                      gamma_: float = 0.0) -> np.ndarray:
    """The printed system as a 16x16 matrix A on vec(ρ) (row-major: index 4(k-1) + (l-1)).

    The six equations the paper does not print are its stated conjugates,
    dρ_ji/dt = (dρ_ij/dt)^*, i.e. coefficient c of ρ_kl becomes c^* of ρ_lk.
    """
    vals = {n: n_photons, lam: lam_, g: g_, zeta: zeta_, omega_q: omega_q_,
            omega_c: omega_q_ + delta, kappa: kappa_, gamma: gamma_}
    A = np.zeros((16, 16), dtype=complex)
    for (i, j), terms in PRINTED.items():
        for (k, m), coef, _ in terms:
            c = complex(coef.subs(vals))
            A[4 * (i - 1) + j - 1, 4 * (k - 1) + m - 1] += c
            if i != j:
                A[4 * (j - 1) + i - 1, 4 * (m - 1) + k - 1] += np.conj(c)
    return A


def _choi(A: np.ndarray) -> np.ndarray:
    """Choi matrix sum_kl |k><l| (x) L(|k><l|) of a generator on row-major vec(ρ)."""
    C = np.zeros((16, 16), dtype=complex)
    for k in range(4):
        for m in range(4):
            out = A[:, 4 * k + m].reshape(4, 4)
            C[4 * k:4 * k + 4, 4 * m:4 * m + 4] = out
    # reorder to (k, i), (m, j) blocks: C[(k,i),(m,j)] = L(|k><m|)_{ij}
    return C.reshape(4, 4, 4, 4).transpose(0, 2, 1, 3).reshape(16, 16)


def printed_system_report(n_photons: int = 4, t_max: float = 10.0, **params) -> dict:
    """What the printed system is, in numbers, at one photon number and parameter set.

    Args:
        n_photons: the block's n (the paper's initial state has |α|^2 photons on average).
        t_max: evolve from |gg, n> (ρ44 = 1, the paper's initial cells in Fock state n)
            up to this time.
        **params: ``lam_``, ``g_``, ``zeta_``, ``omega_q_``, ``delta``, ``kappa_``, ``gamma_``
            (see :func:`printed_generator`).

    Returns:
        dict with ``hermiticity_defect`` (max |L(ρ)^† - L(ρ^†)| over the basis ρ = |k><l|
        and their adjoints), ``trace_defect`` (max |d Tr ρ / dt| per unit element: zero for
        a trace-preserving generator), ``ccp_min_eigenvalue`` (smallest eigenvalue of the
        Hermitian part of the projected Choi matrix: negative means no Lindblad form),
        ``spectral_abscissa`` (largest real part of an eigenvalue of A: positive means
        exponential growth), and from ρ44 = 1: ``trace_at_tmax``, ``max_trace_deviation``,
        ``min_eigenvalue`` (of the Hermitian part of ρ(t)), ``max_antihermitian`` and
        ``max_secondary_population`` (ρ11 + ρ33, the secondary cell's excitation).
    """
    from scipy.linalg import expm

    A = printed_generator(n_photons, **params)
    herm = 0.0
    for k in range(16):
        e = np.zeros(16, dtype=complex)
        e[k] = 1
        rho = e.reshape(4, 4)
        lhs = (A @ rho.conj().T.ravel()).reshape(4, 4)  # L(ρ^†)
        rhs = (A @ rho.ravel()).reshape(4, 4).conj().T  # L(ρ)^†
        herm = max(herm, float(np.max(np.abs(lhs - rhs))))
    trace_fn = sum(A[4 * i + i] for i in range(4))
    C = _choi(A)
    omega = np.eye(4).ravel() / 2.0
    Q = np.eye(16) - np.outer(omega, omega.conj())
    ccp = np.linalg.eigvalsh(Q @ ((C + C.conj().T) / 2) @ Q).min()
    rho0 = np.zeros(16, dtype=complex)
    rho0[15] = 1.0
    times = np.linspace(0.0, t_max, 201)
    traces, mins, anti, sec = [], [], [], []
    step = expm(A * (times[1] - times[0]))
    v = rho0
    for _ in times:
        r = v.reshape(4, 4)
        traces.append(np.trace(r))
        h = (r + r.conj().T) / 2
        mins.append(np.linalg.eigvalsh(h).min())
        anti.append(np.max(np.abs(r - r.conj().T)) / 2)
        sec.append((r[0, 0] + r[2, 2]).real)
        v = step @ v
    traces = np.asarray(traces)
    return {
        "n": n_photons,
        **{k: v for k, v in params.items()},
        "hermiticity_defect": herm,
        "trace_defect": float(np.max(np.abs(trace_fn))),
        "ccp_min_eigenvalue": float(ccp),
        "spectral_abscissa": float(np.linalg.eigvals(A).real.max()),
        "trace_at_tmax": complex(traces[-1]),
        "max_trace_deviation": float(np.max(np.abs(traces - 1))),
        "min_eigenvalue": float(np.min(mins)),
        "max_antihermitian": float(np.max(anti)),
        "max_secondary_population": float(np.max(sec)),
    }


def printed_couplings() -> dict:
    """Which couplings the printed commutator terms encode (read off the κ = γ = 0 system).

    Returns:
        {"H_kl": printed coefficient}: for every in-block pair k < l the coefficient a
        Hamiltonian would need for the printed -i[H, ρ] terms of dρ_kk/dt (from ρ_lk), read off
        the printed ρ̇_kk equations; and the diagonal frequency differences of the Δ's.
    """
    out = {}
    for (i, j), terms in PRINTED.items():
        if i != j:
            continue
        for (k, m), coef, _ in terms:
            if k == i and m != i:  # -i[H, ρ]_ii ∋ +i ρ_im H_mi
                h = sp.simplify((coef / sp.I).subs({kappa: 0, gamma: 0}))
                if h != 0:
                    out[f"H_{min(i, m)}{max(i, m)} (from dρ{i}{i}/dt)"] = _fmt(h)
    return out

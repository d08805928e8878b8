r"""The paper's Figures 2-6, one function each, returning a matplotlib ``Figure``.

Each figure has panels (a)-(d) (the parameter sets of ``docs/conventions.md``); in every panel
zeta = 0 is solid and zeta = 1 dashed, and the two values of the varied parameter have two
colours. Figures 2-4 plot energy E/omega_q, fluctuation Sigma/omega_q and concurrence against
lambda*t in [0, 10]; Figures 5-6 plot the concurrence against the energy and the fluctuation
(the paper's text reads "the concurrence rises with stored energy": E or Sigma on x, C on y),
parametric in lambda*t over [0, 1.3]. The curves are those of Eq. (1)-(2) solved as written (or of a
named model variant, which the titles then name).

A figure is readable without the paper: each panel's title names its fixed parameters, the
legend gives each curve's truncation (cavity Fock levels d), the title states omega_q, lambda,
the model and the method; legends sit beside the panels, off the curves; Figures 2-4 mark
lambda*t = 1.3 (the end of the window the paper calls "the first peak", labelled below the
axis); concurrence axes start slightly below 0 so that separable stretches (C = 0) are visible;
Figures 5 and 6 draw the bound :math:`C \le 2\Sigma/\omega_q` (see
:func:`concurrence_bound_margin`).

The figures are ``matplotlib.figure.Figure`` objects made without pyplot: nothing is registered
with a pyplot figure manager, so a notebook shows a figure once (where it is displayed), and
nothing needs closing. Only :func:`save_figures` (and ``qbcircuit.paper.reproduce``) write
files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import ParameterError, check_points
from .._io import OutputFile, csv_text, figure_bytes
from ..params import VARIANTS, BatteryParams
from ..simulate import DEFAULT_METHOD, simulate_many
from ..trajectory import Trajectory
from .suite import CURVES, PANELS, PARAMETRIC_WINDOW, TIME_WINDOW, SuiteEntry, paper_suite

COLORS = ("tab:blue", "tab:red")
STYLES = {0.0: "-", 1.0: "--"}
#: Line style of the lambda*t = 1.3 marker (Figures 2-4) and of the bound (Figures 5-6).
MARKER_STYLE = ":"
BOUND_STYLE = "-."
#: ``Line2D.get_gid()`` of the marker and of the bound, so that tests and readers find them.
MARKER_GID = "first-peak-window"
BOUND_GID = "concurrence-bound"
#: Concurrence axes start here, slightly below 0, so that C = 0 stretches are not on the frame.
CONCURRENCE_FLOOR = -0.04
#: Two curves of a panel closer than this everywhere are drawn on top of each other: the
#: report's caption says so (e.g. panel (c) of the tavis-cummings variant).
COINCIDE = 1e-3
_TEX = {"alpha": r"\alpha", "Delta": r"\Delta", "kappa": r"\kappa", "gamma": r"\gamma", "g": "g"}
QUANTITIES = {
    "energy": r"$E(t)/\omega_q$",
    "fluctuation": r"$\Sigma(t)/\omega_q$",
    "concurrence": r"$C(\rho(t))$",
}
_WORDS = {"energy": "stored energy", "fluctuation": "energy fluctuation",
          "concurrence": "concurrence of the two cells"}
#: file stem -> (figure number, quantity, parametric in lambda*t over [0, 1.3]).
FIGURES = {
    "fig2_energy": (2, "energy", False),
    "fig3_fluctuation": (3, "fluctuation", False),
    "fig4_concurrence": (4, "concurrence", False),
    "fig5_concurrence_vs_energy": (5, "energy", True),
    "fig6_concurrence_vs_fluctuation": (6, "fluctuation", True),
}
#: Parameters a panel title may name as fixed (in this order), with their symbols.
_FIXED = (("delta", "Delta"), ("alpha", "alpha"), ("g", "g"), ("kappa", "kappa"),
          ("gamma", "gamma"))


@dataclass(frozen=True)
class SuiteResult:
    """Trajectories of the paper suite on the main window and on the parametric window."""

    entries: tuple[SuiteEntry, ...]
    main: tuple[Trajectory, ...]
    parametric: tuple[Trajectory, ...]

    @property
    def omega_q(self) -> float:
        """The qubit frequency of every trajectory."""
        return self.entries[0].params.omega_q

    @property
    def variant(self) -> str | None:
        """The model variant's name, or None for Eq. (1)."""
        return self.entries[0].params.variant

    @property
    def method(self) -> str:
        """The engine that solved the suite."""
        return self.main[0].method


def variant_overrides(variant: str | None) -> dict:
    """Parameter overrides of a named model variant (``params.VARIANTS``); {} for Eq. (1).

    >>> variant_overrides("tavis-cummings")
    {'charger_coupling': 'both', 'cell_coupling': 'exchange_zeta'}
    """
    if variant is None:
        return {}
    if variant not in VARIANTS:
        raise ParameterError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    charger, cells = VARIANTS[variant]
    return {"charger_coupling": charger, "cell_coupling": cells}


def model_description(variant: str | None) -> str:
    """One line naming the model: Eq. (1), or the variant and what it changes."""
    if variant is None:
        return "model Eq. (1)"
    charger, cells = VARIANTS[variant]
    parts = []
    if charger == "both":
        parts.append("charger drives both cells")
    if cells == "exchange_zeta":
        parts.append(r"cells coupled by $g\zeta(\sigma_+\sigma_- + h.c.)$")
    return f"VARIANT {variant} ({'; '.join(parts)}), not Eq. (1)"


def compute_suite(
    points: int = 501,
    parametric_points: int = 261,
    *,
    method: str = DEFAULT_METHOD,
    progress=False,
    omega_q: float | None = None,
    variant: str | None = None,
    overrides: dict | None = None,
    parametric: bool = True,
    **options,
) -> SuiteResult:
    """Solve the 16 trajectories of the paper suite on both time windows.

    Args:
        points: times in [0, 10] (Figures 2-4).
        parametric_points: times in [0, 1.3] (Figures 5-6).
        method: the engine.
        progress: show a progress bar (True), or a tqdm bar to advance by one per trajectory.
        omega_q: the qubit frequency (default: the parameters' default, 1).
        variant: a named model variant (``params.VARIANTS``), or None for Eq. (1).
        overrides: further parameters applied to every entry (e.g. ``{"encoding": "gray"}``).
        parametric: also solve the parametric window (else ``parametric`` is empty).
        **options: engine options (``atol``, ``rtol``, ``dt``, ``order``, ...).
    """
    for name, value in (("points", points), ("parametric_points", parametric_points)):
        check_points(name.replace("_", "-"), value)
    over = dict(overrides or {})
    over.update(variant_overrides(variant))
    if omega_q is not None:
        over["omega_q"] = omega_q
    entries = tuple(paper_suite(**over))
    params = [e.params for e in entries]
    windows = [np.linspace(*TIME_WINDOW, int(points))]
    if parametric:
        windows.append(np.linspace(*PARAMETRIC_WINDOW, int(parametric_points)))
    results = [_solve_all(params, times, method, progress, options) for times in windows]
    para = results[1] if parametric else ()
    return SuiteResult(entries, tuple(results[0]), tuple(para))


def _solve_all(params, times, method, progress, options) -> list[Trajectory]:
    """simulate_many, advancing a caller's bar per trajectory (or its own bar if True)."""
    if isinstance(progress, bool):
        return simulate_many(params, times, method=method, progress=progress, **options)
    if options.get("array_library") == "jax":  # batched: one update for the lot
        out = simulate_many(params, times, method=method, **options)
        progress.update(len(out))
        return out
    out = []
    for p in params:
        out += simulate_many([p], times, method=method, **options)
        progress.update(1)
    return out


def _fmt(value) -> str:
    return f"{value:g}"


def _symbol(name: str) -> str:
    return f"${_TEX[name]}$"


def panel_fixed_parameters(entries) -> str:
    r"""The parameters a panel's curves share, as mathtext: ``$\Delta$ = 0, $g$ = 1, ...``.

    zeta is not named (it is the line style); kappa = gamma are merged when equal.
    """
    p0 = entries[0].params
    same = [(attr, sym) for attr, sym in _FIXED
            if all(getattr(e.params, attr) == getattr(p0, attr) for e in entries)]
    names = [attr for attr, _ in same]
    parts = []
    for attr, sym in same:
        if attr == "gamma" and "kappa" in names and p0.kappa == p0.gamma:
            continue
        if attr == "kappa" and "gamma" in names and p0.kappa == p0.gamma:
            parts.append(f"{_symbol('kappa')} = {_symbol('gamma')} = {_fmt(p0.kappa)}")
            continue
        value = getattr(p0, attr)
        value = value.real if isinstance(value, complex) and value.imag == 0 else value
        parts.append(f"{_symbol(sym)} = {_fmt(value)}")
    return ", ".join(parts)


def _panels(suite: SuiteResult, parametric: bool):
    """Yield (panel, fixed-parameter text, [(colour, zeta, label, trajectory), ...])."""
    trajs = suite.parametric if parametric else suite.main
    for panel, (_, curves) in PANELS.items():
        picked = [(e, t) for e, t in zip(suite.entries, trajs, strict=True) if e.panel == panel]
        value_labels = [c[0] for c in curves]
        levels: dict[str, list[str]] = {}
        for entry, traj in picked:
            levels.setdefault(CURVES[entry.curve].label, []).append(str(traj.levels))
        rows = []
        for entry, traj in picked:
            value_label = CURVES[entry.curve].label
            colour = COLORS[value_labels.index(value_label)]
            label = f"{_mathtext(value_label)} (d = {' | '.join(levels[value_label])})"
            rows.append((colour, entry.params.zeta, label, traj))
        yield panel, panel_fixed_parameters([e for e, _ in picked]), rows


def _mathtext(label: str) -> str:
    return re.sub(r"\b(alpha|Delta|kappa|gamma|g)\b", lambda m: f"${_TEX[m[1]]}$", label)


def _subtitle(suite: SuiteResult, parametric: bool) -> str:
    p = suite.entries[0].params
    enc = sorted({e.params.encoding for e in suite.entries})
    end = PARAMETRIC_WINDOW[1]
    marker = ("" if parametric else
              rf";  dotted: $\lambda t$ = {end:g}, end of the window the paper calls "
              "'the first peak' (Figs. 5-6)")
    return (f"{model_description(suite.variant)},  $\\omega_q$ = {_fmt(p.omega_q)}, "
            f"$\\lambda$ = {_fmt(p.lam)},  method {suite.method}\n"
            f"solid $\\zeta$ = 0, dashed $\\zeta$ = 1{marker}\n"
            f"d = cavity Fock levels kept ($\\zeta$ = 0 | 1), {'/'.join(enc)} encoding")


def _figure(title: str, suite: SuiteResult, parametric: bool = False):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 8.6), layout="constrained")
    axes = fig.subplots(2, 2)
    variant = suite.variant
    fig.suptitle(f"{title}" + (f"  [variant {variant}]" if variant else "")
                 + "\n" + _subtitle(suite, parametric), fontsize=10.5)
    return fig, axes.ravel()


def _legend(ax, extra=()):
    """The panel's legend beside it (right), off the curves."""
    handles, labels = ax.get_legend_handles_labels()
    for handle, label in extra:
        handles.append(handle)
        labels.append(label)
    ax.legend(handles, labels, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0.0, frameon=False)


def _limits(quantity: str) -> tuple[float, float]:
    if quantity == "concurrence":
        return CONCURRENCE_FLOOR, 1.02
    return (0, 0.55) if quantity == "fluctuation" else (0, 1.05)


def time_figure(suite: SuiteResult, quantity: str, number: int):
    """Figure 2 (energy), 3 (fluctuation) or 4 (concurrence) against lambda*t."""
    fig, axes = _figure(f"Figure {number}: {_WORDS[quantity]} {QUANTITIES[quantity]} "
                        r"against $\lambda t$", suite)
    end = PARAMETRIC_WINDOW[1]
    for ax, (panel, fixed, rows) in zip(axes, _panels(suite, parametric=False), strict=True):
        for colour, zeta, label, tr in rows:
            lam = tr.params.lam
            ax.plot(lam * tr.times, getattr(tr, quantity), color=colour, ls=STYLES[zeta],
                    lw=1.3, label=label if zeta == 0 else None)
        marker = ax.axvline(end, color="0.35", ls=MARKER_STYLE, lw=1.2)
        marker.set_gid(MARKER_GID)
        ax.set_title(f"({panel}) {fixed}", loc="left", fontsize=10)
        ax.set_xlabel(r"$\lambda t$")
        ax.set_ylabel(QUANTITIES[quantity])
        ax.set_xlim(*TIME_WINDOW)
        ax.set_ylim(*_limits(quantity))
        # labelled below the axis, as a minor tick: clear of every curve
        ax.set_xticks([end], labels=[f"{end:g}"], minor=True)
        ax.tick_params(axis="x", which="minor", labelsize=7.5, labelcolor="0.35", length=3)
        ax.grid(alpha=0.3)
        _legend(ax)
    return fig


def concurrence_bound_margin(suite: SuiteResult) -> float:
    r"""Largest :math:`C - 2\Sigma/\omega_q` over every trajectory and time (<= 0: it holds).

    For any two-qubit state :math:`C \le \sqrt{1 - \langle\sigma_z^{(2)}\rangle^2}`: a pure state
    has :math:`C = 2\sqrt{\det\rho_2} \le 2\sqrt{p(1-p)}` (p the excited population of the
    cell, the determinant is at most the product of the diagonal), and for a mixed state the
    concurrence is the convex roof while :math:`\sqrt{1-z^2}` is concave in z. Here
    :math:`\Sigma/\omega_q = \tfrac12\sqrt{1-\langle\sigma_z^{(2)}\rangle^2}` (Eq. (6) from a
    :math:`H_{QB}` eigenstate), so :math:`C \le 2\Sigma/\omega_q` always, with equality for
    pure states whose secondary cell has no coherence in its energy basis.
    """
    margins = [float(np.max(tr.concurrence - 2 * tr.fluctuation))
               for tr in (*suite.main, *suite.parametric)]
    return max(margins)


def parametric_figure(suite: SuiteResult, quantity: str, number: int):
    r"""Figure 5 (energy) or 6 (fluctuation): the concurrence against it, lambda*t in [0, 1.3].

    E/omega_q or Sigma/omega_q on x, C on y, as the paper's text reads them ("the concurrence
    rises with stored energy"). Both draw the bound :math:`C \le 2\Sigma/\omega_q` (Figure 6;
    Figure 5: the same bound written with :math:`E = p`, :math:`C \le 2\sqrt{E(1-E)}`, for
    cells starting in g), the region it excludes shaded.
    """
    from matplotlib.lines import Line2D

    end = PARAMETRIC_WINDOW[1]
    fig, axes = _figure(f"Figure {number}: concurrence {QUANTITIES['concurrence']} against "
                        f"{_WORDS[quantity]} {QUANTITIES[quantity]}, parametric in "
                        rf"$\lambda t \in [0, {end:g}]$ (dots: $\lambda t$ = {end:g})", suite,
                        parametric=True)
    margin = concurrence_bound_margin(suite)
    holds = "holds" if margin <= 1e-9 else f"VIOLATED by {margin:.2g}"
    gg = all(e.params.initial_cells == "gg" for e in suite.entries)
    top = _limits("concurrence")[1]
    for ax, (panel, fixed, rows) in zip(axes, _panels(suite, parametric=True), strict=True):
        for colour, zeta, label, tr in rows:
            x = getattr(tr, quantity)
            ax.plot(x, tr.concurrence, color=colour, ls=STYLES[zeta], lw=1.3,
                    label=label if zeta == 0 else None)
            ax.plot(x[-1], tr.concurrence[-1], "o", color=colour, ms=3)  # lambda*t = 1.3
        extra = []
        if quantity == "fluctuation":
            sigma = np.linspace(0, 0.5, 201)
            (line,) = ax.plot(sigma, 2 * sigma, color="k", ls=BOUND_STYLE, lw=0.9)
            ax.fill_between(sigma, 2 * sigma, top, color="0.5", alpha=0.15, lw=0)
            line.set_gid(BOUND_GID)
            extra.append((Line2D([], [], color="k", ls=BOUND_STYLE),
                          rf"$C \leq 2\Sigma/\omega_q$ ({holds};" + "\nshaded: excluded)"))
        elif gg:
            e = np.linspace(0, 1, 401)
            bound = 2 * np.sqrt(e * (1 - e))
            (line,) = ax.plot(e, bound, color="k", ls=BOUND_STYLE, lw=0.9)
            line.set_gid(BOUND_GID)
            ax.fill_between(e, bound, top, color="0.5", alpha=0.15, lw=0)
            extra.append((Line2D([], [], color="k", ls=BOUND_STYLE),
                          rf"$C \leq 2\sqrt{{E(1-E)}}$ ({holds};" + "\nshaded: excluded)"))
        ax.set_title(f"({panel}) {fixed}", loc="left", fontsize=10)
        ax.set_xlabel(QUANTITIES[quantity])
        ax.set_ylabel(QUANTITIES["concurrence"])
        ax.set_xlim(*_limits(quantity))
        ax.set_ylim(CONCURRENCE_FLOOR, top)
        ax.grid(alpha=0.3)
        _legend(ax, extra)
    return fig


def coinciding_curves(suite: SuiteResult, quantity: str, parametric: bool = False
                      ) -> list[tuple[str, str, str]]:
    """Pairs of curves of a panel that lie on top of each other (within ``COINCIDE``).

    Returns:
        (panel, label, label) for each such pair, labels as in the suite (``"g = 0.3, zeta =
        0"``).
    """
    trajs = suite.parametric if parametric else suite.main
    out = []
    for panel in PANELS:
        picked = [(e, t) for e, t in zip(suite.entries, trajs, strict=True) if e.panel == panel]
        for i, (ea, ta) in enumerate(picked):
            for eb, tb in picked[i + 1:]:
                ya, yb = getattr(ta, quantity), getattr(tb, quantity)
                if ya.shape == yb.shape and float(np.max(np.abs(ya - yb))) < COINCIDE:
                    out.append((panel, ea.label, eb.label))
    return out


def paper_figures(suite: SuiteResult) -> dict[str, object]:
    """All five figures by file stem: ``{"fig2_energy": Figure, ...}`` (see ``FIGURES``)."""
    out = {}
    for name, (number, quantity, parametric) in FIGURES.items():
        make = parametric_figure if parametric else time_figure
        out[name] = make(suite, quantity, number)
    return out


def save_figures(figures: dict, folder, *, fmt="png", dpi: int = 150) -> list[Path]:
    """Save each figure as ``folder/<name>.<fmt>`` atomically; return the paths.

    Args:
        figures: name -> matplotlib figure.
        folder: an existing folder.
        fmt: a format or a sequence of formats (png, pdf, svg).
        dpi: resolution of raster formats.
    """
    formats = (fmt,) if isinstance(fmt, str) else tuple(fmt)
    folder = Path(folder)
    paths = []
    for name, fig in figures.items():
        for f in formats:
            path = folder / f"{name}.{f}"
            with OutputFile(path) as out:  # reserved before the rendering
                out.write_bytes(figure_bytes(fig, f, dpi))
            fig.set_layout_engine("none")  # laid out once: the other formats reuse it
            paths.append(path)
    return paths


#: Columns of ``curves.csv``: one row per curve, window and time.
CSV_COLUMNS = ("figure_window", "panel", "curve", "parameter", "value", "zeta", "t", "energy",
               "fluctuation", "concurrence", "omega_q", "model")
#: panel's varied parameter (PANELS' display name) -> BatteryParams attributes.
_VARIED = {"alpha": ("alpha",), "Delta": ("delta",), "g": ("g",),
           "(kappa, gamma)": ("kappa", "gamma")}


def _varied(panel: str, p: BatteryParams) -> tuple[str, object]:
    name = PANELS[panel][0]
    attrs = _VARIED[name]
    values = [getattr(p, a) for a in attrs]
    values = [v.real if isinstance(v, complex) and v.imag == 0 else v for v in values]
    if len(values) == 1:
        return name, values[0]
    return name, "(" + ", ".join(f"{v:g}" for v in values) + ")"


def curves_csv_text(suite: SuiteResult) -> str:
    """Every curve of the run as one tidy CSV (``CSV_COLUMNS``), floats as their shortest repr.

    ``figure_window`` is ``main`` (Figures 2-4, lambda*t in [0, 10]) or ``parametric``
    (Figures 5-6, [0, 1.3]); ``curve`` is the suite's curve id (``a:0.5``, ``d:open``),
    ``parameter``/``value`` what the panel varies and its value on that curve.
    """
    model = suite.variant or "Eq. (1)"

    def rows():
        for window, trajs in (("main", suite.main), ("parametric", suite.parametric)):
            for entry, tr in zip(suite.entries, trajs, strict=True):
                name, value = _varied(entry.panel, entry.params)
                value = float(value) if isinstance(value, float | int) else value
                zeta, omega_q = float(entry.params.zeta), float(entry.params.omega_q)
                for t, e, sg, c in zip(tr.params.lam * tr.times, tr.energy, tr.fluctuation,
                                       tr.concurrence, strict=True):
                    yield (window, entry.panel, entry.curve, name, value, zeta, float(t),
                           float(e), float(sg), float(c), omega_q, model)

    return csv_text(CSV_COLUMNS, rows())


def save_suite_csv(suite: SuiteResult, folder) -> list[Path]:
    """Write every curve of the suite as one tidy ``curves.csv`` (:func:`curves_csv_text`).

    The same file ``qbcircuit reproduce`` writes; atomically (temporary file, then renamed).
    Returns the one path, in a list (as :func:`save_figures` returns its paths).
    """
    path = Path(folder) / "curves.csv"
    with OutputFile(path) as out:
        out.write_text(curves_csv_text(suite))
    return [path]

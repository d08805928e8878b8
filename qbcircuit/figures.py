"""The paper's Figures 2-6, one function each, returning a matplotlib ``Figure``.

Each figure has panels (a)-(d) (physics.md parameter sets); in every panel zeta = 0 is solid and
zeta = 1 dashed, and the two values of the varied parameter have two colours. Figures 2-4 plot
energy E/omega_q, fluctuation Sigma/omega_q and concurrence against lambda*t in [0, 10];
Figures 5-6 plot energy and fluctuation against concurrence, parametric in lambda*t over
[0, 1.3]. The curves are those of Eq. (1)-(2) solved as written; see ``docs`` in the README for
where the paper's printed text disagrees with its model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._io import OutputFile
from .paper import PANELS, PARAMETRIC_WINDOW, TIME_WINDOW, SuiteEntry, paper_suite
from .simulate import DEFAULT_METHOD, simulate_many
from .trajectory import Trajectory

COLORS = ("tab:blue", "tab:red")
STYLES = {0.0: "-", 1.0: "--"}
_TEX = {"alpha": r"\alpha", "Delta": r"\Delta", "kappa": r"\kappa", "gamma": r"\gamma", "g": "g"}
QUANTITIES = {
    "energy": r"$E(t)/\omega_q$",
    "fluctuation": r"$\Sigma(t)/\omega_q$",
    "concurrence": r"$C(\rho(t))$",
}


@dataclass(frozen=True)
class SuiteResult:
    """Trajectories of the paper suite on the main window and on the parametric window."""

    entries: tuple[SuiteEntry, ...]
    main: tuple[Trajectory, ...]
    parametric: tuple[Trajectory, ...]


def compute_suite(
    points: int = 501,
    parametric_points: int = 261,
    *,
    method: str = DEFAULT_METHOD,
    progress: bool = False,
    **options,
) -> SuiteResult:
    """Solve the 16 trajectories of the paper suite on both time windows.

    Args:
        points: times in [0, 10] (Figures 2-4).
        parametric_points: times in [0, 1.3] (Figures 5-6).
        method: the engine.
        progress: show a progress bar.
        **options: engine options; ``encoding=...`` etc. are not options: use
            :func:`qbcircuit.paper.paper_suite` overrides for those.
    """
    entries = tuple(paper_suite())
    params = [e.params for e in entries]
    main = simulate_many(params, np.linspace(*TIME_WINDOW, points), method=method,
                         progress=progress, **options)
    para = simulate_many(params, np.linspace(*PARAMETRIC_WINDOW, parametric_points),
                         method=method, progress=progress, **options)
    return SuiteResult(entries, tuple(main), tuple(para))


def _panels(suite: SuiteResult, parametric: bool):
    """Yield (panel, varied-parameter name, [(colour, zeta, label, trajectory), ...])."""
    trajs = suite.parametric if parametric else suite.main
    for panel, (varied, curves) in PANELS.items():
        rows = []
        for entry, traj in zip(suite.entries, trajs, strict=True):
            if entry.panel != panel:
                continue
            value_label = entry.label.split(", zeta")[0]
            colour = COLORS[[c[0] for c in curves].index(value_label)]
            rows.append((colour, entry.params.zeta, _mathtext(value_label), traj))
        yield panel, varied, rows


def _mathtext(label: str) -> str:
    return re.sub(r"\b(alpha|Delta|kappa|gamma|g)\b", lambda m: f"${_TEX[m[1]]}$", label)


def _figure(title: str):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5), constrained_layout=True)
    fig.suptitle(title)
    return fig, axes.ravel()


def _legend(ax):
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color="k", ls="-"), Line2D([], [], color="k", ls="--")]
    labels += [r"$\zeta = 0$", r"$\zeta = 1$"]
    ax.legend(handles, labels, fontsize=8, loc="best")


def time_figure(suite: SuiteResult, quantity: str, number: int):
    """Figure 2 (energy), 3 (fluctuation) or 4 (concurrence) against lambda*t."""
    fig, axes = _figure(f"Figure {number}: {QUANTITIES[quantity]} against $\\lambda t$")
    for ax, (panel, _, rows) in zip(axes, _panels(suite, parametric=False), strict=True):
        for colour, zeta, label, tr in rows:
            lam = tr.params.lam
            ax.plot(lam * tr.times, getattr(tr, quantity), color=colour, ls=STYLES[zeta],
                    lw=1.3, label=label if zeta == 0 else None)
        ax.set_title(f"({panel})", loc="left")
        ax.set_xlabel(r"$\lambda t$")
        ax.set_ylabel(QUANTITIES[quantity])
        ax.set_xlim(*TIME_WINDOW)
        ax.set_ylim(0, 0.52 if quantity == "fluctuation" else 1.02)
        ax.grid(alpha=0.3)
        _legend(ax)
    return fig


def parametric_figure(suite: SuiteResult, quantity: str, number: int):
    """Figure 5 (energy) or 6 (fluctuation) against concurrence, lambda*t in [0, 1.3]."""
    fig, axes = _figure(f"Figure {number}: {QUANTITIES[quantity]} against concurrence, "
                        r"parametric in $\lambda t \in [0, 1.3]$ (dots: $\lambda t = 1.3$)")
    for ax, (panel, _, rows) in zip(axes, _panels(suite, parametric=True), strict=True):
        for colour, zeta, label, tr in rows:
            y = getattr(tr, quantity)
            ax.plot(tr.concurrence, y, color=colour, ls=STYLES[zeta], lw=1.3,
                    label=label if zeta == 0 else None)
            ax.plot(tr.concurrence[-1], y[-1], "o", color=colour, ms=3)  # end, lambda*t = 1.3
        ax.set_title(f"({panel})", loc="left")
        ax.set_xlabel(r"$C(\rho(t))$")
        ax.set_ylabel(QUANTITIES[quantity])
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 0.52 if quantity == "fluctuation" else 1.02)
        ax.grid(alpha=0.3)
        _legend(ax)
    return fig


def paper_figures(suite: SuiteResult) -> dict[str, object]:
    """All five figures: ``{"fig2": Figure, ..., "fig6": Figure}``."""
    return {
        "fig2": time_figure(suite, "energy", 2),
        "fig3": time_figure(suite, "fluctuation", 3),
        "fig4": time_figure(suite, "concurrence", 4),
        "fig5": parametric_figure(suite, "energy", 5),
        "fig6": parametric_figure(suite, "fluctuation", 6),
    }


def save_figures(figures: dict, folder, *, fmt: str = "png", dpi: int = 150) -> list[Path]:
    """Save each figure as ``folder/<name>.<fmt>`` atomically; return the paths."""
    import io

    import matplotlib.pyplot as plt

    folder = Path(folder)
    paths = []
    for name, fig in figures.items():
        path = folder / f"{name}.{fmt}"
        with OutputFile(path) as out:  # reserved before the rendering
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=dpi)
            out.write_bytes(buf.getvalue())
        plt.close(fig)
        paths.append(path)
    return paths


def save_suite_csv(suite: SuiteResult, folder) -> list[Path]:
    """Write every trajectory of the suite as CSV (``fig<panel>_<n>.csv``) atomically."""
    folder = Path(folder)
    paths = []
    for window, trajs in (("main", suite.main), ("parametric", suite.parametric)):
        for i, (entry, tr) in enumerate(zip(suite.entries, trajs, strict=True)):
            slug = entry.label.replace(" ", "").replace(",", "_").replace("=", "")
            path = folder / f"{window}_{i:02d}_{entry.panel}_{slug}.csv"
            tr.to_csv(path)
            paths.append(path)
    return paths

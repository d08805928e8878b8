"""The paper's figure parameter sets (docs/conventions.md): the "paper suite", 16 trajectories.

Every panel (a)-(d) of Figures 2-6 shows two values of one parameter, each for zeta = 0
(solid) and zeta = 1 (dashed). Figures 2-4 plot against lambda*t in [0, 10]; Figures 5-6 are
parametric in lambda*t over [0, 1.3].
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import BatteryParams

ZETAS = (0.0, 1.0)
TIME_WINDOW = (0.0, 10.0)
PARAMETRIC_WINDOW = (0.0, 1.3)


@dataclass(frozen=True)
class SuiteEntry:
    """One trajectory of the paper suite: its panel, curve label and parameters."""

    panel: str
    label: str
    params: BatteryParams


#: panel -> (what varies, list of (label, keyword arguments)); docs/conventions.md, "Paper
#: figure parameter sets".
PANELS = {
    "a": ("alpha", [("alpha = 0.5", dict(alpha=0.5, delta=0.0, g=1.0)),
                    ("alpha = 3", dict(alpha=3.0, delta=0.0, g=1.0))]),
    "b": ("Delta", [("Delta = 1", dict(delta=1.0, g=1.0, alpha=2.0)),
                    ("Delta = 4", dict(delta=4.0, g=1.0, alpha=2.0))]),
    "c": ("g", [("g = 0.3", dict(g=0.3, delta=0.0, alpha=2.0)),
                ("g = 2", dict(g=2.0, delta=0.0, alpha=2.0))]),
    "d": ("(kappa, gamma)", [("kappa = gamma = 0", dict(kappa=0.0, gamma=0.0, delta=0.0,
                                                        alpha=1.0, g=1.0)),
                             ("kappa = 0.6, gamma = 0.4", dict(kappa=0.6, gamma=0.4, delta=0.0,
                                                               alpha=1.0, g=1.0))]),
}


def paper_suite(**overrides) -> list[SuiteEntry]:
    """The 16 trajectories: 4 panels x 2 parameter values x zeta in {0, 1}.

    Args:
        **overrides: parameters applied to every entry (e.g. ``encoding="gray"``,
            ``omega_q=2``).

    >>> suite = paper_suite()
    >>> len(suite), suite[0].panel, suite[0].label
    (16, 'a', 'alpha = 0.5, zeta = 0')
    """
    out = []
    for panel, (_, curves) in PANELS.items():
        for label, kwargs in curves:
            for zeta in ZETAS:
                params = BatteryParams(zeta=zeta, **{**kwargs, **overrides})
                out.append(SuiteEntry(panel, f"{label}, zeta = {zeta:g}", params))
    return out

"""The paper's figure parameter sets (docs/conventions.md): the "paper suite", 16 trajectories.

Every panel (a)-(d) of Figures 2-6 shows two values of one parameter, each for zeta = 0
(solid) and zeta = 1 (dashed). Figures 2-4 plot against lambda*t in [0, 10]; Figures 5-6 are
parametric in lambda*t over [0, 1.3].

Each curve has an id, ``"<panel>:<value>"`` (``"a:0.5"``, ``"d:open"``), used alike by the suite,
the claims, the figures and the report (nothing parses labels). Panel (b) compares detuning
with resonance, but its resonant curve (alpha = 2, g = 1, Delta = 0) is in no panel: it is the
extra curve ``"b:0"`` (:data:`REFERENCE_CURVES`), solved where a claim needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import BatteryParams

ZETAS = (0.0, 1.0)
TIME_WINDOW = (0.0, 10.0)
PARAMETRIC_WINDOW = (0.0, 1.3)


@dataclass(frozen=True)
class Curve:
    """One parameter set of a panel (without zeta).

    Attributes:
        id: ``"<panel>:<value>"``.
        panel: ``"a"`` .. ``"d"``.
        label: what a legend says, e.g. ``"alpha = 0.5"``.
        kwargs: its :class:`~qbcircuit.BatteryParams` keywords (without zeta).
        value: what a caption listing the panel's values says (``"0.5"``; the whole label
            where two parameters vary).
    """

    id: str
    panel: str
    label: str
    kwargs: dict
    value: str = ""


@dataclass(frozen=True)
class SuiteEntry:
    """One trajectory of the paper suite: its panel, curve label and parameters."""

    panel: str
    label: str
    params: BatteryParams
    curve: str = ""


#: id -> curve, in the panels' order; docs/conventions.md, "Paper figure parameter sets".
CURVES: dict[str, Curve] = {c.id: c for c in (
    Curve("a:0.5", "a", "alpha = 0.5", dict(alpha=0.5, delta=0.0, g=1.0), "0.5"),
    Curve("a:3", "a", "alpha = 3", dict(alpha=3.0, delta=0.0, g=1.0), "3"),
    Curve("b:1", "b", "Delta = 1", dict(delta=1.0, g=1.0, alpha=2.0), "1"),
    Curve("b:4", "b", "Delta = 4", dict(delta=4.0, g=1.0, alpha=2.0), "4"),
    Curve("c:0.3", "c", "g = 0.3", dict(g=0.3, delta=0.0, alpha=2.0), "0.3"),
    Curve("c:2", "c", "g = 2", dict(g=2.0, delta=0.0, alpha=2.0), "2"),
    Curve("d:closed", "d", "kappa = gamma = 0",
          dict(kappa=0.0, gamma=0.0, delta=0.0, alpha=1.0, g=1.0), "kappa = gamma = 0"),
    Curve("d:open", "d", "kappa = 0.6, gamma = 0.4",
          dict(kappa=0.6, gamma=0.4, delta=0.0, alpha=1.0, g=1.0), "kappa = 0.6, gamma = 0.4"),
)}
#: Curves a claim needs that no panel shows: panel (b) at resonance.
REFERENCE_CURVES: dict[str, Curve] = {
    "b:0": Curve("b:0", "b", "Delta = 0", dict(delta=0.0, g=1.0, alpha=2.0), "0"),
}
_VARIED = {"a": "alpha", "b": "Delta", "c": "g", "d": "(kappa, gamma)"}

#: panel -> (what varies, list of (label, keyword arguments)), built from :data:`CURVES`.
PANELS = {p: (v, [(c.label, c.kwargs) for c in CURVES.values() if c.panel == p])
          for p, v in _VARIED.items()}


def paper_suite(**overrides) -> list[SuiteEntry]:
    """The 16 trajectories: 4 panels x 2 parameter values x zeta in {0, 1}.

    Args:
        **overrides: parameters applied to every entry (e.g. ``encoding="gray"``,
            ``omega_q=2``).

    >>> suite = paper_suite()
    >>> len(suite), suite[0].panel, suite[0].label, suite[0].curve
    (16, 'a', 'alpha = 0.5, zeta = 0', 'a:0.5')
    """
    out = []
    for curve in CURVES.values():
        for zeta in ZETAS:
            params = BatteryParams(zeta=zeta, **{**curve.kwargs, **overrides})
            out.append(SuiteEntry(curve.panel, f"{curve.label}, zeta = {zeta:g}", params,
                                  curve.id))
    return out

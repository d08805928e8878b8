"""The paper's wing: its figures, claims, derivation and report, built on the library.

"Entanglement-Driven Energy Exchange in a Two-Qubit Quantum Battery" solved as written
(Eq. (1)-(3) at the parameters of its Figures 2-6) and compared with its text. The library
below (``qbcircuit``: params, model, engines, observables) never imports this package; the
CLI's ``reproduce`` and ``figures`` commands do.

* :mod:`~qbcircuit.paper.suite`: the 16 curves of Figures 2-6 (``paper_suite``, ``CURVES``);
* :mod:`~qbcircuit.paper.claims`: the paper's statements as a table, each decided by a check
  (the kinds in :mod:`~qbcircuit.paper.checks`, the deciding in :mod:`~qbcircuit.paper.decide`;
  the table in words: ``docs/claims.md``);
* :mod:`~qbcircuit.paper.derivation`: the printed reduced equations against the model;
* :mod:`~qbcircuit.paper.figures`: Figures 2-6 as matplotlib ``Figure`` objects;
* :mod:`~qbcircuit.paper.crosscheck`: engines (and QuTiP) against ``exact`` on the suite;
* :mod:`~qbcircuit.paper.report` and :mod:`~qbcircuit.paper.reproduce`: ``qbcircuit
  reproduce``.

The submodules are imported on first use (``qbcircuit.paper.claims`` after
``import qbcircuit.paper``).
"""

from __future__ import annotations

import importlib

from .suite import PANELS, PARAMETRIC_WINDOW, TIME_WINDOW, ZETAS, SuiteEntry, paper_suite

_SUBMODULES = ("checks", "claims", "crosscheck", "decide", "derivation", "figures", "report",
               "reproduce")
#: name -> submodule, for the lazy entry points below.
_LAZY = {"compute_suite": "figures", "paper_figures": "figures", "decide_claims": "claims"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PANELS", "PARAMETRIC_WINDOW", "TIME_WINDOW", "ZETAS", "SuiteEntry",
           "compute_suite", "decide_claims", "paper_figures", "paper_suite"]

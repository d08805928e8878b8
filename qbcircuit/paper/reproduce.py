"""``qbcircuit reproduce``: the paper's Figures 2-6, their data, its claims decided, one report.

:func:`reproduce` solves the paper suite once (16 trajectories on [0, 10] and on [0, 1.3]) and
writes into a folder:

* ``fig2_energy``, ``fig3_fluctuation``, ``fig4_concurrence``, ``fig5_concurrence_vs_energy``,
  ``fig6_concurrence_vs_fluctuation``, one file per format (PNG and PDF by default; SVG on
  request);
* one tidy ``curves.csv`` with every curve of the figures: one row per curve, window and time,
  columns ``CSV_COLUMNS`` (``figure_window`` main for Figures 2-4, parametric for 5-6; ``curve``
  the suite's id; ``parameter`` what the panel varies, ``value`` its value on that curve;
  ``model`` ``Eq. (1)`` or the variant);
* ``run.json``: package version and git commit (from a checkout), library versions, method,
  every engine option and the solver each trajectory actually used, truncation levels and
  encoding of every trajectory, omega_q, variant, the cross-checks, the first-maximum
  comparison, the seconds of each stage, wall time and machine;
* ``claims.csv``: the paper's qualitative claims with the numbers that decide them and a
  verdict (``qbcircuit.paper.claims``; with a variant, a column of verdicts under it);
* ``report.html``: one self-contained page with all of it (figures embedded), opening with the
  findings.

Besides the suite it solves, for the report: the suite with ``exact`` (the reference), with
``dynamics`` when that is not the run's method, with ``trotter`` at its default step on a
coarser grid of the main window and a few curves (``TROTTER_CURVES``), and with QuTiP when it
is installed (the ``qutip`` extra: an independent build); the claims on their own fixed grid,
and the first energy maxima of Eq. (1) and of a second model (the ``tavis-cummings`` variant,
or Eq. (1) for a variant run) on that grid.

Progress: a bar on a terminal; otherwise (a log, CI) one line per stage on standard error.
The summary (the last line) names ``report.html``.

Every output is written atomically (temporary file, then rename): an interrupted run leaves no
half-written file under a final name. The folder is checked before the work and made after it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .. import __version__, _optional
from .._checks import ParameterError, check_points
from .._io import DEFAULT_FORMATS, OutputFile, check_folder, make_folder
from .._machine import cpu_name
from ..engines import default_method, default_method_note, resolve
from ..interop import qutip_available
from ..params import BatteryParams
from ..simulate import DEFAULT_METHOD, simulate_many
from .checks import CLAIM_POINTS
from .crosscheck import engine_deviations, qutip_suite
from .figures import (
    FIGURES,
    SuiteResult,
    compute_suite,
    concurrence_bound_margin,
    curves_csv_text,
    figure_bytes,
    model_description,
    paper_figures,
    variant_overrides,
)
from .suite import CURVES, PARAMETRIC_WINDOW, TIME_WINDOW, paper_suite

FORMATS = ("png", "pdf", "svg")
#: The variant a run of Eq. (1) is compared with (first energy maximum, report section).
COMPARISON_VARIANT = "tavis-cummings"
#: Times of the trotter cross-check on [0, 10] (its cost is the steps, dt = its default).
TROTTER_POINTS = 51
#: The curves of the trotter cross-check (zeta = 1: the counter-rotating terms; one per panel,
#: the cheaper of its two, with dissipation in (d)): Aer circuits cost about 40 s for all 16
#: curves, 5 s for these four. ``trotter_curves="all"`` checks every curve.
TROTTER_CURVES = (("a:0.5", 1.0), ("b:4", 1.0), ("c:0.3", 1.0), ("d:open", 1.0))
#: omega_q values at which claims involving zeta = 1 are decided again (qbcircuit.claims).
CLAIMS_OMEGA_QS = (0.5, 1.0, 2.0, 5.0)
#: The engines checked against exact in the report (qutip only when importable).
CROSSCHECKS = ("dynamics", "trotter", "qutip")
@dataclass
class ReproduceResult:
    """What :func:`reproduce` did: the folder, the files, the suite and a one-line summary."""

    folder: Path
    paths: list[Path]
    suite: SuiteResult
    wall_time: float
    summary: str
    run: dict = field(repr=False, default_factory=dict)


def _file_names(formats, claims: bool) -> list[str]:
    names = [f"{stem}.{fmt}" for stem in FIGURES for fmt in formats]
    names += ["curves.csv", "run.json"] + (["claims.csv"] if claims else []) + ["report.html"]
    return names


def output_files(formats=DEFAULT_FORMATS) -> list[str]:
    """The names of the files a default run writes into its folder (in writing order).

    >>> output_files(("png",))[:2], output_files(("png",))[-3:]
    (['fig2_energy.png', 'fig3_fluctuation.png'], ['run.json', 'claims.csv', 'report.html'])
    """
    return _file_names(_check_formats(formats), claims=True)


def _check_formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = [formats]
    out: list[str] = []
    for item in formats:
        for fmt in str(item).split(","):
            fmt = fmt.strip().lower()
            if fmt not in FORMATS:
                raise ParameterError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
            if fmt not in out:
                out.append(fmt)
    if not out:
        raise ParameterError("at least one figure format is needed (png, pdf, svg)")
    return tuple(out)


def _claims_module():
    """``qbcircuit.claims`` or None when it is not there (the claims are then skipped)."""
    try:
        from . import claims
    except ImportError:
        return None
    return claims


def _engine_options(method: str, given: dict) -> dict:
    """Every option of ``method``'s engine: its defaults, overridden by the ``given`` ones."""
    return resolve(method, given).options()


def _versions() -> dict:
    out = {}
    for dist in ("qiskit", "qiskit-aer", "qiskit-dynamics", "numpy", "scipy", "matplotlib",
                 "qutip", "jax"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _machine() -> dict:
    return {"platform": platform.platform(), "machine": platform.machine(),
            "processor": cpu_name(), "cpus": os.cpu_count(),
            "python": sys.version.split()[0], "implementation": platform.python_implementation()}


def _jsonable(value):
    if isinstance(value, complex):
        return value.real if value.imag == 0 else {"re": value.real, "im": value.imag}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _param_dict(p: BatteryParams) -> dict:
    return {name: _jsonable(getattr(p, name)) for name in BatteryParams.fields()}


def _trajectory_records(suite: SuiteResult) -> list[dict]:
    out = []
    for window, trajs in (("main", suite.main), ("parametric", suite.parametric)):
        for entry, tr in zip(suite.entries, trajs, strict=True):
            out.append({
                "window": window, "panel": entry.panel, "curve": entry.curve,
                "label": entry.label,
                "levels": tr.levels, "encoding": tr.params.encoding,
                "params": _param_dict(entry.params),
                "trace_error": tr.trace_error, "min_eigenvalue": tr.min_eigenvalue,
                "top_fock_population": tr.top_fock_population,
            })
    return out


class _Stages:
    """Wall time of each stage; the progress bar's description, or one line per stage.

    With a bar (a terminal) the bar names the stage; without one (``lines``: standard error is
    not a terminal, e.g. a log file or CI) each stage prints one line to standard error.
    """

    def __init__(self, bar, lines: bool, start: float):
        self.bar, self.lines, self.start = bar, lines, start
        self.times: dict[str, float] = {}
        self._name = None
        self._start = 0.0

    def __call__(self, name: str):
        self._close()
        self._name, self._start = name, time.perf_counter()
        self.bar.set_description(name)
        if self.lines:
            print(f"reproduce: {name} (at {self._start - self.start:.1f} s)", file=sys.stderr,
                  flush=True)
        return self

    def _close(self):
        if self._name is not None:
            self.times[self._name] = round(time.perf_counter() - self._start, 3)
            self._name = None

    def done(self):
        self._close()


def _check_inputs(method, points, parametric_points, omega_q, variant, options, formats):
    resolve(method, options)  # refuse foreign or out-of-range options before the work
    for name, value in (("points", points), ("parametric_points", parametric_points)):
        check_points(name.replace("_", "-"), value)
    BatteryParams(omega_q=omega_q)  # validates omega_q with the parameters' own message
    variant_overrides(variant)
    return _check_formats(formats)


def reproduce(
    out,
    *,
    method: str | None = DEFAULT_METHOD,
    points: int = 501,
    parametric_points: int = 261,
    omega_q: float = 1.0,
    formats=DEFAULT_FORMATS,
    variant: str | None = None,
    progress: bool | None = None,
    claims: bool = True,
    claims_omega_qs=CLAIMS_OMEGA_QS,
    crosschecks=CROSSCHECKS,
    trotter_points: int = TROTTER_POINTS,
    trotter_curves=TROTTER_CURVES,
    comparison: bool = True,
    **engine_options,
) -> ReproduceResult:
    """Compute the paper suite once and write figures, CSVs, run.json, claims.csv, report.html.

    Args:
        out: the output folder (created when the results are ready; must not be a file).
        method: the engine of the figures and their data (None:
            :func:`qbcircuit.engines.default_method`, recorded in run.json's ``method_note``).
        points: times in [0, 10] (Figures 2-4).
        parametric_points: times in [0, 1.3] (Figures 5-6).
        omega_q: the qubit frequency (the paper never states it; default 1).
        formats: figure formats, any of png, pdf, svg (a sequence or comma-separated).
        variant: a named model variant (``params.VARIANTS``, e.g. ``"tavis-cummings"``) to
            reproduce instead of Eq. (1); its figures and data are written, and the claims
            table gets a column with each claim's verdict under it.
        progress: a progress bar; None: a bar when standard error is a terminal, else one
            line per stage on standard error; False: neither.
        claims: decide the paper's claims (``claims.csv``; skipped with a note in the report
            when ``qbcircuit.claims`` is not installed).
        claims_omega_qs: omega_q values at which claims involving zeta = 1 are decided again.
        crosschecks: engines checked against ``exact`` in the report: any of ``dynamics``,
            ``trotter`` (at its default dt, on ``trotter_points`` times of [0, 10]), ``qutip``
            (skipped when QuTiP is not importable).
        trotter_points: times of the trotter cross-check on [0, 10].
        trotter_curves: (curve id, zeta) pairs of the trotter cross-check
            (``TROTTER_CURVES``), or ``"all"`` for the 16 curves.
        comparison: compare the first energy maximum with a second model (the
            ``tavis-cummings`` variant, or Eq. (1) for a variant run), on the claims' grid.
        **engine_options: options of ``method``'s engine (``atol``, ``rtol``, ``dt``, ...).

    Returns:
        the folder, the files written (in order), the suite, the wall time and a one-line
        summary.

    Raises:
        ParameterError: bad input or an output that cannot be written, before any work.
    """
    start = time.perf_counter()
    started = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    method_note = default_method_note() if method is None else None
    if method is None:
        method = default_method()
    formats = _check_inputs(method, points, parametric_points, omega_q, variant, engine_options,
                            formats)
    crosschecks = tuple(crosschecks or ())
    for name in crosschecks:
        if name not in CROSSCHECKS:
            raise ParameterError(f"crosschecks must be among {', '.join(CROSSCHECKS)}, "
                                 f"got {name!r}")
    claims_mod = _claims_module() if claims else None
    names = _file_names(formats, claims_mod is not None)
    folder = check_folder(out)
    # reserve every output now when the folder exists (a name that cannot be written fails
    # before the work); otherwise the folder is made, and the names reserved, after the work
    reserved = {n: OutputFile(folder / n) for n in names} if folder.is_dir() else {}
    lines = progress is None and not sys.stderr.isatty()
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        return _run(folder, reserved, names, start, started, method, points, parametric_points,
                    omega_q, formats, variant, (progress, lines), claims_mod,
                    tuple(claims_omega_qs), crosschecks, trotter_points,
                    _trotter_entries(trotter_curves), comparison, engine_options,
                    claims_note=_claims_note(claims, claims_mod, None),
                    method_note=method_note)
    finally:
        for res in reserved.values():
            res.discard()


def _trotter_entries(curves):
    if isinstance(curves, str) and curves == "all":
        return None
    pairs = [(str(c), float(z)) for c, z in curves]
    known = {(e.curve, e.params.zeta) for e in paper_suite()}
    bad = [p for p in pairs if p not in known]
    if bad or not pairs:
        raise ParameterError(f"trotter_curves must be 'all' or (curve id, zeta) pairs of the "
                             f"suite, e.g. ('a:0.5', 1.0); got {bad or 'none'}")
    return pairs


#: Progress units of the stages besides trajectories (one unit ~ one trajectory's cost).
_CLAIMS_UNITS, _FIGURE_UNITS = 24, 4


def _planned(method, variant, crosschecks, comparison, qutip, n_trotter, claims) -> int:
    n = 32 + _FIGURE_UNITS * len(FIGURES)
    n += 32 if method != "exact" else 0  # the exact reference
    if "dynamics" in crosschecks and method != "dynamics" and _optional.has_dynamics():
        n += 32
    if "trotter" in crosschecks:
        n += 2 * n_trotter  # trotter and exact on its grid
    if "qutip" in crosschecks and qutip:
        n += 32
    if claims:
        n += _CLAIMS_UNITS * (2 if variant or comparison else 1)
    return n


def _run(folder, reserved, names, start, started, method, points, parametric_points, omega_q,
         formats, variant, progress, claims_mod, claims_omega_qs, crosschecks, trotter_points,
         trotter_pairs, comparison, options, claims_note=None, method_note=None
         ) -> ReproduceResult:
    from . import report as report_mod
    from .checks import Curves
    from .decide import first_maxima

    progress, lines = progress
    qutip = "qutip" in crosschecks and qutip_available()
    entries = paper_suite()
    trotter_entries = [i for i, e in enumerate(entries) if trotter_pairs is None
                       or (e.curve, e.params.zeta) in trotter_pairs]
    bar = tqdm(total=_planned(method, variant, crosschecks, comparison, qutip,
                              len(trotter_entries), claims_mod is not None),
               disable=not progress, unit="", file=sys.stderr, leave=False,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")
    stage = _Stages(bar, lines, start)
    grid = dict(points=points, parametric_points=parametric_points, omega_q=omega_q)

    stage("paper suite")
    suite = compute_suite(method=method, variant=variant, progress=bar, **grid, **options)

    # cross-checks against exact
    if method == "exact":
        exact = suite
    else:
        stage("exact reference")
        exact = compute_suite(method="exact", variant=variant, progress=bar, **grid)
    checks = []
    if "dynamics" in crosschecks and not _optional.has_dynamics():
        checks.append({"engine": "dynamics (extra)", "options": {}, "grid": "",
                       "note": f"qiskit-dynamics is not installed ({_optional.DYNAMICS_EXTRA}): "
                               "check skipped", "panels": {}})
    elif "dynamics" in crosschecks and method != "exact":
        if method == "dynamics":
            dyn, dyn_opts = suite, options
        else:
            stage("dynamics cross-check")
            dyn = compute_suite(method="dynamics", variant=variant, progress=bar, **grid)
            dyn_opts = {}
        checks.append(_check_row("dynamics", _engine_options("dynamics", dyn_opts),
                                 f"both windows, {points} + {parametric_points} times",
                                 engine_deviations(suite.entries, [dyn.main, dyn.parametric],
                                                   [exact.main, exact.parametric])))
    elif "dynamics" in crosschecks:  # method exact: check dynamics at its defaults
        stage("dynamics cross-check")
        dyn = compute_suite(method="dynamics", variant=variant, progress=bar, **grid)
        checks.append(_check_row("dynamics", _engine_options("dynamics", {}),
                                 f"both windows, {points} + {parametric_points} times",
                                 engine_deviations(suite.entries, [dyn.main, dyn.parametric],
                                                   [exact.main, exact.parametric])))
    if "trotter" in crosschecks:
        stage("trotter cross-check")
        times = np.linspace(*TIME_WINDOW, trotter_points)
        picked = [suite.entries[i] for i in trotter_entries]
        trot, ref = [], []
        for e in picked:
            trot += simulate_many([e.params], times, method="trotter")
            bar.update(1)
        for e in picked:
            ref += simulate_many([e.params], times, method="exact")
            bar.update(1)
        which = ("all 16 curves" if len(picked) == len(entries) else
                 ", ".join(f"{e.curve} (zeta = {e.params.zeta:g})" for e in picked))
        checks.append(_check_row("trotter", _engine_options("trotter", {}),
                                 f"[0, 10] at {trotter_points} times, {which} (Aer circuits: "
                                 f"the cost is the steps)", engine_deviations(picked, trot, ref)))
    if "qutip" in crosschecks:
        if qutip:
            stage("QuTiP cross-check")
            q_main = qutip_suite(suite.entries, exact.main, progress=bar)
            q_para = qutip_suite(suite.entries, exact.parametric, progress=bar)
            checks.append(_check_row(
                "qutip (optional, independent build)",
                {k: v for k, v in _qutip_options().items()},
                f"both windows, {points} + {parametric_points} times, the truncation exact used",
                engine_deviations(suite.entries, [q_main, q_para],
                                  [exact.main, exact.parametric])))
        else:
            checks.append({"engine": "qutip (optional)", "options": {}, "grid": "",
                           "note": "QuTiP is not installed (pip install 'qbcircuit[qutip]'): "
                                   "check skipped", "panels": {}})

    # the claims and the first energy maxima, on the claims' own fixed grid with exact (no
    # verdict depends on the run's output grid or engine)
    claim_list = variant_claims = None
    claims_text = None
    claims_error = None
    first_rows = []
    if claims_mod is not None:
        stage("claims")
        try:
            eq1 = Curves(1.0, None)
            claim_list = claims_mod.decide_claims(omega_qs=claims_omega_qs, base=eq1)
            bar.update(_CLAIMS_UNITS)
            other_name = variant or (COMPARISON_VARIANT if comparison else None)
            if other_name:
                other = Curves(1.0, other_name)
                if variant:
                    variant_claims = claims_mod.decide_claims(
                        omega_qs=claims_omega_qs, variant=variant, base=other)
                first_rows = _first_rows(first_maxima(eq1), first_maxima(other), other_name)
                bar.update(_CLAIMS_UNITS)
            claims_text = claims_mod.claims_csv_text(claim_list, variant_claims=variant_claims)
        except ParameterError:
            raise
        except Exception as err:  # noqa: BLE001 - a broken claims module must not lose the run
            claims_error = f"{type(err).__name__}: {err}"
            claims_text = None
    derivation = report_mod.derivation_rows()

    stage("figures")
    figures = paper_figures(suite)
    rendered = {}
    for stem, fig in figures.items():
        for fmt in formats:
            rendered[f"{stem}.{fmt}"] = figure_bytes(fig, fmt)
            fig.set_layout_engine("none")  # laid out once: the other formats reuse it
        if "png" not in formats:
            rendered[f"_{stem}.png"] = figure_bytes(fig, "png")
        bar.update(_FIGURE_UNITS)
    curves_csv = curves_csv_text(suite)
    stage.done()
    bar.close()

    wall = time.perf_counter() - start
    margin = concurrence_bound_margin(suite)
    if claims_text is None and "claims.csv" in names:
        names = [n for n in names if n != "claims.csv"]
    run = {
        "package": "qbcircuit", "version": __version__, "git_commit": _git_commit(),
        "started": started,
        "command": {"method": method, "points": points, "parametric_points": parametric_points,
                    "omega_q": omega_q, "variant": variant, "formats": list(formats),
                    "engine_options": _jsonable(options)},
        "model": "Eq. (1)" if variant is None else model_description(variant).replace("$", ""),
        "variant": variant, "omega_q": omega_q, "method": method, "method_note": method_note,
        "engine_options": _jsonable(_engine_options(method, options)),
        "solver": _solvers(suite),
        "tolerances": _jsonable({k: v for k, v in _engine_options(method, options).items()
                                 if k in ("atol", "rtol", "dt", "order")}),
        "truncation": {"tail_tol": suite.entries[0].params.tail_tol,
                       "levels": {"main": [t.levels for t in suite.main],
                                  "parametric": [t.levels for t in suite.parametric]},
                       "encoding": sorted({e.params.encoding for e in suite.entries})},
        "windows": {"main": list(TIME_WINDOW), "parametric": list(PARAMETRIC_WINDOW)},
        "trajectories": _trajectory_records(suite),
        "concurrence_bound": {"statement": "C <= 2 Sigma/omega_q = sqrt(1 - <sz2>^2)",
                              "max_C_minus_2Sigma": margin, "holds": margin <= 1e-9},
        "crosscheck": _jsonable(checks),
        "first_maximum": {"models": ["Eq. (1)", variant or COMPARISON_VARIANT]
                          if first_rows else [],
                          "grid": f"the claims' grid, {CLAIM_POINTS} times in [0, 10], exact",
                          "rows": _jsonable(first_rows)},
        "claims": _claims_summary(claim_list, variant_claims, claims_mod, claims_error),
        "files": [n for n in names],
        "stage_seconds": stage.times,
        "wall_time_s": round(wall, 3),
        "machine": _machine(), "versions": _versions(),
    }
    html = report_mod.render_report(
        run=run, suite=suite, png={stem: rendered.get(f"{stem}.png") or rendered[f"_{stem}.png"]
                                   for stem in FIGURES},
        claims=claim_list, variant_claims=variant_claims, variant=variant,
        claims_note=_claims_note(True, claims_mod, claims_error) if claims_error else claims_note,
        derivation=derivation, checks=checks, first_rows=first_rows)
    payload = {**{n: rendered[n] for n in rendered if not n.startswith("_")},
               "curves.csv": curves_csv.encode(),
               "run.json": (json.dumps(_jsonable(run), indent=1) + "\n").encode(),
               "report.html": html.encode()}
    if claims_text is not None:
        payload["claims.csv"] = claims_text.encode()

    folder = make_folder(folder)
    paths = []
    for name in names:
        res = reserved.pop(name, None) or OutputFile(folder / name)
        with res:
            res.write_bytes(payload[name])
        paths.append(folder / name)
    summary = _summary(folder, paths, wall, suite, claim_list, checks)
    return ReproduceResult(folder, paths, suite, wall, summary, run)


def _first_rows(eq1_rows, other_rows, other_name) -> list[dict]:
    """The first energy maximum of the 16 curves under Eq. (1) and another model, side by side."""
    out = []
    for a, b in zip(eq1_rows, other_rows, strict=True):
        if a["curve"] not in CURVES:  # the reference curve b:0 is not in the figures
            continue
        row = {"panel": CURVES[a["curve"]].panel, "curve": CURVES[a["curve"]].label,
               "zeta": a["zeta"]}
        for name, r in (("Eq. (1)", a), (other_name, b)):
            row[f"{name}: time"] = r["time"]
            row[f"{name}: height"] = r["height"]
            row[f"{name}: within [0, {PARAMETRIC_WINDOW[1]:g}]"] = bool(r["within [0, 1.3]"])
        out.append(row)
    return out


def _git_commit() -> str | None:
    """The package's git commit when it runs from a checkout (None otherwise)."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                                "qbcircuit"], capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out + ("+local changes" if dirty else "")


def _solvers(suite) -> dict:
    """The solver each trajectory of the suite actually used, as its engine reports it."""
    found = {}
    for tr in (*suite.main, *suite.parametric):
        name = _solver_of(tr)
        found[name] = found.get(name, 0) + 1
    return found


def _solver_of(tr) -> str:
    opts = dict(tr.options or {})
    used = getattr(tr, "solver", None)
    if used:
        return str(used)
    if tr.method == "exact":
        return "exact (" + ("eigendecomposition of H" if tr.params.is_closed else
                            "Liouvillian, expm_multiply") + ")"
    if tr.method == "dynamics":
        from ..engines.dynamics import solver_used

        dim = tr.cell_states.shape[-1] * tr.levels
        method, library = solver_used(tr.params.is_closed, dim, opts.get("ode_method"),
                                      opts.get("array_library"))
        return f"qiskit-dynamics Solver, {method} ({library})"
    return f"{tr.method} " + ", ".join(f"{k}={v}" for k, v in opts.items() if v is not None)


def _qutip_options() -> dict:
    from ..interop import QUTIP_OPTIONS

    return dict(QUTIP_OPTIONS)


def _check_row(engine: str, options: dict, grid: str, panels: dict) -> dict:
    return {"engine": engine, "options": _jsonable(options), "grid": grid, "panels": panels,
            "max": max(max(v.values()) for v in panels.values())}


def _verdict_counts(claims) -> dict:
    counts: dict[str, int] = {}
    for c in claims or ():
        counts[c.verdict] = counts.get(c.verdict, 0) + 1
    return counts


def _claims_summary(claims, variant_claims, module, error) -> dict:
    if module is None:
        return {"decided": False, "note": "qbcircuit.claims not available"}
    if error:
        return {"decided": False, "note": f"claims failed: {error}"}
    out = {"decided": True, "count": len(claims), "by_verdict": _verdict_counts(claims)}
    if variant_claims is not None:
        out["variant_by_verdict"] = _verdict_counts(variant_claims)
    return out


def _claims_note(asked: bool, module, error) -> str | None:
    if not asked:
        return "Claims were not decided in this run (claims=False)."
    if module is None:
        return "The claims module (qbcircuit.claims) is not installed: no claims table."
    if error:
        return f"Deciding the claims failed ({error}): no claims table."
    return None


def _summary(folder, paths, wall, suite, claims, checks) -> str:
    parts = [f"reproduce: {len(paths)} files in {folder}/", f"{wall:.0f} s",
             f"method {suite.method}", f"omega_q = {suite.omega_q:g}"]
    if suite.variant:
        parts.append(f"variant {suite.variant}")
    if claims is not None:
        counts = _verdict_counts(claims)
        parts.append(f"{len(claims)} claims (" + ", ".join(
            f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1])) + ")")
    devs = [f"{c['engine'].split()[0]} {c['max']:.1e}" for c in checks if "max" in c]
    if devs:
        parts.append("max deviation from exact: " + ", ".join(devs))
    parts.append(f"open {folder / 'report.html'}")
    return "; ".join(parts)

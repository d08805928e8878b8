"""``qbcircuit reproduce``: the paper's Figures 2-6, their data, its claims decided, one report.

:func:`reproduce` solves the paper suite once (16 trajectories on [0, 10] and on [0, 1.3]) and
writes into a folder:

* ``fig2_energy``, ``fig3_fluctuation``, ``fig4_concurrence``, ``fig5_energy_vs_concurrence``,
  ``fig6_fluctuation_vs_concurrence``, one file per format (PNG and PDF by default; SVG on
  request);
* per figure a tidy CSV ``<figure>.csv``: one row per curve and time, columns ``panel,
  parameter, value, zeta, t, energy, fluctuation, concurrence, omega_q, model`` (``parameter``
  is what the panel varies, ``value`` its value on that curve; ``model`` is ``Eq. (1)`` or the
  variant);
* ``run.json``: package and library versions, method and every engine option (defaults
  included), truncation levels and encoding of every trajectory, omega_q, variant, the
  cross-checks, the first-maximum comparison, wall time and machine;
* ``claims.csv``: the paper's qualitative claims with the numbers that decide them and a
  verdict (``qbcircuit.claims``; with a variant, a column of verdicts under it);
* ``report.html``: one self-contained page with all of it (figures embedded).

Besides the suite it solves, for the report: the suite with ``exact`` (the reference), with
``dynamics`` when that is not the run's method, with ``trotter`` at its default step on a
coarser grid of the main window, and with QuTiP when it is installed (an optional, independent
build); and the suite of a second model: the ``tavis-cummings`` variant for a run of Eq. (1),
Eq. (1) for a variant run.

Every output is written atomically (temporary file, then rename): an interrupted run leaves no
half-written file under a final name. The folder is checked before the work and made after it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import inspect
import io
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

from . import __version__, _optional
from ._checks import ParameterError
from ._io import OutputFile, check_folder, make_folder
from ._machine import cpu_name
from .crosscheck import (
    engine_deviations,
    first_maximum_rows,
    qutip_available,
    qutip_suite,
)
from .engines import default_method, default_method_note, resolve
from .figures import (
    FIGURES,
    SuiteResult,
    compute_suite,
    concurrence_bound_margin,
    figure_bytes,
    model_description,
    paper_figures,
    variant_overrides,
)
from .paper import PANELS, PARAMETRIC_WINDOW, TIME_WINDOW
from .params import BatteryParams
from .simulate import DEFAULT_METHOD, simulate_many

FORMATS = ("png", "pdf", "svg")
DEFAULT_FORMATS = ("png", "pdf")
#: The variant a run of Eq. (1) is compared with (first energy maximum, report section).
COMPARISON_VARIANT = "tavis-cummings"
#: Times of the trotter cross-check on [0, 10] (its cost is the steps, dt = its default).
TROTTER_POINTS = 51
#: omega_q values at which claims involving zeta = 1 are decided again (qbcircuit.claims).
CLAIMS_OMEGA_QS = (0.5, 1.0, 2.0, 5.0)
#: The engines checked against exact in the report (qutip only when importable).
CROSSCHECKS = ("dynamics", "trotter", "qutip")
CSV_COLUMNS = ("panel", "parameter", "value", "zeta", "t", "energy", "fluctuation",
               "concurrence", "omega_q", "model")
#: panel's varied parameter (PANELS' display name) -> BatteryParams attributes.
_VARIED = {"alpha": ("alpha",), "Delta": ("delta",), "g": ("g",),
           "(kappa, gamma)": ("kappa", "gamma")}


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
    names += [f"{stem}.csv" for stem in FIGURES]
    names += ["run.json"] + (["claims.csv"] if claims else []) + ["report.html"]
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


def _varied(panel: str, p: BatteryParams) -> tuple[str, object]:
    name = PANELS[panel][0]
    attrs = _VARIED[name]
    values = [getattr(p, a) for a in attrs]
    values = [v.real if isinstance(v, complex) and v.imag == 0 else v for v in values]
    if len(values) == 1:
        return name, values[0]
    return name, "(" + ", ".join(f"{v:g}" for v in values) + ")"


def figure_csv_text(suite: SuiteResult, parametric: bool) -> str:
    """The tidy CSV of one figure's curves (``CSV_COLUMNS``), floats as their shortest repr."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    trajs = suite.parametric if parametric else suite.main
    model = suite.variant or "Eq. (1)"
    for entry, tr in zip(suite.entries, trajs, strict=True):
        name, value = _varied(entry.panel, entry.params)
        value = repr(float(value)) if isinstance(value, float | int) else value
        zeta = repr(float(entry.params.zeta))
        omega_q = repr(float(entry.params.omega_q))
        for row in zip(tr.params.lam * tr.times, tr.energy, tr.fluctuation, tr.concurrence,
                       strict=True):
            t, e, s, c = (repr(float(x)) for x in row)
            writer.writerow((entry.panel, name, value, zeta, t, e, s, c, omega_q, model))
    return buf.getvalue()


def _trajectory_records(suite: SuiteResult) -> list[dict]:
    out = []
    for window, trajs in (("main", suite.main), ("parametric", suite.parametric)):
        for entry, tr in zip(suite.entries, trajs, strict=True):
            out.append({
                "window": window, "panel": entry.panel, "label": entry.label,
                "levels": tr.levels, "encoding": tr.params.encoding,
                "params": _param_dict(entry.params),
                "trace_error": tr.trace_error, "min_eigenvalue": tr.min_eigenvalue,
                "top_fock_population": tr.top_fock_population,
            })
    return out


class _Stages:
    """Wall time of each stage, and the progress bar's description."""

    def __init__(self, bar):
        self.bar = bar
        self.times: dict[str, float] = {}
        self._name = None
        self._start = 0.0

    def __call__(self, name: str):
        self._close()
        self._name, self._start = name, time.perf_counter()
        self.bar.set_description(name)
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
        if not isinstance(value, int | np.integer) or value < 2:
            raise ParameterError(f"{name.replace('_', '-')} must be an integer >= 2, got {value}")
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
        progress: a progress bar; None: when standard error is a terminal.
        claims: decide the paper's claims (``claims.csv``; skipped with a note in the report
            when ``qbcircuit.claims`` is not installed).
        claims_omega_qs: omega_q values at which claims involving zeta = 1 are decided again.
        crosschecks: engines checked against ``exact`` in the report: any of ``dynamics``,
            ``trotter`` (at its default dt, on ``trotter_points`` times of [0, 10]), ``qutip``
            (skipped when QuTiP is not importable).
        trotter_points: times of the trotter cross-check on [0, 10].
        comparison: compare the first energy maximum with a second model (the
            ``tavis-cummings`` variant, or Eq. (1) for a variant run).
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
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        return _run(folder, reserved, names, start, started, method, points, parametric_points,
                    omega_q, formats, variant, progress, claims_mod, tuple(claims_omega_qs),
                    crosschecks, trotter_points, comparison, engine_options,
                    claims_note=_claims_note(claims, claims_mod, None), method_note=method_note)
    finally:
        for res in reserved.values():
            res.discard()


def _planned(method, variant, crosschecks, comparison, qutip) -> int:
    n = 32
    if comparison:
        n += 32 if variant else 16
    n += 32 if method != "exact" else 0  # the exact reference
    if "dynamics" in crosschecks and method != "dynamics" and _optional.has_dynamics():
        n += 32
    if "trotter" in crosschecks:
        n += 32  # trotter and exact on its grid
    if "qutip" in crosschecks and qutip:
        n += 32
    return n


def _run(folder, reserved, names, start, started, method, points, parametric_points, omega_q,
         formats, variant, progress, claims_mod, claims_omega_qs, crosschecks, trotter_points,
         comparison, options, claims_note=None, method_note=None) -> ReproduceResult:
    from . import report as report_mod

    qutip = "qutip" in crosschecks and qutip_available()
    bar = tqdm(total=_planned(method, variant, crosschecks, comparison, qutip),
               disable=not progress, unit="traj", file=sys.stderr, leave=False)
    stage = _Stages(bar)
    grid = dict(points=points, parametric_points=parametric_points, omega_q=omega_q)

    stage("paper suite")
    suite = compute_suite(method=method, variant=variant, progress=bar, **grid, **options)

    # the second model: the comparison variant for Eq. (1); Eq. (1) for a variant run
    other = None
    other_name = None
    if comparison or (variant and claims_mod):
        other_name = None if variant else COMPARISON_VARIANT
        stage(f"suite of {other_name or 'Eq. (1)'}")
        other = compute_suite(method=method, variant=other_name, progress=bar,
                              parametric=variant is not None, **grid, **options)

    # cross-checks against exact
    stage("exact reference")
    if method == "exact":
        exact = suite
    else:
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
        params = [e.params for e in suite.entries]
        trot, ref = [], []
        for p in params:
            trot += simulate_many([p], times, method="trotter")
            bar.update(1)
        for p in params:
            ref += simulate_many([p], times, method="exact")
            bar.update(1)
        opts = _engine_options("trotter", {})
        checks.append(_check_row("trotter", opts,
                                 f"[0, 10] at {trotter_points} times (a coarser grid: the cost "
                                 f"is the steps)", engine_deviations(suite.entries, trot, ref)))
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
                           "note": "QuTiP is not installed: check skipped", "panels": {}})

    # the first energy maximum under both models
    first_rows = []
    if comparison and other is not None:
        eq1, var = (other, suite) if variant else (suite, other)
        var_name = variant or other_name
        first_rows = first_maximum_rows(suite.entries, eq1.main, var.main, "Eq. (1)", var_name)

    # the claims
    claim_list = variant_claims = None
    claims_text = None
    claims_error = None
    if claims_mod is not None:
        stage("claims")
        eq1_suite = other if variant else suite
        kwargs = dict(omega_qs=claims_omega_qs, method=method, progress=False, **options)
        accepted = inspect.signature(claims_mod.decide_claims).parameters
        if "points" in accepted:  # the run's grid also when a suite must be solved again
            kwargs.update(points=points, parametric_points=parametric_points)
        try:
            claim_list = claims_mod.decide_claims(
                eq1_suite if eq1_suite.omega_q == 1.0 else None, variant=None, **kwargs)
            if variant:
                variant_claims = claims_mod.decide_claims(
                    suite if suite.omega_q == 1.0 else None, variant=variant, **kwargs)
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
    import matplotlib.pyplot as plt

    for stem, fig in figures.items():
        for fmt in formats:
            rendered[f"{stem}.{fmt}"] = figure_bytes(fig, fmt)
            fig.set_layout_engine("none")  # laid out once: the other formats reuse it
        if "png" not in formats:
            rendered[f"_{stem}.png"] = figure_bytes(fig, "png")
        plt.close(fig)
    csvs = {f"{stem}.csv": figure_csv_text(suite, parametric)
            for stem, (_, _, parametric) in FIGURES.items()}
    stage.done()
    bar.close()

    wall = time.perf_counter() - start
    margin = concurrence_bound_margin(suite)
    if claims_text is None and "claims.csv" in names:
        names = [n for n in names if n != "claims.csv"]
    run = {
        "package": "qbcircuit", "version": __version__, "started": started,
        "command": {"method": method, "points": points, "parametric_points": parametric_points,
                    "omega_q": omega_q, "variant": variant, "formats": list(formats),
                    "engine_options": _jsonable(options)},
        "model": "Eq. (1)" if variant is None else model_description(variant).replace("$", ""),
        "variant": variant, "omega_q": omega_q, "method": method, "method_note": method_note,
        "engine_options": _jsonable(_engine_options(method, options)),
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
        "first_maximum": {"models": ["Eq. (1)", variant or other_name] if first_rows else [],
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
               **{n: t.encode() for n, t in csvs.items()},
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


def _qutip_options() -> dict:
    from .crosscheck import QUTIP_OPTIONS

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
    return "; ".join(parts)

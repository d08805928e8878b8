"""Command line: a thin argparse layer over the public API (no physics here).

Bad input prints one line on stderr and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import cmath
import contextlib
import dataclasses
import gc
import logging
import math
import os
import re
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from ._checks import ParameterError, check_points, check_real
from ._io import (
    DEFAULT_FORMATS,
    OutputFile,
    check_distinct,
    check_folder,
    make_folder,
    write_stderr,
    write_stdout,
)
from .engines import METHODS, option_fields, resolve
from .metrics import QUANTITIES, REDUCERS
from .parallel import CLUSTER_REPLY_SECONDS, STALL_SECONDS
from .params import ENCODINGS, MAX_FOCK, VARIANTS, BatteryParams, QbcircuitWarning
from .simulate import DEFAULT_METHOD, STATE_OBSERVABLES, simulate
from .sweep import AXES as SWEEP_AXES
from .sweep import CHOICE_AXES as SWEEP_CHOICES
from .sweep import DEFAULT_METHOD as SWEEP_METHOD
from .sweep import MAX_POINTS as SWEEP_MAX_POINTS

DESCRIPTION = """\
Emulate a two-qubit quantum battery with Qiskit: a cavity charger in a coherent state charges a
primary cell (Jaynes-Cummings), which passes energy to a secondary cell (anisotropic XY
coupling), with Lindblad losses. Reproduces the figures and claims of the paper, solves single
trajectories, sweeps parameter grids and prints the hardware cost of the Trotter circuits."""

EPILOG = """\
examples:
  qbcircuit reproduce --out results      Figures 2-6, data, claims and results/report.html
  qbcircuit simulate --alpha 2 --zeta 1  one trajectory as CSV on standard output
  qbcircuit sweep --vary g=0.1:3:32 --plot g.png
  qbcircuit COMMAND --help               the options of one command"""

#: Seconds to connect to a dask scheduler (at most --stall-timeout).
CONNECT_SECONDS = 10.0

#: Suffixes of --plot (the format is the suffix).
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


#: A value that starts with '-' but is a number: argparse by itself reads only -1 and -1.5 as
#: numbers; -1e-3, -1.5e2, -1j, -1-1j, -inf and -nan are values too (no option of ours starts
#: with a digit, '.', 'inf', 'nan' or 'j').
_NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d|inf|nan|j)", re.IGNORECASE)


#: Engine options, generated from the engines' option objects: name -> (field, methods).
ENGINE_OPTIONS = option_fields()


class _UsageError(Exception):
    pass


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--delta -1e-3`` as ``--delta=-1e-3``, a value argparse would take for an option.

    The ``--name=value`` form is the one argparse documents for values that start with '-'
    (instead of overriding its private number pattern).
    """
    out: list[str] = []
    for arg in argv:
        prev = out[-1] if out else ""
        if (_NEGATIVE_VALUE.match(arg) and prev.startswith("--") and "=" not in prev
                and prev != "--"):
            out[-1] = f"{prev}={arg}"
        else:
            out.append(arg)
    return out


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise _UsageError(message)


def _complex(text: str) -> complex:
    try:
        return complex(text.replace(" ", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a complex number: {text!r} (examples: 2, 1.5j, 1+0.5j)"
        ) from None


def _fock(text: str) -> int | None:
    if text.lower() in ("auto", "none"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer or 'auto': {text!r}") from None


#: How a parameter's annotation is read from the command line.
_READERS = {"complex": _complex, "float": float, "int | None": _fock, "str": str, "int": int,
            "float | None": float, "str | None": str}


def _add_model_options(p: argparse.ArgumentParser, **overrides) -> None:
    """One flag per BatteryParams field (``--omega-q`` for ``omega_q``), help from its metadata.

    ``overrides``: field name -> dict of ``add_argument`` keywords that replace the generated
    ones for this command (a different default, ``required``, or the help that says so).
    """
    for name, f in BatteryParams.fields().items():
        choices = f.metadata.get("choices")
        help_text = f.metadata["help"] + ("" if f.default is None else f" (default {f.default})")
        kwargs = {"dest": name, "type": _READERS[f.type], "default": f.default,
                  "choices": choices, "help": help_text} | overrides.get(name, {})
        p.add_argument(f"--{name.replace('_', '-')}", **kwargs)


def _add_method(p: argparse.ArgumentParser, default=DEFAULT_METHOD,
                why: str = "the package's main engine") -> None:
    """``--method`` with its help; every solving command names its default and why."""
    name = ("dynamics with the dynamics extra installed, else exact" if default is None
            else default)
    p.add_argument("--method", choices=tuple(METHODS), default=default,
                   help=f"engine: {', '.join(METHODS)} (default {name}: {why}; exact is "
                        "the reference the others are tested against)")


def _format_list(text: str) -> list[str]:
    from .paper.reproduce import _check_formats  # the one reader of a format list

    try:
        return list(_check_formats(text))
    except ParameterError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _add_figure_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``figures`` and ``reproduce``, with the same meaning and defaults."""
    p.add_argument("--points", type=int, default=501, help="times in [0, 10] (default 501)")
    p.add_argument("--parametric-points", type=int, default=261,
                   help="times in [0, 1.3] for Figures 5-6 (default 261)")
    _add_method(p)
    p.add_argument("--omega-q", type=float, default=1.0,
                   help="qubit frequency (default 1; the paper never states it)")
    p.add_argument("--variant", default=None,  # checked, with the names, by compute_suite
                   help=f"a named model variant instead of Eq. (1): {', '.join(VARIANTS)}")
    p.add_argument("--format", action="extend", type=_format_list, default=None,
                   help="figure formats png, pdf, svg: comma-separated or repeated "
                        f"(default {','.join(DEFAULT_FORMATS)})")
    _add_progress(p)


def _add_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (a bar is drawn only when standard error is a terminal)")


def _progress(args) -> bool:
    """A progress bar only on a terminal: its carriage-return redraws would litter logs."""
    return not args.no_progress and sys.stderr.isatty()


def _params(args) -> BatteryParams:
    return BatteryParams(**{name: getattr(args, name) for name in BatteryParams.fields()})


def build_parser() -> argparse.ArgumentParser:
    """The ``qbcircuit`` argument parser."""
    parser = _Parser(prog="qbcircuit", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND",
                                parser_class=_Parser)

    p = sub.add_parser("simulate", help="one trajectory as CSV: t,energy,fluctuation,concurrence")
    _add_model_options(p)
    p.add_argument("--t-max", type=float, default=10.0, help="last time (default 10)")
    p.add_argument("--points", type=int, default=501,
                   help="number of times from 0 to t-max inclusive (default 501)")
    _add_method(p)
    p.add_argument("--observe", action="append", default=[], metavar="NAME",
                   choices=(*QUANTITIES, *STATE_OBSERVABLES),
                   help="add a column: a quantity (e.g. photon_number, battery_energy, "
                        "ergotropy); repeatable")
    p.add_argument("--out", default=None,
                   help="output CSV path ('-' or none: standard output; symlinks are followed, "
                        "devices and FIFOs written in place)")
    _add_engine_options(p)

    p = sub.add_parser("circuit-stats",
                       help="hardware cost of one Trotter step per encoding (a table)")
    # the step does not depend on alpha (0 fits any --fock)
    _add_model_options(
        p,
        fock={"required": True, "help": "number of cavity Fock levels (required)"},
        alpha={"default": 0.0, "help": "coherent amplitude of the charger (default 0: one "
                                        "Trotter step does not depend on it)"},
        encoding={"default": None, "help": "one encoding's row (default: every encoding)"},
    )
    p.add_argument("--order", type=int, default=2, help="product-formula order, 1 or 2 (default 2)")

    _add_device_parser(sub)

    p = sub.add_parser("reproduce", help="the main job: Figures 2-6, their data (CSV), run.json, "
                       "the paper's claims decided (claims.csv) and report.html")
    p.add_argument("--out", default="results", help="output folder (created; default: results)")
    _add_figure_options(p)
    p.add_argument("--trotter-all", action="store_true",
                   help="cross-check trotter on all 16 curves (default: one zeta = 1 curve per "
                        "panel; Aer circuits cost seconds per curve)")
    _add_engine_options(p)

    p = sub.add_parser("figures", help="only the figures of `reproduce` (Figures 2-6), no data, "
                       "claims or report")
    p.add_argument("--out", default="figures", help="output folder (created; default: figures)")
    _add_figure_options(p)
    p.add_argument("--csv", action="store_true",
                   help="also write every curve as one tidy curves.csv (as reproduce does)")
    _add_engine_options(p)

    p = sub.add_parser("sweep", help="figures of merit over a grid of any number of parameters")
    p.add_argument("--vary", action="append", default=[],
                   metavar="NAME=START:STOP:NUM | NAME=V1,V2,...",
                   help="a varied parameter (repeatable, one grid axis each): NUM values from "
                        "START to STOP inclusive, or explicit values (choices such as encoding "
                        f"too); any of {', '.join(SWEEP_AXES)}; complex alpha as 1+0.5j")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a fixed parameter (repeatable), e.g. alpha=2, zeta=1, encoding=gray")
    p.add_argument("--metric", action="append", default=None,
                   help="<reducer>_<quantity> (repeatable; default max_energy); reducers: "
                        f"{', '.join(REDUCERS)}; quantities: {', '.join(QUANTITIES)}")
    p.add_argument("--t-max", type=float, default=10.0, help="last time (default 10)")
    p.add_argument("--points", type=int, default=201, help="times from 0 to t-max (default 201)")
    _add_method(p, SWEEP_METHOD, "many points, one eigendecomposition or expansion each, "
                                 "the fastest per point")
    _add_engine_options(p)
    p.add_argument("--jobs", type=int, default=None,
                   help="local processes computing, this one included (default: one per "
                        "core; workers start only for work worth their start)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a dask.distributed cluster, e.g. tcp://10.0.0.5:8786 "
                        "(extra 'distributed')")
    p.add_argument("--stall-timeout", type=float, default=STALL_SECONDS, metavar="SECONDS",
                   help="a local worker without a heartbeat this long is replaced; a cluster "
                        "without any worker (or whose scheduler does not answer) this long "
                        f"ends the sweep, exit 2 (default {STALL_SECONDS:g})")
    p.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="append finished points to PATH; rerunning the same command resumes")
    p.add_argument("--out", default=None,
                   help="output CSV (default or '-': standard output): one column per varied "
                        "parameter, then one per metric, one row per grid point")
    p.add_argument("--plot", default=None, metavar="PNG",
                   help="a heat map per metric (two varied parameters) or a line plot (one); "
                        ".png, .pdf or .svg; the title names the fixed parameters")
    _add_progress(p)
    return parser


def _sweep_name(text: str) -> str:
    name = text.strip().replace("-", "_")
    if name not in BatteryParams.fields():
        raise ParameterError(f"unknown parameter {text.strip()!r}; parameters: "
                             f"{', '.join(BatteryParams.fields())}")
    return name


def _sweep_value(name: str, text: str):
    reader = _READERS[BatteryParams.fields()[name].type]
    try:
        return reader(text.strip())
    except (ValueError, argparse.ArgumentTypeError) as err:
        raise ParameterError(f"{name}: {err}") from None


def _sweep_axes(args, fixed):
    """--vary specs as (label, name, size, first value, make_values), values not allocated."""
    specs, seen = [], set()
    for text in args.vary:
        label, eq, spec = text.partition("=")
        if not eq or not spec.strip():
            raise ParameterError(f"--vary needs NAME=START:STOP:NUM or NAME=V1,V2,..., got "
                                 f"{text!r} (example: g=0.1:3:32)")
        name = _sweep_name(label)
        if name in seen or name in fixed:
            raise ParameterError(f"{name} is given twice (--vary and --set name one parameter "
                                 "once each)")
        seen.add(name)
        if name not in SWEEP_AXES:
            raise ParameterError(f"cannot vary {name}: a sweep varies one of "
                                 f"{', '.join(SWEEP_AXES)}")
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise ParameterError(f"--vary {text!r}: a range is NAME=START:STOP:NUM "
                                     "(example: g=0.1:3:32)")
            if name in SWEEP_CHOICES:
                raise ParameterError(f"{name} takes explicit values, e.g. {name}="
                                     f"{','.join(BatteryParams.fields()[name].metadata['choices'])}")
            start, stop = (_sweep_value(name, x) for x in parts[:2])
            for what, typed, value in (("START", parts[0], start), ("STOP", parts[1], stop)):
                if not cmath.isfinite(value):  # linspace would make NaN of it: say what was typed
                    raise ParameterError(f"--vary {text!r}: {what} must be finite, got "
                                         f"{typed.strip()!r}")
            try:
                num = int(parts[2])
            except ValueError:
                raise ParameterError(f"--vary {text!r}: NUM must be an integer, got "
                                     f"{parts[2]!r}") from None
            if num < 1:
                raise ParameterError(f"--vary {text!r}: NUM must be >= 1, got {num}")
            specs.append((label.strip(), name, num, start,
                          lambda a=start, b=stop, n=num: np.linspace(a, b, n)))
        else:
            values = [_sweep_value(name, x) for x in spec.split(",")]
            specs.append((label.strip(), name, len(values), values[0], lambda v=values: v))
    if not specs:
        raise ParameterError("sweep needs at least one --vary NAME=START:STOP:NUM")
    return specs


def _run_sweep(args) -> int:
    from ._io import figure_bytes, format_duration
    from .sweep import check_grid, check_plottable, check_size, sweep

    fixed = {}
    for text in args.set:
        label, eq, value = text.partition("=")
        if not eq:
            raise ParameterError(f"--set needs NAME=VALUE, got {text!r} (example: alpha=2)")
        name = _sweep_name(label)
        if name in fixed:
            raise ParameterError(f"--set {name} is given twice")
        fixed[name] = _sweep_value(name, value)
    base = BatteryParams(**fixed)
    specs = _sweep_axes(args, fixed)
    times = _times(args)
    options = _engine_options(args)
    resolve(args.method, options)  # refuse foreign or out-of-range options now
    if args.jobs is not None and args.scheduler is not None:
        raise ParameterError("--jobs and --scheduler exclude each other (the cluster's workers "
                             "do the work)")
    stall = check_real("stall-timeout", args.stall_timeout, low=0.0, low_open=True)
    jobs = args.jobs
    if jobs is not None and not 1 <= jobs <= 1024:
        raise ParameterError(f"jobs must be in [1, 1024], got {jobs}")
    sizes = {name: size for _, name, size, _, _ in specs}
    if math.prod(sizes.values()) > SWEEP_MAX_POINTS:  # refused before the grid is allocated
        first = dataclasses.replace(base, **{name: v for _, name, _, v, _ in specs})
        t0 = time.perf_counter()
        simulate(first, times, method=args.method, **options)
        seconds = (time.perf_counter() - t0) * math.prod(sizes.values())
        seconds /= jobs or os.cpu_count() or 1
        check_size(sizes, f" (about {format_duration(seconds)} at the first point's speed)")
    axes = {name: make() for _, name, _, _, make in specs}
    labels = {name: label for label, name, _, _, _ in specs}
    if args.plot is not None:
        check_plottable(list(axes))
        if Path(args.plot).suffix.lower() not in ("", *PLOT_SUFFIXES):
            raise ParameterError(f"--plot {args.plot!r}: a plot is written as "
                                 f"{', '.join(PLOT_SUFFIXES)} (by its suffix; none: .png)")
    check_distinct({"--out": args.out, "--plot": args.plot, "--checkpoint": args.checkpoint})
    _, metrics = check_grid(base, axes, args.metric or ["max_energy"])
    executor = client = None
    with OutputFile("-" if args.out is None else args.out) as out, \
            (OutputFile(args.plot) if args.plot else contextlib.nullcontext()) as plot_out:
        if args.scheduler is not None:
            client = _dask_client(args.scheduler, min(CONNECT_SECONDS, stall))
            executor = client.get_executor()
        try:
            result = sweep(base, axes, metrics, times, method=args.method, executor=executor,
                           jobs=jobs, checkpoint=args.checkpoint, stall_seconds=stall,
                           progress=_progress(args),
                           log=lambda msg: write_stderr(f"qbcircuit: {msg}"),
                           **options)
        finally:
            if client is not None:
                # a scheduler that is gone fails the close too: the run's own error stands
                with contextlib.suppress(Exception):
                    client.close(timeout=CLUSTER_REPLY_SECONDS)
        out.write_text(result.to_csv_text(labels))
        if plot_out is not None:
            fmt = Path(args.plot).suffix.lstrip(".").lower() or "png"
            plot_out.write_bytes(figure_bytes(result.plot(), fmt))
    return 0


def _dask_client(address: str, timeout: float):
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError("--scheduler needs dask.distributed: pip install "
                             "'qbcircuit[distributed]'") from None
    scheme = address.partition("://")[0] if "://" in address else "tcp"
    # dask and tornado log connection failures as multi-line tracebacks: they end here in
    # one line
    for name in ["distributed", "tornado", *logging.root.manager.loggerDict]:
        if name.split(".")[0] in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return _within(timeout + CLUSTER_REPLY_SECONDS, Client, address, timeout=f"{timeout:g}s")
    except _NoAnswer:
        raise ParameterError(f"cannot reach the dask scheduler at {address}: no answer within "
                             f"{timeout + CLUSTER_REPLY_SECONDS:g} s (is it a dask scheduler?)"
                             ) from None
    except (OSError, TimeoutError, ValueError) as err:
        raise ParameterError(f"cannot reach the dask scheduler at {address}: {err}") from None
    except Exception as err:  # noqa: BLE001 - TypeError (tls, ucx), MemoryError (a server that
        # is not dask: its first bytes read as a frame length of exabytes), ...
        hint = {"tls": "tls:// needs dask's TLS settings (distributed.comm.tls.* in the dask "
                       "configuration: CA file, certificate, key)",
                "ucx": "ucx:// needs the UCX comm (pip install distributed-ucxx)"}.get(
            scheme, f"it did not answer as a dask scheduler ({type(err).__name__})")
        raise ParameterError(f"cannot reach the dask scheduler at {address}: {hint}") from None


class _NoAnswer(Exception):
    pass


def _within(seconds: float, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a daemon thread, _NoAnswer if it has not returned in time.

    dask's Client waits forever on a server that accepts the connection and never speaks.
    """
    box: dict = {}

    def call():
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller
            box["error"] = err

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise _NoAnswer
    if "error" in box:
        raise box["error"]
    return box["value"]


def _times(args) -> np.ndarray:
    """``--points`` times from 0 to ``--t-max`` inclusive, checked."""
    if not np.isfinite(args.t_max) or args.t_max <= 0:
        raise ParameterError(f"t-max must be a finite number > 0, got {args.t_max!r}")
    check_points("points", args.points)
    return np.linspace(0.0, args.t_max, args.points)


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    """One flag per engine option (``--atol``, ``--dt``, ...), from the engines' fields.

    Passed to the engine only when given; an engine refuses options it does not take.
    """
    readers = {"float": float, "int": int, "str": str, "str | None": str}
    for name, (f, methods) in ENGINE_OPTIONS.items():
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=readers[f.type],
                       default=None, choices=f.metadata.get("choices"),
                       help=f"{f.metadata['help']} [{', '.join(methods)}]")


def _engine_options(args) -> dict:
    """The engine options given on the command line (the others stay engine defaults)."""
    return {k: getattr(args, k) for k in ENGINE_OPTIONS if getattr(args, k) is not None}


def _run_simulate(args) -> int:
    params = _params(args)
    times = _times(args)
    # reserved before the work: a path that cannot be written fails now, not after
    with OutputFile("-" if args.out is None else args.out) as out:
        observe = [n for n in dict.fromkeys(args.observe)
                   if n not in ("energy", "fluctuation", "concurrence")]
        traj = simulate(params, times, method=args.method, e_ops=observe,
                        **_engine_options(args))
        out.write_text(traj.to_csv_text())
    return 0


def _run_circuit_stats(args) -> int:
    from .hardware import circuit_stats, format_stats

    if args.fock is None:  # --fock auto
        raise ParameterError("circuit-stats needs --fock (the number of cavity Fock levels)")
    encodings = None if args.encoding is None else [args.encoding]
    args.encoding = args.encoding or "binary"  # the parameters' encoding is replaced per row
    if sys.stdout is None:  # the table is the result: fail before the work
        write_stdout("")
    rows = circuit_stats(args.fock, encodings, params=_params(args), order=args.order)
    write_stdout(format_stats(rows) + "\n")
    if encodings is None and len(rows) < len(ENCODINGS):
        write_stderr(f"(unary omitted: it allows at most {MAX_FOCK['unary']} levels)")
    return 0


def _run_reproduce(args) -> int:
    from .paper.reproduce import reproduce

    result = reproduce(args.out, method=args.method, points=args.points,
                       parametric_points=args.parametric_points, omega_q=args.omega_q,
                       formats=args.format or DEFAULT_FORMATS, variant=args.variant,
                       progress=False if args.no_progress else None,
                       **({"trotter_curves": "all"} if args.trotter_all else {}),
                       **_engine_options(args))
    _report(result.summary)
    return 0


def _run_figures(args) -> int:
    from .paper.figures import compute_suite, paper_figures, save_figures, save_suite_csv

    for name in ("points", "parametric_points"):
        check_points(name.replace("_", "-"), getattr(args, name))
    options = _engine_options(args)
    resolve(args.method, options)  # refuse foreign or out-of-range options now
    check_folder(args.out)  # fail before the work; the folder is made when there is a result
    formats = args.format or DEFAULT_FORMATS
    suite = compute_suite(args.points, args.parametric_points, method=args.method,
                          omega_q=args.omega_q, variant=args.variant, progress=_progress(args),
                          **options)
    folder = make_folder(args.out)
    figures = paper_figures(suite)
    paths = [path for fmt in formats for path in save_figures(figures, folder, fmt=fmt)]
    if args.csv:
        paths += save_suite_csv(suite, folder)
    _report("".join(f"{path}\n" for path in paths))
    return 0


def _report(text: str) -> None:
    """What was written where (the results are the files): not printed to a closed stdout."""
    if sys.stdout is not None:
        write_stdout(text if text.endswith("\n") else text + "\n")


def _one_line_warnings():
    """A ``warnings.showwarning`` printing our warnings as one line each, when raised.

    A cost warning so comes before the long work it announces; repeats and third-party noise
    are dropped.
    """
    seen: set[str] = set()

    def show(message, category, *_args, **_kwargs):
        if issubclass(category, QbcircuitWarning) and str(message) not in seen:
            seen.add(str(message))
            write_stderr(f"qbcircuit: warning: {message}")

    return show


@contextlib.contextmanager
def _env(name: str, value: str):
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _agg_backend() -> contextlib.ExitStack:
    """Files are rendered with matplotlib's Agg, whatever ``MPLBACKEND`` says (``bogus``, a GUI).

    Set for this command only (and its worker processes), when matplotlib is not imported yet
    (an importing session keeps its own backend); ``close()`` restores the environment.
    """
    stack = contextlib.ExitStack()
    if "matplotlib" not in sys.modules:
        stack.enter_context(_env("MPLBACKEND", "Agg"))
    return stack


def _add_device_parser(sub) -> None:
    p = sub.add_parser("device", help="the battery's circuits on a backend (ideal, generic, "
                       "fake_<device>): energy and concurrence with error bars, as CSV")
    _add_model_options(p)
    p.add_argument("--backend", default="ideal",
                   help="ideal (noiseless Aer), generic (GenericBackendV2 with noise) or a fake "
                        "IBM device, e.g. fake_torino (devices extra); default ideal")
    p.add_argument("--t-max", type=float, default=2.0, help="last time (default 2)")
    p.add_argument("--points", type=int, default=5, help="times from 0 to t-max (default 5)")
    p.add_argument("--shots", type=int, default=4000,
                   help="shots per tomography setting (default 4000)")
    p.add_argument("--dt", type=float, default=None, help="largest Trotter step (default 0.2)")
    p.add_argument("--optimization-level", type=int, default=1,
                   help="transpiler optimization level 0-3 (default 1)")
    p.add_argument("--seed", type=int, default=None, help="seed of transpiler, sampler, bootstrap")
    p.add_argument("--out", default=None, help="output CSV path ('-' or none: standard output)")
    p.add_argument("--plot", default=None,
                   help="also write a figure (PNG): exact curve, ideal circuit, the backend")


def _run_device(args) -> int:
    from . import devices
    from ._io import figure_bytes

    params = _params(args)
    times = _times(args)
    dt = devices.DEFAULT_DT if args.dt is None else args.dt
    kwargs = dict(shots=args.shots, dt=dt, optimization_level=args.optimization_level,
                  seed=args.seed)
    plot = OutputFile(args.plot) if args.plot else contextlib.nullcontext()
    with OutputFile("-" if args.out is None else args.out) as out, plot as png:
        result = devices.run(params, times, args.backend, **kwargs)
        out.write_text(result.to_csv_text())
        if png is not None:
            runs = [result]
            if args.backend != "ideal":
                runs.insert(0, devices.run(params, times, "ideal", **kwargs))
            fine = simulate(params, np.linspace(0.0, float(times[-1]), 201), method="exact")
            fig = devices.plot(runs, fine)
            png.write_bytes(figure_bytes(fig, "png"))
    return 0


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that workers and temporary files are cleaned up."""


def _on_sigterm(signum, frame):
    raise _Terminated


#: The signals that stop a command (Ctrl-C, ``kill``), as the exceptions they raise.
_STOPS = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: _Terminated}


#: Seconds after which a stop swallowed by a garbage-collector callback is raised again.
RESTOP_SECONDS = 0.01


def _signal_main_thread(signum: int) -> None:
    """Send ``signum`` to the main thread (its handler runs there, a wait is interrupted)."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident, signum)
    else:  # pragma: no cover - not POSIX
        signal.raise_signal(signum)


@contextlib.contextmanager
def _stops_that_land():
    """Deliver Ctrl-C and SIGTERM again when their exception was swallowed.

    Python runs a signal's handler between two bytecodes of the main thread, which may belong
    to a garbage-collector callback (JAX registers one) or a ``__del__``: the exception raised
    there is printed as "Exception ignored" and dropped, and the command ran on to its end as
    if never stopped (measured: a Ctrl-C about 0.8 s into a sweep, as the imports end). Such
    exceptions pass through ``sys.unraisablehook``: for a stop, the hook has the signal sent
    again ``RESTOP_SECONDS`` later (from a timer thread: raised at once it would land in the
    hook, and be swallowed there), when the main thread has left the callback.
    """
    previous = sys.unraisablehook

    def hook(unraisable):
        for signum, kind in _STOPS.items():
            if isinstance(unraisable.exc_value, kind):
                timer = threading.Timer(RESTOP_SECONDS, _signal_main_thread, (signum,))
                timer.daemon = True
                timer.start()
                return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def main(argv=None) -> int:
    """Entry point of the ``qbcircuit`` command; returns the exit status.

    0 on success; 2 with one line on stderr for bad input or a failed write; 130 on Ctrl-C and
    143 on SIGTERM, with one line, no partial output and no worker processes left.
    """
    parser = build_parser()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    restore = _agg_backend()  # an ExitStack: undone in the end
    restore.enter_context(_stops_that_land())
    try:
        args = parser.parse_args(_join_negative_values(
            sys.argv[1:] if argv is None else list(argv)))
        if args.command is None:  # a bare `qbcircuit`: what it does and its commands
            parser.print_help(sys.stderr)
            return 2
        run = {
            "simulate": _run_simulate,
            "circuit-stats": _run_circuit_stats,
            "figures": _run_figures,
            "reproduce": _run_reproduce,
            "sweep": _run_sweep,
            "device": _run_device,
        }[args.command]
        with warnings.catch_warnings():
            warnings.simplefilter("always", QbcircuitWarning)
            warnings.showwarning = _one_line_warnings()
            return run(args)
    except (_UsageError, ParameterError) as err:
        write_stderr(f"qbcircuit: error: {err}")
        return 2
    except MemoryError as err:  # beyond the estimates (checked before the work): one line
        detail = f" ({err})" if str(err) else ""
        write_stderr(f"qbcircuit: error: out of memory{detail}: use fewer points, a smaller "
                     "truncation (fock, |alpha|), a shorter t-max or fewer jobs")
        return 2
    except KeyboardInterrupt:
        write_stderr("qbcircuit: interrupted")
        return 130
    except _Terminated:
        write_stderr("qbcircuit: terminated")
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous)
        restore.close()
        if argv is None:  # the process's own command: it ends now
            # its last collections would walk every object of Qiskit and SciPy (about 0.1 s)
            gc.freeze()


if __name__ == "__main__":
    raise SystemExit(main())

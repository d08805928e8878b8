"""Command line: a thin argparse layer over the public API (no physics here).

Bad input prints one line on stderr and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import re
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ._checks import ParameterError
from ._io import OutputFile, check_folder, make_folder
from .engines import METHODS, option_fields, resolve
from .metrics import QUANTITIES, REDUCERS
from .params import ENCODINGS, MAX_FOCK, BatteryParams, QbcircuitWarning
from .simulate import DEFAULT_METHOD, simulate
from .sweep import AXES as SWEEP_AXES
from .sweep import CHOICE_AXES as SWEEP_CHOICES
from .sweep import DEFAULT_METHOD as SWEEP_METHOD
from .sweep import MAX_POINTS as SWEEP_MAX_POINTS

#: Most output times of one trajectory on the command line (10^7 times are 80 MB of times and
#: 2.6 GB of two-cell states before any solve).
MAX_POINTS = 10**6

METHOD_HELP = "engine (default: dynamics with the dynamics extra installed, else exact)"

#: Engine options, generated from the engines' option objects: name -> (field, methods).
ENGINE_OPTIONS = option_fields()


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # argparse reads only -1 and -1.5 as negative numbers; -1e-3, -1.5e2, -1j, -inf and
        # -nan are values too (no option of ours starts with a digit, '.', 'inf' or 'nan')
        self._negative_number_matcher = re.compile(
            r"^-(\d|\.\d|inf|nan|j)", re.IGNORECASE)

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
_READERS = {"complex": _complex, "float": float, "int | None": _fock, "str": str}


def _add_model_options(p: argparse.ArgumentParser) -> None:
    """One flag per BatteryParams field (``--omega-q`` for ``omega_q``), help from its metadata."""
    for name, f in BatteryParams.fields().items():
        choices = f.metadata.get("choices")
        help_text = f.metadata["help"] + ("" if f.default is None else f" (default {f.default})")
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=_READERS[f.type],
                       default=f.default, choices=choices, help=help_text)


def _params(args) -> BatteryParams:
    return BatteryParams(**{name: getattr(args, name) for name in BatteryParams.fields()})


def build_parser() -> argparse.ArgumentParser:
    """The ``qbcircuit`` argument parser."""
    parser = _Parser(prog="qbcircuit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("simulate", help="one trajectory as CSV: t,energy,fluctuation,concurrence")
    _add_model_options(p)
    p.add_argument("--t-max", type=float, default=10.0, help="last time (default 10)")
    p.add_argument("--points", type=int, default=501,
                   help="number of times from 0 to t-max inclusive (default 501)")
    p.add_argument("--method", choices=tuple(METHODS), default=DEFAULT_METHOD,
                   help=METHOD_HELP)
    p.add_argument("--out", default=None,
                   help="output CSV path ('-' or none: standard output; symlinks are followed, "
                        "devices and FIFOs written in place)")
    _add_engine_options(p)

    p = sub.add_parser("circuit-stats",
                       help="hardware cost of one Trotter step per encoding (a table)")
    _add_model_options(p)
    # the step does not depend on alpha (0 fits any --fock); no --encoding: every encoding
    p.set_defaults(alpha=0.0, encoding=None)
    p.add_argument("--order", type=int, default=2, help="product-formula order (1, 2)")

    _add_device_parser(sub)

    p = sub.add_parser("reproduce", help="the main job: Figures 2-6, their data (CSV), run.json, "
                       "the paper's claims decided (claims.csv) and report.html")
    p.add_argument("--out", default="results", help="output folder (created; default: results)")
    p.add_argument("--method", choices=tuple(METHODS), default=DEFAULT_METHOD,
                   help=METHOD_HELP)
    p.add_argument("--points", type=int, default=501, help="times in [0, 10] (default 501)")
    p.add_argument("--parametric-points", type=int, default=261,
                   help="times in [0, 1.3] for Figures 5-6 (default 261)")
    p.add_argument("--omega-q", type=float, default=1.0,
                   help="qubit frequency (default 1; the paper never states it)")
    p.add_argument("--format", action="append", default=None,
                   help="figure format png, pdf or svg; repeatable or comma-separated "
                        "(default: png,pdf)")
    p.add_argument("--variant", default=None,
                   help="a named model variant instead of Eq. (1), e.g. tavis-cummings")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_engine_options(p)

    p = sub.add_parser("figures", help="only the figures of `reproduce` (Figures 2-6), no data, "
                       "claims or report")
    p.add_argument("--out", default="figures", help="output folder (created; default: figures)")
    p.add_argument("--points", type=int, default=501, help="times in [0, 10] (default 501)")
    p.add_argument("--parametric-points", type=int, default=261,
                   help="times in [0, 1.3] for Figures 5-6 (default 261)")
    p.add_argument("--method", choices=tuple(METHODS), default=DEFAULT_METHOD,
                   help=METHOD_HELP)
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png")
    p.add_argument("--csv", action="store_true", help="also write every trajectory as CSV")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
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
    p.add_argument("--method", choices=tuple(METHODS), default=SWEEP_METHOD,
                   help=f"engine (default {SWEEP_METHOD}: the fastest per point)")
    _add_engine_options(p)
    p.add_argument("--jobs", type=int, default=None,
                   help="local worker processes (default: one per core)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a dask.distributed cluster, e.g. tcp://10.0.0.5:8786 "
                        "(extra 'distributed')")
    p.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="append finished points to PATH; rerunning the same command resumes")
    p.add_argument("--out", default=None,
                   help="output CSV (default or '-': standard output): one column per varied "
                        "parameter, then one per metric, one row per grid point")
    p.add_argument("--plot", default=None, metavar="PNG",
                   help="a heat map per metric (two varied parameters) or a line plot (one); "
                        ".png, .pdf or .svg")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
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
    from .figures import figure_bytes
    from .sweep import check_grid, check_plottable, check_size, format_seconds, sweep

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
        check_size(sizes, f" (about {format_seconds(seconds)} at the first point's speed)")
    axes = {name: make() for _, name, _, _, make in specs}
    labels = {name: label for label, name, _, _, _ in specs}
    if args.plot is not None:
        check_plottable(list(axes))
    _, metrics = check_grid(base, axes, args.metric or ["max_energy"])
    executor = client = None
    with OutputFile("-" if args.out is None else args.out) as out, \
            (OutputFile(args.plot) if args.plot else contextlib.nullcontext()) as plot_out:
        if args.scheduler is not None:
            client = _dask_client(args.scheduler)
            executor = client.get_executor()
        try:
            result = sweep(base, axes, metrics, times, method=args.method, executor=executor,
                           jobs=jobs, checkpoint=args.checkpoint,
                           progress=not args.no_progress,
                           log=lambda msg: print(f"qbcircuit: {msg}", file=sys.stderr),
                           **options)
        finally:
            if client is not None:
                client.close()
        out.write_text(result.to_csv_text(labels))
        if plot_out is not None:
            fmt = Path(args.plot).suffix.lstrip(".").lower() or "png"
            fmt = fmt if fmt in ("png", "pdf", "svg") else "png"
            plot_out.write_bytes(figure_bytes(result.plot(), fmt))
    return 0


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError("--scheduler needs dask.distributed: pip install "
                             "'qbcircuit[distributed]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise ParameterError(f"cannot reach the dask scheduler at {address}: {err}") from None


def _times(args) -> np.ndarray:
    """``--points`` times from 0 to ``--t-max`` inclusive, checked."""
    if not np.isfinite(args.t_max) or args.t_max <= 0:
        raise ParameterError(f"t-max must be a finite number > 0, got {args.t_max!r}")
    if not 2 <= args.points <= MAX_POINTS:
        raise ParameterError(f"points must be in [2, {MAX_POINTS}], got {args.points}")
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
        traj = simulate(params, times, method=args.method, **_engine_options(args))
        out.write_text(traj.to_csv_text())
    return 0


def _run_circuit_stats(args) -> int:
    from .hardware import circuit_stats, format_stats

    if args.fock is None:
        raise ParameterError("circuit-stats needs --fock (the number of cavity Fock levels)")
    encodings = None if args.encoding is None else [args.encoding]
    args.encoding = args.encoding or "binary"  # the parameters' encoding is replaced per row
    rows = circuit_stats(args.fock, encodings, params=_params(args), order=args.order)
    print(format_stats(rows))
    if encodings is None and len(rows) < len(ENCODINGS):
        print(f"(unary omitted: it allows at most {MAX_FOCK['unary']} levels)", file=sys.stderr)
    return 0


def _run_reproduce(args) -> int:
    from .reproduce import DEFAULT_FORMATS, reproduce

    result = reproduce(args.out, method=args.method, points=args.points,
                       parametric_points=args.parametric_points, omega_q=args.omega_q,
                       formats=args.format or DEFAULT_FORMATS, variant=args.variant,
                       progress=False if args.no_progress else None, **_engine_options(args))
    print(result.summary)
    return 0


def _run_figures(args) -> int:
    from .figures import compute_suite, paper_figures, save_figures, save_suite_csv

    for name in ("points", "parametric_points"):
        value = getattr(args, name)
        if value < 2:
            raise ParameterError(f"{name.replace('_', '-')} must be >= 2, got {value}")
    options = _engine_options(args)
    resolve(args.method, options)  # refuse foreign or out-of-range options now
    check_folder(args.out)  # fail before the work; the folder is made when there is a result
    suite = compute_suite(args.points, args.parametric_points, method=args.method,
                          progress=not args.no_progress, **options)
    folder = make_folder(args.out)
    paths = save_figures(paper_figures(suite), folder, fmt=args.format)
    if args.csv:
        paths += save_suite_csv(suite, folder)
    for path in paths:
        print(path)
    return 0


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
    from .figures import figure_bytes

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
            import matplotlib.pyplot as plt

            runs = [result]
            if args.backend != "ideal":
                runs.insert(0, devices.run(params, times, "ideal", **kwargs))
            fine = simulate(params, np.linspace(0.0, float(times[-1]), 201), method="exact")
            fig = devices.plot(runs, fine)
            png.write_bytes(figure_bytes(fig, "png"))
            plt.close(fig)
    return 0


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that workers and temporary files are cleaned up."""


def _on_sigterm(signum, frame):
    raise _Terminated


def main(argv=None) -> int:
    """Entry point of the ``qbcircuit`` command; returns the exit status.

    0 on success; 2 with one line on stderr for bad input or a failed write; 130 on Ctrl-C and
    143 on SIGTERM, with one line, no partial output and no worker processes left.
    """
    parser = build_parser()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        args = parser.parse_args(argv)
        run = {
            "simulate": _run_simulate,
            "circuit-stats": _run_circuit_stats,
            "figures": _run_figures,
            "reproduce": _run_reproduce,
            "sweep": _run_sweep,
            "device": _run_device,
        }[args.command]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QbcircuitWarning)
            status = run(args)
        # our warnings as one line each; third-party deprecation noise is dropped
        for message in dict.fromkeys(
            str(w.message) for w in caught if issubclass(w.category, QbcircuitWarning)
        ):
            print(f"qbcircuit: warning: {message}", file=sys.stderr)
        return status
    except (_UsageError, ParameterError) as err:
        print(f"qbcircuit: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qbcircuit: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print("qbcircuit: terminated", file=sys.stderr)
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    raise SystemExit(main())

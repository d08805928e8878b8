"""Command line: a thin argparse layer over the public API (no physics here).

Bad input prints one line on stderr and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ._checks import ParameterError
from ._io import atomic_write_text, check_writable
from .engines import METHODS
from .params import ENCODINGS, MAX_FOCK, BatteryParams
from .simulate import DEFAULT_METHOD, simulate


class _UsageError(Exception):
    pass


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


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--alpha", type=_complex, default=1.0,
                   help="coherent amplitude, a Python complex literal: 2, 1.5j, 1+0.5j")
    p.add_argument("--delta", type=float, default=0.0, help="detuning omega_c - omega_q")
    p.add_argument("--g", type=float, default=1.0, help="cell-cell coupling")
    p.add_argument("--zeta", type=float, default=0.0, help="anisotropy in [-1, 1]")
    p.add_argument("--kappa", type=float, default=0.0, help="cavity loss rate >= 0")
    p.add_argument("--gamma", type=float, default=0.0, help="cell loss rate >= 0")
    p.add_argument("--omega-q", type=float, default=1.0, help="qubit frequency > 0")
    p.add_argument("--lam", type=float, default=1.0, help="charger-cell coupling >= 0")
    p.add_argument("--fock", type=_fock, default=None,
                   help="cavity Fock levels (default: automatic)")
    p.add_argument("--encoding", choices=ENCODINGS, default="binary")


def _params(args) -> BatteryParams:
    return BatteryParams(
        alpha=args.alpha, delta=args.delta, g=args.g, zeta=args.zeta, kappa=args.kappa,
        gamma=args.gamma, omega_q=args.omega_q, lam=args.lam, fock=args.fock,
        encoding=args.encoding,
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``qbcircuit`` argument parser."""
    parser = _Parser(prog="qbcircuit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("simulate", help="one trajectory as CSV: t,energy,fluctuation,concurrence")
    _add_model_options(p)
    p.add_argument("--t-max", type=float, default=10.0, help="last time (default 10)")
    p.add_argument("--points", type=int, default=501,
                   help="number of times from 0 to t-max inclusive (default 501)")
    p.add_argument("--method", choices=tuple(METHODS), default=DEFAULT_METHOD)
    p.add_argument("--out", default=None, help="output CSV path (default: stdout)")
    # Engine options: passed to simulate() only when given; each engine refuses foreign ones.
    p.add_argument("--atol", type=float, default=None, help="dynamics: absolute tolerance")
    p.add_argument("--rtol", type=float, default=None, help="dynamics: relative tolerance")
    p.add_argument("--dt", type=float, default=None, help="trotter: time step")
    p.add_argument("--order", type=int, default=None, help="trotter: product-formula order (1, 2)")

    p = sub.add_parser("circuit-stats",
                       help="hardware cost of one Trotter step per encoding (a table)")
    _add_model_options(p)
    p.set_defaults(alpha=0.0)  # the step does not depend on alpha; 0 fits any --fock
    p.add_argument("--order", type=int, default=2, help="product-formula order (1, 2)")
    return parser


ENGINE_OPTIONS = ("atol", "rtol", "dt", "order")


def _run_simulate(args) -> int:
    params = _params(args)
    if not np.isfinite(args.t_max) or args.t_max <= 0:
        raise ParameterError(f"t-max must be a finite number > 0, got {args.t_max!r}")
    if args.points < 2:
        raise ParameterError(f"points must be >= 2, got {args.points}")
    if args.out is not None:
        check_writable(args.out)  # fail before the work, not after
    times = np.linspace(0.0, args.t_max, args.points)
    options = {k: getattr(args, k) for k in ENGINE_OPTIONS if getattr(args, k) is not None}
    traj = simulate(params, times, method=args.method, **options)
    if args.out is None:
        sys.stdout.write(traj.to_csv_text())
    else:
        atomic_write_text(args.out, traj.to_csv_text())
    return 0


def _run_circuit_stats(args) -> int:
    from .circuits import circuit_stats, format_stats

    if args.fock is None:
        raise ParameterError("circuit-stats needs --fock (the number of cavity Fock levels)")
    rows = circuit_stats(args.fock, params=_params(args), order=args.order)
    print(format_stats(rows))
    if len(rows) < len(ENCODINGS):
        print(f"(unary omitted: it allows at most {MAX_FOCK['unary']} levels)", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    """Entry point of the ``qbcircuit`` command; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return {"simulate": _run_simulate, "circuit-stats": _run_circuit_stats}[args.command](args)
    except (_UsageError, ParameterError) as err:
        print(f"qbcircuit: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

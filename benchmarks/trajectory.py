"""Benchmark: one open trajectory at a time, as a notebook user runs it, against QuTiP.

Issue 21's three cases (201 points on [0, 10], the automatic truncation; QuTiP gets the
truncation our ``exact`` engine used): each runs through the public API, ``simulate(params,
times)`` (the default engine, ``dynamics``) and ``simulate(params, times, method="exact")``, and
through QuTiP ``mesolve`` at its default tolerances and at our dynamics engine's (matched), with
the three observables computed from QuTiP's states (``tests/qutip_reference.py``, the independent
build). All in one process, BLAS pinned to one thread, the methods alternating over ``--reps``
repetitions after a warm-up call; fastest and median wall time reported, with the load average
(the machine may be shared) and the peak traced memory of one extra call per method
(``tracemalloc``: Python and NumPy allocations).

    python benchmarks/trajectory.py [--reps 7] [--out report.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))

import qutip as qt  # noqa: E402
from paper_suite import MATCHED, NSTEPS, load_average, machine, thread_line  # noqa: E402
from qutip_reference import qutip_model, qutip_observables  # noqa: E402 (tests/, via paper_suite)

from qbcircuit import BatteryParams, simulate  # noqa: E402
from qbcircuit._io import atomic_write_text  # noqa: E402

#: Issue 21's cases: label -> parameters.
CASES = {
    "Fig. 2(d), zeta = 1 (alpha 1, kappa 0.6, gamma 0.4)":
        dict(alpha=1.0, zeta=1.0, kappa=0.6, gamma=0.4),
    "alpha 2, zeta 1, gamma 0.05": dict(alpha=2.0, zeta=1.0, gamma=0.05),
    "alpha 2, Delta 0.5, zeta 0, kappa = gamma = 0.1":
        dict(alpha=2.0, delta=0.5, zeta=0.0, kappa=0.1, gamma=0.1),
}
POINTS = 201
T_MAX = 10.0
OBSERVABLES = ("energy", "fluctuation", "concurrence")
EXACT, DYN, QT_DEF, QT_MATCH = "exact", "dynamics", "qutip (defaults)", "qutip (matched tol.)"


def runners(params: BatteryParams, times, levels: int) -> dict:
    """Method name -> a call returning (energy, fluctuation, concurrence)."""

    def ours(method):
        def run():
            tr = simulate(params, times, method=method)
            return tr.energy, tr.fluctuation, tr.concurrence
        return run

    def qutip(options):
        def run():
            H, c_ops, psi0, sz2 = qutip_model(params, levels=levels)
            kwargs = {} if options is None else {"options": {**options, "nsteps": NSTEPS}}
            res = qt.mesolve(H, psi0, times, c_ops, **kwargs)
            return qutip_observables(res.states, sz2, qt.expect(sz2, psi0))
        return run

    return {EXACT: ours("exact"), DYN: ours("dynamics"), QT_DEF: qutip(None),
            QT_MATCH: qutip(MATCHED)}


def traced_peak(run) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(params: BatteryParams, reps: int) -> dict:
    times = np.linspace(0.0, T_MAX, POINTS)
    reference = simulate(params, times, method="exact")
    run = runners(params, times, reference.levels)
    names = list(run)
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    results = {n: run[n]() for n in names}  # warm-up
    for rep in range(reps):
        for name in names[rep % len(names):] + names[: rep % len(names)]:
            t0, c0 = time.perf_counter(), time.process_time()
            results[name] = run[name]()
            walls[name].append(time.perf_counter() - t0)
            cpus[name].append(time.process_time() - c0)
    dev = {n: max(float(np.max(np.abs(np.asarray(results[n][k]) -
                                      getattr(reference, OBSERVABLES[k])))) for k in range(3))
           for n in names}
    peak = {n: traced_peak(run[n]) for n in names}
    return {"levels": reference.levels, "walls": walls, "cpus": cpus, "dev": dev, "peak": peak}


def table(rows: dict) -> list[str]:
    head = ("| case | levels | exact (s) | dynamics (s) | QuTiP defaults (s) | QuTiP matched (s) "
            "| dynamics / QuTiP defaults | dynamics / QuTiP matched "
            "| CPU time, dynamics / QuTiP defaults (s) | max dev. dynamics "
            "| max dev. QuTiP defaults | peak traced MiB (dynamics, QuTiP defaults) |")
    out = [head, "|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|"]
    for case, r in rows.items():
        w = r["walls"]
        fast = {n: min(v) for n, v in w.items()}
        med = {n: statistics.median(v) for n, v in w.items()}
        cpu = {n: min(v) for n, v in r["cpus"].items()}

        def cell(n, fast=fast, med=med):
            return f"{fast[n]:.3f} / {med[n]:.3f}"

        out.append(
            f"| {case} | {r['levels']} | {cell(EXACT)} | {cell(DYN)} | {cell(QT_DEF)} "
            f"| {cell(QT_MATCH)} | {fast[DYN] / fast[QT_DEF]:.2f}x / {med[DYN] / med[QT_DEF]:.2f}x "
            f"| {fast[DYN] / fast[QT_MATCH]:.2f}x / {med[DYN] / med[QT_MATCH]:.2f}x "
            f"| {cpu[DYN]:.3f} / {cpu[QT_DEF]:.3f} = {cpu[DYN] / cpu[QT_DEF]:.2f}x "
            f"| {r['dev'][DYN]:.1e} | {r['dev'][QT_DEF]:.1e} "
            f"| {r['peak'][DYN]:.0f}, {r['peak'][QT_DEF]:.0f} |"
        )
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7, help="timed repetitions per method")
    ap.add_argument("--out", type=Path, help="also write the markdown report here")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    rows = {}
    lines = [f"Machine: {machine()}", ""]
    with threadpool_limits(1):
        lines += [thread_line(), ""]
        start = load_average()
        for case, kw in CASES.items():
            rows[case] = measure(BatteryParams(**kw), args.reps)
            print(f"{case}: done (load {load_average()})", file=sys.stderr)
    lines += [
        f"One trajectory per call, {POINTS} points on [0, {T_MAX:g}], fastest / median of "
        f"{args.reps} alternating calls after a warm-up (CPU time: the fastest call's process "
        "time, which a shared machine inflates less); QuTiP mesolve at its defaults (no "
        f"atol/rtol passed) and at our dynamics tolerances (atol {MATCHED['atol']:g}, rtol "
        f"{MATCHED['rtol']:g}), on the truncation of our exact engine. Max dev.: largest "
        "|value - exact| over energy, fluctuation, concurrence and the times.",
        "",
        f"Load average (1/5/15 min) at the start: {start}, at the end: {load_average()}.",
        "",
        *table(rows),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        atomic_write_text(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

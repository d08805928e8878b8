"""Benchmark: issue 17's many-cell targets, our ``exact`` engine and QuTiP side by side.

Cases (alpha = 1.5, zeta = 0.5, g = 1, 201 points on lambda*t in [0, 10]):

* ``closed N=6``: a closed 6-cell chain (target: ``exact`` at most 0.5x QuTiP ``mesolve`` on
  the ket at its default tolerances);
* ``open N=4``: a 4-cell chain with kappa = 0.3, gamma = 0.1 (target: at most 0.2x);
* moonshots ``closed N=8`` (under 2 s) and ``open N=5`` (under 10 s), ours only by default
  (``--qutip-moonshots`` adds QuTiP: minutes for the open one).

QuTiP gets the model of :func:`qbcircuit.interop.qutip_model` with the truncation ``exact``
used, its operators converted to CSR (``Qobj.to("csr")``: ``mesolve`` then stays sparse), and
runs at its defaults (nothing passed) and at tight tolerances (atol 1e-12, rtol 1e-10, the
closest to an exact reference an ODE solver gets; ``nsteps`` raised; timed once, after the
alternating repetitions: minutes on the open chain). QuTiP's column is
``mesolve`` alone (states at every time); ours is the whole ``simulate`` call (states *and*
energy, fluctuation, concurrence, cell energies, diagnostics), so the ratio is conservative.
"max dev. energy" is each QuTiP run's largest deviation from ``exact`` in the last cell's
energy.

Timing: one process, BLAS pinned to one thread (threadpoolctl), a warm-up call of every
method, then ``--reps`` repetitions in alternating order, the minimum reported (the least
disturbed by other load on a shared machine), with the CPU time of that repetition; the load
average before and after. Memory: the resident-set high-water mark of a fresh process per
(case, method) that imports everything and runs once (libraries included; in brackets the
growth over the mark before the run).

``--calibrate`` times the two closed paths of ``exact`` (dense eigendecomposition and the
Chebyshev ket propagation) on chains of N = 2 .. 7 cells, forced one way and the other, beside
the cost model that picks between them (``qbcircuit.engines.exact._closed_costs``).

    python benchmarks/many_cells.py [--reps 3] [--out report.md] [--calibrate]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import qutip as qt
from threadpoolctl import threadpool_limits

from qbcircuit import BatteryModel, BatteryParams, simulate
from qbcircuit._io import atomic_write_text
from qbcircuit._machine import blas_threads, machine_line, peak_rss_mib
from qbcircuit.engines import exact as exact_engine
from qbcircuit.interop import qutip_model

SCRIPT = Path(__file__).resolve()
TIMES = np.linspace(0.0, 10.0, 201)
BASE = dict(alpha=1.5, zeta=0.5, g=1.0)
#: name -> (parameters, target on exact's time: ("ratio", r) to QuTiP defaults or
#: ("seconds", s) absolute, QuTiP run by default)
CASES = {
    "closed N=6": (dict(cells=6), ("ratio", 0.5), True),
    "open N=4": (dict(cells=4, kappa=0.3, gamma=0.1), ("ratio", 0.2), True),
    "closed N=8": (dict(cells=8), ("seconds", 2.0), False),
    "open N=5": (dict(cells=5, kappa=0.3, gamma=0.1), ("seconds", 10.0), False),
}
#: "Matched" QuTiP tolerances: as tight as an ODE solver sensibly goes (exact is ~1e-14).
TIGHT = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**7}
#: Peak memory target of issue 17.
MEMORY_TARGET_MIB = 4 * 1024
EXACT, QT_DEF, QT_TIGHT = "exact", "qutip (defaults)", "qutip (atol 1e-12, rtol 1e-10)"


def params_of(case: str) -> BatteryParams:
    return BatteryParams(**BASE, **CASES[case][0])


def run_exact(p: BatteryParams):
    return simulate(p, TIMES, method="exact")


def qutip_problem(p: BatteryParams, levels: int):
    """QuTiP's H, c_ops, initial state (CSR data) and the last cell's excited projector."""
    H, c_ops, psi0 = qutip_model(p, levels=levels)
    H = H.to("csr")
    c_ops = [c.to("csr") for c in c_ops]
    factors = [qt.qeye(levels)] + [qt.qeye(2)] * p.cells
    factors[-1] = qt.num(2)  # destroy(2) convention: basis(2, 1) = |e>
    return H, c_ops, psi0, qt.tensor(factors).to("csr")


def run_qutip(problem, options):
    H, c_ops, psi0, _ = problem
    if options is None:
        return qt.mesolve(H, psi0, TIMES, c_ops)
    return qt.mesolve(H, psi0, TIMES, c_ops, options=options)


def qutip_energy(result, excited) -> np.ndarray:
    return np.real(np.array([qt.expect(excited, s) for s in result.states]))


def timed(fn):
    """(wall, CPU) seconds of one call, and its result."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return (time.perf_counter() - t0, time.process_time() - c0), out


def best_of(fns: dict, reps: int) -> tuple[dict, dict]:
    """Min wall time (and that run's CPU time) per method, alternating the order; last results."""
    results = {n: fn() for n, fn in fns.items()}  # warm-up
    names = list(fns)
    times = {n: [] for n in names}
    for r in range(reps):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            t, results[n] = timed(fns[n])
            times[n].append(t)
    return {n: min(ts) for n, ts in times.items()}, results


# ----------------------------------------------------------------------------- memory
def rss_child(case: str, method: str) -> None:
    """In a fresh process: the resident-set high-water mark before and after one run.

    Before: the imports and the model build (QuTiP's operators); after: the whole process,
    libraries included (what the machine must hold). Linux only (VmHWM).
    """
    warnings.filterwarnings("ignore")
    p = params_of(case)
    with threadpool_limits(1):
        problem = None
        if method != EXACT:
            problem = qutip_problem(p, BatteryModel(p).levels)
        before = peak_rss_mib()
        if method == EXACT:
            run_exact(p)
        else:
            run_qutip(problem, None)
        peak = peak_rss_mib()
    print(json.dumps({"before": before, "peak": peak}))


def rss_peak(case: str, method: str) -> dict | None:
    cmd = [sys.executable, str(SCRIPT), "--rss-child", case, method]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"RSS run of {case} / {method} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report
def load_average() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def benchmark(cases, reps: int, rss: bool, qutip_moonshots: bool, tight: bool) -> str:
    warnings.filterwarnings("ignore")
    lines = [f"Machine: {machine_line()}", ""]
    rows = []
    load_start = load_average()
    with threadpool_limits(1):
        lines += [f"Threads (threadpoolctl, inside the timed region): {blas_threads()}.", ""]
        for case in cases:
            p = params_of(case)
            _, (kind, target), with_qutip = CASES[case]
            ref = run_exact(p)
            levels = int(ref.levels)
            fns = {EXACT: lambda p=p: run_exact(p)}
            problem = None
            if with_qutip or qutip_moonshots:
                problem = qutip_problem(p, levels)
                fns[QT_DEF] = lambda pr=problem: run_qutip(pr, None)
            print(f"{case}: {levels} levels, D = {levels << p.cells}, timing {list(fns)}",
                  file=sys.stderr, flush=True)
            best, results = best_of(fns, reps)
            if problem is not None and tight:  # slow on open systems: one timed call
                best[QT_TIGHT], results[QT_TIGHT] = timed(lambda pr=problem: run_qutip(pr, TIGHT))
            devs = {EXACT: 0.0}
            for name in (QT_DEF, QT_TIGHT):
                if name in results:
                    e = qutip_energy(results[name], problem[3])
                    devs[name] = float(np.max(np.abs(e - ref.energy)))
            mem = {}
            if rss:
                mem[EXACT] = rss_peak(case, EXACT)
                if with_qutip:
                    mem[QT_DEF] = rss_peak(case, QT_DEF)
            qt_wall, qt_cpu = best[QT_DEF] if QT_DEF in best else (None, None)
            for name, (wall, cpu) in best.items():
                ratio = (f"{wall / qt_wall:.3f}x / {cpu / qt_cpu:.3f}x" if qt_wall else "-")
                m = mem.get(name)
                mem_s = (f"{m['peak']:.0f} (+{m['peak'] - m['before']:.0f})"
                         if m and m["peak"] is not None else "-")
                if name == EXACT:
                    if kind == "ratio":
                        met = qt_wall is not None and wall <= target * qt_wall
                        met_cpu = qt_cpu is not None and cpu <= target * qt_cpu
                        verdict = (f"<= {target}x QuTiP: {'met' if met else 'MISSED'} (wall), "
                                   f"{'met' if met_cpu else 'MISSED'} (CPU)")
                    else:
                        met = wall < target
                        verdict = f"< {target:g} s: {'met' if met else 'MISSED'}"
                    if m and m["peak"] is not None:
                        verdict += (f"; memory < 4 GiB: "
                                    f"{'met' if m['peak'] < MEMORY_TARGET_MIB else 'MISSED'}")
                else:
                    verdict = ""
                rows.append(f"| {case} | {levels} / {levels << p.cells} | {name} | {wall:.3f} | "
                            f"{cpu:.3f} | {ratio} | {devs.get(name, 0.0):.1e} | {mem_s} | "
                            f"{verdict} |")
    lines += [f"Load average (1/5/15 min) at the start: {load_start}, after the timed runs: "
              f"{load_average()} (2 cores; compare wall with CPU time).", ""]
    lines += [f"201 points on lambda*t in [0, 10], alpha = 1.5, zeta = 0.5, g = 1; min of {reps} "
              "alternating repetitions after a warm-up call (QuTiP at tight tolerances: one call).",
              ""]
    lines += ["| case | levels / dim | method | wall (s) | CPU (s) | ratio to QuTiP defaults "
              "(wall / CPU) | max dev. energy | peak RSS, fresh process (MiB) | target |",
              "|---|---|---|---|---|---|---|---|---|", *rows]
    return "\n".join(lines) + "\n"


def calibrate(reps: int) -> str:
    """The two closed paths of exact, forced, beside the cost model's estimates."""
    warnings.filterwarnings("ignore")
    out = ["| N | dim | blocks (largest) | eigh (ms) | model (ms) | Chebyshev (ms) | model (ms) "
           "| chosen | max ket dev. |", "|---|---|---|---|---|---|---|---|---|"]
    orig = exact_engine._closed_costs
    with threadpool_limits(1):
        for N in range(2, 8):
            model = BatteryModel(BatteryParams(**BASE, cells=N))
            H, _ = exact_engine.chop(model.hamiltonian_matrix)
            nblocks, block = exact_engine.hamiltonian_blocks(H)
            est = orig(H, block, model.initial_ensemble[1], TIMES)
            res = {}
            for name, costs in (("eigh", (0.0, 1.0)), ("cheb", (1.0, 0.0))):
                exact_engine._closed_costs = lambda *a, c=costs: c
                try:
                    best, states = best_of({name: lambda m=model: exact_engine.evolve(m, TIMES)},
                                           reps)
                    res[name] = (best[name][0], states[name].kets)
                finally:
                    exact_engine._closed_costs = orig
            dev = float(np.max(np.abs(res["eigh"][1] - res["cheb"][1])))
            chosen = "Chebyshev" if est[1] < est[0] else "eigh"
            out.append(f"| {N} | {H.shape[0]} | {nblocks} ({np.bincount(block).max()}) | "
                       f"{res['eigh'][0] * 1e3:.1f} | {est[0] * 1e3:.1f} | "
                       f"{res['cheb'][0] * 1e3:.1f} | {est[1] * 1e3:.1f} | {chosen} | "
                       f"{dev:.1e} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated subset of: " + ", ".join(CASES))
    ap.add_argument("--no-rss", action="store_true", help="skip the fresh-process memory runs")
    ap.add_argument("--no-tight", action="store_true", help="skip QuTiP at tight tolerances")
    ap.add_argument("--qutip-moonshots", action="store_true",
                    help="run QuTiP on the moonshot cases too (minutes for open N=5)")
    ap.add_argument("--calibrate", action="store_true",
                    help="also time exact's two closed paths on N = 2 .. 7 cells")
    ap.add_argument("--out", type=Path, help="write the markdown report here (atomically)")
    ap.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.rss_child:
        rss_child(*args.rss_child)
        return 0
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        ap.error(f"--cases: unknown {sorted(unknown)}; choose from {list(CASES)}")
    report = ""
    if cases:
        report = benchmark(cases, args.reps, not args.no_rss, args.qutip_moonshots,
                           not args.no_tight)
        print(report, flush=True)
    if args.calibrate:
        table = calibrate(args.reps)
        print(table)
        report += ("\nClosed paths of `exact` (chains, 201 points on [0, 10]), forced; the "
                   "model's estimates beside (min of reps):\n\n" + table)
    if args.out:
        atomic_write_text(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

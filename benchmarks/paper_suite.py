"""Benchmark: the 16-trajectory paper suite with each of our methods and with QuTiP, side by side.

Every method does the same work: lambda*t in [0, 10] at 501 points, energy, fluctuation and
concurrence at every point, same truncation, same tolerances for the ODE solvers (those of our
dynamics engine). Methods run in one process, alternating, several repetitions; we report the median
wall time, peak traced memory (a separate run under tracemalloc), the ratio to QuTiP and the
largest deviation from the exact engine. A second table gives the cost of one short trajectory
(a first call's overhead; JAX with and without compilation).

    python benchmarks/paper_suite.py [--reps 5] [--points 501] [--out benchmarks/results.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

import qutip as qt  # noqa: E402
from qutip_reference import qutip_model, qutip_observables  # noqa: E402

import qbcircuit  # noqa: E402
from qbcircuit import BatteryParams, simulate, simulate_many  # noqa: E402
from qbcircuit._io import atomic_write_text  # noqa: E402
from qbcircuit.engines import dynamics  # noqa: E402
from qbcircuit.engines.dynamics import DEFAULT_ATOL, DEFAULT_RTOL  # noqa: E402
from qbcircuit.paper import paper_suite  # noqa: E402

# QuTiP runs at the tolerances of our dynamics engine.
ATOL, RTOL = DEFAULT_ATOL, DEFAULT_RTOL


def have_jax() -> bool:
    try:
        import jax  # noqa: F401
    except ImportError:
        return False
    return True


def run_qutip(suite, times):
    out = []
    for entry in suite:
        p = entry.params
        H, c_ops, psi0, sz2 = qutip_model(p.alpha, p.delta, p.g, p.zeta, p.kappa, p.gamma,
                                          p.omega_q, p.lam, p.levels)
        res = qt.mesolve(H, psi0, times, c_ops, options={"atol": ATOL, "rtol": RTOL,
                                                         "nsteps": 10**6})
        out.append(qutip_observables(res.states, sz2, qt.expect(sz2, psi0)))
    return out


def run_ours(method, **options):
    def run(suite, times):
        trs = simulate_many([e.params for e in suite], times, method=method, **options)
        return [(t.energy, t.fluctuation, t.concurrence) for t in trs]

    return run


def methods():
    m = {
        "exact": run_ours("exact"),
        "dynamics": run_ours("dynamics"),
        "qutip": run_qutip,
    }
    if have_jax():
        m["dynamics (jax, vmap)"] = run_ours("dynamics", array_library="jax")
    return m


def machine() -> str:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "qutip": qt.__version__, "qbcircuit": qbcircuit.__version__}
    for mod in ("scipy", "qiskit", "qiskit_dynamics", "jax"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            pass
    vs = ", ".join(f"{k} {v}" for k, v in versions.items())
    return (f"{datetime.date.today()}, {platform.system()} {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores; {vs}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--points", type=int, default=501)
    ap.add_argument("--out", default=None, help="also write the markdown report here")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    suite = paper_suite()
    times = np.linspace(0.0, 10.0, args.points)
    runners = methods()
    names = list(runners)
    # Warm-up (imports, JAX compilation), and the reference for the deviations.
    results = {name: runners[name](suite, times) for name in names}
    walls = {name: [] for name in names}
    for rep in range(args.reps):
        order = names[rep % len(names):] + names[: rep % len(names)]  # alternate the order
        for name in order:
            t0 = time.perf_counter()
            results[name] = runners[name](suite, times)
            walls[name].append(time.perf_counter() - t0)
        print(f"rep {rep + 1}/{args.reps}: " + ", ".join(f"{n} {walls[n][-1]:.2f} s"
                                                        for n in names), file=sys.stderr)
    peaks = {}
    for name in names:
        tracemalloc.start()
        runners[name](suite, times)
        peaks[name] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

    ref = results["exact"]
    med_q = statistics.median(walls["qutip"])
    lines = [
        f"Machine: {machine()}",
        "",
        f"Paper suite: {len(suite)} trajectories x {args.points} points, lambda*t in [0, 10]; "
        f"median of {args.reps} alternating runs; ODE tolerances atol = {ATOL:g}, "
        f"rtol = {RTOL:g} (dynamics and QuTiP).",
        "",
        "| method | median wall time (s) | ratio to QuTiP | peak traced memory (MiB) "
        "| max dev. energy | max dev. fluctuation | max dev. concurrence |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        dev = [max(float(np.max(np.abs(a[k] - b[k]))) for a, b in zip(results[name], ref,
                                                                     strict=True))
               for k in range(3)]
        med = statistics.median(walls[name])
        lines.append(f"| {name} | {med:.3f} | {med / med_q:.2f}x | {peaks[name]:.0f} | "
                     f"{dev[0]:.1e} | {dev[1]:.1e} | {dev[2]:.1e} |")

    # One short trajectory: the per-call overhead a first-time user sees.
    short_t = np.linspace(0.0, 1.0, 11)
    p = BatteryParams(alpha=1.0, zeta=0.5)
    lines += ["", "One short trajectory (alpha = 1, zeta = 0.5, 11 points in [0, 1]), "
              "median of 5 calls:", "", "| method | wall time (ms) |", "|---|---|"]
    short = {
        "exact": lambda: simulate(p, short_t, method="exact"),
        "dynamics": lambda: simulate(p, short_t, method="dynamics"),
        "qutip": lambda: run_qutip([type("E", (), {"params": p})()], short_t),
    }
    for name, fn in short.items():
        fn()
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        lines.append(f"| {name} | {1e3 * statistics.median(ts):.1f} |")
    if have_jax():
        dynamics._compiled_batch.cache_clear()
        t0 = time.perf_counter()
        simulate(p, short_t, method="dynamics", array_library="jax")
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        simulate(p, short_t, method="dynamics", array_library="jax")
        second = time.perf_counter() - t0
        lines.append(f"| dynamics (jax), first call incl. compilation | {1e3 * first:.0f} |")
        lines.append(f"| dynamics (jax), compiled | {1e3 * second:.1f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        atomic_write_text(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

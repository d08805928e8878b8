"""Benchmark: the 16-trajectory paper suite with each of our methods and with QuTiP, side by side.

Every method does the same work: lambda*t in [0, 10] at 501 points, energy, fluctuation and
concurrence at every point, the same truncation per trajectory, through the public API with each
method's own defaults. QuTiP ``mesolve`` (the independent build in ``tests/qutip_reference.py``)
runs twice: at QuTiP's default tolerances (what a user compares against) and at the tolerances
of our ``dynamics`` engine (matched). All methods run in one process, alternating the order,
several repetitions, with BLAS pinned to one thread (threadpoolctl) and XLA to one thread.

Reported: median wall time, ratios to both QuTiP runs, peak memory (tracemalloc in this process;
RSS high-water mark in a fresh subprocess per method), largest deviation from the ``exact``
engine per observable; the cost of one short trajectory (per-call overhead) and of one closed
trajectory at alpha = 2 with 201 points; a work-precision plot (wall time of the suite against
its largest error, over a range of ODE tolerances) saved as PNG.

    python benchmarks/paper_suite.py [--reps 5] [--out report.md] [--plot work_precision.png]
    python benchmarks/paper_suite.py --quick --no-jax      # a minute or two: smoke run
"""

from __future__ import annotations

import os

# XLA (JAX) runs its own thread pool, which threadpoolctl does not see: one thread, set before
# anything imports JAX (only effective when this file is run as a script).
os.environ.setdefault("XLA_FLAGS",
                      "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent.parent / "tests"))

import qutip as qt  # noqa: E402
from qutip_reference import qutip_model, qutip_observables  # noqa: E402

from qbcircuit import BatteryParams, simulate, simulate_many  # noqa: E402
from qbcircuit._io import OutputFile, atomic_write_text  # noqa: E402
from qbcircuit._machine import blas_threads, cpu_name, machine_line  # noqa: E402
from qbcircuit.engines import dynamics  # noqa: E402
from qbcircuit.engines.dynamics import DEFAULT_ATOL, DEFAULT_RTOL  # noqa: E402
from qbcircuit.paper import paper_suite  # noqa: E402

#: Tolerances of the "matched" QuTiP run: those of our dynamics engine.
MATCHED = {"atol": DEFAULT_ATOL, "rtol": DEFAULT_RTOL}
#: QuTiP's step limit; not a tolerance (its default, 2500, can stop tight solves).
NSTEPS = 10**6
#: The accuracy every default must reach (issue 9).
ACCURACY_TARGET = 1e-6

OBSERVABLES = ("energy", "fluctuation", "concurrence")
EXACT, DYN, JAX, QT_DEF, QT_MATCH = ("exact", "dynamics", "dynamics (jax, vmap)",
                                     "qutip (defaults)", "qutip (matched tol.)")

#: Settings of a full run and of ``--quick``; explicit options override either.
FULL = dict(points=501, reps=5, wp_rtols=(1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10,
                                          1e-11),
            short_calls=5, closed_calls=50, wp_reps=3)
QUICK = dict(points=51, reps=1, wp_rtols=(1e-4, 1e-7, 1e-10), short_calls=3, closed_calls=5,
             wp_reps=1)
#: Trotter steps of the optional work-precision series, as fractions of the output spacing (the
#: engine never steps over an output time, so a dt above the spacing is the spacing), and its
#: subset of the suite.
TROTTER_DT_FRACTIONS = (1.0, 0.5, 0.25)
TROTTER_SUBSET = ("a",)  # panel (a) at alpha = 0.5: the smallest registers
#: Closed trajectory of the per-point target: alpha = 2, 201 points in [0, 10].
CLOSED_PARAMS = dict(alpha=2.0)
CLOSED_POINTS = 201


def have_jax() -> bool:
    try:
        import jax  # noqa: F401
    except ImportError:
        return False
    return True


def levels_used(traj) -> int:
    """Fock levels a trajectory was computed with (the engine may enlarge the truncation)."""
    return int(traj.levels) if hasattr(traj, "levels") else int(traj.params.levels)


# ----------------------------------------------------------------------------- the runners
# A runner takes (suite, times, levels) and returns one (energy, fluctuation, concurrence,
# levels) tuple per trajectory; ``levels`` (one per trajectory) is only read by QuTiP.

def run_ours(method, **options):
    def run(suite, times, levels=None):
        trs = simulate_many([e.params for e in suite], times, method=method, **options)
        return [(t.energy, t.fluctuation, t.concurrence, levels_used(t)) for t in trs]

    return run


def run_qutip(options=None):
    """QuTiP mesolve; ``options`` None means QuTiP's default tolerances (nothing passed)."""
    opts = None if options is None else {**options, "nsteps": NSTEPS}

    def run(suite, times, levels):
        out = []
        for entry, d in zip(suite, levels, strict=True):
            p = entry.params
            H, c_ops, psi0, sz2 = qutip_model(p.alpha, p.delta, p.g, p.zeta, p.kappa, p.gamma,
                                              p.omega_q, p.lam, d)
            if opts is None:
                res = qt.mesolve(H, psi0, times, c_ops)
            else:
                res = qt.mesolve(H, psi0, times, c_ops, options=opts)
            out.append((*qutip_observables(res.states, sz2, qt.expect(sz2, psi0)), d))
        return out

    return run


def runners(with_jax: bool) -> dict:
    m = {EXACT: run_ours("exact"), DYN: run_ours("dynamics")}
    if with_jax:
        m[JAX] = run_ours("dynamics", array_library="jax")
    m[QT_DEF] = run_qutip(None)
    m[QT_MATCH] = run_qutip(MATCHED)
    return m


def deviations(result, reference) -> list[float]:
    """Largest |result - reference| per observable, over all trajectories and times."""
    return [max(float(np.max(np.abs(a[k] - b[k]))) for a, b in zip(result, reference,
                                                                   strict=True))
            for k in range(3)]


# ----------------------------------------------------------------------------- machine line

def machine() -> str:
    return machine_line(("numpy", "qutip", "qbcircuit", "scipy", "qiskit", "qiskit_dynamics",
                         "jax"))


def thread_line() -> str:
    """What threadpoolctl reports (call inside the limits): library, version, threads."""
    xla = os.environ.get("XLA_FLAGS", "")
    return (f"Threads (threadpoolctl, inside the timed region): {blas_threads()}"
            f". XLA_FLAGS = {xla!r}.")


# ----------------------------------------------------------------------------- memory

def tracemalloc_peak(run, suite, times, levels) -> float:
    tracemalloc.start()
    try:
        run(suite, times, levels)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _status_mib(field: str) -> float | None:
    """A field of /proc/self/status (VmRSS, VmHWM) in MiB; None where there is no /proc."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    return None


def rss_child(name: str, points: int, levels: list[int]) -> None:
    """In a fresh process: resident memory before, and its high-water mark during, one run.

    On Linux the high-water mark is reset after the imports (``/proc/self/clear_refs``), so
    the peak is that of the run itself (resident libraries included), not of the imports.
    """
    warnings.filterwarnings("ignore")
    suite = paper_suite()
    times = np.linspace(0.0, 10.0, points)
    run = runners(name == JAX)[name]
    if name == JAX:
        import jax  # noqa: F401  (imported before the baseline, like every other library)
    with threadpool_limits(1):
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            reset = True
        except OSError:
            reset = False
        before = _status_mib("VmRSS")
        run(suite, times, levels)
        peak = _status_mib("VmHWM")
    if before is None or peak is None:  # no /proc: ru_maxrss (KiB on Linux, bytes on macOS)
        scale = 2**10 if sys.platform != "darwin" else 1
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
        before, reset = None, False
    print(json.dumps({"before": before, "peak": peak, "reset": reset}))


def rss_peak(name: str, points: int, levels: list[int]) -> dict | None:
    cmd = [sys.executable, str(SCRIPT), "--rss-child", name, "--points", str(points),
           "--levels", ",".join(map(str, levels))]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"RSS run of {name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- timing helpers

def median_call(fn, calls: int) -> float:
    fn()  # warm-up
    ts = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def load_average() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# ----------------------------------------------------------------------------- work-precision

def work_precision(suite, times, levels, reference, rtols, wp_reps, trotter):
    """Series name -> list of (rtol or dt, wall time, max error over all observables)."""
    series = {"dynamics (atol = rtol/100)": [], "qutip mesolve (atol = rtol/100)": []}
    for rtol in rtols:
        tol = {"atol": rtol / 100, "rtol": rtol}
        for name, run in (("dynamics (atol = rtol/100)", run_ours("dynamics", **tol)),
                          ("qutip mesolve (atol = rtol/100)", run_qutip(tol))):
            walls = []
            with warnings.catch_warnings():  # loose tolerances may populate the top level
                warnings.simplefilter("ignore")
                for _ in range(wp_reps):
                    wall, res = timed(lambda run=run: run(suite, times, levels))
                    walls.append(wall)
            err = max(deviations(res, reference))
            series[name].append((rtol, statistics.median(walls), err))
            print(f"work-precision: {name}, rtol {rtol:g}: {series[name][-1][1]:.2f} s, "
                  f"error {err:.1e}", file=sys.stderr)
    if trotter:
        idx = [i for i, e in enumerate(suite) if e.panel in TROTTER_SUBSET
               and abs(e.params.alpha) <= 0.5]
        sub = [suite[i] for i in idx]
        ref = [reference[i] for i in idx]
        key = f"trotter, order 2 ({len(sub)} of {len(suite)} trajectories: panel (a), alpha = 0.5)"
        series[key] = []
        spacing = float(times[1] - times[0])
        for dt in (spacing * f for f in TROTTER_DT_FRACTIONS):
            wall, res = timed(lambda dt=dt: run_ours("trotter", dt=dt)(sub, times))
            err = max(deviations(res, ref))
            series[key].append((dt, wall, err))
            print(f"work-precision: trotter dt {dt:g}: {wall:.2f} s, error {err:.1e}",
                  file=sys.stderr)
    return series


def save_plot(path, series, exact_wall, defaults, title):
    """Log-log plot of wall time vs max error; written atomically (temp file + os.replace)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(8.5, 6.0), dpi=130)
    styles = {"dynamics": ("C0", "o"), "qutip": ("C1", "s"), "trotter": ("C2", "^")}
    for name, pts in series.items():
        color, marker = styles[name.split()[0].rstrip(",")]
        xs = [p[1] for p in pts]
        ys = [max(p[2], 1e-16) for p in pts]
        ax.plot(xs, ys, marker=marker, color=color, label=name, lw=1.5, ms=6)
        what = "dt" if name.startswith("trotter") else "rtol"
        for (par, x, y) in zip((p[0] for p in pts), xs, ys, strict=True):
            ax.annotate(f"{what} {par:.0e}" if what == "rtol" else f"dt {par:g}", (x, y),
                        textcoords="offset points", xytext=(6, 3), fontsize=7, color=color)
    for name, (wall, err) in defaults.items():
        color = styles[name.split()[0]][0]
        ax.plot([wall], [max(err, 1e-16)], marker="*", ms=16, color=color, mec="k", ls="none",
                label=f"{name} at its defaults", zorder=5)
    ax.axvline(exact_wall, color="k", ls="--", lw=1.2,
               label=f"exact engine (the reference): {exact_wall:.2f} s")
    ax.axhline(ACCURACY_TARGET, color="0.5", ls=":", lw=1.2,
               label=f"accuracy target {ACCURACY_TARGET:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    lo, hi = ax.get_xlim()
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    if hi / lo < 30:  # less than about a decade and a half: label the minor ticks too
        ax.xaxis.set_minor_formatter(plain)
        ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_xlabel("wall time of the suite (s), BLAS 1 thread")
    ax.set_ylabel("max |deviation from exact| (energy, fluctuation, concurrence)")
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)
    fig.tight_layout()
    try:
        with OutputFile(path) as out:  # atomic, with the usual file mode
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            out.write_bytes(buf.getvalue())
    finally:
        plt.close(fig)


# ----------------------------------------------------------------------------- main

def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 51 points, 1 repetition, 3 tolerances, few calls")
    ap.add_argument("--reps", type=int, default=None, help="timed repetitions (default 5)")
    ap.add_argument("--points", type=int, default=None, help="time points (default 501)")
    ap.add_argument("--no-jax", action="store_true", help="skip dynamics with JAX (slow)")
    ap.add_argument("--no-rss", action="store_true",
                    help="skip the RSS subprocess per method")
    ap.add_argument("--no-plot", action="store_true", help="skip the work-precision sweep")
    ap.add_argument("--wp-reps", type=int, default=None,
                    help="repetitions per work-precision point (median; default 3, quick 1)")
    ap.add_argument("--trotter", action="store_true",
                    help="add the trotter engine to the plot (a subset; dt = 1, 1/2, 1/4 of the "
                         "output spacing)")
    ap.add_argument("--out", default=None, help="also write the markdown report here")
    ap.add_argument("--plot", default=str(SCRIPT.parent / "work_precision.png"),
                    help="work-precision PNG (default benchmarks/work_precision.png)")
    ap.add_argument("--rss-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--levels", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    base = QUICK if args.quick else FULL
    for key in ("reps", "points", "wp_reps"):
        if getattr(args, key) is None:
            setattr(args, key, base[key])
    args.wp_rtols = base["wp_rtols"]
    args.short_calls = base["short_calls"]
    args.closed_calls = base["closed_calls"]
    return args


def main(argv=None) -> int:
    args = parse(argv)
    if args.rss_child:
        rss_child(args.rss_child, args.points, [int(x) for x in args.levels.split(",")])
        return 0
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with_jax = have_jax() and not args.no_jax
    suite = paper_suite()
    times = np.linspace(0.0, 10.0, args.points)
    runs = runners(with_jax)
    names = list(runs)

    load_start = load_average()
    with threadpool_limits(1):
        threads = thread_line()
        # Warm-up (imports, JAX compilation) and the reference. The exact engine runs first:
        # the levels it used per trajectory are the truncation QuTiP gets.
        results, notes = {}, []
        for name in names:
            levels = [r[3] for r in results[EXACT]] if name != EXACT else None
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                results[name] = runs[name](suite, times, levels)
            trunc = [w for w in caught if "Truncation" in type(w.message).__name__]
            if trunc:
                notes.append(f"{name}: {len(trunc)} truncation warning(s), e.g. "
                             f"{str(trunc[0].message)!r}")
        levels = [r[3] for r in results[EXACT]]
        for name in names:
            other = [r[3] for r in results[name]]
            if other != levels:
                notes.append(f"{name} used levels {other} (exact: {levels})")

        walls = {name: [] for name in names}
        cpus = {name: [] for name in names}
        for rep in range(args.reps):
            order = names[rep % len(names):] + names[: rep % len(names)]  # alternate the order
            for name in order:
                cpu0 = time.process_time()
                wall, results[name] = timed(lambda name=name: runs[name](suite, times, levels))
                cpus[name].append(time.process_time() - cpu0)
                walls[name].append(wall)
            print(f"rep {rep + 1}/{args.reps}: " + ", ".join(f"{n} {walls[n][-1]:.2f} s"
                                                            for n in names), file=sys.stderr)
        traced = {name: tracemalloc_peak(runs[name], suite, times, levels) for name in names}

    rss = {} if args.no_rss else {name: rss_peak(name, args.points, levels) for name in names}

    ref = results[EXACT]
    med = {name: statistics.median(walls[name]) for name in names}
    med_cpu = {name: statistics.median(cpus[name]) for name in names}
    load_end = load_average()
    dev = {name: deviations(results[name], ref) for name in names}
    quick_note = " **Quick run: settings reduced, numbers not representative.**" if args.quick \
        else ""
    lines = [
        f"Machine: {machine()}",
        "",
        threads,
        "",
        f"Load average (1/5/15 min) at the start: {load_start}, after the timed runs: "
        f"{load_end} (on a shared machine, compare wall with CPU time).",
        "",
        f"Paper suite: {len(suite)} trajectories x {args.points} points, lambda*t in [0, 10]; "
        f"median of {args.reps} alternating run(s) after a warm-up run; each method with its own "
        f"defaults; QuTiP at its defaults (no atol/rtol passed) and at the tolerances of our "
        f"dynamics engine (atol = {MATCHED['atol']:g}, rtol = {MATCHED['rtol']:g}).{quick_note}",
        "",
        "Truncation (Fock levels per trajectory, as the exact engine used them; QuTiP gets the "
        f"same): {', '.join(map(str, levels))}.",
        "",
        "| method | median wall time (s) | ratio to QuTiP defaults | ratio to QuTiP matched "
        "| median CPU time (s) | peak traced memory (MiB) | peak RSS, fresh process (MiB) "
        "| max dev. energy | max dev. fluctuation | max dev. concurrence |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        r = rss.get(name)
        if r is None:
            rss_txt = "-"
        elif r["before"] is None or not r["reset"]:
            rss_txt = f"{r['peak']:.0f} (incl. imports)"
        else:
            rss_txt = f"{r['peak']:.0f} (+{r['peak'] - r['before']:.0f})"
        lines.append(
            f"| {name} | {med[name]:.3f} | {med[name] / med[QT_DEF]:.3f}x "
            f"| {med[name] / med[QT_MATCH]:.3f}x | {med_cpu[name]:.3f} | {traced[name]:.0f} "
            f"| {rss_txt} | "
            + " | ".join(f"{d:.1e}" for d in dev[name]) + " |")
    lines += [
        "",
        "Peak traced memory: `tracemalloc`'s peak over one extra run in this process (Python "
        "and NumPy allocations; not XLA's buffers, not library-internal C allocations). Peak "
        "RSS, fresh process: a new process per method imports qbcircuit and QuTiP (and JAX for "
        "the JAX row), resets its resident-set high-water mark, runs the suite once (cold: "
        "first-call costs and JAX compilation included) and reads the mark (`VmHWM`); in "
        "brackets the growth over the resident set before the run. RSS is what the machine "
        "feels; it includes the imported libraries (a few hundred MiB of Qiskit, SciPy, QuTiP).",
    ]
    if notes:
        lines += ["", "Notes: " + "; ".join(notes) + "."]

    with threadpool_limits(1):
        per_call = per_call_tables(args, with_jax)
        lines += per_call["lines"]
        series = None
        if not args.no_plot:
            series = work_precision(suite, times, levels, ref, args.wp_rtols, args.wp_reps,
                                    args.trotter)
    if series is not None:
        defaults = {"dynamics": (med[DYN], max(dev[DYN])),
                    "qutip mesolve": (med[QT_DEF], max(dev[QT_DEF]))}
        title = (f"Paper suite, {len(suite)} trajectories x {args.points} points: "
                 f"wall time vs max error\n{cpu_name()}, {os.cpu_count()} cores, BLAS 1 "
                 f"thread, {datetime.date.today()}" + (" (quick run)" if args.quick else ""))
        save_plot(args.plot, series, med[EXACT], defaults, title)
        lines += ["", f"Work-precision (plot: `{args.plot}`): wall time of the suite (median of "
                  f"{args.wp_reps}) and max deviation from `exact` over all observables, "
                  "atol = rtol/100.", "",
                  "| series | rtol or dt | wall time (s) | max error |", "|---|---|---|---|"]
        for name, pts in series.items():
            for par, wall, err in pts:
                lines.append(f"| {name} | {par:g} | {wall:.3f} | {err:.1e} |")

    lines += targets(med, dev, per_call["closed_exact"], args.quick)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        atomic_write_text(args.out, report)
    return 0


def per_call_tables(args, with_jax) -> dict:
    """The per-call overhead of a short trajectory, and one closed trajectory of 201 points."""
    short_t = np.linspace(0.0, 1.0, 11)
    p = BatteryParams(alpha=1.0, zeta=0.5)
    one = [type("Entry", (), {"params": p})()]
    lines = ["", f"One short trajectory (alpha = 1, zeta = 0.5, 11 points in [0, 1]), median of "
             f"{args.short_calls} calls after one warm-up call:", "",
             "| method | wall time (ms) |", "|---|---|"]
    d = levels_used(simulate(p, short_t, method="exact"))
    short = {
        EXACT: lambda: simulate(p, short_t, method="exact"),
        DYN: lambda: simulate(p, short_t, method="dynamics"),
        QT_DEF: lambda: run_qutip(None)(one, short_t, [d]),
        QT_MATCH: lambda: run_qutip(MATCHED)(one, short_t, [d]),
    }
    for name, fn in short.items():
        lines.append(f"| {name} | {1e3 * median_call(fn, args.short_calls):.1f} |")
    if with_jax:
        if hasattr(dynamics, "_compiled_batch"):
            dynamics._compiled_batch.cache_clear()
        first, _ = timed(lambda: simulate(p, short_t, method="dynamics", array_library="jax"))
        second, _ = timed(lambda: simulate(p, short_t, method="dynamics", array_library="jax"))
        lines.append(f"| dynamics (jax), first call incl. compilation | {1e3 * first:.0f} |")
        lines.append(f"| dynamics (jax), compiled | {1e3 * second:.1f} |")

    closed_t = np.linspace(0.0, 10.0, CLOSED_POINTS)
    pc = BatteryParams(**CLOSED_PARAMS)
    dc = levels_used(simulate(pc, closed_t, method="exact"))
    entry = [type("Entry", (), {"params": pc})()]
    lines += ["", f"One closed trajectory (alpha = 2, zeta = 0, {CLOSED_POINTS} points in "
              f"[0, 10], {dc} Fock levels), median of {args.closed_calls} calls after one "
              "warm-up call (issue 9's target: at most 5 ms for `exact`):", "",
              "| method | wall time (ms) | per point (us) |", "|---|---|---|"]
    closed = {
        EXACT: lambda: simulate(pc, closed_t, method="exact"),
        DYN: lambda: simulate(pc, closed_t, method="dynamics"),
        QT_DEF: lambda: run_qutip(None)(entry, closed_t, [dc]),
        QT_MATCH: lambda: run_qutip(MATCHED)(entry, closed_t, [dc]),
    }
    closed_exact = None
    for name, fn in closed.items():
        wall = median_call(fn, args.closed_calls)
        if name == EXACT:
            closed_exact = wall
        lines.append(f"| {name} | {1e3 * wall:.2f} | {1e6 * wall / CLOSED_POINTS:.1f} |")
    return {"lines": lines, "closed_exact": closed_exact}


def targets(med, dev, closed_exact, quick) -> list[str]:
    """Issue 9's targets, read off this run."""
    def status(ok):
        return "**met**" if ok else "not met"

    q = med[QT_DEF]
    rows = [
        ("`exact` at most 0.1x QuTiP defaults on the suite (moonshot 0.03x)",
         f"{med[EXACT] / q:.3f}x", med[EXACT] / q <= 0.1),
        ("`dynamics` at most 1.0x QuTiP defaults (moonshot 0.5x)",
         f"{med[DYN] / q:.3f}x", med[DYN] / q <= 1.0),
        ("closed trajectory, alpha = 2, 201 points: `exact` at most 5 ms",
         f"{1e3 * closed_exact:.2f} ms", closed_exact <= 5e-3),
    ]
    for name in (DYN, JAX, QT_DEF):
        if name in dev:
            worst = max(dev[name])
            rows.append((f"`{name}` within {ACCURACY_TARGET:g} of `exact` (every observable)",
                         f"{worst:.1e}", worst <= ACCURACY_TARGET))
    rows[-1] = (rows[-1][0] + " (for comparison; not our target)", rows[-1][1], None)
    out = ["", "Targets of issue 9, read off this run" + (" (quick run)" if quick else "")
           + ":", "", "| target | measured | status |", "|---|---|---|"]
    out += [f"| {t} | {m} | {'-' if ok is None else status(ok)} |" for t, m, ok in rows]
    return out


if __name__ == "__main__":
    raise SystemExit(main())

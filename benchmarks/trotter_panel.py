"""Benchmark: the trotter engine on the paper's dissipative panel, with QuTiP in the same run.

The case is Fig. 2(d) (alpha = 1, kappa = 0.6, gamma = 0.4, zeta = 1, delta = 0, g = 1,
lambda*t in [0, 10], 201 points): ``simulate(..., method="trotter")`` at the default dt and at
dt = 0.01 (order 2), against QuTiP ``mesolve`` at its default tolerances (the independent build
in ``tests/qutip_reference.py``, with its observables: ``ptrace``, ``expect``, ``concurrence``).
Each method runs in a fresh subprocess (one warm-up call on a short grid, then ``--reps`` timed
calls; the median is reported) whose peak RSS (``getrusage`` high-water mark) is the peak
memory; QuTiP runs before and after the trotter runs (median over both). BLAS is pinned to
one thread (environment and threadpoolctl). Errors are the largest deviation of energy,
fluctuation and concurrence from the ``exact`` engine, for the open case and for its closed
counterpart (kappa = gamma = 0) at dt = 0.01, order 2.

    python benchmarks/trotter_panel.py [--reps 3] [--out report.md]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent

CASE = dict(alpha=1.0, kappa=0.6, gamma=0.4, zeta=1.0, delta=0.0, g=1.0)
CLOSED = dict(CASE, kappa=0.0, gamma=0.0)
TIMES = (0.0, 10.0, 201)
OBSERVABLES = ("energy", "fluctuation", "concurrence")
#: Targets of issue 8.
MEMORY_TARGET = 1 << 30
RATIO_TARGET, RATIO_MOONSHOT = 20.0, 5.0
ERROR_TARGET = 1e-4

# One run in a fresh process: argv = json {"method": ..., "params": ..., "dt": ..., "reps": ...}
_WORKER = r"""
import json, resource, statistics, sys, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
warnings.simplefilter("ignore")
spec = json.loads(sys.argv[1])
sys.path.insert(0, spec["tests"])
times = np.linspace(*spec["times"][:2], int(spec["times"][2]))
with threadpool_limits(1, user_api="blas"):
    if spec["method"] == "qutip":
        import qutip as qt
        from qutip_reference import qutip_model, qutip_observables
        from qbcircuit import BatteryParams
        p = spec["params"]
        levels = BatteryParams(**p).levels
        def call(ts):
            H, c_ops, psi0, sz2 = qutip_model(p["alpha"], p["delta"], p["g"], p["zeta"],
                                              p["kappa"], p["gamma"], 1.0, 1.0, levels)
            res = qt.mesolve(H, psi0, ts, c_ops)
            return qutip_observables(res.states, sz2, qt.expect(sz2, psi0)), levels
    else:
        from qbcircuit import BatteryParams, simulate
        params = BatteryParams(**spec["params"])
        def call(ts):
            tr = simulate(params, ts, method="trotter", dt=spec["dt"], order=2)
            return (tr.energy, tr.fluctuation, tr.concurrence), tr.levels
    call(times[:3])  # warm-up: imports, first transpile
    walls = []
    for _ in range(spec["reps"]):
        start = time.perf_counter()
        obs, levels = call(times)
        walls.append(time.perf_counter() - start)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"wall": statistics.median(walls), "walls": walls, "rss": rss,
                  "levels": levels, "obs": [np.asarray(o).tolist() for o in obs]}))
"""


def run_worker(method: str, params: dict, dt: float | None, reps: int) -> dict:
    spec = dict(method=method, params=params, dt=dt, reps=reps, times=TIMES,
                tests=str(ROOT / "tests"))
    out = subprocess.run([sys.executable, "-c", _WORKER, json.dumps(spec)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def max_error(obs, ref) -> float:
    return max(float(np.max(np.abs(np.asarray(o) - getattr(ref, k))))
               for o, k in zip(obs, OBSERVABLES, strict=True))


def machine() -> str:
    import qiskit
    import qiskit_aer
    import qutip

    from qbcircuit._machine import cpu_name

    cpu = cpu_name()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.date.today()}, {platform.system()} {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores (load average at start {load}); python "
            f"{platform.python_version()}, numpy {np.__version__}, qiskit {qiskit.__version__}, "
            f"qiskit-aer {qiskit_aer.__version__}, qutip {qutip.__version__}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3, help="timed calls per method (median)")
    ap.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = ap.parse_args(argv)

    warnings.simplefilter("ignore")
    from qbcircuit import BatteryParams, simulate
    from qbcircuit.engines.trotter import DEFAULT_DT

    header = machine()
    times = np.linspace(*TIMES[:2], TIMES[2])
    with threadpool_limits(1, user_api="blas"):
        ref_open = simulate(BatteryParams(**CASE), times, method="exact")
        ref_closed = simulate(BatteryParams(**CLOSED), times, method="exact")

    rows = []
    # QuTiP before and after the trotter runs (the load of a shared machine drifts): its wall
    # time is the median over both processes' calls, its RSS the larger of the two
    qutip = run_worker("qutip", CASE, None, args.reps)
    rows.append(("qutip mesolve (default tolerances)", qutip, max_error(qutip["obs"], ref_open)))
    for dt in (DEFAULT_DT, 0.01):
        r = run_worker("trotter", CASE, dt, args.reps)
        rows.append((f"trotter, order 2, dt = {dt:g}", r, max_error(r["obs"], ref_open)))
    closed = run_worker("trotter", CLOSED, 0.01, 1)
    closed_err = max_error(closed["obs"], ref_closed)
    again = run_worker("qutip", CASE, None, args.reps)
    qutip["walls"] = qutip["walls"] + again["walls"]
    qutip["wall"] = float(np.median(qutip["walls"]))
    qutip["rss"] = max(qutip["rss"], again["rss"])

    q = qutip["wall"]
    lines = [
        f"Machine: {header}",
        "",
        f"Fig. 2(d), zeta = 1: alpha = 1, kappa = 0.6, gamma = 0.4, delta = 0, g = 1, "
        f"lambda*t in [0, 10], {TIMES[2]} points; median of {args.reps} calls per method, "
        "each method in a fresh process (peak RSS = its high-water mark); BLAS on one thread.",
        "",
        "| method | levels | median wall time (s) | fastest (s) | ratio to QuTiP (median) | "
        "peak RSS (MiB) | max error vs exact |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r, err in rows:
        lines.append(f"| {name} | {r['levels']} | {r['wall']:.2f} | {min(r['walls']):.2f} | "
                     f"{r['wall'] / q:.1f}x | {r['rss'] / 2**20:.0f} | {err:.1e} |")
    lines.append(f"| trotter, order 2, dt = 0.01, closed (kappa = gamma = 0) | {closed['levels']}"
                 f" | {closed['wall']:.2f} | {min(closed['walls']):.2f} | "
                 f"{closed['wall'] / q:.1f}x | {closed['rss'] / 2**20:.0f} | {closed_err:.1e} |")
    trot = rows[1:]
    worst_ratio = max(r["wall"] / q for _, r, _ in trot)
    worst_rss = max(r["rss"] for _, r, _ in trot)
    err001 = max(rows[2][2], closed_err)
    lines += [
        "",
        "| target (issue 8) | measured | status |",
        "|---|---|---|",
        f"| peak memory at most 1 GiB | {worst_rss / 2**20:.0f} MiB | "
        f"{'met' if worst_rss <= MEMORY_TARGET else 'NOT met'} |",
        f"| wall time at most {RATIO_TARGET:g}x QuTiP (moonshot {RATIO_MOONSHOT:g}x) | "
        f"{worst_ratio:.1f}x | {'met' if worst_ratio <= RATIO_TARGET else 'NOT met'}"
        f"{' (moonshot met)' if worst_ratio <= RATIO_MOONSHOT else ''} |",
        f"| error at dt 0.01, order 2, closed and open, at most 1e-4 | {err001:.1e} | "
        f"{'met' if err001 <= ERROR_TARGET else 'NOT met'} |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out is not None:
        args.out.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

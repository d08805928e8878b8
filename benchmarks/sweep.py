"""Benchmark: parameter sweeps (issue 13 targets) on a process pool and a local dask cluster.

1. Closed 32 x 32 sweep over (g, Delta) at zeta = 1, alpha = 2, lambda*t in [0, 10] at 201
   points, max_energy, with jobs = 2 (this process and one worker; target: at most 20 s); the
   per-point cost against QuTiP ``mesolve`` at its default tolerances (``e_ops`` = sigma_z of
   the secondary cell only, its cheapest use) on a random sample of the same points, both on one
   core (target: at least 10x, moonshot 30x), and the largest difference of max_energy on the
   sample.
2. Open 16 x 16 sweep over (kappa, gamma) in [0, 1] at alpha = 1, g = 1, zeta = 1 (panel (d)
   of the paper), the same way: wall time with jobs = 2 and the per-point ratio to QuTiP.
3. The 32 x 32 sweep through a local dask cluster (a scheduler and 2 single-threaded worker
   processes on this machine, started here) against the process pool (target: within 1.5x).
4. The CLI, the whole command as a user runs it (issue 21: start-up, worker start and per-point
   bookkeeping count): ``qbcircuit sweep`` on the grids of 1. and 2. (default jobs: one process
   per core), each run a fresh subprocess timed from outside (``time.perf_counter`` around
   it, median of ``--cli-runs``), against QuTiP's per-point time measured in 1. and 2. in the
   same run: "whole command vs QuTiP throughput" = QuTiP's median per point x the points /
   the command's wall time (targets: closed >= 10x, moonshot 30x; open >= 5x). With
   ``--before DIR`` (a copy of another version's ``qbcircuit`` package folder's parent, e.g.
   ``git archive <commit> qbcircuit _qbcircuit_launch.py | tar -x -C DIR``; a version from
   before the launcher, without it, runs as its console script did: ``qbcircuit.cli:main``)
   the same commands also run on that version, alternating with this one.

BLAS is pinned to one thread here and in every worker (threadpoolctl). Every timing is one
wall-clock measurement (sweeps are long enough); the machine's load is printed, because the
machine may be shared.

    python benchmarks/sweep.py [--quick] [--no-dask] [--cli-runs 5] [--before DIR]
                               [--readme benchmarks/README.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent.parent / "tests"))

import qutip as qt  # noqa: E402
from qutip_reference import qutip_model  # noqa: E402

import qbcircuit  # noqa: E402
from qbcircuit import BatteryParams  # noqa: E402
from qbcircuit._io import atomic_write_text  # noqa: E402
from qbcircuit._machine import cpu_name  # noqa: E402
from qbcircuit.sweep import sweep  # noqa: E402

TIMES = np.linspace(0.0, 10.0, 201)
SECTION = "## Sweeps"


def qutip_max_energy(params: BatteryParams) -> float:
    """max_energy from QuTiP mesolve at its default tolerances, same truncation."""
    H, c_ops, psi0, sz2 = qutip_model(params, levels=params.levels)
    res = qt.mesolve(H, psi0, TIMES, c_ops, e_ops=[sz2])
    z = np.asarray(res.expect[0])
    return float(np.max(0.5 * (z - z[0])))


def per_point_ratio(base, axes, sample, rng):
    """Our serial per-point time and QuTiP's on ``sample`` random points of the grid."""
    names = list(axes)
    idx = [tuple(rng.integers(len(v)) for v in axes.values()) for _ in range(sample)]
    points = [{n: axes[n][i] for n, i in zip(names, ix, strict=True)} for ix in idx]
    ours_t, qutip_t, diffs = [], [], []
    for pt in points:
        t0 = time.perf_counter()
        ours = sweep(base, {n: [v] for n, v in pt.items()}, "max_energy", TIMES, jobs=1)
        ours_t.append(time.perf_counter() - t0)
        params = BatteryParams(**{**{f: getattr(base, f) for f in BatteryParams.fields()},
                                  **pt})
        t0 = time.perf_counter()
        ref = qutip_max_energy(params)
        qutip_t.append(time.perf_counter() - t0)
        diffs.append(abs(ref - float(ours["max_energy"].ravel()[0])))
    return float(np.median(ours_t)), float(np.median(qutip_t)), float(max(diffs))


#: The CLI commands of issue 21 (the grids of ``main``'s closed and open sweeps).
CLI_CLOSED = ["sweep", "--vary", "g=0.1:3:{n}", "--vary", "delta=-4:4:{n}", "--set", "zeta=1",
              "--set", "alpha=2", "--points", "201", "--metric", "max_energy", "--no-progress"]
CLI_OPEN = ["sweep", "--vary", "kappa=0:1:{n}", "--vary", "gamma=0:1:{n}", "--set", "zeta=1",
            "--set", "alpha=1", "--set", "g=1", "--points", "201", "--metric", "max_energy",
            "--no-progress"]


def cli_command() -> list[str]:
    """The ``qbcircuit`` console script beside this Python (what a user types), else -m."""
    script = Path(sys.executable).with_name("qbcircuit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qbcircuit"]


def cli_seconds(argv: list[str], n: int, out: Path, pythonpath: str | None) -> float:
    """Wall time of one whole ``qbcircuit`` command in a fresh process, BLAS on one thread."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    command = cli_command()
    if pythonpath is not None and not (Path(pythonpath) / "_qbcircuit_launch.py").exists():
        # a version from before the launcher: its own console script's entry point
        command = [sys.executable, "-c", "from qbcircuit.cli import main; raise SystemExit(main())"]
    cmd = [*command, *(a.format(n=n) for a in argv), "--out", str(out)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cli_runs(argv, n, runs, versions, folder: Path) -> dict[str, float]:
    """Median wall time per version (name -> PYTHONPATH), the versions alternating; the CSVs
    of every version must be equal."""
    times: dict[str, list[float]] = {name: [] for name in versions}
    for _ in range(runs):
        for name, path in versions.items():
            times[name].append(cli_seconds(argv, n, folder / f"{name}.csv", path))
    texts = {(folder / f"{name}.csv").read_text() for name in versions}
    assert len(texts) == 1, "the versions wrote different tables"
    return {name: float(np.median(t)) for name, t in times.items()}


def timed_sweep(base, axes, **kwargs):
    t0 = time.perf_counter()
    res = sweep(base, axes, "max_energy", TIMES, **kwargs)
    return time.perf_counter() - t0, res


def machine() -> str:
    cpu = cpu_name()
    blas = ", ".join(sorted({f"{i['internal_api']} {i.get('version') or ''}".strip()
                             for i in threadpool_info()}))
    return (f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python "
            f"{platform.python_version()}, numpy {np.__version__}, qutip {qt.__version__}, "
            f"qbcircuit {qbcircuit.__version__}; BLAS: {blas}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small grids: a smoke run")
    ap.add_argument("--sample", type=int, default=16, help="points timed against QuTiP")
    ap.add_argument("--readme", default=None, help="replace the Sweeps section of this file")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--cli-runs", type=int, default=5, help="runs of each CLI command (median)")
    ap.add_argument("--before", default=None,
                    help="a folder holding another version's qbcircuit package: its CLI too")
    args = ap.parse_args(argv)
    n_closed, n_open = (8, 4) if args.quick else (32, 16)
    sample = 4 if args.quick else args.sample
    rng = np.random.default_rng(13)
    load0 = os.getloadavg()
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    with threadpool_limits(limits=1):
        closed = BatteryParams(alpha=2.0, zeta=1.0)
        c_axes = {"g": np.linspace(0.1, 3.0, n_closed), "delta": np.linspace(-4, 4, n_closed)}
        t_pool, r_pool = timed_sweep(closed, c_axes, jobs=2)
        t_serial, r_serial = timed_sweep(closed, c_axes, jobs=1)
        assert r_pool.to_csv_text() == r_serial.to_csv_text()
        ours, theirs, diff = per_point_ratio(closed, c_axes, sample, rng)
        n = n_closed**2
        say(f"Closed {n_closed} x {n_closed} (g, Delta), zeta = 1, alpha = 2, 201 times, "
            "max_energy, method exact:")
        say()
        say("| run | wall time | per point |")
        say("|---|---|---|")
        say(f"| jobs = 2: this process and 1 worker (incl. starting it) | {t_pool:.1f} s | "
            f"{1e3 * t_pool / n:.1f} ms |")
        say(f"| 1 process | {t_serial:.1f} s | {1e3 * t_serial / n:.1f} ms |")
        say(f"| one point as a 1-point `sweep()` call (its setup included), ours (median of "
            f"{sample}) | | {1e3 * ours:.1f} ms |")
        say(f"| one point, QuTiP mesolve defaults (median of {sample} random grid points) | | "
            f"{1e3 * theirs:.1f} ms |")
        say()
        say(f"Per-point throughput against QuTiP, one core each (the 1-process sweep's time per "
            f"point against QuTiP's median on a random sample of the grid): "
            f"**{theirs / (t_serial / n):.1f}x**; the jobs = 2 sweep (worker start included) "
            f"against QuTiP on one core: **{theirs / (t_pool / n):.1f}x**; a 1-point `sweep()` "
            f"call: {theirs / ours:.1f}x. Largest |max_energy difference| on the sample: "
            f"{diff:.1e} (QuTiP's default tolerances).")
        say()

        o_axes = {"kappa": np.linspace(0, 1, n_open), "gamma": np.linspace(0, 1, n_open)}
        open_base = BatteryParams(alpha=1.0, g=1.0, zeta=1.0)
        t_open, _ = timed_sweep(open_base, o_axes, jobs=2)
        ours_o, theirs_o, diff_o = per_point_ratio(open_base, o_axes, sample, rng)
        say(f"Open {n_open} x {n_open} (kappa, gamma) in [0, 1]^2, alpha = 1, g = 1, zeta = 1 "
            f"(panel (d)), 201 times, max_energy, method exact: **{t_open:.1f} s** with jobs = 2 "
            f"({t_open / n_open**2:.2f} s per point); one point alone "
            f"{ours_o:.3f} s (ours) vs {theirs_o:.3f} s (QuTiP defaults): "
            f"**{theirs_o / ours_o:.0f}x**; largest difference {diff_o:.1e}.")
        say()

        # before the dask cluster: in two runs the commands timed after it were 10-40% slower
        # (no process of the cluster was left; cause not found)
        cli_section(say, n_closed, n_open, theirs, theirs_o, args)

        if not args.no_dask:
            from distributed import Client, LocalCluster

            t0 = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None) as cluster, \
                    Client(cluster) as client:
                t_start = time.perf_counter() - t0
                ex = client.get_executor()
                t_cold, r_cold = timed_sweep(closed, c_axes, executor=ex)
                t_warm, _ = timed_sweep(closed, c_axes, executor=ex)
            assert r_cold.to_csv_text() == r_serial.to_csv_text()
            say(f"Local dask cluster (scheduler + 2 single-threaded worker processes) on the "
                f"{n_closed} x {n_closed} sweep: first sweep {t_cold:.1f} s (workers import "
                f"qbcircuit), next sweep {t_warm:.1f} s, against {t_pool:.1f} s for the process "
                f"pool: **{t_cold / t_pool:.2f}x** (first) and **{t_warm / t_pool:.2f}x** "
                f"(warm); starting the cluster took {t_start:.1f} s more. Same table as the "
                "pool and the serial run.")
            say()
    load1 = os.getloadavg()
    say(f"Machine: {machine()}. Load average (1 min) {load0[0]:.1f} at the start, "
        f"{load1[0]:.1f} at the end ({datetime.date.today().isoformat()}).")
    if args.readme:
        update_readme(Path(args.readme), "\n".join(lines))
    return 0


def cli_section(say, n_closed, n_open, qutip_closed, qutip_open, args) -> None:
    """Item 4 of the docstring: the whole CLI command against QuTiP's per-point throughput."""
    import tempfile

    versions = {"this": str(Path(qbcircuit.__file__).resolve().parent.parent)}
    if args.before:
        versions = {"before": str(Path(args.before).resolve()), **versions}
    runs = 1 if args.quick else args.cli_runs
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        closed = cli_runs(CLI_CLOSED, n_closed, runs, versions, Path(tmp))
        opened = cli_runs(CLI_OPEN, n_open, runs, versions, Path(tmp))
    load = max(load, os.getloadavg()[0])
    shown = "qbcircuit" if len(cli_command()) == 1 else "python -m qbcircuit"
    say(f"CLI sweeps, the whole command (`{shown} ...`, a fresh process each, median of {runs}; "
        f"default jobs: one process per core; QuTiP per point from the samples above, same "
        f"run; load average up to {load:.1f} during these runs):")
    say()
    head = " / ".join(versions)
    say(f"| command | QuTiP x points | wall time ({head}) | whole command vs QuTiP throughput "
        f"({head}) |")
    say("|---|---|---|---|")
    for argv, n, qutip, walls in ((CLI_CLOSED, n_closed, qutip_closed, closed),
                                  (CLI_OPEN, n_open, qutip_open, opened)):
        work = qutip * n * n
        say(f"| `qbcircuit {' '.join(a.format(n=n) for a in argv)}` | {work:.1f} s | "
            + " / ".join(f"{w:.2f} s" for w in walls.values()) + " | "
            + " / ".join(f"**{work / w:.1f}x**" for w in walls.values()) + " |")
    say()


def update_readme(path: Path, body: str) -> None:
    """Replace the text under ``## Sweeps`` (up to the next ``## ``) with the new run."""
    text = path.read_text()
    intro = ("Measured by `python benchmarks/sweep.py --readme benchmarks/README.md` "
             "(issue 13's targets; what is timed is in the script's docstring).\n\n")
    section = f"{SECTION}\n\n{intro}{body}\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[nxt:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    atomic_write_text(path, text)


if __name__ == "__main__":
    raise SystemExit(main())

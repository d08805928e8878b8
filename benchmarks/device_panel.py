"""Fig. 2(d) on devices: the collisions' error against dt, and device runs with error bars.

    python benchmarks/device_panel.py [--backends ideal,fake_torino] [--shots 4000] [--fock 8]

Part 1 (no shots): the largest error of energy and concurrence against the exact engine at
t = 0, 0.5, .., 2 for the trotter engine with the dissipation as exact channels and as
collisions (the device path), over dt; the fitted log-log slopes (2 and 1).
Part 2: ``qbcircuit.devices.run`` on each backend at 5 times in [0, 2], with the wall time, the
largest |estimate - exact| in standard errors, and the two-qubit gates at t = 2. BLAS threads
pinned to 1; the machine is printed.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from qbcircuit import BatteryParams, QbcircuitWarning, Trotter, devices, simulate  # noqa: E402
from qbcircuit._machine import cpu_name  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="ideal,fake_torino")
    ap.add_argument("--shots", type=int, default=4000)
    ap.add_argument("--fock", type=int, default=8)
    ap.add_argument("--dt", type=float, default=devices.DEFAULT_DT)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", QbcircuitWarning)
    params = BatteryParams(alpha=1.0, g=1.0, kappa=0.6, gamma=0.4, fock=args.fock)
    print(f"machine: {cpu_name()}, {os.cpu_count()} cpus; Fig. 2(d), fock {args.fock}")

    times = np.linspace(0.0, 2.0, 5)
    exact = simulate(params, times, method="exact")
    dts = 0.5 / 2.0 ** np.arange(0, 6)
    errs = {"channels": [], "collisions": []}
    print("\n| dt | channels | collisions |\n|---|---|---|")
    for dt in dts:
        for kind in errs:
            tr = simulate(params, times, method=Trotter(dt=dt, dissipation=kind))
            errs[kind].append(max(np.max(np.abs(tr.energy - exact.energy)),
                                  np.max(np.abs(tr.concurrence - exact.concurrence))))
        print(f"| {dt:g} | {errs['channels'][-1]:.2e} | {errs['collisions'][-1]:.2e} |")
    for kind, e in errs.items():
        print(f"slope ({kind}): {np.polyfit(np.log(dts), np.log(e), 1)[0]:.2f}")

    print("\n| backend | seconds | max abs(dE) | max dE / err | max abs(dC) | 2q gates at t=2 |"
          "\n|---|---|---|---|---|---|")
    for name in args.backends.split(","):
        start = time.perf_counter()
        r = devices.run(params, times, name, shots=args.shots, dt=args.dt, seed=1)
        seconds = time.perf_counter() - start
        d_e = np.abs(r.energy - r.exact_energy)[1:]
        d_c = np.abs(r.concurrence - r.exact_concurrence)[1:]
        print(f"| {name} | {seconds:.0f} | {d_e.max():.3f} | {np.max(d_e / r.energy_err[1:]):.1f}"
              f" | {d_c.max():.3f} | {r.cost[-1].two_qubit_gates} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""N-dimensional sweeps: values, executors, CSV, checkpoints and resume, the CLI, dask."""

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import qbcircuit.sweep as sw
from qbcircuit import BatteryParams, CostWarning, ParameterError, simulate
from qbcircuit.cli import main
from qbcircuit.metrics import METRICS
from qbcircuit.sweep import SweepResult, sweep

TIMES = np.linspace(0.0, 3.0, 31)
BASE = BatteryParams(alpha=1.0, gamma=0.1)
METRIC_ATOL = 1e-12
HAS_DASK = importlib.util.find_spec("distributed") is not None


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_sweep_values_are_the_metrics_of_each_grid_point():
    gs, zetas = [0.5, 1.5], [0.0, 0.5, 1.0]
    res = sweep(BASE, {"g": gs, "zeta": zetas}, ["max_concurrence", "max_energy"], TIMES,
                jobs=1)
    assert res["max_concurrence"].shape == (2, 3) and res.shape == (2, 3)
    for i, g in enumerate(gs):
        for j, z in enumerate(zetas):
            tr = simulate(BatteryParams(alpha=1.0, gamma=0.1, g=g, zeta=z), TIMES, method="exact")
            assert abs(res["max_concurrence"][i, j] - tr.concurrence.max()) < METRIC_ATOL
            assert abs(res["max_energy"][i, j] - tr.energy.max()) < METRIC_ATOL
    text = res.to_csv_text().splitlines()
    assert text[0] == "g,zeta,max_concurrence,max_energy" and text[1].startswith("0.5,0.0,")
    assert len(text) == 7


def test_every_metric_is_the_trajectory_metric_of_its_grid_point():
    alphas = [0.5, 1 + 0.5j]
    res = sweep(BASE, {"alpha": alphas}, list(METRICS), TIMES, jobs=1)
    for i, alpha in enumerate(alphas):
        tr = simulate(BatteryParams(alpha=alpha, gamma=0.1), TIMES, method="exact")
        for m in METRICS:
            assert abs(res[m][i] - tr.metric(m)) < METRIC_ATOL, m


def test_choice_parameters_and_variants_vary_with_explicit_values():
    res = sweep(BatteryParams(alpha=1.0, zeta=0.5), {"encoding": ["binary", "unary"],
                                                     "cell_coupling": ["xy", "exchange_zeta"]},
                "max_energy", TIMES, jobs=1)
    for i, enc in enumerate(["binary", "unary"]):
        for j, cc in enumerate(["xy", "exchange_zeta"]):
            tr = simulate(BatteryParams(alpha=1.0, zeta=0.5, encoding=enc, cell_coupling=cc),
                          TIMES, method="exact")
            assert abs(res["max_energy"][i, j] - tr.metric("max_energy")) < METRIC_ATOL
    # encodings give the same physics
    assert np.allclose(res["max_energy"][0], res["max_energy"][1], atol=1e-10)


def test_pool_serial_and_dask_local_cluster_give_identical_tables(monkeypatch):
    monkeypatch.setattr(sw, "POOL_MIN_SECONDS", 0.0)  # use the pool even for a tiny sweep
    axes = {"delta": [-1.0, 0.0, 1.0], "kappa": [0.0, 0.3], "alpha": [1.0, 0.5j]}
    serial = sweep(BASE, axes, ["max_energy", "final_ergotropy"], TIMES, jobs=1)
    pool = sweep(BASE, axes, ["max_energy", "final_ergotropy"], TIMES, jobs=2,
                 chunk_seconds=1e-6)
    assert pool.to_csv_text() == serial.to_csv_text()
    if HAS_DASK:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            dask = sweep(BASE, axes, ["max_energy", "final_ergotropy"], TIMES,
                         executor=client.get_executor(), chunk_seconds=1e-6)
        assert dask.to_csv_text() == serial.to_csv_text()


class _FakeCost:
    """Point costs on a fake clock: ``sweep``'s timing sees ``cost(params)`` seconds per point.

    The points are really solved; only the clock of :mod:`qbcircuit.sweep` is advanced by the
    fake cost of each point solved in this process (the workers have the real code).
    """

    def __init__(self, monkeypatch, cost):
        self.offset, self.here = 0.0, []
        real = sw._solve_point

        def solve(params, *args):
            self.offset += cost(params)
            self.here.append(params)
            return real(params, *args)

        monkeypatch.setattr(sw, "_solve_point", solve)
        monkeypatch.setattr(sw, "time", type("FakeTime", (), {
            "perf_counter": staticmethod(lambda: time.perf_counter() + self.offset)}))


def _pool_log(caplog):
    return [r.getMessage() for r in caplog.records
            if r.name == "qbcircuit.sweep" and "worker process(es) started" in r.getMessage()]


def test_a_grid_with_a_cheap_closed_corner_gets_the_pool(monkeypatch, caplog):
    """The first point (kappa = gamma = 0, closed, 20x cheaper) decided 'no pool' (issue 21)."""
    axes = {"kappa": [0.0, 0.5, 1.0], "gamma": [0.0, 0.5, 1.0, 1.5]}
    serial = sweep(BASE, axes, ["max_energy"], TIMES, jobs=1)
    fake = _FakeCost(monkeypatch, lambda p: 0.005 if p.kappa == p.gamma == 0 else 0.3)
    with caplog.at_level("INFO", logger="qbcircuit.sweep"):
        pooled = sweep(BASE, axes, ["max_energy"], TIMES, jobs=2, chunk_seconds=1e-6)
    assert len(_pool_log(caplog)) == 1, caplog.text
    assert pooled.to_csv_text() == serial.to_csv_text()  # bit for bit
    assert 2 <= len(fake.here) < 12  # this process solved the probe and some chunks


def test_the_pool_starts_when_the_running_rate_says_so(monkeypatch, caplog):
    """The first points (the probe) are cheap, the next ones not: the rate measured decides."""
    gs = np.linspace(0.5, 1.5, 40)
    fake = _FakeCost(monkeypatch, lambda p: 0.001 if p.g > gs[-6] else 0.2)
    with caplog.at_level("INFO", logger="qbcircuit.sweep"):
        pooled = sweep(BASE, {"g": gs}, ["max_energy"], TIMES, jobs=2, chunk_seconds=1e-6)
    [line] = _pool_log(caplog)
    cheap = sum(p.g > gs[-6] for p in fake.here)
    assert cheap == 5 and len(fake.here) < 40, line  # the cheap end, then some dear points
    assert pooled.to_csv_text() == sweep(BASE, {"g": gs}, ["max_energy"], TIMES,
                                         jobs=1).to_csv_text()


def test_a_cheap_grid_runs_here_without_a_pool(monkeypatch, caplog):
    fake = _FakeCost(monkeypatch, lambda p: 0.001)
    with caplog.at_level("INFO", logger="qbcircuit.sweep"):
        sweep(BASE, {"g": np.linspace(0.5, 1.5, 20)}, ["max_energy"], TIMES, jobs=2)
    assert _pool_log(caplog) == [] and len(fake.here) == 20


@pytest.mark.skipif(not HAS_DASK, reason="the 'distributed' extra is not installed")
def test_a_dask_client_is_taken_as_its_executor_and_stays_usable():
    """executor=client was an AttributeError ('Future' ... '_condition') that broke the client."""
    from distributed import Client, LocalCluster

    axes = {"g": [0.5, 1.0, 1.5]}
    serial = sweep(BASE, axes, ["max_energy"], TIMES, jobs=1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        first = sweep(BASE, axes, ["max_energy"], TIMES, executor=client, chunk_seconds=1e-6)
        after = sweep(BASE, axes, ["max_energy"], TIMES, executor=client.get_executor(),
                      chunk_seconds=1e-6)
    assert first.to_csv_text() == after.to_csv_text() == serial.to_csv_text()


def test_a_three_axis_sweep_has_one_row_per_point_and_the_vary_names(capsys, tmp_path):
    out = tmp_path / "s.csv"
    status, _, err = run(capsys, "sweep", "--vary", "g=0.5:1.5:3", "--vary", "omega-q=1,1.2",
                         "--vary", "alpha=0.5,1+0.5j", "--set", "gamma=0.1", "--t-max", "3",
                         "--points", "31", "--metric", "max_energy", "--metric",
                         "time_of_max_energy", "--jobs", "1", "--no-progress", "--out", str(out))
    assert status == 0, err
    lines = out.read_text().splitlines()
    assert lines[0] == "g,omega-q,alpha,max_energy,time_of_max_energy"
    assert len(lines) == 1 + 3 * 2 * 2
    assert lines[1].startswith("0.5,1.0,0.5,") and lines[2].startswith("0.5,1.0,1+0.5j,")
    row = lines[-1].split(",")
    tr = simulate(BatteryParams(g=1.5, omega_q=1.2, alpha=1 + 0.5j, gamma=0.1), TIMES,
                  method="exact")
    assert abs(float(row[3]) - tr.metric("max_energy")) < METRIC_ATOL
    assert float(row[4]) == tr.metric("time_of_max_energy")


def test_sweep_command_writes_csv_and_heat_maps(capsys, tmp_path):
    status, out, err = run(capsys, "sweep", "--vary", "g=0.5:1.5:2", "--vary", "zeta=0:1:2",
                           "--points", "11", "--jobs", "1", "--no-progress",
                           "--metric", "max_energy", "--metric", "max_ergotropy",
                           "--plot", str(tmp_path / "s.png"))
    assert status == 0, err
    assert out.startswith("g,zeta,max_energy,max_ergotropy\n0.5,0.0,")  # stdout without --out
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_plots_lines_for_one_axis_maps_for_two_and_refuses_three():
    one = sweep(BASE, {"g": [0.5, 1.0, 1.5]}, ["max_energy", "max_concurrence"], TIMES, jobs=1)
    assert len(one.plot().get_axes()) == 2
    two = sweep(BASE, {"g": [0.5, 1.0], "encoding": ["gray", "binary"]}, "max_energy", TIMES,
                jobs=1)
    assert len(two.plot().get_axes()) == 2  # map and colour bar
    three = SweepResult(BASE, {"g": np.ones(1), "zeta": np.ones(1), "delta": np.ones(1)},
                        {"max_energy": np.ones((1, 1, 1))}, TIMES, "exact")
    with pytest.raises(ParameterError, match="this sweep varies 3"):
        three.plot()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vary", "g=0:1"], "a range is NAME=START:STOP:NUM"),
        (["--vary", "g"], "--vary needs NAME=START:STOP:NUM"),
        (["--vary", "g=0:1:x"], "NUM must be an integer"),
        (["--vary", "zeta=0:2:2"], "zeta must be <= 1"),
        (["--vary", "q=0:2:2"], "unknown parameter 'q'"),
        (["--vary", "fock=4,8"], "cannot vary fock"),
        (["--vary", "encoding=0:1:2"], "encoding takes explicit values"),
        (["--vary", "encoding=binary,ternary"], "encoding must be one of"),
        (["--vary", "g=0:1:2", "--metric", "speed"], "metric must be <reducer>"),
        (["--vary", "g=0:1:2", "--set", "alpha=two"], "not a complex number"),
        (["--vary", "g=0:1:2", "--set", "g=1"], "g is given twice"),
        (["--vary", "g=0:1:2", "--set", "kappa"], "--set needs NAME=VALUE"),
        (["--vary", "g=0:1:2", "--vary", "zeta=0,1", "--vary", "delta=0,1", "--plot",
          "p.png"], "a plot shows one varied parameter"),
        (["--vary", "g=0:1:2", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"],
         "exclude each other"),
        (["--vary", "g=0:1:2000", "--vary", "delta=0:1:1000"], "the grid has 2,000,000 points"),
        (["--vary", "g=1:2:1000000000"], "more than the 1,000,000 a sweep takes (about"),
    ],
)
def test_bad_sweeps_are_one_line_and_exit_2_before_any_work(capsys, tmp_path, argv, message,
                                                            monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the sweep started")

    monkeypatch.setattr(sw, "_run", no_work)
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "sweep", *argv, "--t-max", "1", "--points", "3",
                           "--out", str(tmp_path / "never.csv"))
    assert status == 2 and err.count("\n") == 1 and message in err, err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vary", "g=1,1e8", "--method", "dynamics"],
         "sweep point g = 100000000.0: this dynamics run needs about"),
        (["--vary", "delta=0,1e6", "--method", "dynamics"],
         "sweep point delta = 1000000.0: this dynamics run needs about"),
        (["--vary", "g=1,1e8", "--set", "kappa=0.1"],
         "sweep point g = 100000000.0: this exact run needs about"),
        # the Solver path keeps every state (the default open path holds one chunk: it fits)
        (["--vary", "alpha=1:10:2", "--vary", "kappa=0,0.1", "--method", "dynamics",
          "--array-library", "scipy_sparse", "--points", "100000"],
         "kappa = 0.1: this dynamics run needs about"),
    ],
)
def test_every_sweep_point_is_estimated_before_the_work(capsys, monkeypatch, argv, message):
    """A point that `simulate` refuses is refused by a sweep too, naming it, before any work."""
    def no_work(*args, **kwargs):
        raise AssertionError("a point was solved")

    monkeypatch.setattr(sw, "_solve_chunk", no_work)
    status, out, err = run(capsys, "sweep", "--t-max", "10", "--points", "11", *argv)
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert message in err


@pytest.mark.dynamics
def test_a_long_sweep_point_warns_naming_it(monkeypatch):
    monkeypatch.setattr(sw, "_run", lambda *a, **k: None)  # the estimate only
    monkeypatch.setattr(sw, "_solve_chunk", None)
    with pytest.warns(CostWarning, match=r"^sweep point gamma = 1000000.0: this dynamics run"):
        sw.check_grid_cost(BatteryParams(), {"gamma": np.array([0.0, 1e6])},
                           np.linspace(0, 1, 3), "dynamics", {})


@pytest.mark.parametrize(
    ("axes", "kwargs", "message"),
    [
        ({"q": [1.0]}, {}, "cannot vary 'q'"),
        ({"g": []}, {}, "g needs at least one value"),
        ({}, {}, "at least one axis"),
        ({"g": [1.0], "zeta": [0.0, 2.0]}, {}, "zeta must be <= 1"),
        ({"g": [1.0, np.nan]}, {}, "g must be finite"),
        ({"alpha": [1.0], "encoding": ["unary"], "zeta": [1.0]}, {"base": {"alpha": 1}},
         None),  # fine: a valid combination
        ({"alpha": [9.0], "encoding": ["binary", "unary"]}, {}, "unary encoding allows"),
        ({"g": [1.0]}, {"metrics": ["speed"]}, "metric must be <reducer>"),
        ({"g": [1.0]}, {"metrics": []}, "at least one metric"),
        ({"g": [1.0]}, {"jobs": 0}, r"jobs must be in \[1"),
        ({"g": [1.0]}, {"executor": object()}, "Executor interface .* pass the Client or "),
        ({"g": [1.0]}, {"chunk_seconds": 0}, "chunk_seconds must be"),
        ({"g": np.zeros(1001), "zeta": np.zeros(1000)}, {}, "the grid has 1,001,000 points"),
    ],
)
def test_bad_python_sweeps_are_refused(axes, kwargs, message, monkeypatch):
    monkeypatch.setattr(sw, "_run", lambda *a, **k: None)  # validation only
    base = BatteryParams(**kwargs.pop("base", {}))
    metrics = kwargs.pop("metrics", ["max_energy"])
    if message is None:
        sw.check_grid(base, axes, metrics)
        return
    with pytest.raises(ParameterError, match=message):
        sweep(base, axes, metrics, TIMES, **kwargs)


# ---------------------------------------------------------------- checkpoints


class _Killed(BaseException):
    pass


def _count_points(monkeypatch):
    solved = []
    real = sw._solve_point

    def counting(params, *args):
        solved.append((params.g, params.zeta))
        return real(params, *args)

    monkeypatch.setattr(sw, "_solve_point", counting)
    return solved


AXES3 = {"g": [0.5, 1.0, 1.5, 2.0], "zeta": [0.0, 0.5, 1.0], "kappa": [0.0, 0.2]}
METRICS3 = ["max_energy", "first_peak_energy"]


def test_resume_after_a_kill_computes_each_point_once_and_gives_the_same_csv(
        tmp_path, monkeypatch):
    reference = sweep(BASE, AXES3, METRICS3, TIMES, jobs=1).to_csv_text()
    path = tmp_path / "ck.jsonl"
    solved = _count_points(monkeypatch)
    real_append = sw.Checkpoint.append
    appended = []

    def append_then_die(self, indices, values):
        real_append(self, indices, values)
        appended.append(len(indices))
        if len(appended) == 5:
            raise _Killed  # as SIGKILL right after the 5th chunk reached the disk

    monkeypatch.setattr(sw.Checkpoint, "append", append_then_die)
    with pytest.raises(_Killed):
        sweep(BASE, AXES3, METRICS3, TIMES, jobs=1, checkpoint=path, chunk_seconds=1e-9)
    first = len(solved)
    assert first == sum(appended) < 24
    # a kill in the middle of the next write leaves half a record: detected, recomputed
    with open(path, "ab") as fh:
        fh.write(b'{"i":[23,22],"v":[[0.1,0.2],[0.3')
    monkeypatch.setattr(sw.Checkpoint, "append", real_append)
    resumed = sweep(BASE, AXES3, METRICS3, TIMES, jobs=1, checkpoint=path)
    assert resumed.to_csv_text() == reference
    assert len(solved) == 24 and len(set(solved)) == 4 * 3  # 24 points, each solved once
    # a third run finds everything done and computes nothing
    again = sweep(BASE, AXES3, METRICS3, TIMES, jobs=1, checkpoint=path)
    assert len(solved) == 24 and again.to_csv_text() == reference


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"metrics": ["max_energy"]}, "other metrics"),
        ({"axes": {**AXES3, "g": [0.5, 1.0, 1.5, 2.5]}}, "other grid values"),
        ({"axes": {"zeta": AXES3["zeta"], "g": AXES3["g"], "kappa": AXES3["kappa"]}},
         "other varied parameters"),
        ({"times": np.linspace(0, 3, 32)}, "other times"),
        ({"method": "trotter"}, "other method"),
        ({"base": BatteryParams(alpha=1.0, gamma=0.2)}, "other fixed parameters"),
        ({"version": "0.0.1"}, "other qbcircuit version"),
    ],
)
def test_a_checkpoint_of_another_sweep_is_refused_with_the_reason(tmp_path, change, reason,
                                                                   monkeypatch):
    path = tmp_path / "ck.jsonl"
    sweep(BASE, {"g": [0.5], "zeta": [0.0], "kappa": [0.0]}, ["max_energy"], TIMES, jobs=1)
    args = {"base": BASE, "axes": AXES3, "metrics": METRICS3, "times": TIMES,
            "method": "exact"}
    header = sw.describe_sweep(args["base"], {k: sw.axis_values(k, v) for k, v in
                                              args["axes"].items()},
                               args["metrics"], args["times"], args["method"], {})
    sw.Checkpoint(path, header).open(24, 2)  # an empty checkpoint of the AXES3 sweep
    if "version" in change:
        monkeypatch.setattr(sw, "_version", lambda: change["version"])
    else:
        args.update(change)
    with pytest.raises(ParameterError, match=f"was written for {reason}"):
        sweep(args["base"], args["axes"], args["metrics"], args["times"],
              method=args["method"], jobs=1, checkpoint=path)


def test_corrupt_checkpoints_are_refused(tmp_path):
    path = tmp_path / "ck.jsonl"
    axes = {"g": [0.5, 1.0, 1.5]}
    sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path, chunk_seconds=1e-9)
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 1 + 3 + 1  # header, three one-point chunks, the final newline
    lines[1] = lines[1].replace(b"0.", b"9.", 1)  # a flipped digit: the checksum fails
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ParameterError, match="is corrupt at line 2"):
        sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path)
    path.write_text("g,max_energy\n0.5,0.1\n")
    with pytest.raises(ParameterError, match="is not a qbcircuit sweep checkpoint"):
        sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path)


def _signed(payload: bytes) -> bytes:
    import zlib

    return payload + b" " + f"{zlib.crc32(payload):08x}".encode()


@pytest.mark.parametrize(("record", "reason"), [
    (b'{"i":[1],"v":[[NaN]]}', "point 1 has the value NaN, not a finite number"),
    (b'{"i":[1],"v":[[Infinity]]}', "point 1 has the value Infinity, not a finite number"),
    (b'{"i":[1],"v":[["0.5"]]}', 'point 1 has the value "0.5", not a finite number'),
    (b'{"i":[1],"v":[[true]]}', "point 1 has the value true, not a finite number"),
    (b'{"i":[1],"v":[[null]]}', "point 1 has the value null, not a finite number"),
    (b'{"i":[1],"v":[[1' + b"0" * 400 + b']]}', "point 1 has the value 1000"),
    (b'{"i":[true],"v":[[0.5]]}', "grid point index true is not in [0, 3)"),
    (b'{"i":[7],"v":[[0.5]]}', "grid point index 7 is not in [0, 3)"),
    (b'{"i":[1],"v":[[0.5,0.5]]}', "point 1 needs 1 metric value(s), got [0.5, 0.5]"),
    (b'{"i":[1],"v":[0.5]}', "point 1 needs 1 metric value(s), got 0.5"),
    (b'{"i":1,"v":[[0.5]]}', "not a complete record"),
    (b'[' * 100_000 + b']' * 100_000, "not a complete record"),
])
def test_checkpoint_records_are_validated_one_by_one(tmp_path, record, reason):
    """Valid checksums, invalid contents: refused in one line (were accepted silently)."""
    path = tmp_path / "ck.jsonl"
    axes = {"g": [0.5, 1.0, 1.5]}
    sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path, chunk_seconds=1e-9)
    header = path.read_bytes().split(b"\n")[0]
    path.write_bytes(header + b"\n" + _signed(record) + b"\n")
    with pytest.raises(ParameterError) as err:
        sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path)
    assert f"is corrupt at line 2 ({reason}" in str(err.value)


def test_a_checkpoint_that_disagrees_with_itself_is_refused(tmp_path):
    path = tmp_path / "ck.jsonl"
    axes = {"g": [0.5, 1.0, 1.5]}
    sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path, chunk_seconds=1e-9)
    data = path.read_bytes()
    again = data + _signed(b'{"i":[2],"v":[[0.5]]}') + b"\n"
    path.write_bytes(again)
    with pytest.raises(ParameterError, match=r"disagrees with itself: grid point 2 has other "
                       r"values at line 5 than at line \d"):
        sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path)
    lines = data.split(b"\n")
    path.write_bytes(data + lines[1] + b"\n")  # the same record twice: agrees, accepted
    r = sweep(BASE, axes, "max_energy", TIMES, jobs=1, checkpoint=path)
    assert r["max_energy"].shape == (3,)


@pytest.mark.parametrize("header", [b"[" * 100_000 + b"]" * 100_000,
                                    b'{"qbcircuit_sweep_checkpoint": ' + b"9" * 5000 + b"}",
                                    b'{"qbcircuit_sweep_checkpoint": {"format": 1e999}}'])
def test_hostile_checkpoint_headers_are_one_line(capsys, tmp_path, header):
    path = tmp_path / "ck"
    path.write_bytes(header + b"\n")
    status, out, err = run(capsys, "sweep", "--vary", "g=0.5,1", "--t-max", "1", "--points",
                           "3", "--checkpoint", str(path))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert "checkpoint" in err


@pytest.mark.dynamics
def test_a_killed_cli_sweep_resumes_to_the_uninterrupted_csv(tmp_path):
    """SIGKILL of a real run (workers die with it), then the same command again."""
    argv = [sys.executable, "-m", "qbcircuit", "sweep", "--vary", "kappa=0:0.5:5", "--vary",
            "gamma=0:0.5:4", "--set", "alpha=1.5", "--set", "zeta=1", "--t-max", "5",
            "--points", "51", "--metric", "max_energy", "--metric", "final_energy",
            "--jobs", "2", "--no-progress", "--checkpoint", str(tmp_path / "ck"),
            "--out", str(tmp_path / "s.csv")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    ck = tmp_path / "ck"
    while proc.poll() is None and not (ck.exists() and ck.read_bytes().count(b"\n") >= 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    done_before = ck.read_bytes().count(b"\n") - 1
    assert done_before >= 2
    resumed = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    reference = sweep(BatteryParams(alpha=1.5, zeta=1), {"kappa": np.linspace(0, 0.5, 5),
                                                         "gamma": np.linspace(0, 0.5, 4)},
                      ["max_energy", "final_energy"], np.linspace(0, 5, 51), jobs=1)
    assert (tmp_path / "s.csv").read_text() == reference.to_csv_text()


# ---------------------------------------------------------------- dask


@pytest.mark.skipif(not HAS_DASK, reason="the 'distributed' extra is not installed")
def test_cli_on_a_real_dask_scheduler_and_worker(capsys, tmp_path):
    sched_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli"]
    procs = []
    try:
        procs.append(subprocess.Popen(
            [*dask[:2], "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(sched_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        while not sched_file.exists():
            assert procs[0].poll() is None, "the dask scheduler did not start"
            time.sleep(0.1)
        import json

        address = None
        while address is None:
            try:
                address = json.loads(sched_file.read_text())["address"]
            except (ValueError, KeyError):
                time.sleep(0.1)
        procs.append(subprocess.Popen(
            [*dask[:2], "distributed.cli.dask_worker", address, "--host", "127.0.0.1",
             "--nthreads", "1", "--nworkers", "1", "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        argv = ["sweep", "--vary", "g=0.5:1.5:3", "--vary", "alpha=1,1+0.5j", "--set",
                "gamma=0.1", "--t-max", "3", "--points", "31", "--metric", "max_energy",
                "--no-progress"]
        status, out, err = run(capsys, *argv, "--scheduler", address)
        assert status == 0, err
        status, serial, _ = run(capsys, *argv, "--jobs", "1")
        assert out == serial and len(out.splitlines()) == 7
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.mark.slow
def test_sweep_benchmark_runs(tmp_path):
    """Smoke run of benchmarks/sweep.py (timings are never asserted)."""
    import importlib.util as iu
    from pathlib import Path

    script = Path(__file__).parent.parent / "benchmarks" / "sweep.py"
    spec = iu.spec_from_file_location("sweep_benchmark", script)
    module = iu.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    assert module.main(["--quick", "--no-dask", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "## Other\n\nkept" in text and "## Sweeps" in text
    assert "Per-point throughput against QuTiP" in text


def test_the_plot_names_the_fixed_parameters():
    result = sweep(BatteryParams(alpha=2, zeta=0.5), {"g": [0.5, 1.0]}, ["max_energy"],
                   np.linspace(0, 1, 5), method="exact")
    fig = result.plot()
    title = fig.get_suptitle()
    assert title.startswith("fixed: ") and title.rstrip().endswith("; exact")
    flat = " ".join(title.replace("\N{NO-BREAK SPACE}", " ").split())
    assert "alpha = 2" in flat and "zeta = 0.5" in flat and "fock = auto" in flat
    items = flat.removeprefix("fixed: ").split(", ")
    assert not any(i.startswith("g = ") for i in items)  # varied: an axis, not a fixed value


# ---------------------------------------------------------------- messages (issue 23.6)


@pytest.mark.parametrize(("vary", "message"), [
    ("g=0:inf:3", "--vary 'g=0:inf:3': STOP must be finite, got 'inf'"),
    ("delta=-inf:0:3", "--vary 'delta=-inf:0:3': START must be finite, got '-inf'"),
    ("alpha=0:1+infj:3", "--vary 'alpha=0:1+infj:3': STOP must be finite, got '1+infj'"),
])
def test_a_range_to_infinity_names_what_was_typed(capsys, vary, message):
    """It said 'sweep point g = nan' (what linspace made of it)."""
    status, out, err = run(capsys, "sweep", "--vary", vary, "--t-max", "1", "--points", "3")
    assert status == 2 and err == f"qbcircuit: error: {message}\n"


def test_a_fifo_checkpoint_is_refused_in_one_line(capsys, tmp_path):
    """It said "cannot open checkpoint 'ckf': None"."""
    fifo = tmp_path / "ckf"
    os.mkfifo(fifo)
    status, out, err = run(capsys, "sweep", "--vary", "g=0,1", "--t-max", "1", "--points", "3",
                           "--checkpoint", str(fifo))
    assert status == 2 and err == (f"qbcircuit: error: checkpoint {str(fifo)!r} is not a regular "
                                   "file (a FIFO, device or socket): give a file path\n")


# ---------------------------------------------------------------- clusters that do not answer


@contextlib.contextmanager
def _dask_scheduler(tmp_path):
    """A dask scheduler on 127.0.0.1 without workers; yields (address, process)."""
    sched_file = tmp_path / "scheduler.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        address = None
        while address is None:
            assert proc.poll() is None, "the dask scheduler did not start"
            try:
                address = json.loads(sched_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        yield address, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(not HAS_DASK, reason="the 'distributed' extra is not installed")
def test_a_scheduler_without_workers_ends_in_one_line_and_keeps_the_checkpoint(capsys,
                                                                               tmp_path):
    """It waited forever, silently (issue 22.4)."""
    ck = tmp_path / "ck"
    with _dask_scheduler(tmp_path) as (address, _):
        status, out, err = run(capsys, "sweep", "--vary", "g=0:1:5", "--t-max", "1",
                               "--points", "3", "--no-progress", "--scheduler", address,
                               "--stall-timeout", "2", "--checkpoint", str(ck))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith("qbcircuit: error: the dask cluster has no worker (2 s without "
                          "progress; 0 of 3 jobs finished); 2 of 5 grid points done, kept in "
                          f"checkpoint {str(ck)!r}")
    assert ck.read_bytes().count(b"\n") == 1 + 2  # the header and the two probe points


def _fake_server(payload: bytes):
    """A TCP server on 127.0.0.1 that is not dask: it sends ``payload`` and stays silent."""
    server = socket.create_server(("127.0.0.1", 0))
    conns = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conns.append(conn)
            with contextlib.suppress(OSError):
                conn.sendall(payload)

    threading.Thread(target=serve, daemon=True).start()
    return server, conns


@pytest.mark.skipif(not HAS_DASK, reason="the 'distributed' extra is not installed")
@pytest.mark.parametrize(("payload", "message"), [
    (b"", "no answer within 6 s (is it a dask scheduler?)"),  # 1 s + 5 s for a reply
    (b"HTTP/1.1 200 OK\r\n\r\nhello" * 3, "it did not answer as a dask scheduler"),
])
def test_a_server_that_is_not_dask_is_one_line(tmp_path, payload, message):
    """A silent server hung the run; an HTTP one was read as a 7 EiB allocation."""
    server, conns = _fake_server(payload)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "qbcircuit", "sweep", "--vary", "g=0,1,2", "--t-max", "1",
             "--points", "3", "--no-progress", "--stall-timeout", "1", "--scheduler",
             f"tcp://127.0.0.1:{server.getsockname()[1]}"],
            capture_output=True, text=True, timeout=300)
    finally:
        server.close()
        for conn in conns:
            conn.close()
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr


@pytest.mark.skipif(not HAS_DASK, reason="the 'distributed' extra is not installed")
@pytest.mark.parametrize(("address", "message"), [
    ("tls://127.0.0.1:1", "tls:// needs dask's TLS settings"),
    ("ucx://127.0.0.1:1", "ucx:// needs the UCX comm"),
])
def test_tls_and_ucx_addresses_are_one_line(capsys, address, message):
    """They raised TypeErrors."""
    status, _, err = run(capsys, "sweep", "--vary", "g=0,1", "--t-max", "1", "--points", "3",
                         "--scheduler", address)
    assert status == 2 and err.count("\n") == 1 and message in err, err


@pytest.mark.skipif(not HAS_DASK, reason="the 'distributed' extra is not installed")
def test_a_scheduler_killed_mid_sweep_ends_the_run_in_one_line(tmp_path):
    """The run hung forever (issue 22.4); now: one line, exit 2, the checkpoint kept."""
    ck = tmp_path / "ck"
    with _dask_scheduler(tmp_path) as (address, scheduler):
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--host",
             "127.0.0.1", "--nthreads", "1", "--nworkers", "1", "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "qbcircuit", "sweep", "--vary", "g=0.1:2:400",
                 "--set", "kappa=0.1", "--t-max", "2", "--points", "21", "--no-progress",
                 "--scheduler", address, "--stall-timeout", "3", "--checkpoint", str(ck)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            while proc.poll() is None and not (ck.exists() and ck.read_bytes().count(b"\n") > 3):
                time.sleep(0.05)  # the probe and a first chunk from the cluster
            scheduler.kill()
            _, err = proc.communicate(timeout=300)
        finally:
            worker.kill()
            worker.wait()
    # one line (after the estimate of a long run, if any): no dask log, no traceback
    lines = err.splitlines()
    assert proc.returncode == 2 and all(line.startswith("qbcircuit: ") for line in lines), err
    assert lines[-1].startswith("qbcircuit: error: the dask scheduler does not answer ("), err
    records = ck.read_bytes().splitlines()[1:]
    done = sum(len(json.loads(r.rsplit(b" ", 1)[0])["i"]) for r in records)
    assert lines[-1].endswith(f"; {done} of 400 grid points done, kept in checkpoint "
                              f"{str(ck)!r}"), err

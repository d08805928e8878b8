import argparse
import os
import subprocess
import sys

import numpy as np
import pytest

from qbcircuit import BatteryParams, __version__, cli, simulate
from qbcircuit.cli import main

ENERGY_ATOL = 1e-9


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_simulate_writes_csv_to_stdout(capsys):
    status, out, err = run(capsys, "simulate", "--alpha", "1+0.5j", "--zeta", "0.5",
                           "--delta", "-0.3", "--omega-q", "1.2", "--t-max", "2",
                           "--points", "11", "--method", "exact")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "t,energy,fluctuation,concurrence" and len(lines) == 12
    data = np.array([[float(x) for x in line.split(",")] for line in lines[1:]])
    ref = simulate(BatteryParams(alpha=1 + 0.5j, zeta=0.5, delta=-0.3, omega_q=1.2),
                   np.linspace(0, 2, 11), method="exact")
    assert np.max(np.abs(data[:, 0] - ref.times)) == 0
    assert np.max(np.abs(data[:, 1] - ref.energy)) < ENERGY_ATOL
    assert np.max(np.abs(data[:, 3] - ref.concurrence)) < ENERGY_ATOL


def test_simulate_writes_a_file_atomically(capsys, tmp_path):
    out_path = tmp_path / "b.csv"
    status, out, _ = run(capsys, "simulate", "--alpha", "1.5j", "--kappa", "0.2",
                         "--points", "5", "--method", "exact", "--out", str(out_path))
    assert status == 0 and out == ""
    assert out_path.read_text().startswith("t,energy,fluctuation,concurrence\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--zeta", "1.5"], "zeta must be <= 1"),
        (["--kappa", "-1"], "kappa must be >= 0"),
        (["--gamma", "nan"], "gamma must be finite"),
        (["--omega-q", "0"], "omega_q must be > 0"),
        (["--alpha", "two"], "not a complex number"),
        (["--fock", "x"], "not an integer"),
        (["--encoding", "qutrit"], "invalid choice"),
        (["--method", "magic"], "invalid choice"),
        (["--t-max", "-1"], "t-max must be a finite number > 0"),
        (["--t-max", "nan"], "t-max must be a finite number > 0"),
        (["--points", "1"], "points must be in [2, 1000000]"),
        (["--dt", "0.1"], "method 'exact' takes no option 'dt'"),
        (["--out", "/nonexistent-dir/x.csv"], "output folder '/nonexistent-dir' does not exist"),
        (["--unknown"], "unrecognized arguments"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    status, out, err = run(capsys, "simulate", "--method", "exact", *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_folder(capsys, tmp_path):
    tmp_path.chmod(0o500)
    status, _, err = run(capsys, "simulate", "--method", "exact", "--out",
                         str(tmp_path / "x.csv"))
    assert status == 2 and "not writable" in err


def test_command_line_process_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "qbcircuit", "simulate", "--zeta", "7"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "qbcircuit: error: zeta must be <= 1, got 7.0"
    assert "Traceback" not in proc.stderr


def test_tail_tol_lets_a_small_truncation_through(capsys):
    status, out, err = run(capsys, "simulate", "--alpha", "0.3", "--fock", "5", "--points", "3",
                           "--method", "exact", "--tail-tol", "1e-6")
    assert status == 0 and len(out.splitlines()) == 4
    assert err == ("qbcircuit: warning: the top kept Fock level reaches population 2.5e-06 "
                   "(fock = 5); results may be truncation-limited: raise fock\n")
    status, _, err = run(capsys, "simulate", "--tail-tol", "0.5")
    assert status == 2 and "tail_tol must be <= 0.1" in err


def test_out_dash_is_standard_output(capsys):
    status, out, err = run(capsys, "simulate", "--method", "exact", "--t-max", "1",
                           "--points", "3", "--out", "-")
    assert status == 0 and out.startswith("t,energy") and len(out.splitlines()) == 4


def test_out_symlink_writes_its_target(capsys, tmp_path):
    target = tmp_path / "target.csv"
    target.write_text("stale")
    (tmp_path / "link.csv").symlink_to(target)
    status, _, _ = run(capsys, "simulate", "--method", "exact", "--t-max", "1", "--points", "3",
                       "--out", str(tmp_path / "link.csv"))
    assert status == 0 and (tmp_path / "link.csv").is_symlink()
    assert target.read_text().startswith("t,energy")


@pytest.mark.parametrize("path", ["/proc/x.csv", "/sys/x.csv"])
def test_unwritable_out_fails_before_the_work(capsys, path, monkeypatch):
    import qbcircuit.cli as cli

    def no_work(*args, **kwargs):
        raise AssertionError("the work started before the output was checked")

    monkeypatch.setattr(cli, "simulate", no_work)
    status, out, err = run(capsys, "simulate", "--method", "exact", "--out", path)
    assert status == 2 and out == "" and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["sweep", "--vary", "g=0.1:1:2", "--jobs", "0"],
                                  ["figures", "--points", "1"]])
def test_failed_runs_leave_no_empty_folder(capsys, tmp_path, argv):
    folder = tmp_path / "out"
    status, _, err = run(capsys, *argv, "--out", str(folder))
    assert status == 2 and err.count("\n") == 1
    assert not folder.exists()


def test_explicit_small_fock_runs_with_a_one_line_warning(capsys):
    status, out, err = run(capsys, "simulate", "--method", "exact", "--alpha", "0.5",
                           "--fock", "4", "--t-max", "1", "--points", "3")
    assert status == 0 and len(out.splitlines()) == 4
    lines = err.splitlines()  # the cut weight, then the top level's population
    assert lines[0].startswith("qbcircuit: warning: fock = 4 cuts off 0.000133 ")
    assert "fock >= 9 keeps all but tail_tol" in lines[0]
    assert all(line.startswith("qbcircuit: warning: ") for line in lines) and len(lines) == 2


@pytest.mark.parametrize("value", ["-1e-3", "-1.5e2", "-1j", "-1-1j"])
def test_negative_numbers_in_exponent_or_complex_form_are_values(capsys, value):
    flag = "--alpha" if "j" in value else "--delta"
    status, out, err = run(capsys, "simulate", "--method", "exact", flag, value,
                           "--t-max", "1", "--points", "2")
    assert status == 0 and err == ""


def test_circuit_stats_encoding_selects_the_row(capsys):
    status, out, _ = run(capsys, "circuit-stats", "--fock", "4", "--encoding", "gray")
    rows = out.splitlines()[1:]
    assert status == 0 and len(rows) == 1 and rows[0].split()[0] == "gray"
    status, out, _ = run(capsys, "circuit-stats", "--fock", "4")
    assert [r.split()[0] for r in out.splitlines()[1:]] == ["binary", "gray", "unary"]


# --------------------------------------------------------------------------- consistency

SOLVING = ("simulate", "figures", "reproduce", "sweep")
COMMANDS = ("simulate", "circuit-stats", "reproduce", "figures", "sweep")


def help_text(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"qbcircuit {__version__}"


def test_bare_command_prints_the_usage_with_every_command(capsys):
    status, out, err = run(capsys)
    assert status == 2 and out == ""
    assert err.startswith("usage: qbcircuit")
    for command in COMMANDS:
        assert f"\n    {command}" in err


def test_top_level_help_says_what_the_tool_does(capsys):
    text = help_text(capsys)
    assert "two-qubit quantum battery" in text and "Lindblad" in text
    assert "qbcircuit reproduce --out results" in text  # an example to start from


@pytest.mark.parametrize("command", SOLVING)
def test_method_has_a_stated_default_and_a_help_on_every_solving_command(capsys, command):
    # one default (the package's main engine), but sweeps: exact, said in their help
    default = cli.SWEEP_METHOD if command == "sweep" else cli.DEFAULT_METHOD
    text = " ".join(help_text(capsys, command).split())
    assert f"--method {{{','.join(cli.METHODS)}}} engine: " in text
    assert f"(default {default}:" in text
    sub = cli.build_parser()._subparsers._group_actions[0].choices[command]
    assert sub.get_default("method") == default


@pytest.mark.parametrize("command", ["figures", "reproduce"])
def test_format_takes_the_same_comma_list(capsys, command):
    parser = cli.build_parser()
    args = parser.parse_args([command, "--format", "png,SVG", "--format", "pdf,png"])
    assert args.format == ["png", "svg", "pdf", "png"]  # deduplicated by the writer
    assert parser.parse_args([command]).format is None  # then DEFAULT_FORMATS
    assert f"(default {','.join(cli.DEFAULT_FORMATS)})" in " ".join(
        help_text(capsys, command).split())
    status, out, err = run(capsys, command, "--format", "png,gif", "--out", "never")
    assert status == 2 and err.count("\n") == 1
    assert "format must be one of png, pdf, svg, got 'gif'" in err


def test_progress_bars_only_on_a_terminal(monkeypatch):
    args = argparse.Namespace(no_progress=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert cli._progress(args) is True
    assert cli._progress(argparse.Namespace(no_progress=True)) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert cli._progress(args) is False


def test_a_piped_sweep_writes_no_carriage_returns(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "qbcircuit", "sweep", "--vary", "g=0.5:1:3", "--points", "5",
         "--t-max", "1", "--jobs", "1"],
        capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "it/s" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 4


def test_circuit_stats_help_is_truthful(capsys):
    text = " ".join(help_text(capsys, "circuit-stats").split())
    assert "--fock FOCK number of cavity Fock levels (required)" in text
    assert "(default 0: one Trotter step does not depend on it)" in text
    assert "(default: every encoding)" in text
    assert "default automatic" not in text and "(default binary)" not in text
    status, _, err = run(capsys, "circuit-stats")
    assert status == 2 and "the following arguments are required: --fock" in err


def test_numbers_that_start_with_a_minus_use_no_private_argparse_hook():
    plain = argparse.ArgumentParser()._negative_number_matcher.pattern
    assert cli.build_parser()._negative_number_matcher.pattern == plain
    assert cli._join_negative_values(["--delta", "-1e-3", "--alpha", "-1-1j", "--kappa", "0"]) \
        == ["--delta=-1e-3", "--alpha=-1-1j", "--kappa", "0"]
    # a dash value after a flag that takes none is an error either way, not silently dropped
    args = cli.build_parser().parse_args(["sweep", "--vary", "delta=-1:1:3", "--set=alpha=-2"])
    assert args.vary == ["delta=-1:1:3"] and args.set == ["alpha=-2"]

import argparse
import os
import select
import signal
import subprocess
import sys

import numpy as np
import pytest
from processes import CONSOLE, popen_with_ctrl_c

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
        (["--points", "1"], "points must be an integer in [2, 1000000]"),
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
    named = default or "dynamics with the dynamics extra installed, else exact"
    assert f"(default {named}:" in text
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


@pytest.mark.dynamics
def test_a_cost_warning_is_printed_before_the_long_work():
    """`simulate --gamma 1e6` is estimated at hours: the warning comes first, not after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "qbcircuit", "simulate", "--gamma", "1e6", "--t-max", "1",
         "--points", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # the run takes hours: a first line within minutes can only be printed before it
        ready, _, _ = select.select([proc.stderr], [], [], 120)
        line = proc.stderr.readline() if ready else ""
    finally:
        proc.kill()
        proc.communicate()
    assert line.startswith("qbcircuit: warning: this dynamics run needs about"), line


# ---------------------------------------------------------------- standard streams (issue 22.1)

SMALL_RUNS = {
    "simulate": ["simulate", "--t-max", "1", "--points", "3", "--method", "exact"],
    "simulate --out -": ["simulate", "--t-max", "1", "--points", "3", "--method", "exact",
                         "--out", "-"],
    "sweep": ["sweep", "--vary", "g=0,1", "--t-max", "1", "--points", "3", "--no-progress"],
    "circuit-stats": ["circuit-stats", "--fock", "4"],
}


def _shell(redirect: str, argv, **kwargs):
    """``qbcircuit ARGV REDIRECT`` run by sh (``>&-``, ``> /dev/full``, ``>> log``)."""
    return subprocess.run(["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m",
                           "qbcircuit", *argv], capture_output=True, text=True, timeout=300,
                          **kwargs)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("name", SMALL_RUNS)
def test_a_full_standard_output_is_one_line_and_exit_2(name):
    proc = _shell("> /dev/full", SMALL_RUNS[name])
    assert proc.returncode == 2
    assert proc.stderr == "qbcircuit: error: cannot write to standard output: No space left " \
                          "on device\n"


@pytest.mark.parametrize("name", SMALL_RUNS)
def test_a_closed_standard_output_is_one_line_and_exit_2(name):
    proc = _shell(">&-", SMALL_RUNS[name])
    assert proc.returncode == 2
    assert proc.stderr == "qbcircuit: error: cannot write to standard output: it is closed\n"


@pytest.mark.parametrize("path", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"])
def test_out_dev_stdout_writes_into_a_pipe(path):
    proc = subprocess.run([sys.executable, "-m", "qbcircuit", *SMALL_RUNS["simulate"],
                           "--out", path], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("t,energy,fluctuation,concurrence\n")
    assert len(proc.stdout.splitlines()) == 4


def test_out_dev_stderr_writes_into_a_pipe():
    proc = subprocess.run([sys.executable, "-m", "qbcircuit", *SMALL_RUNS["simulate"],
                           "--out", "/dev/stderr"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.startswith("t,energy,fluctuation,concurrence\n")


def test_out_dev_stdout_appends_to_the_file_the_shell_appends_to(tmp_path):
    """`... --out /dev/stdout >> log.txt` must not truncate the log's earlier lines."""
    log = tmp_path / "log.txt"
    log.write_text("an earlier line\n")
    link = tmp_path / "link"
    link.symlink_to("/dev/stdout")
    for out in ("/dev/stdout", str(link)):
        proc = _shell(f">> '{log}'", [*SMALL_RUNS["simulate"], "--out", out])
        assert proc.returncode == 0 and proc.stderr == ""
    lines = log.read_text().splitlines()
    assert lines[0] == "an earlier line" and len(lines) == 9
    assert lines[1] == lines[5] == "t,energy,fluctuation,concurrence"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "log.txt"]


def test_out_dev_stdout_when_closed_or_read_only_fails_before_the_work(tmp_path):
    proc = _shell(">&-", [*SMALL_RUNS["simulate"], "--out", "/dev/stdout"])
    assert proc.returncode == 2
    assert proc.stderr == ("qbcircuit: error: cannot write '/dev/stdout' (standard output): "
                           "it is closed\n")
    proc = _shell("< /dev/null", [*SMALL_RUNS["simulate"], "--out", "/dev/stdin"])
    assert proc.returncode == 2
    assert proc.stderr == ("qbcircuit: error: cannot write '/dev/stdin': standard input is "
                           "not open for writing\n")


# ---------------------------------------------------------------- paths (issues 22.7, 23.4)


def _no_work(monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the work started")

    monkeypatch.setattr("qbcircuit.sweep._run", no_work)
    monkeypatch.setattr("qbcircuit.paper.figures.compute_suite", no_work)


SWEEP = ["sweep", "--vary", "g=0,1", "--t-max", "1", "--points", "3", "--no-progress"]


@pytest.mark.parametrize(("options", "message"), [
    (["--out", "o.png", "--plot", "o.png"],
     "--out and --plot both name 'o.png': one would overwrite the other"),
    (["--out", "o.csv", "--checkpoint", "./o.csv"], "--out and --checkpoint both name './o.csv'"),
    (["--plot", "p.svg", "--checkpoint", "sub/../p.svg"], "--plot and --checkpoint both name"),
    (["--out", "-", "--plot", "/dev/stdout"], "--out and --plot both name '/dev/stdout'"),
    (["--plot", "p.jpg"], "--plot 'p.jpg': a plot is written as .png, .pdf, .svg"),
    (["--out", "x.csv/"], "output path 'x.csv/' ends in '/', which names a folder"),
])
def test_sweep_paths_that_would_clobber_are_refused_before_the_work(capsys, tmp_path,
                                                                    monkeypatch, options,
                                                                    message):
    _no_work(monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    status, out, err = run(capsys, *SWEEP, *options)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert os.listdir(tmp_path) == ["sub"]


def test_out_with_a_trailing_slash_names_a_folder(capsys, tmp_path):
    status, _, err = run(capsys, "simulate", "--method", "exact", "--points", "3",
                         "--out", str(tmp_path / "x.csv") + "/")
    assert status == 2 and "ends in '/', which names a folder: give a file name" in err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", ["reproduce", "figures"])
def test_a_dangling_or_looping_output_folder_is_refused_before_the_work(capsys, tmp_path,
                                                                        monkeypatch, command):
    _no_work(monkeypatch)
    (tmp_path / "dl").symlink_to(tmp_path / "missing")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    for out, message in [("dl", "is a symbolic link to"), ("dl/sub", "is a symbolic link to"),
                         ("loop1", "is a loop of symbolic links")]:
        status, _, err = run(capsys, command, "--out", str(tmp_path / out), "--points", "3")
        assert status == 2 and err.count("\n") == 1 and message in err, err
    assert sorted(os.listdir(tmp_path)) == ["dl", "loop1", "loop2"]


@pytest.mark.parametrize(("argv", "message"), [
    (["simulate", "--points", "3", "--out", "a\0b"], "output path 'a\\x00b' contains a NUL"),
    ([*SWEEP, "--checkpoint", "c\0k"], "--checkpoint 'c\\x00k' contains a NUL byte"),
    (["figures", "--points", "3", "--out", "f\0"], "output folder 'f\\x00' contains a NUL"),
    (["reproduce", "--points", "3", "--out", "r\0"], "output folder 'r\\x00' contains a NUL"),
])
def test_a_nul_byte_in_a_path_is_one_line(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2 and err.count("\n") == 1 and message in err, err


@pytest.mark.parametrize(("argv", "message"), [
    (["simulate", "--points", "3", "--method", "exact", "--out", "x.csv"], "output path 'x.csv'"),
    ([*SWEEP, "--checkpoint", "ck"], "--checkpoint 'ck'"),
    (["figures", "--points", "3"], "output folder 'figures'"),
])
def test_a_deleted_working_directory_is_one_line(capsys, tmp_path, monkeypatch, argv, message):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    status, _, err = run(capsys, *argv)
    assert status == 2 and err.count("\n") == 1, err
    assert f"{message} is relative to the working directory, which was deleted" in err


@pytest.mark.parametrize("command", ["reproduce", "figures"])
@pytest.mark.parametrize(("argv", "message"), [
    (["--points", "10000000000"], "points must be an integer in [2, 1000000], got 10000000000"),
    (["--parametric-points", "1"], "parametric-points must be an integer in [2, 1000000], got 1"),
    (["--out", "r" * 300], "cannot create output folder 'rrr"),
    (["--out", "r" * 300 + "/sub"], "File name too long"),
])
def test_reproduce_bounds_are_one_line_before_the_work(capsys, tmp_path, monkeypatch, command,
                                                       argv, message):
    """`reproduce --points 1e10` allocated 74.5 GiB; a 300-character name was a traceback."""
    _no_work(monkeypatch)
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, command, *argv)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- memory limits (issue 22.2)


def _address_space_limit(limit):
    def apply():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


@pytest.mark.parametrize("argv", [
    ["simulate", "--alpha", "10", "--kappa", "0.1", "--t-max", "1", "--method", "dynamics",
     "--array-library", "scipy_sparse"],
    # the Solver path keeps every state (the default open path holds one chunk: it would run)
    ["simulate", "--fock", "512", "--kappa", "0.1", "--t-max", "1", "--method", "dynamics",
     "--array-library", "scipy_sparse"],
    ["sweep", "--vary", "alpha=1:10:3", "--set", "kappa=0.1", "--method", "dynamics",
     "--array-library", "scipy_sparse", "--t-max", "1", "--no-progress"],
])
def test_the_estimate_reads_the_address_space_limit(argv):
    """Under `prlimit --as=4000000000` these ended in numpy MemoryError tracebacks: now a result
    or one line, exit 2."""
    proc = subprocess.run([sys.executable, "-m", "qbcircuit", *argv], capture_output=True,
                          text=True, timeout=300, preexec_fn=_address_space_limit(4_000_000_000))
    if proc.returncode == 0:  # it fits (the dynamics engine's open path holds one chunk)
        assert proc.stdout.count("\n") >= 2 and "Traceback" not in proc.stderr
        return
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    # refused by the estimate, or (where the estimate fits but the address space does not)
    # the one-line out-of-memory message; warnings before it are one line each
    *warnings, last = proc.stderr.splitlines()
    assert all(w.startswith("qbcircuit: warning: ") for w in warnings), proc.stderr
    assert "GiB are available" in last or last.startswith(
        "qbcircuit: error: out of memory ("), proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_memory_error_beyond_the_estimate_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr("qbcircuit.cli.simulate", lambda *a, **k: np.ones(1 << 50))
    status, out, err = run(capsys, "simulate", "--points", "3")
    assert status == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("qbcircuit: error: out of memory (Unable to allocate")
    assert "use fewer points, a smaller truncation (fock, |alpha|)" in err


# ---------------------------------------------------------------- environment (issue 22.9)


def _cli(argv, **env):
    return subprocess.run([sys.executable, "-m", "qbcircuit", *argv], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


@pytest.mark.parametrize(("argv", "status"), [
    (["--help"], 0),
    (SMALL_RUNS["simulate"], 0),
    (["simulate", "--zeta", "7"], 2),
])
def test_the_command_line_runs_without_docstrings(argv, status):
    """PYTHONOPTIMIZE=2 strips docstrings: help texts must not come from them."""
    proc = _cli(argv, PYTHONOPTIMIZE="2")
    assert proc.returncode == status and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.startswith("usage: qbcircuit" if status == 0 and argv == ["--help"]
                                  else "t,energy" if status == 0 else "")


def test_files_are_rendered_with_agg_whatever_mplbackend_says(tmp_path):
    proc = _cli(["figures", "--points", "3", "--parametric-points", "3", "--no-progress",
                 "--method", "exact",
                 "--out", str(tmp_path / "figs")], MPLBACKEND="bogus")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert len(list((tmp_path / "figs").glob("*.png"))) == 5  # Figures 2-6
    proc = _cli([*SMALL_RUNS["sweep"], "--plot", str(tmp_path / "p.png")], MPLBACKEND="bogus")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")


# -- stops (Ctrl-C, SIGTERM) that land -------------------------------------------------------
def test_a_stop_swallowed_by_a_gc_callback_is_raised_again():
    """A KeyboardInterrupt raised inside a gc callback is dropped by Python ("Exception
    ignored"): a Ctrl-C 0.8 s into a sweep (JAX's callback) let it run to its end."""
    import gc
    import time

    armed = []  # armed inside the block only: a collection may run at any allocation

    def callback(phase, info):
        if phase == "start" and armed:
            armed.clear()
            raise KeyboardInterrupt  # as a Ctrl-C handled while the callback runs

    gc.callbacks.append(callback)
    # Ctrl-C as a terminal gives it (a run in the background inherits SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with cli._stops_that_land(), pytest.raises(KeyboardInterrupt):
            armed.append(True)
            gc.collect()  # the first one is swallowed here
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                time.sleep(0.001)  # the repeated one lands here
    finally:
        signal.signal(signal.SIGINT, previous)
        gc.callbacks.remove(callback)
    assert not armed


@pytest.mark.skipif(not os.path.exists(CONSOLE), reason="no console script (not installed)")
@pytest.mark.parametrize("delay", [0.05, 0.3])
@pytest.mark.parametrize(("sig", "status", "line"), [(2, 130, "interrupted"),
                                                     (15, 143, "terminated")])
def test_a_stop_during_the_start_up_ends_in_one_line(tmp_path, delay, sig, status, line):
    """During the package import (the console script's launcher), with a worker starting."""
    import time

    out = tmp_path / "sweep.csv"
    proc = popen_with_ctrl_c([CONSOLE, "sweep", "--vary", "g=0.1:2:40", "--vary",
                              "delta=-1:1:40", "--no-progress", "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == status and err.splitlines()[-1] == f"qbcircuit: {line}"
    assert "Traceback" not in err and "Interrupt" not in err, err
    assert not out.exists()

"""The benchmark script stays runnable (a smoke test; timings are never asserted)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "paper_suite.py"
MANY_CELLS = Path(__file__).parent.parent / "benchmarks" / "many_cells.py"


def load(path: Path):
    """The benchmark script as a module (it is not a package)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_paper_suite_benchmark_runs(tmp_path):
    module = load(SCRIPT)
    out, plot = tmp_path / "report.md", tmp_path / "wp.png"
    assert module.main(["--quick", "--no-jax", "--out", str(out), "--plot", str(plot)]) == 0
    report = out.read_text()
    for row in ("| exact |", "| dynamics |", "| qutip (defaults) |", "| qutip (matched tol.) |"):
        assert row in report
    assert "ratio to QuTiP defaults" in report and "ratio to QuTiP matched" in report
    assert "peak RSS" in report and "Threads (threadpoolctl" in report
    assert "One closed trajectory (alpha = 2" in report and "Work-precision" in report
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob(".wp.png.*"))


@pytest.mark.slow
def test_trajectory_benchmark_runs(tmp_path):
    module = load(Path(__file__).parent.parent / "benchmarks" / "trajectory.py")
    out = tmp_path / "report.md"
    assert module.main(["--reps", "1", "--out", str(out)]) == 0
    report = out.read_text()
    assert report.count("\n| ") == 1 + len(module.CASES)  # header and one row per case
    assert "dynamics / QuTiP defaults" in report and "Load average" in report


@pytest.mark.slow
def test_many_cells_benchmark_runs(tmp_path):
    module = load(MANY_CELLS)
    out = tmp_path / "report.md"
    assert module.main(["--cases", "closed N=6", "--reps", "1", "--no-rss", "--no-tight",
                        "--out", str(out)]) == 0
    report = out.read_text()
    assert "| closed N=6 | " in report and "| exact |" in report
    assert "| qutip (defaults) |" in report and "Load average" in report
    assert "Threads (threadpoolctl" in report
    assert not list(tmp_path.glob(".*.tmp"))

"""The benchmark script stays runnable (a smoke test; timings are never asserted)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "paper_suite.py"


@pytest.mark.slow
def test_paper_suite_benchmark_runs(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("paper_suite", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "report.md"
    assert module.main(["--reps", "1", "--points", "11", "--out", str(out)]) == 0
    report = out.read_text()
    assert "| qutip |" in report and "| dynamics |" in report and "ratio to QuTiP" in report

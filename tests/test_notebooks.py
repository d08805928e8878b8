"""Notebooks are documentation that runs: each is executed here at reduced resolution."""

import json
import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def execute(path: Path, fast: bool):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("QBCIRCUIT_FAST")
    os.environ["QBCIRCUIT_FAST"] = "1" if fast else "0"
    try:
        nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("QBCIRCUIT_FAST")
        else:
            os.environ["QBCIRCUIT_FAST"] = env_before
    return nb


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"paper_figures.ipynb", "many_cells.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_reduced_resolution(path):
    # nbclient raises CellExecutionError on the first failing cell; the notebook must also have
    # run every code cell (a notebook that stops early would not)
    nb = execute(path, fast=True)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_full_size(path):
    execute(path, fast=False)
